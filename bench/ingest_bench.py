"""Document ingestion speed: pages per second of text PDFs through the whole path (store, extract, index,
link mentions), on the database DATABASE_URL names. Not part of the test suite.

    scripts/with-postgres .venv/bin/python bench/ingest_bench.py
    DATABASE_URL=sqlite:///var/bench.sqlite3 .venv/bin/python bench/ingest_bench.py

It creates a throwaway test database (test_<name>) and a temporary media folder, and removes both.
Two corpora: generated report-like PDFs (50 lines of kerned text a page, about 4,000 characters, as word
processors write them) and the real released PDF in tests/data (a spreadsheet printed to PDF, one glyph
string per character run: a hard case for a pure-Python parser).
"""

import argparse
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from pypdf import PdfWriter  # noqa: E402
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject  # noqa: E402

from records.documents.pdf import OCR_WORKERS  # noqa: E402

WORDS = [
    "the", "sheriff", "office", "county", "police", "department", "contract", "agreement", "license", "plate",
    "reader", "camera", "network", "data", "sharing", "vendor", "records", "request", "public", "invoice", "amount",
    "purchase", "order", "renewal", "term", "annual", "subscription", "hardware", "software", "installation",
    "support", "training", "retention", "policy", "audit", "access", "search", "warrant", "hotlist", "alert",
    "detection", "face", "recognition", "drone", "gunshot", "sensor", "cloud", "storage", "evidence", "body", "worn",
]  # fmt: skip


def report_pdf(pages: int, rng: random.Random) -> bytes:
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
    for _ in range(pages):
        page = writer.add_blank_page(612, 792)
        lines = []
        for _ in range(50):
            words = [rng.choice(WORDS) for _ in range(13)]
            if rng.random() < 0.05:
                words[rng.randrange(13)] = rng.choice(["Flock Safety", "Axon", "Motorola Solutions", "Falcon"])
            half = len(words) // 2
            lines.append(f"[({' '.join(words[:half])} ) -18 ({' '.join(words[half:])})] TJ T*")
        stream = DecodedStreamObject()
        stream.set_data(("BT /F1 10 Tf 12 TL 72 740 Td " + " ".join(lines) + " ET").encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        page.compress_content_streams()
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def seed_vendors(count: int):
    from records.models import Product, Vendor

    for name in ("Flock Safety", "Axon", "Motorola Solutions"):
        Vendor.objects.get_or_create(name=name, slug=name.lower().replace(" ", "-"))
    flock = Vendor.objects.get(slug="flock-safety")
    Product.objects.get_or_create(vendor=flock, name="Falcon", slug="falcon")
    Vendor.objects.bulk_create(Vendor(name=f"Bench Vendor {n}", slug=f"bench-vendor-{n}") for n in range(count))


def ingest(files: list[tuple[str, bytes]], agency) -> tuple[int, float]:
    from records.models import DocumentPage
    from records.services.documents import document_ingest

    started = time.perf_counter()
    documents = [document_ingest(file=SimpleUploadedFile(name, data), agency=agency) for name, data in files]
    elapsed = time.perf_counter() - started
    return DocumentPage.objects.filter(document__in=documents).count(), elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=20, help="generated PDFs (default 20)")
    parser.add_argument("--pages", type=int, default=25, help="pages per generated PDF (default 25)")
    parser.add_argument("--vendors", type=int, default=500, help="vendors to match names against (default 500)")
    options = parser.parse_args()

    rng = random.Random(5)
    files = [(f"report-{n}.pdf", report_pdf(options.pages, rng)) for n in range(options.documents)]
    okaloosa = ROOT / "tests" / "data" / "okaloosa-flock-sharing-agencies.pdf"

    with tempfile.TemporaryDirectory() as media:
        settings.MEDIA_ROOT = media
        test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            from records.documents import search
            from records.models import Agency, Document, Jurisdiction

            seed_vendors(options.vendors)
            agency = Agency.objects.create(
                name="Bench County Sheriff",
                slug="bench",
                jurisdiction=Jurisdiction.objects.get(level="state", state="FL"),
            )
            # The first PDF loads PDFium and warms the caches: not part of the steady rate.
            warm_up = time.perf_counter()
            ingest([("warm-up.pdf", report_pdf(12, rng))], agency)
            warm_up = time.perf_counter() - warm_up
            pages, seconds = ingest(files, agency)
            real_pages, real_seconds = ingest([(okaloosa.name, okaloosa.read_bytes())], agency)
            searchable = search.matching_pages(search.parse_query("sheriff"), Document.objects.all()).count()
            mentioned = Document.objects.filter(mentions__vendor__slug="flock-safety").count()
        finally:
            connection.creation.destroy_test_db(test_name, verbosity=0)

    print(f"database: {connection.vendor}; vendors matched against: {options.vendors + 3}; OCR workers: {OCR_WORKERS}")
    print(f"warm-up (first PDF): {warm_up:.2f} s")
    print(
        f"generated report PDFs: {options.documents} x {options.pages} pages = {pages} pages in {seconds:.2f} s "
        f"= {pages / seconds:.0f} pages/s"
    )
    rate = real_pages / real_seconds
    print(f"okaloosa-flock-sharing-agencies.pdf: {real_pages} pages in {real_seconds:.2f} s = {rate:.0f} pages/s")
    print(f"check: {searchable} pages match 'sheriff'; {mentioned} documents linked to Flock Safety")


if __name__ == "__main__":
    main()
