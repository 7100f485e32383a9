import time

from django.core.management.base import BaseCommand

from records.services.sharing import sharing_summaries_refresh


class Command(BaseCommand):
    help = (
        "Recount the public answers kept per agency about its data-sharing links (SharingSummary). The import, "
        "merges and the admin keep them; run this after changing links any other way (a shell, raw SQL)."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        count = sharing_summaries_refresh()
        self.stdout.write(f"{count} agencies' sharing summaries recounted in {time.perf_counter() - started:.1f} s.")
