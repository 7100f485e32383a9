"""What a file is by its content, and the text read from it page by page, whatever state the file is in."""

import email.message
import io
import os
import stat
from pathlib import Path

import pytest

from records.documents import extraction
from records.documents import pdf as pdftext
from records.documents.extraction import EMAIL, JPEG, PDF, PNG, TEXT, UnsupportedFile, detect_type
from records.models import ExtractionStatus
from tests import pdfs


def make_eml(subject="Rekognition pilot", body="We should talk about the Big Brother vibe.", html=False) -> bytes:
    message = email.message.EmailMessage()
    message["From"] = "Analyst <analyst@example.gov>"
    message["To"] = "Sheriff <sheriff@example.gov>"
    message["Subject"] = subject
    message["Date"] = "Tue, 14 Nov 2017 09:30:00 -0800"
    if html:
        message.set_content(f"<html><body><p>{body}</p><script>alert(1)</script></body></html>", subtype="html")
    else:
        message.set_content(body)
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="contract.pdf")
    return message.as_bytes()


@pytest.fixture
def fake_tesseract(tmp_path, monkeypatch):
    """A stand-in `tesseract` on PATH that 'reads' any image as a fixed sentence."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "tesseract"
    script.write_text('#!/bin/sh\necho "Text read by OCR from an ALPR invoice"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")


@pytest.fixture
def no_tesseract(monkeypatch):
    monkeypatch.setattr(pdftext.shutil, "which", lambda name: None)


# Types, by content


@pytest.mark.parametrize(
    ("head", "name", "expected"),
    [
        (b"%PDF-1.7\n...", "contract.pdf", PDF),
        (b"%PDF-1.7\n...", "no-extension", PDF),
        (b"\r\n%PDF-1.4\n...", "scan.pdf", PDF),
        (b"Notes: <b> is bold in HTML\n", "notes.txt", TEXT),
        (b"\x89PNG\r\n\x1a\n....", "scan.png", PNG),
        (b"\xff\xd8\xff\xe0....", "photo.JPEG", JPEG),
        (b"Plain words\n", "notes.txt", TEXT),
        (b"agency,vendor\nA,B\n", "list.csv", extraction.CSV),
        (make_eml(), "message.eml", EMAIL),
        (make_eml(), "message", EMAIL),
        ("Caf\xe9 notes".encode("cp1252"), "notes.txt", TEXT),
    ],
)
def test_files_are_typed_by_their_content(head, name, expected):
    assert detect_type(head, name) is expected


@pytest.mark.parametrize(
    ("head", "name", "message"),
    [
        (b"<!DOCTYPE html><html><body>Not a PDF</body></html>", "report.pdf", "is an HTML page, not PDF"),
        (b"", "empty.pdf", "is empty"),
        (b"%PDF-1.4 ...", "image.png", "its content is PDF, not PNG image"),
        (b"MZ\x90\x00\x03\x00", "tool.txt", "binary data"),
        (b"Just some words", "fake.pdf", "holds text, not PDF"),
        (b"Just some words\n", "fake.eml", "does not start with email headers"),
        (b"PK\x03\x04", "sheet.xlsx", ".xlsx files are not accepted"),
        # A PDF starts with its header: "%PDF-" further in is no PDF.
        (b"<html><body>" + b"x" * 200 + b"%PDF-1.4</body></html>", "report.pdf", "is an HTML page, not PDF"),
        (b"Junk before %PDF-1.4\n", "report.pdf", "holds text, not PDF"),
        # Markup behind a leading comment is still markup.
        (b"<!-- saved by a browser -->\n<html><script>alert(1)</script>", "page.txt", "is an HTML page"),
        (b"\xef\xbb\xbf<!--a--><!--b-->  <svg onload=alert(1)>", "notes.txt", "is an HTML page"),
    ],
)
def test_refused_files_say_why(head, name, message):
    with pytest.raises(UnsupportedFile, match=message):
        detect_type(head, name)


# Text


def test_a_text_pdf_gives_one_page_of_text_per_page(tmp_path):
    path = tmp_path / "two.pdf"
    path.write_bytes(pdfs.text_pdf(["First page about Flock Safety", "Second page"]))
    result = extraction.extract(path, "application/pdf")
    assert result.status == ExtractionStatus.DONE
    assert [page.strip() for page in result.pages] == ["First page about Flock Safety", "Second page"]


def test_the_okaloosa_pdf_gives_29_pages():
    result = extraction.extract(Path(pdfs.OKALOOSA), "application/pdf")
    assert result.status == ExtractionStatus.DONE
    assert len(result.pages) == 29
    assert "Okaloosa County FL SO" in result.pages[0]
    assert "Axon" in result.pages[0]


def test_an_encrypted_pdf_is_kept_and_marked_failed(tmp_path):
    path = tmp_path / "locked.pdf"
    path.write_bytes(pdfs.text_pdf(["secret"], password="hunter2"))
    result = extraction.extract(path, "application/pdf")
    assert result.status == ExtractionStatus.FAILED
    assert "encrypted" in result.error
    assert result.pages == []


@pytest.mark.parametrize(
    "content", [b"%PDF-1.4\nthis is not really a pdf\n%%EOF", b"%PDF-1.7\n" + bytes(range(256)) * 4]
)
def test_a_corrupt_pdf_is_marked_failed_with_the_reason(tmp_path, content):
    path = tmp_path / "broken.pdf"
    path.write_bytes(content)
    result = extraction.extract(path, "application/pdf")
    assert result.status == ExtractionStatus.FAILED
    assert result.error


def test_an_email_gives_its_headers_and_body_and_its_date(tmp_path):
    path = tmp_path / "mail.eml"
    path.write_bytes(make_eml())
    result = extraction.extract(path, "message/rfc822")
    assert result.status == ExtractionStatus.DONE
    (page,) = result.pages
    assert "From: Analyst <analyst@example.gov>" in page
    assert "Subject: Rekognition pilot" in page
    assert "Attachments: contract.pdf" in page
    assert "Big Brother vibe" in page
    assert result.date.isoformat() == "2017-11-14"


def test_an_html_email_gives_its_visible_text(tmp_path):
    path = tmp_path / "mail.eml"
    path.write_bytes(make_eml(body="Visible words", html=True))
    (page,) = extraction.extract(path, "message/rfc822").pages
    assert "Visible words" in page
    assert "alert(1)" not in page and "<p>" not in page


def test_a_text_file_is_one_page_without_nul_or_control_characters(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"Line one\r\nLine\x00 two\x07 three")
    assert extraction.extract(path, "text/plain").pages == ["Line one\nLine two three"]


def test_a_very_long_text_file_is_cut_into_pages_at_line_ends():
    text = "\n".join(f"row {n}, Flock Safety" for n in range(20_000))
    pages = extraction.split_pages(text, limit=50_000)
    assert len(pages) > 1
    assert all(len(page) <= 50_000 for page in pages)
    assert "".join(pages) == text


# Images and OCR


def test_an_image_without_tesseract_needs_ocr(tmp_path, no_tesseract):
    path = tmp_path / "scan.png"
    path.write_bytes(pdfs.png())
    result = extraction.extract(path, "image/png")
    assert result.status == ExtractionStatus.NEEDS_OCR
    assert result.pages == []


def test_an_image_only_pdf_page_without_tesseract_needs_ocr(tmp_path, no_tesseract):
    path = tmp_path / "scan.pdf"
    path.write_bytes(pdfs.image_pdf())
    result = extraction.extract(path, "application/pdf")
    assert result.status == ExtractionStatus.NEEDS_OCR
    assert "Page(s) 1" in result.error
    assert result.pages == [""]


def test_images_are_read_with_tesseract_when_it_is_installed(tmp_path, fake_tesseract):
    image, scan = tmp_path / "scan.png", tmp_path / "scan.pdf"
    image.write_bytes(pdfs.png())
    scan.write_bytes(pdfs.image_pdf())
    assert extraction.extract(image, "image/png").pages == ["Text read by OCR from an ALPR invoice"]
    result = extraction.extract(scan, "application/pdf")
    assert result.status == ExtractionStatus.DONE
    assert result.pages == ["Text read by OCR from an ALPR invoice"]


@pytest.fixture
def real_tesseract():
    """Debian's tesseract-ocr (.ci/run installs it); skipped without it, except under CI, where it fails."""
    if not pdftext.tesseract_path():
        message = "tesseract is not installed (apt-get install tesseract-ocr; .ci/run installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + ", and CI=true requires it")
        pytest.skip(message)


def test_a_scan_is_read_by_the_real_tesseract_each_page_to_its_own_page(tmp_path, real_tesseract):
    path = tmp_path / "scan.pdf"
    path.write_bytes(
        pdfs.scanned_pdf(["Purchase order 4471\nAutomated licence plate readers", "Second page\nOkaloosa invoice"])
    )
    result = extraction.extract(path, "application/pdf")
    assert result.status == ExtractionStatus.DONE
    first, second = (" ".join(page.split()).lower() for page in result.pages)
    assert "purchase order 4471" in first and "licence plate readers" in first
    assert "okaloosa invoice" in second and "licence" not in second


def png_header(width: int, height: int) -> bytes:
    """The start of a PNG of that size: its signature and header chunk are all a reader needs for its size."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    # One compressed row of image data: a 438 KB file of this size holds the rest, never needed to read its size.
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00")) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("size", "said"),
    [
        ((8_000, 8_000), "the image is 8,000 x 8,000 pixels, over the 50,000,000-pixel limit"),
        # Past twice Pillow's own limit it will not even open the file.
        ((20_000, 20_000), "more pixels than Pillow will open, far over the 50,000,000-pixel limit"),
    ],
)
def test_an_image_over_the_pixel_limit_is_never_given_to_tesseract(tmp_path, fake_tesseract, size, said):
    path = tmp_path / "bomb.png"
    path.write_bytes(png_header(*size))
    result = extraction.extract(path, "image/png")
    assert result.status == ExtractionStatus.FAILED
    assert said in result.error
    assert result.pages == []


def test_a_pdf_page_whose_image_is_over_the_limit_is_marked_too_large_not_missing_tesseract(
    tmp_path, settings, fake_tesseract
):
    settings.OCR_MAX_PIXELS = 10_000  # the page's picture has 200 x 100
    path = tmp_path / "scan.pdf"
    path.write_bytes(pdfs.image_pdf())
    result = extraction.extract(path, "application/pdf")
    assert result.status == ExtractionStatus.FAILED
    assert "Page(s) 1 hold images that are damaged or too large to read (over 10,000 pixels" in result.error
    assert "Tesseract" not in result.error
    settings.OCR_MAX_PIXELS = 20_000
    assert extraction.extract(path, "application/pdf").status == ExtractionStatus.DONE


def scan_pdf(pages: int) -> bytes:
    """A PDF of `pages` image-only pages, as a scanner makes."""
    from PIL import Image

    images = [Image.new("L", (200, 100), "white") for _ in range(pages)]
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", save_all=True, append_images=images[1:])
    return buffer.getvalue()


def test_a_100_page_scan_is_read_page_by_page_by_several_tesseracts_at_once(tmp_path, monkeypatch):
    """Each page's own text comes back to its own page, and pages are OCRed in parallel."""
    folder, log = tmp_path / "bin", tmp_path / "ocr.log"
    folder.mkdir()
    script = folder / "tesseract"
    # Says which page it read (the rendered image is named by the page's index) and logs when it ran.
    script.write_text(
        f'#!/bin/sh\necho start >> {log}\nsleep 0.05\necho end >> {log}\necho "scanned page $(basename "$1" .png)"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setattr(pdftext, "OCR_WORKERS", 4)
    path = tmp_path / "scan.pdf"
    path.write_bytes(scan_pdf(100))

    result = extraction.extract(path, "application/pdf")

    assert result.status == ExtractionStatus.DONE
    assert result.pages == [f"scanned page {n}" for n in range(100)]
    running = most = 0
    for line in log.read_text().split():
        running += 1 if line == "start" else -1
        most = max(most, running)
    assert most > 1
