from django.core.management.base import BaseCommand

from records.services.oversight import procurements_refresh_all_oversight


class Command(BaseCommand):
    help = (
        "Re-derive every procurement's stored oversight status from its public oversight records and the laws "
        "covering its agency. The services and the admin keep it current as they write; run this after an archive "
        "restore or after changing laws or agencies outside the admin. Idempotent."
    )

    def handle(self, *args, **options):
        read, changed = procurements_refresh_all_oversight()
        procurements = f"{read} procurement{'s' if read != 1 else ''}"
        self.stdout.write(f"{procurements} read, {changed} status{'es' if changed != 1 else ''} changed.")
