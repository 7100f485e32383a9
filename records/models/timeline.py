import datetime
import re

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from records.links import detail_url
from records.models.agency_state import AgencyStateModel, AgencyStateQuerySet
from records.models.visibility import VisibilityFields, VisibleQuerySet, embargo_constraint

DOCUMENT_NOT_PUBLIC = "A document not yet public"


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


def _comparable(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def summary_adds(title: str, summary: str) -> bool:
    """Whether a summary says more than its title: not when, case, spacing and punctuation aside, the title already
    holds it whole."""
    said = _comparable(summary or "")
    return bool(said) and said not in _comparable(title or "")


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


class TimelineEventQuerySet(AgencyStateQuerySet, VisibleQuerySet):
    def for_display(self, user):
        """Entries as timelines show them to `user`, with what they link to. A public entry may cite a document,
        or come from a records request, that is not public (yet): `document_shown` and `records_request_shown`
        say whether this reader may see those, so their titles never reach the public."""
        sources = EventSource.objects.select_related("document").annotate(
            document_shown=self.shown_to(user, "document__")
        )
        return (
            self.select_related("agency__jurisdiction", "procurement", "records_request")
            .annotate(records_request_shown=self.shown_to(user, "records_request__"))
            .prefetch_related(
                # As plain lists (to_attr): Django's default prefetch builds a manager and a queryset per entry
                # and relation, 150 of each for a page of 50 (about a quarter of the page's time).
                models.Prefetch("vendors", to_attr="prefetched_vendors"),
                models.Prefetch("technologies", to_attr="prefetched_technologies"),
                models.Prefetch("sources", queryset=sources, to_attr="prefetched_sources"),
            )
            .order_by("-date", "-id")
        )


class TimelineEvent(AgencyStateModel, VisibilityFields):
    """Every dated fact is one row here, so any timeline is one indexed query."""

    date = models.DateField(help_text="For month or year precision, the first day of the period.")
    date_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    agency = models.ForeignKey(
        "records.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="timeline_events"
    )
    # The agency's state, copied here so that a timeline filtered by state (and vendor) reads one index in
    # date order: through the agency and jurisdiction joins, /timeline/?vendor=X&state=CT walked events
    # until a page matched, about 70 ms on a million entries. save() sets it; Agency and Jurisdiction
    # saves, the queryset's writes, merges, importers and the synthetic generator keep it in step.
    state = models.CharField(max_length=2, blank=True, default="", editable=False)
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
    # The correspondence a request's entry was logged with (a status change, documents released): the entry
    # is public only when its request and this correspondence are (services/requests.py keeps it so).
    correspondence = models.ForeignKey(
        "records.Correspondence",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="timeline_events",
        editable=False,
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
            # Visibility rides along (PostgreSQL; SQLite ignores it) so that an agency's counts and chart read
            # the index alone: entries per year of the largest agency (31,305 entries) 101 -> 13 ms at S=1.
            models.Index(
                fields=["agency", "date", "id"], name="event_agency_date_id", include=["visibility", "embargo_until"]
            ),
            models.Index(fields=["state", "date", "id"], name="event_state_date_id"),
        ]
        constraints = [embargo_constraint("event_embargo_has_date")]

    def __str__(self):
        return f"{self.display_date}: {self.title}"

    def get_absolute_url(self):
        return detail_url("event-detail", self.pk)

    @property
    def display_date(self) -> str:
        return format_date(self.date, self.date_precision)

    @property
    def summary_shown(self) -> str:
        """The summary where it adds to the title ("" where it does not): Atlas of Surveillance entries carry one
        sentence as both, which a timeline printed twice."""
        return self.summary if summary_adds(self.title, self.summary) else ""

    # Entries fetched by for_display() carry their vendors, technologies and sources as plain lists.
    def _related_rows(self, name):
        prefetched = self.__dict__.get(f"prefetched_{name}")
        return prefetched if prefetched is not None else list(getattr(self, name).all())

    @property
    def shown_records_request(self):
        """The records request this entry comes from, if for_display() found the reader may see it."""
        return self.records_request if getattr(self, "records_request_shown", False) else None

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

    @property
    def shown_document(self):
        """The cited document, if TimelineEvent.objects.for_display() found the reader may see it."""
        return self.document if getattr(self, "document_shown", False) else None

    @property
    def display_label(self) -> str:
        """What a reader is told of this source: never the title of a document they may not see."""
        if self.label or self.url:
            return self.label or self.url
        document = self.shown_document
        return str(document) if document else DOCUMENT_NOT_PUBLIC
