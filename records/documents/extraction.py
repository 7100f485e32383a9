"""What a file is (judged by its content, never its name) and the text in it, page by page.

Pure functions over bytes and files: no models. The ingest service and the upload form call
`detect_type`; the extraction task calls `extract`.
"""

import contextlib
import email
import email.policy
import html.parser
import logging
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import BinaryIO

from django.conf import settings

from records.documents import pdf as pdftext
from records.documents.pdf import clean_page_text, decode_text
from records.models import ExtractionStatus

logger = logging.getLogger(__name__)

HEAD_BYTES = 8192
# A page of a text file larger than this is split at line ends: PostgreSQL's tsvector of one value
# must stay under 1 MB, and a page this long is no page to read anyway.
MAX_PAGE_CHARS = 100_000


@dataclass(frozen=True)
class FileType:
    key: str
    label: str
    content_type: str
    extension: str


PDF = FileType("pdf", "PDF", "application/pdf", ".pdf")
PNG = FileType("png", "PNG image", "image/png", ".png")
JPEG = FileType("jpeg", "JPEG image", "image/jpeg", ".jpg")
TEXT = FileType("text", "plain text", "text/plain", ".txt")
CSV = FileType("csv", "CSV", "text/csv", ".csv")
EMAIL = FileType("email", "email (.eml)", "message/rfc822", ".eml")
TYPES_BY_EXTENSION = {
    ".pdf": PDF,
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".txt": TEXT,
    ".text": TEXT,
    ".csv": CSV,
    ".eml": EMAIL,
}
TYPES_BY_CONTENT_TYPE = {t.content_type: t for t in (PDF, PNG, JPEG, TEXT, CSV, EMAIL)}
ACCEPTED = "PDF, plain text (.txt), CSV, email (.eml), PNG or JPEG"
EMAIL_HEADERS = frozenset({"from", "to", "subject", "date", "received", "message-id", "return-path", "mime-version"})


class UnsupportedFile(ValueError):
    """A file refused at the door, with a message for the person who sent it."""


# Markup a browser would render, wherever it starts after leading comments and white space.
_MARKUP_START = (b"<!doctype", b"<html", b"<head", b"<body", b"<?xml", b"<svg", b"<script", b"<iframe", b"<meta",
                 b"<object", b"<embed", b"<style", b"<link", b"<img", b"<a ", b"<div", b"<table", b"<form")  # fmt: skip
_LEADING_COMMENTS = re.compile(rb"^(?:\s|<!--.*?-->)*", re.S)


def _content_kind(head: bytes) -> str:
    """What the first bytes say the file is: pdf, png, jpeg, html, binary or text."""
    # A PDF starts with its header ("%PDF-1.7"); only white space may come before it. Anything else with
    # "%PDF-" somewhere in its first kilobyte is not a PDF, whatever readers tolerate.
    if head.lstrip(b" \t\r\n").startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if b"\x00" in head:
        return "binary"
    start = head.removeprefix(b"\xef\xbb\xbf")
    start = start[_LEADING_COMMENTS.match(start).end() :].lower()
    if start.startswith(_MARKUP_START):
        return "html"
    return "text"


def _looks_like_email(head: bytes) -> bool:
    lines = decode_text(head).lstrip("\ufeff").splitlines()
    names = set()
    for line in lines:
        if not line.strip():
            break
        if line[:1] in " \t":
            continue
        name, colon, _ = line.partition(":")
        if not colon or not name or " " in name:
            return False
        names.add(name.lower())
    return bool(names & EMAIL_HEADERS)


def detect_type(head: bytes, filename: str) -> FileType:
    """The accepted type of a file from its first bytes, checked against its name's extension."""
    if not head:
        raise UnsupportedFile(f"“{filename}” is empty.")
    extension = PurePath(filename).suffix.lower()
    named = TYPES_BY_EXTENSION.get(extension)
    if extension and named is None:
        raise UnsupportedFile(f"“{filename}”: {extension} files are not accepted. Accepted: {ACCEPTED}.")
    kind = _content_kind(head)
    found = {"pdf": PDF, "png": PNG, "jpeg": JPEG}.get(kind)
    described = {"html": "an HTML page", "binary": "binary data of an unknown kind"}.get(kind)
    if described:
        expected = f", not {named.label}" if named else ""
        raise UnsupportedFile(f"“{filename}” is {described}{expected}. Accepted: {ACCEPTED}.")
    if kind == "text":
        if named is EMAIL and not _looks_like_email(head):
            raise UnsupportedFile(f"“{filename}” does not start with email headers (From:, To:, Subject:…).")
        if named in (TEXT, CSV, EMAIL):
            return named
        if named is None:
            return EMAIL if _looks_like_email(head) else TEXT
        raise UnsupportedFile(f"“{filename}” is named {extension} but holds text, not {named.label}.")
    if named is not None and named is not found:
        raise UnsupportedFile(f"“{filename}” is named {extension} but its content is {found.label}, not {named.label}.")
    return found


# Text


def split_pages(text: str, limit: int = MAX_PAGE_CHARS) -> list[str]:
    """One page, or several cut at line ends when the text is longer than `limit` characters."""
    if len(text) <= limit:
        return [text]
    pages, current, size = [], [], 0
    for line in text.splitlines(keepends=True):
        while len(line) > limit:
            if current:
                pages.append("".join(current))
                current, size = [], 0
            pages.append(line[:limit])
            line = line[limit:]
        if size + len(line) > limit:
            pages.append("".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line)
    if current:
        pages.append("".join(current))
    return pages


# Results


@dataclass
class Extraction:
    """Pages of text (page 1 first), the resulting status, the reason when not done, and an email's date."""

    pages: list[str] = field(default_factory=list)
    status: str = ExtractionStatus.DONE
    error: str = ""
    date: object = None


def extract(source: Path | BinaryIO, content_type: str) -> Extraction:
    """The text of a file, given as a path or as a binary file opened from storage (read as needed: a file in
    object storage has no path)."""
    file_type = TYPES_BY_CONTENT_TYPE.get(content_type)
    try:
        with _opened(source) as file:
            if file_type is PDF:
                return _extract_pdf(file)
            if file_type in (PNG, JPEG):
                return _extract_image(file, file_type)
            if file_type is EMAIL:
                return _extract_email(file)
            if file_type in (TEXT, CSV):
                return Extraction(pages=split_pages(clean_page_text(decode_text(file.read()))))
    except Exception as error:  # a broken file of any kind must end as "failed", kept for staff to see
        logger.warning("Extraction of %s failed", getattr(source, "name", source), exc_info=True)
        return Extraction(status=ExtractionStatus.FAILED, error=f"The file could not be read: {error}"[:1000])
    return Extraction(status=ExtractionStatus.FAILED, error=f"No text extraction for files of type {content_type!r}.")


@contextlib.contextmanager
def _opened(source: Path | BinaryIO):
    if isinstance(source, Path):
        with source.open("rb") as file:
            yield file
    else:
        source.seek(0)
        yield source


def _extract_pdf(file: BinaryIO) -> Extraction:
    try:
        pages = pdftext.read_pages(file)
    except pdftext.PdfError as error:
        return Extraction(status=ExtractionStatus.FAILED, error=str(error))
    if not pages:
        return Extraction(status=ExtractionStatus.FAILED, error="The PDF has no pages that could be read.")

    result = Extraction(pages=[text for text, _state in pages])
    unreadable = [n for n, (_text, state) in enumerate(pages, start=1) if state == pdftext.UNREADABLE]
    needs_ocr = [n for n, (_text, state) in enumerate(pages, start=1) if state == pdftext.NEEDS_OCR]
    too_large = [n for n, (_text, state) in enumerate(pages, start=1) if state == pdftext.TOO_LARGE]
    if too_large:
        result.status = ExtractionStatus.FAILED
        result.error = (
            f"Page(s) {_numbers(too_large)} hold images that are damaged or too large to read "
            f"(over {settings.OCR_MAX_PIXELS:,} pixels, or past the decompression limit)."
        )
    elif unreadable:
        result.status = ExtractionStatus.FAILED
        result.error = f"Text could not be read from page(s) {_numbers(unreadable)}."
    elif needs_ocr:
        result.status = ExtractionStatus.NEEDS_OCR
        result.error = f"Page(s) {_numbers(needs_ocr)} are images; Tesseract is not installed to read them."
    return result


def _numbers(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:20])
    return shown + (f" and {len(numbers) - 20} more" if len(numbers) > 20 else "")


def _extract_image(file: BinaryIO, file_type: FileType) -> Extraction:
    if reason := pdftext.too_large(file):
        return Extraction(status=ExtractionStatus.FAILED, error=f"Not read: {reason}.")
    if not pdftext.tesseract_path():
        return Extraction(status=ExtractionStatus.NEEDS_OCR, error="An image; Tesseract is not installed to read it.")
    # Tesseract reads a file by its name: a copy here, as a stored file may have none (object storage).
    with tempfile.TemporaryDirectory() as folder:
        image = Path(folder) / f"image{file_type.extension}"
        file.seek(0)
        with image.open("wb") as copy:
            shutil.copyfileobj(file, copy)
        text = pdftext.ocr_file(image)
    if text is None:
        return Extraction(status=ExtractionStatus.NEEDS_OCR, error="Tesseract could not read the image.")
    return Extraction(pages=[text])


# Email


class _HTMLText(html.parser.HTMLParser):
    """The visible text of an HTML email body."""

    BLOCKS = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "table", "blockquote"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def _html_to_text(markup: str) -> str:
    parser = _HTMLText()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


def _extract_email(file: BinaryIO) -> Extraction:
    message = email.message_from_binary_file(file, policy=email.policy.default)
    lines = []
    for name in ("From", "To", "Cc", "Date", "Subject"):
        value = message.get(name)
        if value:
            lines.append(f"{name}: {value}")
    attachments = [part.get_filename() for part in message.iter_attachments() if part.get_filename()]
    if attachments:
        lines.append("Attachments: " + ", ".join(attachments))
    body = message.get_body(preferencelist=("plain", "html"))
    text = ""
    if body is not None:
        try:
            text = body.get_content()
        except (LookupError, ValueError):  # an unknown or lying charset: read the bytes as best we can
            text = decode_text(body.get_payload(decode=True) or b"")
        if body.get_content_type() == "text/html":
            text = _html_to_text(text)
    date = None
    try:
        parsed = message["Date"].datetime if message["Date"] else None
        date = parsed.date() if parsed else None
    except (AttributeError, TypeError, ValueError):
        date = None
    page = clean_page_text("\n".join(lines) + "\n\n" + text)
    return Extraction(pages=split_pages(page), date=date)
