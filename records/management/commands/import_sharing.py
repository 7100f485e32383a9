import datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from records.importers.csvfile import ImportFileError
from records.importers.duplicates import save_candidates
from records.importers.procurements import ImportOptionError
from records.importers.sharing import DEFAULT_TECHNOLOGY, DEFAULT_VENDOR, import_sharing
from records.models import Document, SharingHow, Visibility


def _date(option: str, text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} {text!r} is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = (
        "Import data-sharing links: edge lists (a column naming the sharing agency, one naming the receiver) and "
        "Flock's Sharing Agencies report (its CSV export or the PDF an agency released). Names are matched to the "
        "agency directory; the rest become organisations. Importing the same list again changes nothing; a newer "
        "list of the same source moves 'last seen' on and ends the links it no longer has (docs/IMPORTING.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, help="CSV, .xlsx, .xls or PDF files")
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--source-url", metavar="URL", help="where the list was published or obtained")
        source.add_argument("--document", metavar="ID", type=int, help="the tracker's document the list is")
        parser.add_argument("--date", metavar="DATE", help="when the list was observed (default: the document's date)")
        parser.add_argument(
            "--how", choices=SharingHow.values,
            help="how we know: portal (default for edge lists), records (default for Flock reports), audit",
        )  # fmt: skip
        parser.add_argument("--owner", metavar="NAME", help="a Flock report's agency, as Flock names it")
        parser.add_argument("--vendor", default=DEFAULT_VENDOR, help=f"default {DEFAULT_VENDOR!r}")
        parser.add_argument("--technology", default=DEFAULT_TECHNOLOGY, help=f"default {DEFAULT_TECHNOLOGY!r}")
        parser.add_argument(
            "--credit", default="", help="whom to credit wherever the links are shown (a licence's ask)"
        )
        parser.add_argument(
            "--visibility", choices=Visibility.values, default=Visibility.PRIVATE,
            help="of new links (default private); public and embargoed need --user naming an editor",
        )  # fmt: skip
        parser.add_argument("--embargo-until", metavar="DATE", help="with --visibility embargoed: YYYY-MM-DD")
        parser.add_argument("--user", metavar="USERNAME", help="who adds them (kept as added by, and in history)")
        parser.add_argument("--dry-run", action="store_true", help="read, match and report everything, save nothing")

    def handle(self, *args, files, source_url, document, date, how, owner, vendor, technology, credit, visibility,
               embargo_until, user, dry_run, **options):  # fmt: skip
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"No user named {user!r}.")
        the_document = None
        if document is not None:
            the_document = Document.objects.filter(pk=document).first()
            if the_document is None:
                raise CommandError(f"No document {document}.")
        try:
            summary = import_sharing(
                files, source_url=source_url or "", document=the_document, how=how,
                seen_on=_date("--date", date) if date else None, owner=owner, vendor=vendor, technology=technology,
                credit=credit,
                visibility=visibility, embargo_until=_date("--embargo-until", embargo_until) if embargo_until else None,
                user=account, dry_run=dry_run,
            )  # fmt: skip
        except (ImportFileError, ImportOptionError) as error:
            raise CommandError(str(error)) from None
        for warning in summary.warnings:
            self.stderr.write(f"warning: {warning}")
        for name in summary.unmatched:
            self.stdout.write(f"not in the directory: {name}")
        self.stdout.write(
            f"{_n(summary.files, 'file')}, {_n(summary.rows, 'row')} stating {_n(summary.links_stated, 'link')}; "
            f"links: {summary.created} created, {summary.updated} updated, {summary.unchanged} unchanged, "
            f"{summary.ended} ended, {_n(summary.repeated, 'repeated row')} counted once, {summary.reported} reported "
            f"(not imported); names: {summary.names_matched} of {summary.names} matched to directory agencies "
            f"({summary.match_rate:.0%}), {_n(summary.organisations_created, 'organisation')} and "
            f"{_n(summary.agencies_created, 'agency', 'agencies')} created; {_n(len(summary.warnings), 'warning')}."
            + (" Dry run: nothing was saved." if dry_run else "")
        )
        if not dry_run:
            self.stdout.write(f"{_n(save_candidates(), 'possible duplicate')} listed at /staff/duplicates/.")


def _n(count: int, singular: str, plural: str | None = None) -> str:
    """The count with its noun: '1 link', '2 links'."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"
