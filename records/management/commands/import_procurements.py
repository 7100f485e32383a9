import datetime
import sys
import time
from functools import partial
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from records.importers.csvfile import ImportFileError
from records.importers.procurements import ImportOptionError, import_procurements
from records.models import Visibility


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--embargo-until {text!r} is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = (
        "Import procurements from CSV files: USAspending.gov award data (the award search table or the bulk prime "
        "award download) or the tracker's own layout (static/procurements-template.csv, docs/IMPORTING.md). "
        "Idempotent by the award's generated id (or agency and reference): importing again updates, never "
        "duplicates. All files are imported or none. New procurements get the visibility asked for (private by "
        "default); updating one never changes its visibility, since an editor may have published it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "files", nargs="+", type=Path, help="CSV files (or .xlsx, .xls), all imported together or not at all"
        )
        parser.add_argument(
            "--visibility", choices=Visibility.values, default=Visibility.PRIVATE,
            help="of new procurements (default private); public and embargoed need --user naming an editor",
        )  # fmt: skip
        parser.add_argument("--embargo-until", metavar="DATE", help="with --visibility embargoed: YYYY-MM-DD")
        parser.add_argument("--user", metavar="USERNAME", help="who adds them (kept as added by, and in history)")
        parser.add_argument(
            "--create-agencies", action="store_true",
            help="our own layout: create an agency no row's slug or name and state finds (else the row is reported)",
        )  # fmt: skip
        parser.add_argument("--dry-run", action="store_true", help="read and report everything, save nothing")

    def handle(self, *args, files, visibility, embargo_until, user, create_agencies, dry_run, verbosity, **options):
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"No user named {user!r}.")
        progress = partial(tqdm, file=sys.stderr, unit=" rows", desc="Procurements", disable=verbosity == 0)
        embargo = _date(embargo_until) if embargo_until else None
        started = time.perf_counter()
        try:
            summary = import_procurements(
                files, user=account, visibility=visibility, embargo_until=embargo, create_agencies=create_agencies,
                dry_run=dry_run, progress=progress,
            )  # fmt: skip
        except (ImportFileError, ImportOptionError) as error:
            raise CommandError(str(error)) from None
        for warning in summary.warnings:
            self.stderr.write(f"warning: {warning}")
        for alias in summary.possible_aliases:
            self.stdout.write(f"possible alias: {alias}")
        self.stdout.write(
            f"{summary.files} file{'s' if summary.files != 1 else ''}, {summary.rows} rows read in "
            f"{time.perf_counter() - started:.1f} s; procurements: {summary.created} created, {summary.updated} "
            f"updated, {summary.unchanged} unchanged, {summary.reported} reported (not imported); agencies: "
            f"{summary.agencies_created} created, {summary.agencies_updated} given their department; vendors: "
            f"{summary.vendors_created} created, {len(summary.possible_aliases)} possible aliases to confirm; "
            f"{len(summary.warnings)} warnings." + (" Dry run: nothing was saved." if dry_run else "")
        )
