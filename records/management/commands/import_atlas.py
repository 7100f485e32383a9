import sys
import time
from functools import partial
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from records.importers.atlas import import_atlas
from records.importers.csvfile import ImportFileError
from records.importers.duplicates import save_candidates


class Command(BaseCommand):
    help = (
        "Import an EFF Atlas of Surveillance CSV export (2020 or current layout): one timeline entry per row, "
        "with its agency, technology, vendors and sources. Idempotent by AOSNUMBER."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", type=Path, help="the CSV from atlasofsurveillance.org (or the same as .xlsx or .xls)"
        )
        parser.add_argument(
            "--force", action="store_true",
            help="apply updates that would empty a field, drop sources or make a date less precise (else reported)",
        )  # fmt: skip

    def handle(self, *args, file, force, verbosity, **options):
        progress = partial(tqdm, file=sys.stderr, unit=" rows", desc="Atlas", disable=verbosity == 0)
        started = time.perf_counter()
        try:
            summary = import_atlas(file, force=force, progress=progress)
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        for warning in summary.warnings:
            self.stderr.write(f"warning: {file} {warning}")
        self.stdout.write(
            f"{file}: {summary.rows} rows read in {time.perf_counter() - started:.1f} s; "
            f"agencies: {summary.agencies_created} created, {summary.agencies_matched} matched; "
            f"{summary.jurisdictions_created} jurisdictions and {summary.vendors_created} vendors created; "
            f"timeline entries: {summary.events_created} created, {summary.events_updated} updated, "
            f"{summary.events_unchanged} unchanged; {summary.reported} rows reported (not imported); "
            f"{len(summary.warnings)} warnings."
        )
        # What the import could not settle waits on the duplicates page (records/importers/duplicates.py).
        self.stdout.write(f"{save_candidates()} possible duplicates listed at /staff/duplicates/.")
