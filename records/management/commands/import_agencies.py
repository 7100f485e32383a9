import sys
import time
from functools import partial
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from records.importers.csvfile import ImportFileError
from records.importers.duplicates import save_candidates
from records.importers.fbi_agencies import import_agencies


class Command(BaseCommand):
    help = "Import the FBI agency list (CSV): agencies with their ORI, jurisdiction and coordinates. Idempotent by ORI."

    def add_arguments(self, parser):
        parser.add_argument(
            "file", type=Path, help="e.g. fbi-agencies-2018.csv from the FBI Crime Data Explorer (CSV, .xlsx or .xls)"
        )

    def handle(self, *args, file, verbosity, **options):
        progress = partial(tqdm, file=sys.stderr, unit=" rows", desc="Agencies", disable=verbosity == 0)
        started = time.perf_counter()
        try:
            summary = import_agencies(file, progress=progress)
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        for warning in summary.warnings:
            self.stderr.write(f"warning: {file} {warning}")
        self.stdout.write(
            f"{file}: {summary.rows} rows read in {time.perf_counter() - started:.1f} s; agencies: "
            f"{summary.created} created, {summary.updated} updated ({summary.matched_by_name} matched by name), "
            f"{summary.unchanged} unchanged, {summary.skipped} rows skipped; "
            f"{summary.jurisdictions_created} jurisdictions created; {len(summary.warnings)} warnings."
        )
        # What the import could not settle waits on the duplicates page (records/importers/duplicates.py).
        self.stdout.write(f"{save_candidates()} possible duplicates listed at /staff/duplicates/.")
