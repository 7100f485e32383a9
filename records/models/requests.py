from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from records.links import detail_url
from records.models.agencies import Agency
from records.models.visibility import VisibilityFields, VisibleQuerySet, can_see_everything, embargo_constraint
from records.rules import requests as rules
from records.rules.requests import NEVER_OVERDUE_STATUSES, NOT_OPEN_STATUSES, RequestStatus


class RecordsRequestQuerySet(VisibleQuerySet):
    def open(self):
        """Filed and not yet answered (records.rules.requests.is_open)."""
        return self.exclude(status__in=NOT_OPEN_STATUSES)

    def overdue(self, today):
        """Past their due date and not closed, nor of unknown status (records.rules.requests.is_overdue)."""
        return self.filter(due_on__lt=today).exclude(status__in=NEVER_OVERDUE_STATUSES)


class RecordsRequest(VisibilityFields):
    """A public-records request. An organisation as requester is public; a private person's name is staff-only."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="records_requests")
    requester_organization = models.CharField(max_length=200, blank=True)
    requester_person = models.CharField(
        max_length=200, blank=True, help_text="A private person's name; shown to staff only."
    )
    subject = models.CharField(max_length=300)
    text = models.TextField(blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=20, choices=RequestStatus.choices, default=RequestStatus.DRAFT)
    filed_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = RecordsRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_on", "-id"]
        verbose_name = "records request"
        constraints = [
            embargo_constraint("request_embargo_has_date"),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(filed_on__isnull=True) | Q(closed_on__gte=F("filed_on")),
                name="request_closed_after_filed",
            ),
        ]

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return detail_url("request-detail", self.pk)

    @property
    def is_terminal(self) -> bool:
        return rules.is_terminal(self.status)

    @property
    def is_overdue(self) -> bool:
        return rules.is_overdue(self.status, self.due_on, timezone.localdate())

    @property
    def is_long_overdue(self) -> bool:
        return rules.is_long_overdue(self.status, self.filed_on, self.due_on, timezone.localdate())

    @property
    def public_requester(self) -> str:
        return rules.public_requester(self.requester_organization)


class Direction(models.TextChoices):
    OUT = "out", "Sent to the agency"
    IN = "in", "Received from the agency"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    PORTAL = "portal", "Portal"
    MAIL = "mail", "Mail"
    PHONE = "phone", "Phone"
    IN_PERSON = "in_person", "In person"


class CorrespondenceQuerySet(VisibleQuerySet):
    def visible_to(self, user, today=None):
        """An entry is shown only where its request is: its own visibility says whether it may be shown there
        (a staff member's entry waits for an editor), the request's whether the request is shown at all."""
        if can_see_everything(user):
            return self
        return self.filter(self.public_q(today), self.public_q(today, prefix="request__"))


class Correspondence(VisibilityFields):
    request = models.ForeignKey(RecordsRequest, on_delete=models.PROTECT, related_name="correspondence")
    date = models.DateField()
    direction = models.CharField(max_length=3, choices=Direction.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    summary = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = CorrespondenceQuerySet.as_manager()

    class Meta:
        ordering = ["date", "id"]
        verbose_name_plural = "correspondence"
        constraints = [embargo_constraint("correspondence_embargo_has_date")]

    def __str__(self):
        return f"{self.date}: {self.get_direction_display()} ({self.get_channel_display()})"


class RequestStatusChange(models.Model):
    """Each status a request entered and when: the deadline engine reads pauses from these."""

    request = models.ForeignKey(RecordsRequest, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=20, choices=RequestStatus.choices)
    changed_on = models.DateField()
    correspondence = models.ForeignKey(
        Correspondence, null=True, blank=True, on_delete=models.SET_NULL, related_name="status_changes"
    )
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_on", "id"]

    def __str__(self):
        return f"{self.changed_on}: {self.get_status_display()}"
