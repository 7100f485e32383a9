"""Time an agency page with its data-sharing answers (two hops included) on a national-size network, rendered
(no kept pages or aggregates).

    scripts/with-postgres .venv/bin/python bench/sharing_bench.py [--agencies 6000 --links 40000] [--out FILE]
    DATABASE_URL=sqlite:///var/bench.sqlite3 .venv/bin/python bench/sharing_bench.py

Fills the database named by DATABASE_URL (migrated first) with SYNTHETIC agencies (slugs "synthetic-sharing-")
and links among them, replacing an earlier such set: out-degrees follow a Zipf law, as Flock networks do (most
agencies share with a few dozen, a few with over a thousand), and receivers are drawn the same way, so the
agencies most shared with also share most: the worst case for two hops. Then times, in-process with Django's
test client (bench/harness.py: one cold request, warm-up, then p50 and p95), the page of the agency with the
most links out, of one whose partners reach the most agencies within two hops, and of a median one; their
sharing.json; and /sharing/ filtered by the hub.
"""

import argparse
import datetime
import itertools
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
# Every page computed afresh: nothing kept between requests.
os.environ.update(PUBLIC_CACHE_SECONDS="0", PUBLIC_PAGE_CACHE_SECONDS="0", PUBLIC_EXPORT_CACHE_BYTES="0")

PREFIX = "synthetic-sharing-"
STATES = ["AL", "AZ", "CA", "CO", "FL", "GA", "IL", "IN", "KY", "LA", "MI", "MO", "MS", "NC", "NY", "OH", "SC",
          "TN", "TX", "VA", "WA", "WI"]  # fmt: skip


def fill(agencies: int, links: int, seed: int = 19) -> dict:
    from django.db import transaction

    from records.models import Agency, Jurisdiction, SharingLink, Technology, Vendor

    rng = random.Random(seed)
    with transaction.atomic():
        SharingLink.objects.filter(sharer_agency__slug__startswith=PREFIX).delete()
        SharingLink.objects.filter(receiver_agency__slug__startswith=PREFIX).delete()
        Agency.objects.filter(slug__startswith=PREFIX).delete()
        states = {j.state: j for j in Jurisdiction.objects.filter(level="state", state__in=STATES)}
        created = Agency.objects.bulk_create(
            [
                Agency(
                    name=f"Synthetic Sharing Police Department {n}",
                    slug=f"{PREFIX}{n}",
                    jurisdiction=states[STATES[n % len(STATES)]],
                )
                for n in range(agencies)
            ],
            batch_size=2000,
        )
        ids = [agency.pk for agency in created]
        vendor, _ = Vendor.objects.get_or_create(name="Flock Safety", defaults={"slug": "flock-safety"})
        alpr = Technology.objects.get(slug="automated-license-plate-readers")
        # Zipf weights: agency i has weight 1/(i+1); out-degrees in proportion, at least one each.
        weights = [1 / (i + 1) for i in range(agencies)]
        total = sum(weights)
        degrees = [max(1, round(links * w / total)) for w in weights]
        cumulative = list(itertools.accumulate(weights))
        pairs: set[tuple[int, int]] = set()
        for i, degree in enumerate(degrees):
            # Receivers drawn by the same weights: hubs share with hubs.
            pairs.update((i, j) for j in rng.choices(range(agencies), cum_weights=cumulative, k=degree) if j != i)
            if len(pairs) >= links:
                break
        while len(pairs) < links:
            i, j = rng.randrange(agencies), rng.randrange(agencies)
            if i != j:
                pairs.add((i, j))
        pairs = set(sorted(pairs)[:links]) if len(pairs) > links else pairs
        day = datetime.date(2024, 4, 26)
        rows = []
        for i, j in pairs:
            link = SharingLink(
                sharer_agency_id=ids[i], receiver_agency_id=ids[j], vendor=vendor, technology=alpr,
                how="portal" if rng.random() < 0.7 else "records", source_url=f"https://example.org/portal/{ids[i]}",
                first_seen=day, last_seen=day, sharer_name="synthetic", receiver_name=f"synthetic {j}",
            )  # fmt: skip
            link.set_keys()
            rows.append(link)
        SharingLink.objects.bulk_create(rows, batch_size=5000)
    # What import_sharing keeps after writing links: the public summaries of the agencies they touch.
    from records.services.sharing import sharing_summaries_refresh

    started = time.perf_counter()
    summarised = sharing_summaries_refresh(agency_ids=ids)
    return {
        "agencies": agencies,
        "links": len(pairs),
        "ids": ids,
        "summaries": summarised,
        "summaries_seconds": round(time.perf_counter() - started, 1),
    }


def chosen(ids: list[int]) -> dict[str, str]:
    """The slugs of the hub, of the agency with the widest two-hop reach among a sample, and of a median one."""
    from django.db.models import Count

    from records.models import Agency, SharingLink
    from records.selectors.sharing import reach

    degrees = list(
        SharingLink.objects.filter(sharer_agency_id__in=ids)
        .values("sharer_agency_id")
        .annotate(n=Count("id"))
        .order_by("-n", "sharer_agency_id")
        .values_list("sharer_agency_id", "n")
    )
    hub = degrees[0][0]
    median = degrees[len(degrees) // 2][0]
    sample = [agency_id for agency_id, _ in degrees[1:40]]
    widest = max(sample, key=lambda pk: reach(agency=Agency.objects.get(pk=pk), reader=None)["within_two_hops"])
    slugs = dict(Agency.objects.filter(pk__in=[hub, median, widest]).values_list("pk", "slug"))
    return {"hub": slugs[hub], "widest two hops": slugs[widest], "median": slugs[median]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=6000)
    parser.add_argument("--links", type=int, default=40000)
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--out", type=Path, help="write the results as JSON here too")
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.harness import measure_page
    from records.models import Agency
    from records.selectors.sharing import reach

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    filled = fill(args.agencies, args.links)
    fill_seconds = round(time.perf_counter() - started, 1)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE records_sharinglink, records_agency")
    slugs = chosen(filled["ids"])
    client = Client()
    pages = {}
    for label, slug in slugs.items():
        answers = reach(agency=Agency.objects.get(slug=slug), reader=AnonymousUser())
        note = f"{answers['direct']} direct, {answers['within_two_hops']} within two hops"
        pages[f"agency page, {label} ({note})"] = f"/agencies/{slug}/"
        pages[f"sharing.json, {label}"] = f"/agencies/{slug}/sharing.json"
    pages["/sharing/?agency=<hub>"] = f"/sharing/?agency={slugs['hub']}"
    from django.test import override_settings

    load_before = os.getloadavg()
    results = []
    # Every page rendered: with nothing kept in the app, and with the aggregates kept (PUBLIC_CACHE_SECONDS, as
    # deployed; the page cache off), as bench/run.py's "pages_uncached" and "pages_rendered".
    for mode, seconds in (("nothing kept", 0), ("aggregates kept", 600)):
        with override_settings(PUBLIC_CACHE_SECONDS=seconds):
            for name, url in pages.items():
                result = measure_page(client, name, url, warmup=3, iterations=args.iterations, budget_s=60).as_dict()
                results.append(result | {"mode": mode})
    load_after = os.getloadavg()
    print(
        f"{connection.vendor}, {filled['agencies']:,} agencies, {filled['links']:,} links "
        f"(filled in {fill_seconds} s, of which {filled['summaries']:,} summaries {filled['summaries_seconds']} s); "
        f"{platform.processor() or platform.machine()}, load average {load_before} -> {load_after}"
    )
    print(f"{'mode':<16} {'page':<72} {'p50 ms':>8} {'p95 ms':>8} {'cold ms':>8} {'queries':>8}")
    for result in results:
        print(f"{result['mode']:<16} {result['name']:<72} {result['p50_ms']:>8} {result['p95_ms']:>8} "
              f"{result['cold_ms']:>8} {result['queries']:>8}")  # fmt: skip
    if args.out:
        payload = {"engine": connection.vendor, **{k: v for k, v in filled.items() if k != "ids"},
                   "load_average": [load_before, load_after], "results": results}  # fmt: skip
        args.out.write_text(json.dumps(payload, indent=2) + "\n")


if __name__ == "__main__":
    main()
