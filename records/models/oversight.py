"""Oversight: whether the public was asked before an agency acquired surveillance technology (records of votes,
hearings, reports, and of their absence), and the local and state laws that require it."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from records.models.agencies import Agency
from records.models.jurisdictions import Jurisdiction
from records.models.procurements import Procurement
from records.models.vendors import Technology
from records.models.visibility import VisibilityFields, VisibleQuerySet, embargo_constraint
from records.rules import oversight as rule


class OversightKind(models.TextChoices):
    VOTE = rule.VOTE, "Governing-body vote"
    HEARING = rule.HEARING, "Public hearing"
    COMMENT_PERIOD = rule.COMMENT_PERIOD, "Public comment period"
    IMPACT_REPORT = rule.IMPACT_REPORT, "Surveillance impact report"
    USE_POLICY = rule.USE_POLICY, "Use policy"
    ANNUAL_REPORT = rule.ANNUAL_REPORT, "Annual report"
    ADVISORY_REVIEW = rule.ADVISORY_REVIEW, "Advisory-body review"
    EMERGENCY = rule.EMERGENCY, "Emergency or exempt acquisition"
    BID_WAIVER = rule.BID_WAIVER, "Bid waiver"
    NONE_FOUND = rule.NONE_FOUND, "No public approval found"


class OversightOutcome(models.TextChoices):
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    TABLED = "tabled", "Tabled"


class OversightStatus(models.TextChoices):
    APPROVED_PUBLIC = rule.APPROVED_PUBLIC, rule.STATUS_LABELS[rule.APPROVED_PUBLIC]
    APPROVED_NO_PROCESS = rule.APPROVED_NO_PROCESS, rule.STATUS_LABELS[rule.APPROVED_NO_PROCESS]
    REQUIRED_MISSING = rule.REQUIRED_MISSING, rule.STATUS_LABELS[rule.REQUIRED_MISSING]
    NO_APPROVAL_FOUND = rule.NO_APPROVAL_FOUND, rule.STATUS_LABELS[rule.NO_APPROVAL_FOUND]
    UNKNOWN = rule.UNKNOWN, rule.STATUS_LABELS[rule.UNKNOWN]


class OversightLawQuerySet(models.QuerySet):
    def covering(self, jurisdiction: Jurisdiction | None):
        """The laws that cover a jurisdiction's agencies: its own and its state's."""
        if jurisdiction is None:
            return self.none()
        q = Q(jurisdiction=jurisdiction)
        if jurisdiction.state:
            q |= Q(jurisdiction__level="state", jurisdiction__state=jurisdiction.state)
        return self.filter(q)


class OversightLaw(models.Model):
    """A surveillance-oversight law (a city's ordinance, a state's statute) and what it requires."""

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="oversight_laws")
    name = models.CharField(max_length=200)
    citation = models.CharField(max_length=200)
    effective_on = models.DateField(null=True, blank=True, help_text="The day it took effect.")
    source_url = models.URLField(max_length=500, blank=True)
    technologies = models.ManyToManyField(
        Technology, blank=True, related_name="oversight_laws",
        help_text="The technologies it covers; none selected means every surveillance technology.",
    )  # fmt: skip
    requires_approval = models.BooleanField("approval before acquisition", default=True)
    requires_grant_approval = models.BooleanField("approval before accepting grant funds", default=False)
    requires_impact_report = models.BooleanField("impact report before acquisition", default=False)
    requires_use_policy = models.BooleanField("use policy before acquisition", default=False)
    annual_report_month = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The month an annual report is due (1-12); empty if none is required."
    )
    annual_report_day = models.PositiveSmallIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    objects = OversightLawQuerySet.as_manager()

    class Meta:
        ordering = ["jurisdiction__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "citation"], name="oversight_law_unique_citation"),
            models.CheckConstraint(
                condition=Q(annual_report_month__isnull=True) | Q(annual_report_month__range=(1, 12)),
                name="oversight_law_report_month",
            ),
            models.CheckConstraint(
                condition=Q(annual_report_day__isnull=True) | Q(annual_report_day__range=(1, 31)),
                name="oversight_law_report_day",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.citation})"

    @property
    def obligations(self) -> frozenset[str]:
        return frozenset(
            name
            for name, on in (
                (rule.OBLIGATION_APPROVAL, self.requires_approval),
                (rule.OBLIGATION_GRANT_APPROVAL, self.requires_grant_approval),
                (rule.OBLIGATION_IMPACT_REPORT, self.requires_impact_report),
                (rule.OBLIGATION_USE_POLICY, self.requires_use_policy),
            )
            if on
        )

    def as_rule(self) -> rule.Law:
        return rule.Law(
            name=self.name,
            citation=self.citation,
            effective_on=self.effective_on,
            obligations=self.obligations,
            technologies=frozenset(t.pk for t in self.technologies.all()),
        )


class OversightRecordQuerySet(VisibleQuerySet):
    pass


class OversightRecord(VisibilityFields):
    """One piece of evidence of public oversight of an acquisition, or of its absence."""

    procurement = models.ForeignKey(
        Procurement, null=True, blank=True, on_delete=models.CASCADE, related_name="oversight_records"
    )
    # Set from the procurement when there is one; alone (with a technology) when only the use is known.
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="oversight_records")
    technology = models.ForeignKey(
        Technology, null=True, blank=True, on_delete=models.PROTECT, related_name="oversight_records"
    )
    kind = models.CharField(max_length=20, choices=OversightKind.choices)
    body = models.CharField(max_length=200, blank=True, help_text="E.g. City Council, Privacy Advisory Commission.")
    date = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=OversightOutcome.choices, blank=True)
    public_meeting = models.BooleanField(default=True, help_text="Taken at a noticed public meeting.")
    votes_for = models.PositiveSmallIntegerField(null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(null=True, blank=True)
    votes_abstaining = models.PositiveSmallIntegerField(null=True, blank=True)
    agenda_item = models.CharField(max_length=200, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    document = models.ForeignKey(
        "records.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="oversight_records"
    )
    page = models.PositiveIntegerField(null=True, blank=True)
    records_request = models.ForeignKey(
        "records.RecordsRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="oversight_records"
    )
    searched = models.TextField(blank=True, help_text="What was looked at: the request, the agenda ranges searched.")
    found = models.TextField(blank=True, help_text="What it returned.")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = OversightRecordQuerySet.as_manager()

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["agency", "date"], name="oversight_agency_date")]
        constraints = [
            embargo_constraint("oversight_embargo_has_date"),
            models.CheckConstraint(
                condition=~Q(kind=rule.NONE_FOUND) | ~Q(searched=""), name="oversight_none_found_says_what"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.body or self.agency}"

    def clean(self):
        super().clean()
        errors = {}
        if self.kind == rule.NONE_FOUND and not self.searched.strip():
            errors["searched"] = "Say what was searched: the records request, the agenda ranges."
        if self.kind in {rule.VOTE, rule.ADVISORY_REVIEW} and not self.outcome:
            errors["outcome"] = "A vote or review has an outcome: approved, rejected or tabled."
        if not (self.source_url or self.document_id or self.records_request_id):
            errors["source_url"] = "Give a source: a URL, a document or the records request."
        if self.page and not self.document_id:
            errors["page"] = "A page number needs a document."
        if self.procurement_id and self.agency_id and self.procurement.agency_id != self.agency_id:
            errors["agency"] = "The agency is the procurement's."
        if errors:
            raise ValidationError(errors)

    def as_rule(self) -> rule.Evidence:
        url = self.source_url or (self.document.get_absolute_url() if self.document_id else "")
        return rule.Evidence(
            kind=self.kind,
            date=self.date,
            outcome=self.outcome,
            public_meeting=self.public_meeting,
            url=url,
            pk=self.pk,
        )

    @property
    def vote_count(self) -> str:
        if self.votes_for is None and self.votes_against is None:
            return ""
        text = f"{self.votes_for or 0}–{self.votes_against or 0}"
        return f"{text}, {self.votes_abstaining} abstaining" if self.votes_abstaining else text
