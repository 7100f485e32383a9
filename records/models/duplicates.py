from django.conf import settings
from django.db import models
from django.db.models import F, Q


class DuplicatePairQuerySet(models.QuerySet):
    def suggested(self):
        """What an editor has not decided yet, with what the duplicates page shows of both records."""
        return self.filter(status=DuplicatePair.Status.SUGGESTED).select_related(
            "agency_a__jurisdiction", "agency_b__jurisdiction", "vendor_a", "vendor_b", "organisation"
        )


class DuplicatePair(models.Model):
    """Two agencies or two vendors that may be one record: a suggestion of find_duplicates (stored, so that
    the duplicates page reads a table instead of comparing every agency on each request), or an editor's
    word that they are not the same, so that they are not suggested again. The lower id is always `a`.

    A pair of kind "organisation" is a sharing list's receiver that no directory agency was matched to
    (`organisation`) and the agency of its state it may be (`agency_b`): merging it re-points its links there."""

    class Kind(models.TextChoices):
        AGENCY = "agency", "Agency"
        VENDOR = "vendor", "Vendor"
        ORGANISATION = "organisation", "Organisation and agency"

    class Status(models.TextChoices):
        SUGGESTED = "suggested", "Suggested"
        DIFFERENT = "different", "Not the same"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    # related_name "+": a merge (services/merges.py) does not move these; it re-points decisions itself.
    agency_a = models.ForeignKey("records.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    agency_b = models.ForeignKey("records.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    vendor_a = models.ForeignKey("records.Vendor", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    vendor_b = models.ForeignKey("records.Vendor", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "records.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(max_length=2, blank=True, help_text="USPS code of the agencies; empty for vendors.")
    score = models.PositiveSmallIntegerField(help_text="How alike the names are, 0 to 100.")
    reason = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUGGESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    found_at = models.DateTimeField(auto_now_add=True)

    objects = DuplicatePairQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "-id"]
        indexes = [models.Index(fields=["status", "-score", "-id"], name="duplicate_pair_page")]
        constraints = [
            models.UniqueConstraint(fields=["agency_a", "agency_b"], name="duplicate_pair_agencies_unique"),
            models.UniqueConstraint(fields=["vendor_a", "vendor_b"], name="duplicate_pair_vendors_unique"),
            models.UniqueConstraint(fields=["organisation", "agency_b"], name="duplicate_pair_organisation_unique"),
            models.CheckConstraint(
                condition=(
                    Q(kind="agency", vendor_a__isnull=True, vendor_b__isnull=True, agency_a__lt=F("agency_b"))
                    | Q(kind="vendor", agency_a__isnull=True, agency_b__isnull=True, vendor_a__lt=F("vendor_b"))
                    | Q(
                        kind="organisation",
                        organisation__isnull=False,
                        agency_a__isnull=True,
                        agency_b__isnull=False,
                        vendor_a__isnull=True,
                        vendor_b__isnull=True,
                    )
                )
                & (Q(kind="organisation") | Q(organisation__isnull=True)),
                name="duplicate_pair_two_of_one_kind",
            ),
        ]

    def __str__(self):
        return f"{self.first} / {self.second}"

    @property
    def first(self):
        if self.kind == self.Kind.ORGANISATION:
            return self.organisation
        return self.agency_a if self.kind == self.Kind.AGENCY else self.vendor_a

    @property
    def second(self):
        return self.vendor_b if self.kind == self.Kind.VENDOR else self.agency_b
