"""Text of PDF pages and OCR of images, in plain Python with no Django: worker processes import only this
module, so a long PDF's pages can be read on every core (see records.documents.extraction)."""

import logging
import re
import shutil
import subprocess
import tempfile
from pathlib import Path, PurePath

logger = logging.getLogger(__name__)

OCR_TIMEOUT_SECONDS = 120
# What became of each page.
TEXT, NEEDS_OCR, UNREADABLE = "text", "needs_ocr", "unreadable"
# C0 and C1 controls but tab and newline, and lone surrogates (a bad font map can make them; UTF-8 cannot).
UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_page_text(text: str) -> str:
    """Text as stored: line ends normalised; NUL (which PostgreSQL refuses), other controls and lone
    surrogates dropped."""
    return UNWANTED.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else Windows-1252, which never fails."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def open_pdf(path):
    """A PdfReader, decrypted when its password is empty (an owner-only lock); pypdf errors propagate."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    if reader.is_encrypted:
        reader.decrypt("")
    return reader


def read_pages(path: str, start: int, stop: int) -> list[tuple[str, str]]:
    """(text, TEXT / NEEDS_OCR / UNREADABLE) for pages start..stop-1 (from 0). Image-only pages are OCRed
    when Tesseract is installed. One bad page does not stop the others."""
    reader = open_pdf(path)
    results = []
    for index in range(start, stop):
        page = reader.pages[index]
        try:
            text = clean_page_text(page.extract_text())
        except Exception:  # any pypdf failure on one page: the page is reported, the rest still read
            logger.warning("Page %s of %s could not be read", index + 1, path, exc_info=True)
            results.append(("", UNREADABLE))
            continue
        state = TEXT
        if not text:
            images = _page_images(page)
            if images:
                ocr = ocr_images(images)
                text, state = (ocr, TEXT) if ocr is not None else ("", NEEDS_OCR)
        results.append((text, state))
    return results


def _page_images(page) -> list[tuple[str, bytes]]:
    """(file name, image bytes) of a page's images."""
    try:
        return [(image.name, image.data) for image in page.images]
    except Exception:  # still an image page: an empty image makes ocr_images report it as needing OCR
        logger.warning("Images of a page could not be decoded", exc_info=True)
        return [("page.bin", b"")]


def tesseract_path() -> str | None:
    return shutil.which("tesseract")


def ocr_images(images: list[tuple[str, bytes]]) -> str | None:
    """The OCRed text of the images, or None when Tesseract is missing or fails on one of them."""
    if not tesseract_path():
        return None
    texts = []
    with tempfile.TemporaryDirectory() as folder:
        for index, (name, data) in enumerate(images):
            if not data:
                return None
            image_path = Path(folder) / f"{index}{PurePath(name).suffix or '.png'}"
            image_path.write_bytes(data)
            text = ocr_file(image_path)
            if text is None:
                return None
            texts.append(text)
    return clean_page_text("\n".join(texts))


def ocr_file(path: Path) -> str | None:
    tesseract = tesseract_path()
    if not tesseract:
        return None
    try:
        completed = subprocess.run(
            [tesseract, str(path), "stdout"], capture_output=True, timeout=OCR_TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        logger.warning("Tesseract failed on %s", path, exc_info=True)
        return None
    if completed.returncode != 0:
        logger.warning("Tesseract failed on %s: %s", path, completed.stderr[:500])
        return None
    return clean_page_text(decode_text(completed.stdout))
