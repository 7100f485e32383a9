import json
from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from records.models.procurements import Procurement
from records.models.requests import RecordsRequest

# What a staff member may change on a record they cannot change directly: the staff edit form's fields without
# visibility, which only editors set.
REVISABLE_FIELDS = {
    RecordsRequest: (
        "subject", "text", "requester_organization", "requester_person", "tracking_number", "filed_on", "source_url",
    ),
    Procurement: (
        "agency", "vendor", "product", "title", "kind", "status", "method", "method_rationale", "parent_contract",
        "amount", "currency", "funding_source", "funding_program", "funding_award_number", "signed_on", "start_on",
        "end_on", "reference_number", "source_url", "description",
    ),
}  # fmt: skip
# The revision's foreign key to each kind of record.
RECORD_FIELD = {RecordsRequest: "records_request", Procurement: "procurement"}


def field_values(record, names) -> dict:
    """The record's values of `names` as JSON keeps them (dates and amounts as text, a related record as its
    id), so that two can be compared."""
    values = {}
    for name in names:
        field = record._meta.get_field(name)
        value = field.value_from_object(record)
        if isinstance(field, models.DecimalField) and value is not None:
            # 48000 typed and 48000.00 stored are the same amount.
            value = Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places))
        values[name] = value
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


class RevisionStatus(models.TextChoices):
    PENDING = "pending", "Waiting for an editor"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class ProposedRevisionQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=RevisionStatus.PENDING)


class ProposedRevision(models.Model):
    """A change a staff member who is not an editor proposed to a published or embargoed record. The record
    stays as it is until an editor accepts the change (applied through the record's service) or rejects it.

    One foreign key per kind of record that can be revised (requests and procurements; a timeline entry's
    vendors, technologies and sources are rows of their own, not values): real keys that the queue joins in its
    one query, and a record's deletion takes its proposals with it."""

    records_request = models.ForeignKey(
        RecordsRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="proposed_revisions"
    )
    procurement = models.ForeignKey(
        Procurement, null=True, blank=True, on_delete=models.CASCADE, related_name="proposed_revisions"
    )
    values = models.JSONField(help_text="The proposed values of the fields that change.")
    base = models.JSONField(help_text="The record's values of those fields when the change was proposed.")
    # For a related record (agency, vendor...): its name before and after, as they were when proposed.
    labels = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=RevisionStatus.choices, default=RevisionStatus.PENDING)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="proposed_revisions"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ProposedRevisionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="revision_status_created")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(records_request__isnull=False, procurement__isnull=True)
                | models.Q(records_request__isnull=True, procurement__isnull=False),
                name="revision_of_one_record",
            )
        ]

    def __str__(self):
        return f"Proposed change to {self.record}"

    @property
    def record(self):
        return self.records_request if self.records_request_id else self.procurement

    def changed_since(self) -> list[str]:
        """The fields whose value on the record is no longer the one the change was proposed against."""
        current = field_values(self.record, self.base)
        return [name for name, value in self.base.items() if current[name] != value]

    def decoded_values(self) -> dict:
        """The proposed values as the record's service takes them (dates as dates, a related record by its id)."""
        fields = [self.record._meta.get_field(name) for name in self.values]
        return {field.attname: field.to_python(self.values[field.name]) for field in fields}
