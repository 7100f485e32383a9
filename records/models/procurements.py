import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, Max, Min, Q, Sum
from django.db.models.functions import Coalesce
from simple_history.models import HistoricalRecords

from records.links import detail_url
from records.models.agencies import Agency
from records.models.agency_state import AgencyStateModel, AgencyStateQuerySet
from records.models.vendors import Product, Vendor
from records.models.visibility import VisibilityFields, VisibleQuerySet, embargo_constraint


class ProcurementKind(models.TextChoices):
    CONTRACT = "contract", "Contract"
    FRAMEWORK = "framework", "Cooperative or master contract"
    PURCHASE_ORDER = "purchase_order", "Purchase order"
    FREE_TRIAL = "free_trial", "Free trial or pilot"
    GRANT = "grant", "Grant"
    MOU = "mou", "MOU or data-sharing agreement"
    SUBSCRIPTION = "subscription", "Subscription"
    OTHER = "other", "Other"


class ProcurementMethod(models.TextChoices):
    # The OCDS tender.procurementMethod codes, and purchases off another body's contract.
    OPEN = "open", "Open competition"
    SELECTIVE = "selective", "Selective (invited bidders)"
    LIMITED = "limited", "Limited (negotiated with few)"
    DIRECT = "direct", "Direct award or sole source"
    COOPERATIVE = "cooperative", "Cooperative purchasing contract"


class FundingSource(models.TextChoices):
    AGENCY_BUDGET = "agency_budget", "Agency budget"
    FEDERAL_GRANT = "federal_grant", "Federal grant"
    STATE_GRANT = "state_grant", "State grant"
    ASSET_FORFEITURE = "asset_forfeiture", "Asset forfeiture"
    DONATION = "donation", "Donation (e.g. a police foundation)"
    FREE_TRIAL = "free_trial", "Free trial (no cost)"
    OTHER = "other", "Other"


class ProcurementStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    UNKNOWN = "unknown", "Unknown"


GRANT_SOURCES = (FundingSource.FEDERAL_GRANT, FundingSource.STATE_GRANT)

# Known spend adds amounts of this currency only: a sum across currencies would be no amount at all.
SPEND_CURRENCY = "USD"


@dataclass(frozen=True)
class Spend:
    """What a known-spend figure counts: the sum of the amounts recorded (in SPEND_CURRENCY), how many
    procurements it adds up and how many it cannot (no amount, or one in another currency), and when the
    counted ones were signed (or started, where the signing date is not recorded). A cooperative or master
    contract is never added in: its value is a ceiling for others to buy under, and what they buy is recorded
    (and counted) as purchases of their own; adding both would count the same money twice."""

    total: Decimal | None  # None when no procurement has an amount to add
    with_amount: int
    without_amount: int
    other_currency: int
    frameworks: int
    first_signed: datetime.date | None
    last_signed: datetime.date | None
    currency: str = SPEND_CURRENCY
    # How many of them (all kinds) had a recorded public approval (oversight_status), in the same query.
    publicly_approved: int = 0

    @property
    def procurements(self) -> int:
        return self.with_amount + self.without_amount + self.other_currency + self.frameworks


class ProcurementQuerySet(AgencyStateQuerySet, VisibleQuerySet):
    def spend(self) -> Spend:
        """The known spend of these procurements, in one aggregate query. Narrow by reader first
        (`visible_to`): a private procurement's amount is not the public's to add up."""
        spending = ~Q(kind=ProcurementKind.FRAMEWORK)
        counted = spending & Q(amount__isnull=False, currency=SPEND_CURRENCY)
        dated = Coalesce("signed_on", "start_on")
        found = self.order_by().aggregate(
            total=Sum("amount", filter=counted),
            with_amount=Count("pk", filter=counted),
            without_amount=Count("pk", filter=spending & Q(amount__isnull=True)),
            other_currency=Count("pk", filter=spending & Q(amount__isnull=False) & ~Q(currency=SPEND_CURRENCY)),
            frameworks=Count("pk", filter=~spending),
            first_signed=Min(dated, filter=counted),
            last_signed=Max(dated, filter=counted),
            publicly_approved=Count("pk", filter=Q(oversight_status="approved_public")),
        )
        total = found.pop("total")
        # SQLite sums decimals as floats: back to cents, as every amount is recorded.
        total = None if total is None else Decimal(total).quantize(Decimal("0.01"))
        return Spend(total=total, **found)

    def oversight_is(self, status: str, today: datetime.date):
        """Procurements whose oversight status is `status` on `today` (see rules.oversight.effective_status)."""
        from records.rules import oversight as rule

        due = Q(oversight_status=rule.REQUIRED_MISSING) & (
            Q(oversight_due_on__isnull=True) | Q(oversight_due_on__lte=today)
        )
        if status == rule.REQUIRED_MISSING:
            return self.filter(due)
        if status == rule.UNKNOWN:
            return self.filter(Q(oversight_status=rule.UNKNOWN) | (Q(oversight_status=rule.REQUIRED_MISSING) & ~due))
        return self.filter(oversight_status=status)

    def ending(self, *, since: datetime.date, until: datetime.date | None = None):
        """Contracts whose recorded end falls on `since` or later (up to `until`, both included), soonest
        first; a cancelled one ends nothing."""
        ending = self.filter(end_on__gte=since).exclude(status=ProcurementStatus.CANCELLED)
        if until is not None:
            ending = ending.filter(end_on__lte=until)
        return ending.order_by("end_on", "id")


class Procurement(AgencyStateModel, VisibilityFields):
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
    method = models.CharField("procurement method", max_length=12, choices=ProcurementMethod.choices, blank=True)
    method_rationale = models.TextField(
        "why this method", blank=True, help_text="As the record states it, e.g. the sole-source justification."
    )
    # A purchase made under a cooperative or master contract (one Sourcewell or NASPO contract, many local
    # purchases under it) points at that contract, recorded as a procurement of its own.
    parent_contract = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="purchases_under",
        verbose_name="under the contract",
    )  # fmt: skip
    funding_source = models.CharField(max_length=20, choices=FundingSource.choices, blank=True)
    funding_program = models.CharField(max_length=200, blank=True, help_text="The grant programme, e.g. Byrne JAG.")
    funding_award_number = models.CharField(max_length=100, blank=True, help_text="The grant's award number.")
    external_id = models.CharField(
        max_length=200, null=True, blank=True, unique=True, editable=False,
        help_text="Stable key of an imported procurement, e.g. usaspending:<generated_internal_id>.",
    )  # fmt: skip
    # Derived from its public oversight records and the laws covering its agency (rules/oversight.py),
    # written by services/oversight.py so that the list filters on it through an index; a "required but
    # missing" status counts only from its due date on, decided at read time (oversight_status_on()).
    oversight_status = models.CharField(max_length=20, default="unknown", editable=False)
    oversight_due_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = ProcurementQuerySet.as_manager()

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
            models.Index(fields=["oversight_status", "id"], name="procurement_oversight_id"),
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
            embargo_constraint("procurement_embargo_has_date"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return detail_url("procurement-detail", self.pk)

    def oversight_status_on(self, today: datetime.date) -> str:
        from records.rules.oversight import effective_status

        return effective_status(self.oversight_status, self.oversight_due_on, today)

    @property
    def oversight_label(self) -> str:
        """The oversight status as of today, in words (for lists; pages with a `today` use oversight_status_on)."""
        from django.utils import timezone

        from records.rules.oversight import STATUS_LABELS

        return STATUS_LABELS.get(self.oversight_status_on(timezone.localdate()), "Unknown")

    @property
    def is_framework(self) -> bool:
        return self.kind == ProcurementKind.FRAMEWORK

    def clean(self):
        errors = {}
        try:
            super().clean()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if self.funding_source not in GRANT_SOURCES:
            for name, what in (("funding_program", "A grant programme"), ("funding_award_number", "An award number")):
                if getattr(self, name):
                    errors.setdefault(name, []).append(
                        f"{what} goes with a grant: set the funding source to a federal or state grant, "
                        "or leave this empty."
                    )
        if self.parent_contract_id is not None:
            parent = self.parent_contract
            if self.pk is not None and parent.pk == self.pk:
                errors.setdefault("parent_contract", []).append("A procurement cannot be bought under itself.")
            elif not parent.is_framework:
                # Purchases hang off the one record of the cooperative or master contract, so that its page
                # lists them and its spend adds them up.
                errors.setdefault("parent_contract", []).append(
                    f"Procurement {parent.pk} (“{parent.title}”) is a {parent.get_kind_display().lower()}, not a "
                    f"cooperative or master contract: record the contract purchases are made under with the kind "
                    f"“{ProcurementKind.FRAMEWORK.label}”."
                )
        if errors:
            raise ValidationError(errors)
