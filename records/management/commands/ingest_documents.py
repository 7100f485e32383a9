"""Bulk-load documents: python manage.py ingest_documents PATH... --agency SLUG [--request ID] [--kind KIND]"""

from collections import Counter
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from records.documents.extraction import UnsupportedFile
from records.models import Agency, RecordsRequest, Visibility
from records.models.documents import DocumentKind
from records.services.documents import document_ingest


class Command(BaseCommand):
    help = "Store files (folders are walked) as documents of an agency, extract their text and link the names in it."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="Files or folders.")
        parser.add_argument("--agency", required=True, metavar="SLUG", help="The agency the documents come from.")
        parser.add_argument("--request", type=int, metavar="ID", help="The records request that returned them.")
        parser.add_argument("--kind", default=DocumentKind.OTHER, choices=DocumentKind.values)
        parser.add_argument("--visibility", default=Visibility.PUBLIC, choices=[Visibility.PUBLIC, Visibility.PRIVATE])

    def handle(self, *args, paths, agency, request, kind, visibility, **options):
        agency_obj = Agency.objects.filter(slug=agency).first()
        if agency_obj is None:
            raise CommandError(f"No agency has the slug {agency!r}; copy it from the agency's page address.")
        request_obj = None
        if request is not None:
            request_obj = RecordsRequest.objects.filter(pk=request).first()
            if request_obj is None:
                raise CommandError(f"No records request has the number {request}.")
            if request_obj.agency_id != agency_obj.pk:
                raise CommandError(f"Request {request} was sent to {request_obj.agency.name}, not {agency_obj.name}.")
        files = self._files(paths)
        if not files:
            raise CommandError("No files found at the paths given.")

        outcomes, problems, pages = Counter(), [], 0
        for path in tqdm(files, unit="file", disable=options["verbosity"] == 0):
            try:
                with path.open("rb") as handle:
                    document = document_ingest(
                        file=File(handle, name=path.name),
                        agency=agency_obj,
                        request=request_obj,
                        kind=kind,
                        visibility=visibility,
                    )
            except (UnsupportedFile, ValidationError, OSError) as error:
                outcomes["refused"] += 1
                problems.append(f"{path}: {error.messages[0] if isinstance(error, ValidationError) else error}")
                continue
            if not document.newly_ingested:
                outcomes["already there"] += 1
                continue
            document.refresh_from_db(fields=["extraction_status", "extraction_error"])
            outcomes[document.get_extraction_status_display().lower()] += 1
            pages += document.pages.count()
            if document.extraction_error:
                problems.append(f"{path}: {document.extraction_error}")

        for problem in problems:
            self.stderr.write(problem)
        summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items()))
        self.stdout.write(f"{len(files)} file(s): {summary}; {pages} page(s) of text.")

    @staticmethod
    def _files(paths: list[str]) -> list[Path]:
        files = []
        for raw in paths:
            path = Path(raw)
            if path.is_dir():
                files.extend(sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")))
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"{raw}: no such file or folder.")
        return files
