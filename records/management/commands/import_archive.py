from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from records.exports.archive import ArchiveError, import_archive


class Command(BaseCommand):
    help = "Restore an archive made by export_archive into a freshly migrated, otherwise empty database."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the archive, e.g. tracker.tar.gz")

    def handle(self, *args, file, **options):
        try:
            summary = import_archive(file)
        except ArchiveError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{file}: restored {sum(summary.counts.values())} records of {len(summary.counts)} kinds and "
            f"{summary.files} files ({summary.bytes:,} bytes)."
        )
