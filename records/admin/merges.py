"""The admin action that merges duplicates: the editor picks the record to keep on a confirmation page
(the oldest, lowest id, is preselected), then each other selected record is merged into it."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.template.response import TemplateResponse

from records.rules.permissions import is_editor
from records.services.merges import MergeError


def _reference_counts(obj) -> list[tuple[str, int]]:
    """What points at a record and would move with it, e.g. [("timeline events", 12), ("procurements", 1)]."""
    counts = []
    for relation in obj._meta.related_objects:
        model = relation.related_model
        if model.__name__.startswith("Historical"):
            continue
        if relation.many_to_many:
            count = getattr(obj, relation.get_accessor_name()).count()
        else:
            count = model._base_manager.filter(**{relation.field.name: obj}).count()
        if count:
            counts.append((str(model._meta.verbose_name_plural), count))
    return counts


def merge_action(*, service, noun: str, plural: str):
    @admin.action(description=f"Merge the selected {plural} into one", permissions=["change"])
    def merge(modeladmin, request, queryset):
        if not is_editor(request.user):
            modeladmin.message_user(request, f"Only editors can merge {plural}.", messages.ERROR)
            return None
        records = list(queryset.order_by("pk"))
        if len(records) < 2:
            modeladmin.message_user(
                request, f"Select two or more {plural}: the one to keep and its duplicates.", messages.WARNING
            )
            return None
        if request.POST.get("post") == "yes":
            keep = next((r for r in records if str(r.pk) == request.POST.get("keep")), None)
            if keep is None:
                modeladmin.message_user(request, f"Choose the {noun} to keep.", messages.ERROR)
            else:
                removed = [r for r in records if r.pk != keep.pk]
                try:
                    with transaction.atomic():
                        for record in removed:
                            service(keep=keep, remove=record, user=request.user)
                except MergeError as error:
                    modeladmin.message_user(request, str(error), messages.ERROR)
                    return None
                names = ", ".join(f"“{r.name}”" for r in removed)
                modeladmin.message_user(
                    request, f"Merged {names} into “{keep.name}”; the old names are now its aliases.", messages.SUCCESS
                )
                return None
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": f"Merge {plural}",
            "noun": noun,
            "plural": plural,
            "rows": [(record, _reference_counts(record)) for record in records],
            "keep_pk": records[0].pk,
            "opts": modeladmin.model._meta,
            "action": request.POST.get("action", ""),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/records/merge_confirmation.html", context)

    return merge
