from django.db import models
from django.db.models import Count, Q
from simple_history.models import HistoricalRecords

from records.links import detail_url
from records.models.agency_state import restate
from records.models.jurisdictions import Jurisdiction


class AgencyKind(models.TextChoices):
    POLICE = "police", "Police"
    SHERIFF = "sheriff", "Sheriff"
    STATE_POLICE = "state_police", "State police"
    PROSECUTOR = "prosecutor", "Prosecutor"
    FUSION_CENTER = "fusion_center", "Fusion center"
    SCHOOL_DISTRICT = "school_district", "School district"
    CITY_GOVERNMENT = "city_government", "City government"
    FEDERAL = "federal", "Federal"
    OTHER = "other", "Other"


class AgencyQuerySet(models.QuerySet):
    def with_place(self):
        return self.select_related("jurisdiction")

    def with_counts(self):
        return self.annotate(event_count=Count("timeline_events", distinct=True))

    def in_state(self, code: str):
        return self.filter(jurisdiction__state=code.upper())

    def using_vendor(self, vendor):
        return self.filter(Q(procurements__vendor=vendor) | Q(timeline_events__vendors=vendor)).distinct()


class Agency(models.Model):
    """A government body. Identity is name + jurisdiction (there are many Washington Counties), or ORI."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    kind = models.CharField(max_length=20, choices=AgencyKind.choices, default=AgencyKind.POLICE)
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="agencies")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    ori = models.CharField("ORI code", max_length=9, null=True, blank=True, unique=True)
    website = models.URLField(blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    objects = AgencyQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "agencies"
        # The agency list is paged by (name, id): page 1 of 18,000 agencies without it sorts them all.
        indexes = [models.Index(fields=["name", "id"], name="agency_name_id")]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "name"], name="agency_unique_name_in_jurisdiction"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="agency_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="agency_longitude_range",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, **kwargs):
        update_fields = kwargs.get("update_fields")
        writes_jurisdiction = update_fields is None or bool({"jurisdiction", "jurisdiction_id"} & set(update_fields))
        moved = (
            writes_jurisdiction
            and self.pk is not None
            and self.jurisdiction_id != getattr(self, "_saved_jurisdiction_id", None)
        )
        super().save(**kwargs)
        if writes_jurisdiction:
            self._saved_jurisdiction_id = self.jurisdiction_id
        if moved:
            # Its timeline entries and procurements carry its state (TimelineEvent.state, Procurement.state).
            restate(self.jurisdiction.state, agency=self)

    def get_absolute_url(self):
        return detail_url("agency-detail", self.slug)

    @property
    def state(self) -> str:
        return self.jurisdiction.state

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        agency = super().from_db(db, field_names, values, **kwargs)
        # What save() compares with to see a move to another jurisdiction (unknown when deferred: a move).
        agency._saved_jurisdiction_id = agency.__dict__.get("jurisdiction_id")
        return agency


class AgencyAlias(models.Model):
    """Another name an agency is known by, e.g. the name of a duplicate merged into it."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agency aliases"
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="agency_alias_unique")]

    def __str__(self):
        return self.name
