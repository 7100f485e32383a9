"""Text of PDF pages and OCR of images, in plain Python with no Django: worker processes import only this
module, so a long PDF's pages can be read on every core (see records.documents.extraction)."""

import io
import logging
import re
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path, PurePath

logger = logging.getLogger(__name__)

OCR_TIMEOUT_SECONDS = 120
# What became of each page.
TEXT, NEEDS_OCR, UNREADABLE = "text", "needs_ocr", "unreadable"
# A page whose images are damaged, or too large to decode or to OCR (settings.OCR_MAX_PIXELS).
TOO_LARGE = "too_large"
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
            if images is None or any(too_large(data) for _name, data in images):
                results.append(("", TOO_LARGE))
                continue
            if images:
                ocr = ocr_images(images)
                text, state = (ocr, TEXT) if ocr is not None else ("", NEEDS_OCR)
        results.append((text, state))
    return results


def _page_images(page) -> list[tuple[str, bytes]] | None:
    """(file name, image bytes) of a page's images; None when they cannot be decoded: damaged, or past pypdf's
    decompression limit (a few kilobytes can inflate to gigabytes)."""
    try:
        return [(image.name, image.data) for image in page.images]
    except Exception:
        logger.warning("Images of a page could not be decoded", exc_info=True)
        return None


def too_large(image: bytes | Path) -> str:
    """Why an image is too large for text recognition ("" when it is not): Tesseract's memory grows with the
    pixels (a 20,000 x 20,000 PNG of 438 KB took 1.47 GB). Only the image's header is read."""
    from django.conf import settings
    from PIL import Image

    limit = settings.OCR_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the limit that counts is ours
            with Image.open(image if isinstance(image, Path) else io.BytesIO(image)) as opened:
                width, height = opened.size
    except Image.DecompressionBombError:
        return f"the image has more pixels than Pillow will open, far over the {limit:,}-pixel limit"
    except Exception:  # not an image Pillow knows: Tesseract will say whether it can read it
        return ""
    if width * height <= limit:
        return ""
    return f"the image is {width:,} x {height:,} pixels, over the {limit:,}-pixel limit for text recognition"


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
