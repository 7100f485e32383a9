"""The whole timeline's facets and an agency page's summary, read from the kept counts (TimelineCount) against
counting the entries, and how long a synthetic load takes with the triggers that keep them. Not part of the
test suite.

    scripts/with-postgres .venv/bin/python bench/timeline_counts_bench.py --scale 0.1

It migrates the database it is given (a throwaway one: it adds synthetic data), times `generate_synthetic`, checks
that the counts equal the entries' own, then times each read --repeat times after one untimed read (p50 and p95 in
ms), with the load average at the start and the end.
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from records.models import Agency, TimelineCount, TimelineEvent  # noqa: E402
from records.models.timeline_counts import WHOLE_TIMELINE  # noqa: E402
from records.selectors.agencies import agency_summary  # noqa: E402
from records.selectors.facets import counted_timeline_facets, timeline_facets  # noqa: E402
from records.selectors.timeline import timeline_counts  # noqa: E402


def timed(read, repeat: int) -> str:
    read()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        read()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return f"p50 {statistics.median(times):.1f} ms, p95 {times[int(0.95 * (len(times) - 1))]:.1f} ms"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=20)
    options = parser.parse_args()
    print(f"{connection.vendor}, load average at the start {os.getloadavg()}")
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("generate_synthetic", "--scale", str(options.scale), verbosity=0, stdout=io.StringIO())
    print(f"generate_synthetic --scale {options.scale}: {time.perf_counter() - started:.1f} s, with the triggers")
    today = timezone.localdate()
    public = TimelineEvent.objects.visible_to(None)
    counts = timeline_counts(scope=WHOLE_TIMELINE, reader=None, today=today)
    assert counted_timeline_facets(counts) == timeline_facets(events=public), "the counts differ from the entries"
    largest = Agency.objects.annotate(n=Count("timeline_events")).order_by("-n").first()
    print(f"{TimelineEvent.objects.count():,} entries, {TimelineCount.objects.count():,} count rows; "
          f"largest agency {largest.slug} ({largest.n:,} entries)")  # fmt: skip
    print(
        "whole timeline's facets, counting the entries:", timed(lambda: timeline_facets(events=public), options.repeat)
    )
    print(
        "whole timeline's facets, from the kept counts:",
        timed(
            lambda: counted_timeline_facets(timeline_counts(scope=WHOLE_TIMELINE, reader=None, today=today)),
            options.repeat,
        ),
    )
    print(
        "largest agency's summary (counts kept, the rest counted):",
        timed(lambda: agency_summary(agency=largest, reader=None, today=today), options.repeat),
    )
    print(f"load average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
