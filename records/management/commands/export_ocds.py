import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from records.exports.ocds import procurements_for_ocds, release_package


class Command(BaseCommand):
    help = "Write the procurements as an Open Contracting Data Standard 1.1 release package (JSON)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path, help="where to write it; standard output when left out")
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="the site's address, for the links in the package (default: %(default)s)",
        )

    def handle(self, *args, file, base_url, **options):
        base = base_url.rstrip("/")
        if not base.startswith(("http://", "https://")):
            raise CommandError(f"--base-url must start with http:// or https://; got {base_url!r}.")
        package = release_package(procurements_for_ocds(), absolute=lambda path: f"{base}{path}")
        text = json.dumps(package, ensure_ascii=False, indent=2)
        if file is None:
            self.stdout.write(text)
            return
        try:
            file.write_text(text + "\n", encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write {file}: {error.strerror}.") from None
        self.stderr.write(f"{len(package['releases'])} procurements written to {file}.")
