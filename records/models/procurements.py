from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from records.links import detail_url
from records.models.agencies import Agency
from records.models.agency_state import AgencyStateModel, AgencyStateQuerySet
from records.models.vendors import Product, Vendor


class ProcurementKind(models.TextChoices):
    CONTRACT = "contract", "Contract"
    PURCHASE_ORDER = "purchase_order", "Purchase order"
    FREE_TRIAL = "free_trial", "Free trial or pilot"
    GRANT = "grant", "Grant"
    MOU = "mou", "MOU or data-sharing agreement"
    SUBSCRIPTION = "subscription", "Subscription"
    OTHER = "other", "Other"


class ProcurementStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    UNKNOWN = "unknown", "Unknown"


class Procurement(AgencyStateModel, models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="procurements")
    # The agency's state, copied here so that the list filtered by state walks one index in page order (or
    # the vendor's) and stops at a page: through the agency and jurisdiction joins,
    # /procurements/?state=CT&vendor=X&amount_min=1000 read every agency of the state and each one's
    # procurements, 11 ms at national scale (100,000 procurements, 18,000 agencies) and growing with the
    # state's agencies. save() sets it; Agency and Jurisdiction saves, the queryset's writes, merges, the
    # synthetic generator and archive restores keep it in step.
    state = models.CharField(max_length=2, blank=True, default="", editable=False)
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="procurements")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT, related_name="procurements")
    kind = models.CharField(max_length=20, choices=ProcurementKind.choices)
    status = models.CharField(max_length=20, choices=ProcurementStatus.choices, default=ProcurementStatus.UNKNOWN)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    signed_on = models.DateField(null=True, blank=True)
    start_on = models.DateField(null=True, blank=True)
    end_on = models.DateField(null=True, blank=True)
    reference_number = models.CharField(max_length=100, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    documents = models.ManyToManyField("records.Document", blank=True, related_name="procurements")
    history = HistoricalRecords()

    objects = AgencyStateQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_on", "-id"]
        # The procurement list is paged by id; filtered by vendor, agency or state it walks these, not every row.
        indexes = [
            models.Index(fields=["vendor", "id"], name="procurement_vendor_id"),
            models.Index(fields=["agency", "id"], name="procurement_agency_id"),
            models.Index(fields=["state", "id"], name="procurement_state_id"),
            # By state and vendor, the list reads one run of the index in page order; with (state, id) alone
            # PostgreSQL walked the primary key backwards past 13,000 rows for the largest vendor (3.4 ms, 0.1
            # with this index, at 100,000 procurements).
            models.Index(fields=["state", "vendor", "id"], name="procurement_state_vendor_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="procurement_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(start_on__isnull=True) | Q(end_on__isnull=True) | Q(end_on__gte=F("start_on")),
                name="procurement_end_after_start",
            ),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="procurement_currency_code"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return detail_url("procurement-detail", self.pk)
