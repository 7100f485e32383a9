from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from records import models as m
from records.admin import oversight, sharing
from records.admin.merges import merge_action
from records.rules.permissions import is_editor
from records.services.merges import agency_merge, vendor_merge
from records.services.oversight import procurements_refresh_oversight
from records.services.requests import request_update, requests_recompute_due_dates
from records.services.timeline import procurement_update


class VisibilityAdmin(SimpleHistoryAdmin):
    """Only editors publish, in the admin too: for other staff the visibility and embargo are read-only, a
    record they add is private, and a history revert keeps the record's current visibility (the reverted
    version carries its old one, which would otherwise republish or hide it). An editor's revert form starts
    from the current visibility too: a record hidden since that version stays hidden unless the editor
    chooses otherwise in the form."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        request.reverting_to_version = True
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and obj.pk and getattr(request, "reverting_to_version", False):
            current = type(obj).objects.filter(pk=obj.pk).values("visibility", "embargo_until").first()
            if current:
                obj.visibility, obj.embargo_until = current["visibility"], current["embargo_until"]
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not is_editor(request.user):
            fields += ["visibility", "embargo_until"]
        return fields

    def guard_visibility(self, request, obj, change):
        if not change:
            obj.added_by = obj.added_by or request.user
        if is_editor(request.user):
            return
        if change:
            current = type(obj).objects.filter(pk=obj.pk).values("visibility", "embargo_until").first() or {}
            obj.visibility = current.get("visibility", m.Visibility.PRIVATE)
            obj.embargo_until = current.get("embargo_until")
        else:
            obj.visibility, obj.embargo_until = m.Visibility.PRIVATE, None

    def save_model(self, request, obj, form, change):
        self.guard_visibility(request, obj, change)
        super().save_model(request, obj, form, change)


@admin.register(m.Jurisdiction)
class JurisdictionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "level", "state", "law_name", "law_days", "law_day_type"]
    list_filter = ["level", "law_day_type"]
    search_fields = ["name", "state", "law_name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A corrected law moves the stored due dates of every request it governs.
        if change and {"law_days", "law_day_type", "law_name", "parent"} & set(form.changed_data):
            changed = requests_recompute_due_dates(jurisdiction=obj)
            self.message_user(request, f"Due dates recomputed: {changed} request(s) changed.")


@admin.register(m.Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "jurisdiction", "ori"]
    list_filter = ["kind", "jurisdiction__level", "jurisdiction__state"]
    search_fields = ["name", "ori", "jurisdiction__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["jurisdiction", "parent"]
    list_select_related = ["jurisdiction"]
    actions = [merge_action(service=agency_merge, noun="agency", plural="agencies")]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Moved to another place, its acquisitions fall under that place's oversight laws.
        if change and "jurisdiction" in form.changed_data:
            procurements_refresh_oversight(procurements=obj.procurements.only("pk"))


class VendorAliasInline(admin.TabularInline):
    model = m.VendorAlias
    extra = 1


@admin.register(m.Vendor)
class VendorAdmin(SimpleHistoryAdmin):
    list_display = ["name", "website"]
    search_fields = ["name", "aliases__name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [VendorAliasInline]
    actions = [merge_action(service=vendor_merge, noun="vendor", plural="vendors")]


@admin.register(m.VendorAlias)
class VendorAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "vendor", "confirmed", "match_case"]
    # An importer's near matches wait here (confirmed: No) for an editor.
    list_filter = ["confirmed"]
    search_fields = ["name", "vendor__name"]
    autocomplete_fields = ["vendor"]


@admin.register(m.Technology)
class TechnologyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(m.Product)
class ProductAdmin(SimpleHistoryAdmin):
    list_display = ["name", "vendor"]
    list_filter = ["technologies"]
    search_fields = ["name", "vendor__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["vendor", "technologies"]
    list_select_related = ["vendor"]


@admin.register(m.Procurement)
class ProcurementAdmin(VisibilityAdmin):
    list_display = ["title", "agency", "vendor", "kind", "status", "amount", "signed_on", "visibility"]
    list_filter = ["kind", "status", "visibility", "method", "funding_source", "state"]
    search_fields = ["title", "reference_number", "external_id", "agency__name", "vendor__name"]
    # A <select> of every procurement would list them all for the contract a purchase was made under.
    autocomplete_fields = ["agency", "vendor", "product", "documents", "parent_contract"]
    list_select_related = ["agency", "vendor"]
    date_hierarchy = "signed_on"

    def save_model(self, request, obj, form, change):
        # Through the service, so that the procurement's timeline entry follows its visibility and terms.
        self.guard_visibility(request, obj, change)
        procurement_update(procurement=obj, user=request.user)


class CorrespondenceInline(admin.StackedInline):
    model = m.Correspondence
    extra = 0


@admin.register(m.RecordsRequest)
class RecordsRequestAdmin(VisibilityAdmin):
    list_display = ["subject", "agency", "status", "filed_on", "due_on", "visibility"]
    list_filter = ["status", "visibility", "agency__jurisdiction__state"]
    search_fields = ["subject", "tracking_number", "agency__name", "requester_organization"]
    autocomplete_fields = ["agency"]
    list_select_related = ["agency"]
    date_hierarchy = "filed_on"
    inlines = [CorrespondenceInline]

    def save_model(self, request, obj, form, change):
        # Through the service, so that the request's own timeline entries follow its visibility and dates.
        self.guard_visibility(request, obj, change)
        if change:
            request_update(records_request=obj, user=request.user)
        else:
            super().save_model(request, obj, form, change)


@admin.register(m.Correspondence)
class CorrespondenceAdmin(VisibilityAdmin):
    list_display = ["request", "date", "direction", "channel", "visibility"]
    list_filter = ["direction", "channel", "visibility"]
    search_fields = ["summary", "request__subject"]
    autocomplete_fields = ["request"]
    list_select_related = ["request"]


class DocumentPageInline(admin.StackedInline):
    model = m.DocumentPage
    extra = 0


@admin.register(m.Document)
class DocumentAdmin(VisibilityAdmin):
    list_display = ["title", "kind", "agency", "date", "extraction_status", "visibility"]
    list_filter = ["kind", "extraction_status", "visibility", "is_excerpt"]
    search_fields = ["title", "original_filename", "sha256", "agency__name"]
    autocomplete_fields = ["agency", "request", "correspondence"]
    list_select_related = ["agency"]
    # Files come in through the staff upload page, which checks their content and stores them by hash.
    readonly_fields = ["file", "original_filename", "sha256", "size", "content_type", "extraction_error"]
    inlines = [DocumentPageInline]


@admin.register(m.DocumentPage)
class DocumentPageAdmin(admin.ModelAdmin):
    list_display = ["document", "number"]
    search_fields = ["document__title", "text"]
    autocomplete_fields = ["document"]
    list_select_related = ["document"]


class EventSourceInline(admin.TabularInline):
    model = m.EventSource
    extra = 1
    autocomplete_fields = ["document"]


@admin.register(m.TimelineEvent)
class TimelineEventAdmin(VisibilityAdmin):
    list_display = ["title", "date", "date_precision", "kind", "agency", "is_illustrative", "visibility"]
    list_filter = ["kind", "date_precision", "is_illustrative", "visibility", "technologies"]
    search_fields = ["title", "summary", "agency__name", "external_id"]
    autocomplete_fields = [
        "agency",
        "vendors",
        "products",
        "technologies",
        "procurement",
        "records_request",
        "document",
    ]
    list_select_related = ["agency"]
    date_hierarchy = "date"
    inlines = [EventSourceInline]


@admin.register(m.EventSource)
class EventSourceAdmin(admin.ModelAdmin):
    list_display = ["event", "label", "document", "page", "url"]
    search_fields = ["label", "url", "event__title"]
    autocomplete_fields = ["event", "document"]
    list_select_related = ["event", "document"]


oversight.register(VisibilityAdmin)
sharing.register(VisibilityAdmin)
