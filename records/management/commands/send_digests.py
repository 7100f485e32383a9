from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# The digests are a public channel of the web layer, like the feeds: they read a followed page's new records
# through that page's own filters (records/web/filters.py), so an alert holds what the page shows. This command
# only starts them (tests/test_architecture.py allows it this one import of the web layer).
from records.web.digests import send_digests, send_digests_task


class Command(BaseCommand):
    help = (
        "Email every confirmed follower the digest of their daily (or weekly) follows: the public records noted "
        "since, each with the follows that brought it, never one sent to that address before. Run it from cron "
        "once a day with --frequency daily and once a week with --frequency weekly; running it twice sends nothing "
        "twice. A failed address is reported and tried again next run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--frequency", choices=["daily", "weekly"], default="daily")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="queue the run for the task worker (TASKS_BACKEND=database, manage.py db_worker) instead",
        )

    def handle(self, *args, frequency, enqueue, **options):
        if not settings.SITE_URL:
            raise CommandError("Set SITE_URL (e.g. https://tracker.example.org): the digests' links need it.")
        if enqueue:
            result = send_digests_task.enqueue(frequency)
            self.stdout.write(f"{frequency} digests queued for the task worker (task {result.id}).")
            return
        run = send_digests(cadence=frequency)
        self.stdout.write(
            f"{frequency} digests: {run.sent} sent ({run.items} records), {len(run.failed)} failed; "
            f"{run.noted} records newly public noted, {run.purged} unconfirmed follows deleted."
        )
        for subscriber_id, error in run.failed:
            self.stderr.write(f"subscriber {subscriber_id}: {error} (their records stay unsent for the next run)")
        if run.failed:
            raise CommandError(f"{len(run.failed)} digest(s) could not be sent.")
