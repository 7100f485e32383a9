import csv
import time

from django.core.management.base import BaseCommand

from records.importers.duplicates import find_candidates, save_candidates

HEADER = ["kind", "state", "name", "url", "other_name", "other_url", "score", "why"]


class Command(BaseCommand):
    help = (
        "List possible duplicate agencies (within a state) and vendors as CSV on standard output: kind, state, "
        "the two names and their URLs, a score (0-100) and why. With --save, also store them for the "
        "duplicates page (/staff/duplicates/), where editors merge them or mark them not the same."
    )

    def add_arguments(self, parser):
        parser.add_argument("--save", action="store_true", help="replace the suggestions the duplicates page lists")
        parser.add_argument(
            "--base-url", default="", help="put before each URL, e.g. https://tracker.example.org (default: paths)"
        )

    def handle(self, *args, save, base_url, **options):
        started = time.perf_counter()
        candidates = find_candidates()
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(HEADER)
        base = base_url.rstrip("/")
        for c in candidates:
            writer.writerow(
                [
                    c.kind,
                    c.state,
                    c.first.name,
                    base + c.first.url,
                    c.second.name,
                    base + c.second.url,
                    c.score,
                    c.reason,
                ]
            )
        saved = f"; {save_candidates()} stored for /staff/duplicates/" if save else ""
        self.stderr.write(
            f"{len(candidates)} possible duplicates found in {time.perf_counter() - started:.1f} s{saved}."
        )
