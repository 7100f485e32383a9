from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from records import models as m
from records.rules.permissions import is_editor
from records.services.sharing import sharing_links_changed


def register(visibility_admin):
    @admin.register(m.Organisation)
    class OrganisationAdmin(SimpleHistoryAdmin):
        list_display = ["name", "state", "kind"]
        list_filter = ["kind", "state"]
        search_fields = ["name"]

    @admin.register(m.SharingLink)
    class SharingLinkAdmin(visibility_admin):
        list_display = ["__str__", "how", "first_seen", "last_seen", "ended_on", "visibility"]
        list_filter = ["how", "visibility", "vendor", "technology", "sharer_agency__jurisdiction__state"]
        search_fields = ["sharer_name", "receiver_name", "sharer_agency__name", "receiver_agency__name",
                         "sharer_organisation__name", "receiver_organisation__name"]  # fmt: skip
        autocomplete_fields = ["sharer_agency", "receiver_agency", "document"]
        raw_id_fields = ["sharer_organisation", "receiver_organisation"]
        list_select_related = ["sharer_agency", "receiver_agency", "sharer_organisation", "receiver_organisation"]
        date_hierarchy = "last_seen"
        actions = ["publish"]

        def save_model(self, request, obj, form, change):
            before = m.SharingLink.objects.filter(pk=obj.pk).first() if change else None
            super().save_model(request, obj, form, change)
            sharing_links_changed(links=[obj, *([before] if before else [])])

        def delete_model(self, request, obj):
            super().delete_model(request, obj)
            sharing_links_changed(links=[obj])

        def delete_queryset(self, request, queryset):
            links = list(queryset)
            super().delete_queryset(request, queryset)
            sharing_links_changed(links=links)

        @admin.action(description="Publish the selected links")
        def publish(self, request, queryset):
            # Imports add links as private, for an editor to review: this is the review's last step.
            if not is_editor(request.user):
                self.message_user(request, "Only an editor publishes.", messages.ERROR)
                return
            links = list(queryset.exclude(visibility=m.Visibility.PUBLIC))
            for link in links:
                link.visibility, link.embargo_until = m.Visibility.PUBLIC, None
                link._history_user = request.user
                link.save(update_fields=["visibility", "embargo_until"])
            sharing_links_changed(links=links)
            self.message_user(request, f"{len(links)} link{'s' if len(links) != 1 else ''} published.")
