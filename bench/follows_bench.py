"""Time what email alerts cost on a synthetic set: noting what is public, confirming a follow, the follow form's
preview, and digest runs for many followers.

    scripts/with-postgres .venv/bin/python bench/follows_bench.py --scale 0.1 [--followers 200]

Fills the database named by DATABASE_URL with `generate_synthetic --scale S`, then, in-process, with email kept in
memory (Django's locmem mailer): notes every public record (a tracker loaded after migrate: nothing noted yet) and
again (the steady state each run pays); confirms one follow of a state's timeline (it notes what that page shows
and no run has noted); makes `--followers` addresses each follow one page (a vendor, a state, a search, a vendor in
a state), confirmed; marks the newest 2,000 entries and 200 documents newly public; runs the daily digests twice
(the second finds nothing new) and times each follow's read by kind of page.
"""

import argparse
import datetime
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")


def timed(label, function):
    start = time.perf_counter()
    result = function()
    print(f"{label}: {(time.perf_counter() - start) * 1000:,.0f} ms")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--followers", type=int, default=200)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Q
    from django.utils import timezone

    from records.models import Document, Follow, Publication, Subscriber, TimelineEvent, Vendor
    from records.services import follows as services
    from records.web import digests

    call_command("migrate", verbosity=0)
    call_command("generate_synthetic", "--scale", str(args.scale), "--replace", verbosity=0)
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.SITE_URL = "https://tracker.example.org"
    events, documents = TimelineEvent.objects.count(), Document.objects.count()
    print(f"{connection.vendor}, scale {args.scale}: {events:,} timeline entries, {documents:,} documents")

    Publication.objects.all().delete()
    now = timezone.now()
    # Noted before the digests' lookback: the tracker as it is once alerts have run a while.
    long_ago = now - datetime.timedelta(days=digests.LOOKBACK_DAYS + 10)
    noted = timed("note every public record, none noted yet", lambda: services.publications_note(now=long_ago))
    print(f"  {noted:,} noted")
    timed("note again, all noted (what each run pays first)", lambda: services.publications_note(now=long_ago))

    page = digests.describe("/timeline/?state=CA")
    timed("the follow form's preview of /timeline/?state=CA", lambda: digests.preview_count(page))
    Publication.objects.filter(event__state="CA").delete()
    one = Follow.objects.create(
        subscriber=Subscriber.objects.create(email="first@example.org"), url=page.url, label=page.label
    )

    def confirm():
        unnoted = digests.matching_ids(page, Q(publication__isnull=True))
        services.follow_confirm(follow=one, cadence="daily", now=now, event_ids=unnoted[0], document_ids=unnoted[1])
        return len(unnoted[0])

    timed("confirming it, its page's entries unnoted (the view's read and write)", confirm)
    one.subscriber.delete()

    vendors = list(Vendor.objects.order_by("pk")[:20])
    states = ["CA", "TX", "FL", "NY", "OR"]
    confirmed = now + datetime.timedelta(seconds=1)
    follows = []
    for n in range(args.followers):
        subscriber = Subscriber.objects.create(email=f"reader{n}@example.org")
        vendor, state = vendors[n % len(vendors)].slug, states[n % len(states)]
        url = [f"/vendors/{vendor}/", f"/timeline/?state={state}", "/search/?q=contract",
               f"/timeline/?state={state}&vendor={vendor}"][n % 4]  # fmt: skip
        follows.append(Follow(subscriber=subscriber, url=url, label=url, cadence="daily", confirmed_at=confirmed))
    Follow.objects.bulk_create(follows)
    news = now + datetime.timedelta(seconds=2)
    Publication.objects.filter(event_id__in=TimelineEvent.objects.order_by("-id")[:2000].values("pk")).update(
        noticed_at=news
    )
    Publication.objects.filter(document_id__in=Document.objects.order_by("-id")[:200].values("pk")).update(
        noticed_at=news
    )
    with connection.cursor() as cursor:
        # Statistics as autovacuum keeps them while news trickles in (the bulk update above is the bench's own).
        cursor.execute("ANALYZE records_publication")
    later = now + datetime.timedelta(minutes=1)
    run = timed(f"daily digests, {args.followers} followers", lambda: digests.send_digests(cadence="daily", now=later))
    print(f"  {run.sent} sent, {run.items:,} records, {len(run.failed)} failed")

    spent = defaultdict(list)
    real = digests.matching_ids

    def matching_timed(followed, window, today=None):
        start = time.perf_counter()
        found = real(followed, window, today)
        kind = followed.url.split("?")[0].split("/")[1] + (" with filters" if "?" in followed.url else "")
        spent[kind].append((time.perf_counter() - start) * 1000)
        return found

    digests.matching_ids = matching_timed
    run = timed("the same run again, nothing new", lambda: digests.send_digests(cadence="daily", now=later))
    digests.matching_ids = real
    print(f"  {run.sent} sent")
    for kind, times in sorted(spent.items()):
        times.sort()
        print(f"  a follow of {kind}: n={len(times)}, median {times[len(times) // 2]:.1f} ms, max {times[-1]:.1f} ms")


if __name__ == "__main__":
    main()
