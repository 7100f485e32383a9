"""Text of PDF pages through PDFium (pypdfium2), and OCR of scanned pages and images with Tesseract.

PDFium is C++ and reads a typical page in about a millisecond, so a PDF is read in the calling process,
page by page. It is not thread-safe: every PDFium call stays on the calling thread, and only Tesseract,
a program of its own, runs in parallel, one scanned page per core.
"""

import io
import logging
import math
import os
import re
import shutil
import subprocess
import tempfile
import warnings
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path

logger = logging.getLogger(__name__)

OCR_TIMEOUT_SECONDS = 120
# Scanned pages are rendered at this resolution for Tesseract (its documentation asks for 300 dpi or more).
RENDER_DPI = 300
# Pages OCRed at once: one Tesseract per core (four at most).
OCR_WORKERS = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 4)
# What became of each page.
TEXT, NEEDS_OCR, UNREADABLE = "text", "needs_ocr", "unreadable"
# A page whose images are damaged, or too large to decode or to OCR (settings.OCR_MAX_PIXELS).
TOO_LARGE = "too_large"
# C0 and C1 controls but tab and newline, and lone surrogates (a bad font map can make them; UTF-8 cannot).
UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


class PdfError(ValueError):
    """The PDF cannot be opened; the message says why."""


class EncryptedPdf(PdfError):
    pass


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


def open_pdf(source):
    """A PdfDocument from a path or a binary file (read as needed, never whole); an owner-only lock (an
    empty user password) opens as it is. Raises EncryptedPdf or PdfError."""
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(source)
    except pdfium.PdfiumError as error:
        if error.err_code == pdfium.raw.FPDF_ERR_PASSWORD:
            raise EncryptedPdf("The PDF is encrypted with a password.") from None
        raise PdfError(f"The PDF is damaged and could not be read ({error}).") from None


def read_pages(source) -> list[tuple[str, str]]:
    """(text, TEXT / NEEDS_OCR / UNREADABLE / TOO_LARGE) for every page. Pages without text but with images
    are rendered and OCRed when Tesseract is installed, several at once. One bad page does not stop the others."""
    document = open_pdf(source)
    results: list[tuple[str, str] | None] = []
    try:
        with tempfile.TemporaryDirectory() as folder, ThreadPoolExecutor(OCR_WORKERS) as pool:
            running = {}
            for index in range(len(document)):
                state, text, image = _read_page(document, index, Path(folder))
                results.append((text, state))
                if image is None:
                    continue
                # Rendered pages wait on disk, a few per core, so a long scan never fills the disk or memory.
                while len(running) >= 2 * OCR_WORKERS:
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in done:
                        results[running.pop(future)] = _ocr_result(future)
                running[pool.submit(_ocr_and_remove, image)] = index
            for future, index in running.items():
                results[index] = _ocr_result(future)
    finally:
        document.close()
    return results


def _read_page(document, index: int, folder: Path) -> tuple[str, str, Path | None]:
    """(state, text, a rendered image to OCR or None) of one page."""
    import pypdfium2 as pdfium

    try:
        page = document[index]
    except pdfium.PdfiumError:
        logger.warning("Page %s could not be read", index + 1, exc_info=True)
        return UNREADABLE, "", None
    try:
        textpage = page.get_textpage()
        text = clean_page_text(textpage.get_text_range())
        textpage.close()
        if text:
            return TEXT, text, None
        try:
            sizes = [image.get_px_size() for image in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE])]
        except pdfium.PdfiumError:
            logger.warning("Images of page %s could not be read", index + 1, exc_info=True)
            return TOO_LARGE, "", None
        if not sizes:  # a blank page
            return TEXT, "", None
        if any(pixels_over_limit(width * height) for width, height in sizes):
            return TOO_LARGE, "", None
        if not tesseract_path():
            return NEEDS_OCR, "", None
        image = folder / f"{index}.png"
        _render(page, image)
        return TEXT, "", image
    except pdfium.PdfiumError:
        logger.warning("Page %s could not be read", index + 1, exc_info=True)
        return UNREADABLE, "", None
    finally:
        page.close()


def _render(page, image: Path):
    """The page in grey at RENDER_DPI, or less where that would pass OCR_MAX_PIXELS (a poster-sized page)."""
    from django.conf import settings

    width, height = page.get_size()  # in points, 72 to the inch
    scale = min(RENDER_DPI / 72, math.sqrt(settings.OCR_MAX_PIXELS / max(width * height, 1)))
    bitmap = page.render(scale=scale, grayscale=True)
    try:
        bitmap.to_pil().save(image, "PNG", compress_level=1)
    finally:
        bitmap.close()


def _ocr_and_remove(image: Path) -> str | None:
    try:
        return ocr_file(image)
    finally:
        image.unlink(missing_ok=True)


def _ocr_result(future) -> tuple[str, str]:
    text = future.result()
    return (text, TEXT) if text is not None else ("", NEEDS_OCR)


def pixels_over_limit(pixels: int) -> bool:
    from django.conf import settings

    return pixels > settings.OCR_MAX_PIXELS


def too_large(image) -> str:
    """Why an image (bytes, a path or a binary file) is too large for text recognition ("" when it is not):
    Tesseract's memory grows with the pixels (a 20,000 x 20,000 PNG of 438 KB took 1.47 GB). Only the
    image's header is read."""
    from django.conf import settings
    from PIL import Image

    limit = settings.OCR_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the limit that counts is ours
            with Image.open(io.BytesIO(image) if isinstance(image, bytes) else image) as opened:
                width, height = opened.size
    except Image.DecompressionBombError:
        return f"the image has more pixels than Pillow will open, far over the {limit:,}-pixel limit"
    except Exception:  # not an image Pillow knows: Tesseract will say whether it can read it
        return ""
    if not pixels_over_limit(width * height):
        return ""
    return f"the image is {width:,} x {height:,} pixels, over the {limit:,}-pixel limit for text recognition"


def tesseract_path() -> str | None:
    return shutil.which("tesseract")


def ocr_file(path: Path) -> str | None:
    """The image's text, or None when Tesseract is missing or fails on it."""
    tesseract = tesseract_path()
    if not tesseract:
        return None
    try:
        completed = subprocess.run(
            [tesseract, str(path), "stdout"],
            capture_output=True,
            timeout=OCR_TIMEOUT_SECONDS,
            check=False,
            # One thread each: pages are already OCRed one per core.
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        )
    except (OSError, subprocess.TimeoutExpired):
        logger.warning("Tesseract failed on %s", path, exc_info=True)
        return None
    if completed.returncode != 0:
        logger.warning("Tesseract failed on %s: %s", path, completed.stderr[:500])
        return None
    return clean_page_text(decode_text(completed.stdout))
