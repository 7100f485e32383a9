"""Time the big imports on SQLite and PostgreSQL, and write the results to docs/BENCHMARKS.md ("Imports").

    .venv/bin/python bench/import_bench.py --fbi-csv path/to/fbi-agencies-2018.csv

The FBI list (18,702 agencies, public domain) comes from the FBI Crime Data Explorer, e.g. via
github.com/ericjohannes/fbi_data_downloader; it is not kept in the repository.

The Atlas file is SYNTHETIC: the 2020 export had 5,784 rows, the repository holds a 300-row sample, so
the sample is repeated to 5,784 rows with new AOSNUMBERs (SYN00001...). The first 300 rows keep their
agencies, which then match the FBI list; later copies get " (synthetic N)" appended to agency and city
names, so that they add agencies and jurisdictions the way the real export's thousands of agencies do.

The procurement file is SYNTHETIC too: the 24 distinct awards of the USAspending sample repeated to 2,000,
each copy with its own award id and generated id, so every row is a new procurement of the sample's vendors
and buyers.

Each database is a fresh, throwaway one: SQLite in a temporary file, PostgreSQL started by
scripts/with-postgres (skipped when no server binaries are installed). Each run migrates, then times,
in one process: the FBI list into the empty database, the FBI list again (nothing to change), the Atlas
file (after the FBI list), the Atlas file again, then the procurement file twice.
"""

import argparse
import csv
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.sections import replace_section  # noqa: E402 - run as a script, the repository is put on the path first

SAMPLE = ROOT / "records" / "data" / "atlas-of-surveillance-sample-300.csv"
ATLAS_ROWS = 5784
AWARDS = ROOT / "tests" / "data" / "usaspending-awards-sample.csv"
AWARD_ROWS = 2000
RESULTS = ROOT / "docs" / "BENCHMARKS.md"
SECTION = "## Imports"


def synthesise_atlas(target: Path) -> int:
    with SAMPLE.open(encoding="utf-8-sig") as file:
        rows = list(csv.DictReader(file))
    out = []
    while len(out) < ATLAS_ROWS:
        copy = len(out) // len(rows)
        for row in rows[: ATLAS_ROWS - len(out)]:
            row = dict(row, AOSNUMBER=f"SYN{len(out) + 1:05d}")
            if copy:
                row["Agency"] = f"{row['Agency']} (synthetic {copy})"
                row["City"] = f"{row['City']} (synthetic {copy})" if row["City"] else ""
            out.append(row)
    with target.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]), quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(out)
    return len(out)


def synthesise_awards(target: Path) -> int:
    with AWARDS.open(encoding="utf-8-sig") as file:
        rows = list({row["generated_internal_id"]: row for row in csv.DictReader(file)}.values())
    out = []
    for n in range(AWARD_ROWS):
        row = dict(rows[n % len(rows)])
        row["Award ID"] = f"{row['Award ID']}S{n}"
        row["generated_internal_id"] = row["generated_internal_id"].replace("CONT_AWD_", f"CONT_AWD_S{n}", 1)
        out.append(row)
    with target.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(out)
    return len(out)


def count_rows(path: Path) -> int:
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as file:
        return sum(1 for _ in csv.reader(file)) - 1


def worker(fbi: Path, atlas: Path, awards: Path, result: Path):
    """Runs inside the database's environment (DATABASE_URL set by the caller)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    timings = {}
    for name, command, path in (
        ("fbi", "import_agencies", fbi),
        ("fbi_again", "import_agencies", fbi),
        ("atlas", "import_atlas", atlas),
        ("atlas_again", "import_atlas", atlas),
        ("awards", "import_procurements", awards),
        ("awards_again", "import_procurements", awards),
    ):
        started = time.perf_counter()
        with open(os.devnull, "w") as quiet:
            call_command(command, str(path), verbosity=0, stdout=quiet, stderr=quiet)
        timings[name] = round(time.perf_counter() - started, 2)
    with connection.cursor() as cursor:
        cursor.execute("show server_version" if connection.vendor == "postgresql" else "select sqlite_version()")
        version = cursor.fetchone()[0]
    result.write_text(json.dumps({"engine": connection.vendor, "version": version, "timings": timings}))


def run_engine(engine: str, fbi: Path, atlas: Path, awards: Path, workdir: Path) -> dict | None:
    result = workdir / f"{engine}.json"
    command = [sys.executable, __file__, "--worker", "--fbi-csv", str(fbi), "--atlas-csv", str(atlas)]
    command += ["--awards-csv", str(awards), str(result)]
    env = dict(os.environ, MEDIA_ROOT=str(workdir / "media"))
    if engine == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        wrapper = ROOT / "scripts" / "with-postgres"
        if subprocess.run([wrapper, "--available"], capture_output=True).returncode != 0:
            print("PostgreSQL server binaries not found: skipping PostgreSQL.", file=sys.stderr)
            return None
        command = [str(wrapper), *command]
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    return json.loads(result.read_text())


def write_section(results: list[dict], fbi_rows: int, atlas_rows: int, award_rows: int):
    by_engine = {r["engine"]: r for r in results}
    engines = [e for e in ("sqlite", "postgresql") if e in by_engine]
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    lines = [
        SECTION,
        "",
        f"Measured {datetime.date.today().isoformat()} with `bench/import_bench.py` on {os.cpu_count()} cores "
        f"(load average {os.getloadavg()[0]:.1f} when done: other work shares the machine), "
        f"Python {platform.python_version()}, "
        + ", ".join(f"{names[e]} {by_engine[e]['version']}" for e in engines)
        + ". Each database is a fresh, throwaway one (PostgreSQL from scripts/with-postgres, fsync off); times are "
        "the commands' own (no progress bar), in seconds.",
        "",
        "| Import | Rows | " + " | ".join(names[e] for e in engines) + " |",
        "| --- | ---: | " + " | ".join("---:" for _ in engines) + " |",
    ]
    rows = [
        ("FBI agency list, empty database", fbi_rows, "fbi"),
        ("FBI agency list again (nothing changes)", fbi_rows, "fbi_again"),
        ("Atlas of Surveillance, 2020 size (synthetic), after the FBI list", atlas_rows, "atlas"),
        ("Atlas of Surveillance again (nothing changes)", atlas_rows, "atlas_again"),
        ("USAspending awards (synthetic), private, after the Atlas file", award_rows, "awards"),
        ("USAspending awards again (nothing changes)", award_rows, "awards_again"),
    ]
    for label, count, key in rows:
        cells = " | ".join(f"{by_engine[e]['timings'][key]:.1f}" for e in engines)
        lines.append(f"| {label} | {count:,} | {cells} |")
    lines += [
        "",
        "The target is under 10 seconds for each on this machine, on either database. The Atlas file is the "
        "300-row sample repeated to the 5,784 rows of the 2020 export, with new AOSNUMBERs and, after the first "
        '300, agency and city names marked "(synthetic N)" so that they add agencies as the real export does.',
        "",
        f"The award file is the USAspending sample's 24 awards repeated to {award_rows:,} with new ids. Each new "
        "award goes through the procurement services one by one (its timeline entry and history written with it, "
        "about 15 queries): "
        + ", ".join(
            f"{award_rows / by_engine[e]['timings']['awards']:.0f} awards a second on {names[e]}" for e in engines
        )
        + ", so the 447 awards a researcher might hold take under 10 seconds, but a file past a few thousand "
        "misses the target and would want a bulk path like the Atlas import's. An unchanged file is read and "
        "compared without writing.",
        "",
    ]
    replace_section(RESULTS, SECTION, "\n".join(lines).rstrip("\n") + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fbi-csv", type=Path, required=True, help="the FBI agency list (18,702 rows)")
    parser.add_argument("--atlas-csv", type=Path, help="an Atlas file; by default a synthetic 5,784-row one")
    parser.add_argument("--awards-csv", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--engines", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--no-write", action="store_true", help=f"print only; leave {RESULTS.name} alone")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("result", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.fbi_csv, args.atlas_csv, args.awards_csv, args.result)
        return
    if not args.fbi_csv.is_file():
        parser.error(f"no such file: {args.fbi_csv}")
    with tempfile.TemporaryDirectory(prefix="import-bench-") as folder:
        workdir = Path(folder)
        atlas = args.atlas_csv or workdir / "atlas-synthetic-5784.csv"
        atlas_rows = synthesise_atlas(atlas) if args.atlas_csv is None else count_rows(atlas)
        fbi_rows = count_rows(args.fbi_csv)
        awards = workdir / "usaspending-synthetic.csv"
        award_rows = synthesise_awards(awards)
        results = []
        for engine in args.engines.split(","):
            if result := run_engine(engine.strip(), args.fbi_csv.resolve(), atlas.resolve(), awards, workdir):
                results.append(result)
                print(f"{engine}: {result['timings']}")
    if results and not args.no_write:
        write_section(results, fbi_rows, atlas_rows, award_rows)
        print(f"Written to {RESULTS.relative_to(ROOT)} ({SECTION}).")


if __name__ == "__main__":
    main()
