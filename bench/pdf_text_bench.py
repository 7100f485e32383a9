"""PDF text extraction alone (no database): pages per second of `records.documents.extraction.extract` on
real PDFs and on generated report-like ones. Not part of the test suite.

    .venv/bin/python bench/pdf_text_bench.py [PDF...] [--repeat 5]

With no PDF named it reads the released Okaloosa PDF (tests/data, also in the shared data folder). Each file is
read --repeat times after one untimed read; the best and the median rate are printed, with the load average.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

import django  # noqa: E402

django.setup()

from bench.ingest_bench import report_pdf  # noqa: E402
from records.documents import extraction  # noqa: E402


def measure(path: Path, repeat: int) -> tuple[int, list[float], int]:
    result = extraction.extract(path, "application/pdf")  # untimed: imports, a worker pool where there is one
    assert result.status == "done", result.error
    rates = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = extraction.extract(path, "application/pdf")
        rates.append(len(result.pages) / (time.perf_counter() - started))
    return len(result.pages), rates, sum(len(page) for page in result.pages)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdfs", nargs="*", type=Path, default=[ROOT / "tests/data/okaloosa-flock-sharing-agencies.pdf"])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--report-pages", type=int, default=200, help="pages of the generated report PDF")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / f"generated-report-{options.report_pages}-pages.pdf"
        report.write_bytes(report_pdf(options.report_pages, random.Random(5)))
        for path in [*options.pdfs, report]:
            pages, rates, characters = measure(path, options.repeat)
            print(
                f"{path.name}: {pages} pages, {characters:,} characters; pages/s best {max(rates):.0f}, "
                f"median {statistics.median(rates):.0f} ({options.repeat} reads)"
            )
    print("load average: " + ", ".join(f"{load:.2f}" for load in os.getloadavg()))


if __name__ == "__main__":
    main()
