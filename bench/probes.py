"""Hostile probes against a freshly migrated database, in this process, through Django's test client.

    DATABASE_URL=... .venv/bin/python bench/probes.py OUT.json

Run by bench/reliability.py once per engine (it sets DATABASE_URL to an empty database); writes what was
tried, how many requests, the status codes seen and whether it held. Every probe is bounded.
"""

import collections
import datetime
import io
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="tracker-probes-media-"))
os.environ.setdefault("SEARCH_RATE_LIMIT", "0")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402

from tests import factories, pdfs  # noqa: E402
from tests.accounts import user  # noqa: E402
from tests.test_extraction import png_header  # noqa: E402
from tests.test_fuzz import KNOWN_BREAKERS, LIST_FILTERS, encode  # noqa: E402

UPLOAD = "/staff/documents/upload/"
ATLAS = ROOT / "records" / "data" / "atlas-of-surveillance-sample-300.csv"
BAD_CURSORS = ["garbage", "~", "\x00~5", "9999-12-31~1", "2020-01-01~-1", "abc~def", "1" * 400 + "~1",
               "2020-01-01~99999999999999999999", "%ff~1", "MjAyMC0wMS0wMX4x"]  # fmt: skip


class Probe:
    def __init__(self, name: str, expected: str):
        self.name, self.expected, self.statuses, self.notes, self.ok = name, expected, collections.Counter(), [], True

    def saw(self, response, allowed=None):
        self.statuses[response.status_code] += 1
        if response.streaming:
            b"".join(response.streaming_content)
        if response.status_code >= 500 or (allowed and response.status_code not in allowed):
            self.ok = False

    def check(self, condition: bool, note: str):
        self.notes.append(note if condition else f"FAILED: {note}")
        self.ok = self.ok and condition

    def result(self, seconds: float) -> dict:
        return {"probe": self.name, "expected": self.expected, "requests": sum(self.statuses.values()),
                "statuses": dict(sorted(self.statuses.items())), "held": self.ok and not any(
                    s >= 500 for s in self.statuses), "notes": self.notes, "seconds": round(seconds, 1)}  # fmt: skip


def client(role=None) -> Client:
    each = Client(raise_request_exception=False)
    if role:
        each.force_login(user(role))
    return each


def world():
    amazon = factories.vendor("Amazon")
    agency = factories.agency("Fuzz Police Department", "OR")
    factories.event(agency, datetime.date(2020, 1, 1), [amazon], [factories.technology()])
    factories.procurement(agency, amazon, amount=10)
    factories.records_request(agency)
    factories.document(agency, pages=["The quick brown fox"])
    return agency


def fuzz_lists(probe):
    public = client()
    for path, names in LIST_FILTERS.items():
        for name in names:
            for value in KNOWN_BREAKERS:
                for extra in ("", "&format=json", "&format=csv"):
                    probe.saw(public.get(f"{path}?{name}={encode(value)}{extra}"))


def bad_cursors(probe):
    public = client()
    for path in LIST_FILTERS:
        for cursor in BAD_CURSORS:
            for extra in ("", "&format=json"):
                probe.saw(public.get(f"{path}?after={encode(cursor)}{extra}"), allowed={200, 400, 404})


def oversized_forms(probe):
    staff = client("staff")
    probe.saw(staff.post(UPLOAD, {f"field{n}": "x" for n in range(2000)}), allowed={400})
    files = [SimpleUploadedFile(f"{n}.txt", b"words") for n in range(150)]
    probe.saw(staff.post(UPLOAD, {"files": files}), allowed={400})
    long_name = io.BytesIO(b"plain words")
    long_name.name = "x" * 996 + ".txt"
    response = staff.post(UPLOAD, {"kind": "other", "files": [long_name]})
    probe.saw(response, allowed={400})
    probe.check("name is too long to be read" in response.content.decode(), "a 1,000-character file name is named")


def huge_png(probe, agency):
    from records.models import Document

    editor = client("editor")
    for size in ((8_000, 8_000), (20_000, 20_000)):
        bomb = SimpleUploadedFile(f"bomb-{size[0]}.png", png_header(*size), content_type="image/png")
        response = editor.post(UPLOAD, {"kind": "other", "visibility": "private", "agency": agency.slug,
                                        "files": [bomb]})  # fmt: skip
        probe.saw(response, allowed={302})
    failed = Document.objects.filter(original_filename__startswith="bomb-", extraction_status="failed")
    probe.check(failed.count() == 2, "both images refused before OCR (extraction failed with the pixel limit)")


def html_named_pdf(probe, agency):
    fake = SimpleUploadedFile("report.pdf", b"<!DOCTYPE html><html><body>Gotcha</body></html>")
    response = client("staff").post(UPLOAD, {"kind": "other", "agency": agency.slug, "files": [fake]})
    probe.saw(response, allowed={400})
    probe.check("is an HTML page, not PDF" in response.content.decode(), "refused with 'is an HTML page, not PDF'")


def at_once(count, work):
    start, errors = threading.Barrier(count), []

    def run(n):
        try:
            start.wait(timeout=30)
            work(n)
        except Exception as error:  # noqa: BLE001 - reported as a failed probe
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return errors


def upload_race(probe, agency):
    from records.models import Document

    data, lock, told = Path(pdfs.OKALOOSA).read_bytes(), threading.Lock(), []

    def upload(n):
        fields = {"kind": "other", "visibility": "private", "agency": agency.slug}
        response = client("editor").post(
            UPLOAD, fields | {"files": [SimpleUploadedFile("race.pdf", data)]}, follow=True
        )
        with lock:
            probe.saw(response, allowed={200})
            told.append("already uploaded: the existing document is kept" in response.content.decode())

    errors = at_once(10, upload)
    documents = Document.objects.filter(original_filename="race.pdf").count()
    probe.check(not errors, f"no thread failed {errors[:1]}")
    probe.check(documents == 1, f"{documents} document(s) from 10 identical uploads at once")
    probe.check(told.count(True) == 9, f"{told.count(True)} of 10 uploaders told it was there already")


def import_race(probe):
    from records.models import TimelineEvent

    def run(n):
        call_command("import_atlas", str(ATLAS), stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)

    errors = at_once(2, run)
    events = TimelineEvent.objects.filter(external_id__startswith="atlas:").count()
    probe.check(not errors, f"both imports finished {errors[:1]}")
    probe.check(events == 300, f"{events} Atlas entries from two imports of the 300-row sample at once")


def main(out: Path):
    call_command("migrate", verbosity=0)
    agency = world()
    probes = [
        (Probe("Known breakers in every filter of every list, 3 formats", "no 5xx"), fuzz_lists),
        (Probe("Bad page cursors on every list, HTML and JSON", "200, 400 or 404; no 5xx"), bad_cursors),
        (Probe("Oversized forms: 2,000 fields, 150 files, a 1,000-character file name", "400"), oversized_forms),
        (Probe("PNG of 8,000 x 8,000 and 20,000 x 20,000 pixels (a few bytes each)", "302; OCR refused"),
         lambda p: huge_png(p, agency)),
        (Probe("HTML page named report.pdf", "400 with the reason"), lambda p: html_named_pdf(p, agency)),
        (Probe("10 identical uploads at the same moment", "one document; 9 told"), lambda p: upload_race(p, agency)),
        (Probe("2 Atlas imports of the same file at the same moment", "both finish; 300 entries"), import_race),
    ]  # fmt: skip
    results = []
    for probe, run in probes:
        started = time.monotonic()
        try:
            run(probe)
        except Exception as error:  # noqa: BLE001 - a probe that breaks is reported, not hidden
            probe.check(False, f"the probe raised {error!r}")
        results.append(probe.result(time.monotonic() - started))
        print(f"{connection.vendor}: {results[-1]['probe']}: held={results[-1]['held']}", file=sys.stderr)
    out.write_text(json.dumps({"engine": connection.vendor, "probes": results}, indent=2))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
