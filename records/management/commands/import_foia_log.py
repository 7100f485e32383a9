from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from records.importers.bulk import one_import_at_a_time
from records.importers.foia_log import LogSummary, import_foia_logs
from records.importers.places import agency_named
from records.models import Agency, Jurisdiction
from records.models.slugs import unique_slug
from records.rules.states import STATE_NAMES

LEVELS = ("federal", "state", "county", "city")


class Command(BaseCommand):
    help = (
        "Import an agency's own FOIA log (CSV, tab-separated text, .xlsx or .xls), one or many files; idempotent by "
        "(agency, tracking number). All files are imported or none, unless --keep-going."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--agency", help="slug of an agency already in the tracker")
        target.add_argument("--create-agency", metavar="NAME", help="add this agency first")
        parser.add_argument("--level", choices=LEVELS, help="with --create-agency: its level of government")
        parser.add_argument("--state", help="with --create-agency: its two-letter state code (not for federal)")
        parser.add_argument(
            "--keep-going", action="store_true",
            help="import each file that can be read and report the others (else one bad file stops them all)",
        )  # fmt: skip
        parser.add_argument(
            "--force", action="store_true",
            help="apply updates that would reopen a closed request or empty or cut its subject or requester",
        )  # fmt: skip

    def handle(self, *args, files, agency, create_agency, level, state, keep_going, force, **options):
        missing = [str(path) for path in files if not path.is_file()]
        if missing and not keep_going:
            raise CommandError(f"No such file: {', '.join(missing)}")
        with transaction.atomic():
            # Inside the run's transaction: a refused run creates no agency either; and after any other import
            # has committed, so that the agency it may have created is found, not made twice.
            one_import_at_a_time()
            target = self._agency(agency, create_agency, level, state)
            summary = import_foia_logs(files, agency=target, force=force, keep_going=keep_going)
            if not summary.saved:
                transaction.set_rollback(True)
        for warning in summary.warnings:
            self.stderr.write(f"warning: {warning}")
        for refusal in summary.refused:
            self.stderr.write(f"refused: {refusal}")
        self.stdout.write(self._summary(target.name, summary, created_agency=bool(create_agency)))
        if summary.refused:
            files = f"{len(summary.refused)} of {len(files)} file{'s' if len(files) > 1 else ''}"
            outcome = "the others were imported" if summary.saved else "nothing was imported"
            raise CommandError(f"{files} refused ({'; '.join(summary.refused)}): {outcome}.")

    def _summary(self, name: str, summary: LogSummary, *, created_agency: bool) -> str:
        counts = (
            f"{summary.files} file{'s' if summary.files != 1 else ''}, {summary.rows} rows read: "
            f"{summary.created} requests created, {summary.updated} updated, {summary.unchanged} unchanged, "
            f"{summary.reported} rows reported (not imported), {summary.repeats} repeating another row; "
            f"{len(summary.warnings)} warnings; {summary.differing_due_dates} due dates differ from the log's own "
            "(usually extensions)."
        )
        if summary.saved:
            return f"{name}: {counts}"
        agency = f" and the agency {name!r} not created" if created_agency else ""
        hint = " (--keep-going imports the others)" if summary.files else ""
        return (
            f"Nothing was imported{agency}: {len(summary.refused)} file{'s' if len(summary.refused) > 1 else ''} "
            f"could not be read as a log{hint}. Had it been, {name}: {counts}"
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
