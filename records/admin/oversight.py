from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from records import models as m
from records.services.oversight import oversight_law_refresh, procurements_refresh_oversight


def register(visibility_admin):
    @admin.register(m.OversightLaw)
    class OversightLawAdmin(SimpleHistoryAdmin):
        list_display = ["name", "jurisdiction", "citation", "effective_on"]
        list_filter = ["jurisdiction__level", "jurisdiction__state"]
        search_fields = ["name", "citation", "jurisdiction__name"]
        autocomplete_fields = ["jurisdiction"]
        filter_horizontal = ["technologies"]
        list_select_related = ["jurisdiction"]

        def save_related(self, request, form, formsets, change):
            # The technologies it covers are saved here, after the law: only then can its procurements follow.
            super().save_related(request, form, formsets, change)
            oversight_law_refresh(law=form.instance)

    @admin.register(m.OversightRecord)
    class OversightRecordAdmin(visibility_admin):
        list_display = ["kind", "agency", "procurement", "body", "date", "outcome", "visibility"]
        list_filter = ["kind", "outcome", "visibility"]
        search_fields = ["body", "agenda_item", "agency__name", "procurement__title", "searched"]
        autocomplete_fields = ["agency", "procurement", "document", "records_request"]
        list_select_related = ["agency", "procurement"]
        date_hierarchy = "date"

        def save_model(self, request, obj, form, change):
            previous = m.OversightRecord.objects.filter(pk=obj.pk).values("procurement_id", "agency_id").first()
            super().save_model(request, obj, form, change)
            # The procurements it bore on before the edit and after it.
            affected = m.Procurement.objects.filter(agency_id=obj.agency_id)
            if previous:
                affected = affected | m.Procurement.objects.filter(agency_id=previous["agency_id"])
            procurements_refresh_oversight(procurements=affected)

        def delete_model(self, request, obj):
            agency_id = obj.agency_id
            super().delete_model(request, obj)
            procurements_refresh_oversight(procurements=m.Procurement.objects.filter(agency_id=agency_id))
