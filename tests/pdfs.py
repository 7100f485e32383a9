"""Small PDFs made on the spot for tests and benchmarks: text pages, image-only pages, encrypted and broken ones."""

import io

from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

OKALOOSA = "tests/data/okaloosa-flock-sharing-agencies.pdf"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def text_pdf(pages: list[str], password: str | None = None) -> bytes:
    """A PDF with one page per string, each line of it a line of Helvetica text."""
    writer = PdfWriter()
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
    )
    for text in pages:
        page = writer.add_blank_page(612, 792)
        lines = " ".join(f"({_escape(line)}) Tj T*" for line in text.splitlines())
        stream = DecodedStreamObject()
        stream.set_data(f"BT /F1 10 Tf 12 TL 72 740 Td {lines} ET".encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        page.compress_content_streams()
    if password:
        writer.encrypt(user_password=password, algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def image_pdf() -> bytes:
    """A one-page PDF holding only a picture, as a scanner makes."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (200, 100), "white").save(buffer, "PDF")
    return buffer.getvalue()


def png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "white").save(buffer, "PNG")
    return buffer.getvalue()


def scanned_pdf(pages: list[str]) -> bytes:
    """A PDF of pictures of typed text, one per page, with no text layer: what OCR has to read. Drawn with
    Pillow's own font, so no system font is needed."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=44)
    images = []
    for text in pages:
        image = Image.new("L", (1700, 2200), 255)  # a letter page at 200 dpi
        draw = ImageDraw.Draw(image)
        for row, line in enumerate(text.splitlines()):
            draw.text((120, 160 + row * 80), line, fill=0, font=font)
        images.append(image)
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", resolution=200, save_all=True, append_images=images[1:])
    return buffer.getvalue()
