from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from records.models.agency_state import restate


class Level(models.TextChoices):
    FEDERAL = "federal", "Federal"
    STATE = "state", "State"
    COUNTY = "county", "County"
    CITY = "city", "City"
    OTHER = "other", "Other"


class DayType(models.TextChoices):
    BUSINESS = "business", "business days"
    CALENDAR = "calendar", "calendar days"


class JurisdictionQuerySet(models.QuerySet):
    def states(self):
        return self.filter(level=Level.STATE).order_by("name")


class Jurisdiction(models.Model):
    """A government level with its public-records law; local ones inherit their state's law."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    level = models.CharField(max_length=10, choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    state = models.CharField(max_length=2, blank=True, help_text="USPS code; empty for federal.", db_index=True)
    law_name = models.CharField("public-records law", max_length=200, blank=True)
    law_citation = models.CharField(max_length=200, blank=True)
    law_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Days to respond; empty where the law sets no fixed number."
    )
    law_day_type = models.CharField(max_length=10, choices=DayType.choices, blank=True)
    law_source_url = models.URLField(blank=True)
    history = HistoricalRecords()

    objects = JurisdictionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["level", "state", "name"], name="jurisdiction_unique_name_in_state"),
            models.CheckConstraint(
                condition=Q(state="") | Q(state__regex=r"^[A-Z]{2}$"), name="jurisdiction_state_code"
            ),
        ]

    def __str__(self):
        return self.label(self.name, self.level, self.state)

    def save(self, **kwargs):
        update_fields = kwargs.get("update_fields")
        writes_state = update_fields is None or "state" in update_fields
        restated = writes_state and self.pk is not None and self.state != getattr(self, "_saved_state", None)
        super().save(**kwargs)
        if writes_state:
            self._saved_state = self.state
        if restated:
            # Its agencies' timeline entries and procurements carry the state (TimelineEvent.state,
            # Procurement.state).
            restate(self.state, agency__jurisdiction=self)

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        jurisdiction = super().from_db(db, field_names, values, **kwargs)
        # What save() compares with to see a corrected state code (unknown when deferred: a change).
        jurisdiction._saved_state = jurisdiction.__dict__.get("state")
        return jurisdiction

    @staticmethod
    def label(name: str, level: str, state: str) -> str:
        """How a jurisdiction is named: a county or city with its state ("Washington County, OR")."""
        return f"{name}, {state}" if level in {Level.COUNTY, Level.CITY} and state else name

    def law_holder(self) -> "Jurisdiction | None":
        """The jurisdiction whose law applies: this one if it has its own, else the nearest ancestor's."""
        node, seen = self, set()
        while node is not None and node.pk not in seen:
            if node.law_name:
                return node
            seen.add(node.pk)
            node = node.parent
        return None
