import datetime

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from records.links import detail_url
from records.models.visibility import VisibilityFields, VisibleQuerySet, embargo_constraint


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


def format_date(date: datetime.date | None, precision: str) -> str:
    """'2017-11-29', 'Nov 2017' or '2017': a date shown no more precisely than it is known."""
    if date is None:
        return "Undated"
    if precision == DatePrecision.YEAR:
        return str(date.year)
    if precision == DatePrecision.MONTH:
        return date.strftime("%b %Y")
    return f"{date.strftime('%b')} {date.day}, {date.year}"


def truncate_date(date: datetime.date, precision: str) -> datetime.date:
    """Store an imprecise date as the first day of its period, so it sorts and filters by range."""
    if precision == DatePrecision.YEAR:
        return date.replace(month=1, day=1)
    if precision == DatePrecision.MONTH:
        return date.replace(day=1)
    return date


class EventKind(models.TextChoices):
    PROCUREMENT = "procurement", "Procurement"
    DEPLOYMENT = "deployment", "Deployment or use"
    PRESENTATION = "presentation", "Presentation or statement"
    REQUEST_FILED = "request_filed", "Records request filed"
    REQUEST_UPDATE = "request_update", "Records request update"
    DOCUMENTS_RELEASED = "documents_released", "Documents released"
    ADVOCACY = "advocacy", "Advocacy"
    POLICY = "policy", "Policy or oversight"
    REPORTING = "reporting", "News reporting"
    OTHER = "other", "Other"


class TimelineEventQuerySet(VisibleQuerySet):
    def for_display(self):
        return (
            self.select_related("agency__jurisdiction", "procurement", "records_request")
            .prefetch_related(
                "vendors",
                "technologies",
                models.Prefetch("sources", queryset=EventSource.objects.select_related("document")),
            )
            .order_by("-date", "-id")
        )


class TimelineEvent(VisibilityFields):
    """Every dated fact is one row here, so any timeline is one indexed query."""

    date = models.DateField(help_text="For month or year precision, the first day of the period.")
    date_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    agency = models.ForeignKey(
        "records.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="timeline_events"
    )
    vendors = models.ManyToManyField("records.Vendor", blank=True, related_name="timeline_events")
    products = models.ManyToManyField("records.Product", blank=True, related_name="timeline_events")
    technologies = models.ManyToManyField("records.Technology", blank=True, related_name="timeline_events")
    is_illustrative = models.BooleanField(
        default=False, help_text="Not established fact: shown with an 'illustrative' label."
    )
    # The record this event derives from, if any; services keep the two in step.
    procurement = models.ForeignKey(
        "records.Procurement", null=True, blank=True, on_delete=models.PROTECT, related_name="timeline_events"
    )
    records_request = models.ForeignKey(
        "records.RecordsRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="timeline_events"
    )
    document = models.ForeignKey(
        "records.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="timeline_events"
    )
    external_id = models.CharField(
        max_length=100, null=True, blank=True, unique=True, help_text="Stable key of an imported event."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = TimelineEventQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["date", "id"], name="event_date_id"),
            models.Index(fields=["agency", "date", "id"], name="event_agency_date_id"),
        ]
        constraints = [embargo_constraint("event_embargo_has_date")]

    def __str__(self):
        return f"{self.display_date}: {self.title}"

    def get_absolute_url(self):
        return detail_url("event-detail", self.pk)

    @property
    def display_date(self) -> str:
        return format_date(self.date, self.date_precision)

    # Timeline pages show 50 entries with their vendors, technologies and sources. `event.vendors.all`
    # in a template builds a manager and a queryset per entry even when prefetched (about 5 ms a page);
    # these hand over the prefetched rows as they are.
    def _related_rows(self, name):
        prefetched = getattr(self, "_prefetched_objects_cache", {})
        return prefetched[name] if name in prefetched else getattr(self, name).all()

    @property
    def vendor_list(self):
        return self._related_rows("vendors")

    @property
    def technology_list(self):
        return self._related_rows("technologies")

    @property
    def source_list(self):
        return self._related_rows("sources")

    @property
    def is_from_atlas(self) -> bool:
        """Imported from the Atlas of Surveillance, whose licence asks for the credit shown with it."""
        return (self.external_id or "").startswith("atlas:")


class EventSource(models.Model):
    """Where a timeline fact comes from: a document (at a page) and/or an external URL."""

    event = models.ForeignKey(TimelineEvent, on_delete=models.CASCADE, related_name="sources")
    document = models.ForeignKey(
        "records.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="cited_by"
    )
    page = models.PositiveIntegerField(null=True, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    label = models.CharField(max_length=300, blank=True, help_text="Publisher or title of the source.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(document__isnull=False) | ~Q(url=""), name="source_has_document_or_url"),
            models.CheckConstraint(condition=Q(page__isnull=True) | Q(page__gte=1), name="source_page_from_one"),
            models.CheckConstraint(
                condition=Q(page__isnull=True) | Q(document__isnull=False), name="source_page_needs_document"
            ),
        ]

    def __str__(self):
        return self.label or self.url or str(self.document)
