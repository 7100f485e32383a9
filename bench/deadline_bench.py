"""Our due dates against an agency's own: import FOIA logs into a throwaway database and compare.

    .venv/bin/python bench/deadline_bench.py                       # the repository's sample (tests/data/foia-logs)
    .venv/bin/python bench/deadline_bench.py --write               # ... and write docs/BENCHMARKS.md's section
    .venv/bin/python bench/deadline_bench.py path/to/logs/*.csv    # any logs with a target or due-date column

The files are imported with `import_foia_log` as one federal agency into a fresh SQLite database (a
temporary file, removed at the end). For every row with a date received and a target date, the stored due
date (records/services/requests.py, request_due_date) is compared with the log's own: the share that agree
exactly, per year of receipt, and the misses by how many days the log's date is later (+) or earlier (-).
For the misses of one to three days, the day they most often straddle is named: for a later date, a
business day of ours the agency did not count (a storm, a day given by executive order, a holiday we lack);
for an earlier one, a holiday of ours the agency counted as a working day.

A log lists a tracking number once per file; when files repeat one, the last file read wins, as in the
import itself.
"""

import argparse
import collections
import csv
import datetime
import io
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "data" / "foia-logs"
RESULTS = ROOT / "docs" / "BENCHMARKS.md"
sys.path.insert(0, str(ROOT))
from bench.sections import replace_section  # noqa: E402 - run as a script, the repository is put on the path first

SECTION = "## Due dates against the agency's own"
NEAR = 3  # misses of up to this many days are looked at for the day they straddle


def log_rows(paths):
    """(tracking, received, log due) of every readable row, the last file's row winning for a repeated number."""
    from records.importers.foia_log import _cell, map_columns, parse_date

    rows = {}
    for path in paths:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
        lines = list(csv.reader(io.StringIO(text, newline="")))
        mapping = map_columns(lines[0])
        if "due" not in mapping:
            print(f"{path.name}: no target or due-date column; not compared", file=sys.stderr)
            continue
        for row in lines[1:]:
            tracking = _cell(row, mapping, "tracking")
            try:
                received = parse_date(_cell(row, mapping, "received"))
                due = parse_date(_cell(row, mapping, "due"))
            except ValueError:
                continue
            if tracking and received and due:
                rows[tracking] = (received, due)
    return rows


def measure(paths) -> dict:
    """Runs with Django set up on a throwaway database."""
    from django.core.management import call_command

    from records.models import RecordsRequest
    from records.rules import deadlines

    call_command("migrate", interactive=False, verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command(
            "import_foia_log", *map(str, paths), create_agency="Agency of the logs", level="federal", stdout=quiet,
            stderr=quiet,
        )  # fmt: skip
    ours = dict(RecordsRequest.objects.values_list("tracking_number", "due_on"))
    years = collections.defaultdict(lambda: {"n": 0, "exact": 0, "misses": collections.Counter()})
    straddled = collections.defaultdict(collections.Counter)  # business days inside near misses' spans
    agreed = collections.defaultdict(collections.Counter)  # ... and inside exact matches' spans
    for tracking, (received, log_due) in log_rows(paths).items():
        due = ours.get(tracking)
        if due is None:
            continue
        year = years[received.year]
        year["n"] += 1
        shift = (log_due - due).days
        if shift == 0:
            year["exact"] += 1
        else:
            year["misses"][shift if abs(shift) <= NEAR else ("later" if shift > 0 else "earlier")] += 1
        if abs(shift) <= NEAR:
            holidays = deadlines.holidays_around("", received)
            for offset in range(1, (min(due, log_due) - received).days + 1):
                day = received + datetime.timedelta(days=offset)
                # A later date: a day we count as a business day that the agency did not; an earlier one: a
                # holiday of ours that the agency worked.
                if day.weekday() < 5 and (day in holidays) == (shift < 0):
                    (agreed if shift == 0 else straddled)[received.year][day] += 1
    # The day a near miss turns on is inside many near misses and few exact matches: a day the agency
    # counted differently would have made those exact matches miss too.
    culprits = {
        year: sorted(((n, -agreed[year][day], day) for day, n in days.items()), reverse=True)[:1]
        for year, days in straddled.items()
    }
    return {
        year: {
            "n": counts["n"],
            "exact": counts["exact"],
            "misses": dict(counts["misses"]),
            "near_misses": sum(v for k, v in counts["misses"].items() if isinstance(k, int)),
            "straddled": [(day, n) for n, _, day in culprits.get(year, [])],
        }
        for year, counts in sorted(years.items())
    }


def describe_misses(year: dict) -> str:
    misses = year["misses"]
    if not misses:
        return "none"
    parts = []
    for key in sorted((k for k in misses if isinstance(k, int)), key=lambda k: (abs(k), -k)):
        parts.append(f"{misses[key]} at {key:+d} day{'s' if abs(key) > 1 else ''}")
    for key, label in (("later", f"later by more than {NEAR} days"), ("earlier", f"earlier by more than {NEAR}")):
        if misses.get(key):
            parts.append(f"{misses[key]} {label}")
    text = ", ".join(parts)
    if year["straddled"]:
        day, count = year["straddled"][0]
        text += f"; {count} of the {year['near_misses']} near misses straddle {day:%a %-d %b %Y}"
    return text


def table(results: dict) -> list[str]:
    lines = [
        "| year received | rows compared | exact | misses (log's date minus ours) |",
        "| ---: | ---: | ---: | --- |",
    ]
    for year, counts in results.items():
        share = 100 * counts["exact"] / counts["n"]
        lines.append(f"| {year} | {counts['n']:,} | {share:.1f}% | {describe_misses(counts)} |")
    if len(results) > 1:
        n, exact = sum(c["n"] for c in results.values()), sum(c["exact"] for c in results.values())
        lines.append(f"| all | {n:,} | {100 * exact / n:.1f}% ({exact:,}) | {n - exact:,} |")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="FOIA log CSV files (default: tests/data/foia-logs)")
    parser.add_argument("--write", action="store_true", help=f"replace the {SECTION!r} table in {RESULTS.name}")
    args = parser.parse_args()
    paths = args.files or sorted(SAMPLE.glob("*.csv"))
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        sys.exit(f"No such file: {', '.join(missing)}")
    with tempfile.TemporaryDirectory(prefix="tracker-deadlines-") as workdir:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(workdir) / 'bench.sqlite3'}"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        results = measure(paths)
    lines = table(results)
    print("\n".join(lines))
    if args.write:
        replace_section(RESULTS, SECTION, "\n".join([SECTION, "", *section_intro(paths), "", *lines, ""]) + "\n")


def section_intro(paths) -> list[str]:
    names = ", ".join(p.name for p in paths) if len(paths) <= 4 else f"{len(paths)} files"
    return [
        f"Measured {datetime.date.today().isoformat()} with `.venv/bin/python bench/deadline_bench.py --write` "
        f"({names}): the logs imported into a throwaway SQLite database, each request's computed due date "
        "compared with the log's own target date."
    ]


if __name__ == "__main__":
    main()
