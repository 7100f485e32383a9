from django.core.management.base import BaseCommand

from records.importers.demo import load_demo


class Command(BaseCommand):
    help = (
        "Load the seed story (Washington County, Amazon Rekognition, the ACLU's records requests) and a 300-row "
        "sample of the Atlas of Surveillance, and four North Carolina agencies' Flock data-sharing links. Idempotent."
    )

    def handle(self, *args, **options):
        summary = load_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded: {summary['events']} timeline entries, {summary['requests']} records requests, "
                f"{summary['atlas']} entries from the Atlas of Surveillance sample (EFF, CC BY 4.0), "
                f"{summary['sharing_links']} data-sharing links from The News & Observer's Flock portal data (MIT), "
                f"{summary['agencies']} agencies in the tracker."
            )
        )
