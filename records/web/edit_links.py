"""Where staff edit a record shown on a public page ("" when this reader may not edit it there)."""

from django.urls import reverse

from records.models import Document, Procurement, RecordsRequest, TimelineEvent
from records.rules.permissions import can_edit, can_propose, is_staff_member


def edit_url(user, record) -> str:
    if not is_staff_member(user):
        return ""
    if isinstance(record, TimelineEvent):
        # An entry derived from a procurement or a request is changed through that record.
        if record.procurement_id:
            return edit_url(user, record.procurement)
        if record.records_request_id:
            return reverse("staff-request-detail", args=[record.records_request_id])
        return reverse("staff-event-edit", args=[record.pk]) if can_edit(user, record) else ""
    if isinstance(record, Procurement | RecordsRequest):
        # Staff who may not change a published record directly propose their change there.
        if not (can_edit(user, record) or can_propose(user, record)):
            return ""
        name = "staff-procurement-edit" if isinstance(record, Procurement) else "staff-request-edit"
        return reverse(name, args=[record.pk])
    if isinstance(record, Document):
        return reverse("staff-document-detail", args=[record.pk])
    return ""
