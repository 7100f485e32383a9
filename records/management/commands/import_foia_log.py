from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from records.importers.csvfile import ImportFileError
from records.importers.foia_log import LogSummary, import_foia_log
from records.importers.places import agency_named
from records.models import Agency, Jurisdiction
from records.models.slugs import unique_slug
from records.rules.states import STATE_NAMES

LEVELS = ("federal", "state", "county", "city")


class Command(BaseCommand):
    help = (
        "Import an agency's own FOIA log (CSV, tab-separated text, .xlsx or .xls), one or many files; idempotent by "
        "(agency, tracking number)."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--agency", help="slug of an agency already in the tracker")
        target.add_argument("--create-agency", metavar="NAME", help="add this agency first")
        parser.add_argument("--level", choices=LEVELS, help="with --create-agency: its level of government")
        parser.add_argument("--state", help="with --create-agency: its two-letter state code (not for federal)")

    def handle(self, *args, files, agency, create_agency, level, state, **options):
        missing = [str(path) for path in files if not path.is_file()]
        if missing:
            raise CommandError(f"No such file: {', '.join(missing)}")
        target = self._agency(agency, create_agency, level, state)
        summary = LogSummary()
        for path in files:
            try:
                import_foia_log(path, agency=target, summary=summary)
            except ImportFileError as error:  # a LogFormatError too
                raise CommandError(str(error)) from None
        for warning in summary.warnings:
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(
            f"{target.name}: {summary.rows} rows read, {summary.created} requests created, {summary.updated} updated, "
            f"{len(summary.warnings)} warnings; {summary.differing_due_dates} due dates differ from the log's own "
            "(usually extensions)."
        )

    @transaction.atomic
    def _agency(self, slug, name, level, state) -> Agency:
        if slug:
            try:
                return Agency.objects.get(slug=slug)
            except Agency.DoesNotExist:
                raise CommandError(
                    f"No agency with the slug {slug!r}; see /agencies/ or use --create-agency."
                ) from None
        if not level:
            raise CommandError("--create-agency needs --level (federal, state, county or city).")
        state = (state or "").upper()
        if level == "federal":
            jurisdiction = Jurisdiction.objects.get(level="federal")
        else:
            if state not in STATE_NAMES:
                raise CommandError("--state must be a two-letter USPS code for a state, county or city agency.")
            parent = Jurisdiction.objects.filter(level="state", state=state).first()
            if parent is None:
                raise CommandError(f"No state jurisdiction for {state}.")
            jurisdiction = parent
        # "New York City Police Dept." is the "New York City Police Department" already there, not a twin.
        existing = agency_named(jurisdiction.state, name)
        if existing:
            self.stderr.write(f"{name!r} is the agency already in the tracker as {existing.name!r} ({existing.slug}).")
            return existing
        kind = "federal" if level == "federal" else "other"
        return Agency.objects.create(
            name=name, slug=unique_slug(Agency, name, state), jurisdiction=jurisdiction, kind=kind
        )
