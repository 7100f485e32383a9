from django.core.management.base import BaseCommand
from django.db import transaction

from records.importers.reference_data import LAW_CORRECTIONS, edited_laws, seed_reference_data
from records.models import Jurisdiction
from records.services.requests import requests_recompute_due_dates


class Command(BaseCommand):
    help = (
        "Load the technology categories and the public-records laws, and apply the law corrections to an existing "
        "database: a state's law still as the source data set gives it is corrected and its requests' due dates "
        "recomputed; a law an editor changed is left alone and named. Idempotent."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        corrected = seed_reference_data()
        for code in corrected:
            state = Jurisdiction.objects.get(level="state", state=code)
            changed = requests_recompute_due_dates(jurisdiction=state)
            self.stdout.write(
                f"{state.name}: law corrected ({state.law_days} {state.law_day_type} days, {state.law_citation}); "
                f"{changed} due date{'s' if changed != 1 else ''} recomputed."
            )
        for code in edited_laws():
            if code not in corrected:
                state = Jurisdiction.objects.get(level="state", state=code)
                fix = LAW_CORRECTIONS[code]
                self.stderr.write(
                    f"warning: {state.name}: law left as edited ({state.law_days} {state.law_day_type or 'unset'} "
                    f"days); the correction would be {fix['law_days']} {fix['law_day_type']} days, "
                    f"{fix['law_citation']}."
                )
        if not corrected:
            self.stdout.write("Reference data loaded; no law needed correcting.")
