from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from records.exports.archive import ArchiveError, export_archive


class Command(BaseCommand):
    help = (
        "Write every record (users, groups and history included) and every stored file to a .tar.gz archive, "
        "to restore with import_archive into an empty database of either engine."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the archive to write, e.g. tracker.tar.gz")

    def handle(self, *args, file, **options):
        if file.is_dir():
            raise CommandError(f"{file} is a folder; give the archive's file name, e.g. {file / 'tracker.tar.gz'}.")
        try:
            summary = export_archive(file)
        except ArchiveError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{file}: {sum(summary.counts.values())} records of {len(summary.counts)} kinds and "
            f"{summary.files} files ({summary.bytes:,} bytes). It holds password hashes: keep it private."
        )
