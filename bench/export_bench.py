"""Time the CSV and JSON exports of every public list, rendered (no kept pages or exports), on a synthetic set.

    scripts/with-postgres .venv/bin/python bench/export_bench.py --scale 0.01 [--out FILE]

Fills the database named by DATABASE_URL with `generate_synthetic --scale S` (replacing an earlier synthetic
set; `--reuse` keeps one), then times each export in-process with Django's test client (bench/harness.py: one
cold request, warm-up, then p50 and p95). The timeline's export is that of bench/run.py: the newest entries, at
most 10,000 (at S=0.01 the whole timeline).
"""

import argparse
import json
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
# Every export computed afresh: nothing kept between requests.
os.environ.update(PUBLIC_CACHE_SECONDS="0", PUBLIC_PAGE_CACHE_SECONDS="0", PUBLIC_EXPORT_CACHE_BYTES="0")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--iterations", type=int, default=15)
    parser.add_argument("--reuse", action="store_true", help="keep the synthetic set already in the database")
    parser.add_argument("--out", type=Path, help="write the results as JSON here too")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from bench.harness import key_pages, measure_page

    call_command("migrate", verbosity=0)
    if not args.reuse:
        call_command("generate_synthetic", "--scale", f"{args.scale:g}", "--replace", verbosity=0)
    client = Client()
    # The timeline's CSV of at most 10,000 rows, the same shape at every scale, as bench/run.py times it.
    csv_url, csv_note = key_pages()["csv export"]
    pages = {
        f"timeline csv ({csv_note})": csv_url,
        "timeline json (one page)": f"{reverse('timeline')}?format=json",
        "agencies csv": f"{reverse('agency-list')}?format=csv",
        "vendors csv": f"{reverse('vendor-list')}?format=csv",
        "procurements csv": f"{reverse('procurement-list')}?format=csv",
        "requests csv": f"{reverse('request-list')}?format=csv",
        "documents csv": f"{reverse('document-list')}?format=csv",
    }
    load_before = os.getloadavg()
    results = [
        measure_page(client, name, url, warmup=2, iterations=args.iterations, budget_s=60).as_dict()
        for name, url in pages.items()
    ]
    load_after = os.getloadavg()
    print(f"{platform.processor() or platform.machine()}, load average {load_before} -> {load_after}")
    print(f"{'export':<48} {'rows/bytes':>12} {'p50 ms':>9} {'p95 ms':>9} {'cold ms':>9} {'queries':>8}")
    for result in results:
        print(
            f"{result['name']:<48} {result['bytes']:>12,} {result['p50_ms']:>9} {result['p95_ms']:>9} "
            f"{result['cold_ms']:>9} {result['queries']:>8}"
        )
    if args.out:
        payload = {"scale": args.scale, "load_average": [load_before, load_after], "results": results}
        args.out.write_text(json.dumps(payload, indent=2) + "\n")


if __name__ == "__main__":
    main()
