"""Data-sharing networks: which agencies (or other organisations) can search an agency's surveillance data, and
the record that shows it.

A link is one observation of "A shares its data with B" in one source (a transparency portal, a released
document, an audit log). The same pair seen in two sources is two links: that is how the tracker can say which
links appear in released records but not on the agency's own portal.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce, NullIf
from simple_history.models import HistoricalRecords

from records.models.agencies import Agency, AgencyKind
from records.models.vendors import Technology, Vendor
from records.models.visibility import VisibilityFields, VisibleQuerySet, embargo_constraint


class OrganisationKind(models.TextChoices):
    FUSION_CENTER = "fusion_center", "Fusion center"
    FEDERAL = "federal", "Federal agency or task force"
    LAW_ENFORCEMENT = "law_enforcement", "Law-enforcement agency not in the directory"
    STATE = "state", "State agency"
    LOCAL = "local", "Local government body"
    UNIVERSITY = "university", "University or college"
    PRIVATE_COMPANY = "private_company", "Private company"
    HOA = "hoa", "Homeowners' association"
    HOSPITAL = "hospital", "Hospital or health system"
    OTHER = "other", "Other"


class Organisation(models.Model):
    """A receiver of shared data that is not in the agency directory: a fusion centre, a federal task force, a
    private company, an HOA, or a name no directory agency was matched to (an editor may later say which agency
    it is: the duplicates page suggests one)."""

    name = models.CharField(max_length=200)
    state = models.CharField(max_length=2, blank=True, help_text="USPS code, when the source names one.")
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices, default=OrganisationKind.OTHER)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["name", "state"], name="organisation_unique_name_in_state")]

    def __str__(self):
        return f"{self.name} ({self.state})" if self.state else self.name

    @property
    def is_federal(self) -> bool:
        return self.kind == OrganisationKind.FEDERAL


class SharingHow(models.TextChoices):
    PORTAL = "portal", "Declared on the agency's transparency portal"
    RECORDS = "records", "Revealed in released records"
    AUDIT = "audit", "Inferred from an audit log"


def federal_receiver_q(prefix: str = "") -> Q:
    """Links whose receiver is a federal agency or a federal organisation (task force, federal office)."""
    return (
        Q(**{f"{prefix}receiver_agency__kind": AgencyKind.FEDERAL})
        | Q(**{f"{prefix}receiver_agency__jurisdiction__level": "federal"})
        | Q(**{f"{prefix}receiver_organisation__kind": OrganisationKind.FEDERAL})
    )


def state_of(side: str) -> NullIf:
    """The state of a link's sharer or receiver ("sharer", "receiver"), agency or organisation; NULL for none."""
    return NullIf(Coalesce(f"{side}_agency__jurisdiction__state", f"{side}_organisation__state"), Value(""))


class SharingLinkQuerySet(VisibleQuerySet):
    def active(self):
        """Links not known to have ended."""
        return self.filter(ended_on__isnull=True)

    def for_display(self):
        return self.select_related(
            "sharer_agency__jurisdiction",
            "sharer_organisation",
            "receiver_agency__jurisdiction",
            "receiver_organisation",
            "technology",
            "vendor",
            "document",
        )

    def involving(self, agency):
        return self.filter(Q(sharer_agency=agency) | Q(receiver_agency=agency))

    def in_state(self, code: str):
        code = code.upper()
        return self.filter(
            Q(sharer_agency__jurisdiction__state=code)
            | Q(sharer_organisation__state=code)
            | Q(receiver_agency__jurisdiction__state=code)
            | Q(receiver_organisation__state=code)
        )

    def not_on_portal(self, reader):
        """Links seen in released records (or an audit log) whose pair no portal link the reader may see states:
        what the agency's own portal leaves out."""
        portal = SharingLink.objects.visible_to(reader).filter(how=SharingHow.PORTAL, pair_key=OuterRef("pair_key"))
        return self.exclude(how=SharingHow.PORTAL).filter(~Exists(portal))

    def partners_by_state(self, side: str) -> dict[str, int]:
        """How many distinct partners on `side` ("sharer" or "receiver") these links have, by state ("" for
        none): one grouped query."""
        partners = Count(f"{side}_agency", distinct=True) + Count(f"{side}_organisation", distinct=True)
        rows = (
            self.order_by()
            .annotate(partner_state=Coalesce(state_of(side), Value("")))
            .values_list("partner_state")
            .annotate(n=partners)
            .values_list("partner_state", "n")
        )
        return dict(rows)

    def direct_answers(self, agency_ids) -> dict[int, dict]:
        """For each agency of `agency_ids` that shares through these links (in force): how many agencies and
        organisations it shares with, from how many states and how many other than its own, how many federal,
        and whether a portal link is among them. One grouped query for them all."""
        own_state = F("sharer_agency__jurisdiction__state")
        rows = (
            self.active()
            .filter(sharer_agency_id__in=list(agency_ids))
            .order_by()
            .values("sharer_agency_id")
            .annotate(
                agencies=Count("receiver_agency", distinct=True),
                organisations=Count("receiver_organisation", distinct=True),
                states=Count(state_of("receiver"), distinct=True),
                out_of_state=Count(
                    state_of("receiver"),
                    distinct=True,
                    filter=~Q(receiver_agency__jurisdiction__state=own_state)
                    & ~Q(receiver_organisation__state=own_state),
                ),
                federal_agencies=Count("receiver_agency", distinct=True, filter=federal_receiver_q()),
                federal_organisations=Count("receiver_organisation", distinct=True, filter=federal_receiver_q()),
                portal_links=Count("id", filter=Q(how=SharingHow.PORTAL)),
            )
        )
        return {
            row["sharer_agency_id"]: {
                "direct": row["agencies"] + row["organisations"],
                "direct_agencies": row["agencies"],
                "direct_organisations": row["organisations"],
                "states": row["states"],
                "out_of_state": row["out_of_state"],
                "federal": row["federal_agencies"] + row["federal_organisations"],
                "has_portal": row["portal_links"] > 0,
            }
            for row in rows
        }

    def within_two_hops(self, agency) -> int:
        """How many agencies and organisations these links (in force) let search `agency`'s data within two hops:
        whoever it shares with, and whoever they share with (not the agency itself). One query, over the agency's
        links and its partners'."""
        shared = self.active().filter(sharer_agency=agency)
        first_agencies = shared.filter(receiver_agency__isnull=False).values("receiver_agency")
        first_organisations = shared.filter(receiver_organisation__isnull=False).values("receiver_organisation")
        found = (
            self.active()
            .filter(
                Q(sharer_agency=agency)
                | Q(sharer_agency__in=first_agencies)
                | Q(sharer_organisation__in=first_organisations)
            )
            .exclude(receiver_agency=agency)
            .aggregate(
                agencies=Count("receiver_agency", distinct=True),
                organisations=Count("receiver_organisation", distinct=True),
            )
        )
        return found["agencies"] + found["organisations"]

    def reach_of(self, agency) -> dict:
        """Who can search `agency`'s data through these links (the reader's visible ones), links in force only:
        direct_answers and within_two_hops for one agency (two queries)."""
        answers = self.direct_answers([agency.pk]).get(agency.pk) or dict(NO_REACH)
        return answers | {"within_two_hops": self.within_two_hops(agency) if answers["direct"] else 0}

    def partners_by_state_of(self, side: str, agency_ids) -> dict[int, dict[str, int]]:
        """partners_by_state of the links of each agency of `agency_ids` on the other side: an agency's
        receivers by state (side "receiver") or its sharers (side "sharer"). One grouped query."""
        own = "sharer" if side == "receiver" else "receiver"
        partners = Count(f"{side}_agency", distinct=True) + Count(f"{side}_organisation", distinct=True)
        rows = (
            self.filter(**{f"{own}_agency_id__in": list(agency_ids)})
            .order_by()
            .annotate(partner_state=Coalesce(state_of(side), Value("")))
            .values_list(f"{own}_agency_id", "partner_state")
            .annotate(n=partners)
            .values_list(f"{own}_agency_id", "partner_state", "n")
        )
        found: dict[int, dict[str, int]] = {}
        for agency_id, state, n in rows:
            found.setdefault(agency_id, {})[state] = n
        return found


NO_REACH = {"direct": 0, "direct_agencies": 0, "direct_organisations": 0, "states": 0, "out_of_state": 0,
            "federal": 0, "has_portal": False, "within_two_hops": 0}  # fmt: skip


class SharingLink(VisibilityFields):
    """One source's word that `sharer` lets the receiver search its data."""

    # Either side is a directory agency or, when none was matched, an organisation.
    sharer_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="sharing_out"
    )
    sharer_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="sharing_out"
    )
    receiver_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="sharing_in"
    )
    receiver_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="sharing_in"
    )
    # The names as the source writes them, so that a reader can check the match and a re-import finds the row.
    sharer_name = models.CharField(max_length=300, blank=True)
    receiver_name = models.CharField(max_length=300, blank=True)
    technology = models.ForeignKey(
        Technology, null=True, blank=True, on_delete=models.PROTECT, related_name="sharing_links"
    )
    vendor = models.ForeignKey(Vendor, null=True, blank=True, on_delete=models.PROTECT, related_name="sharing_links")
    direction = models.CharField(
        max_length=200, blank=True, help_text="The direction as the source states it, e.g. “Networks I'm Sharing”."
    )
    networks = models.TextField(blank=True, help_text="The source's names of the networks shared, one a line.")
    first_seen = models.DateField(null=True, blank=True)
    last_seen = models.DateField(null=True, blank=True)
    ended_on = models.DateField(
        null=True, blank=True, help_text="The date of the first list of the same source that no longer had it."
    )
    how = models.CharField("how we know", max_length=10, choices=SharingHow.choices)
    document = models.ForeignKey(
        "records.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="sharing_links"
    )
    page = models.PositiveIntegerField(null=True, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    credit = models.CharField(
        max_length=300, blank=True, help_text="Whom to credit wherever the link is shown, as the source's licence asks."
    )
    # What "the same source" means when a newer list of it leaves a link out: the document, else the URL.
    source_key = models.CharField(max_length=520, editable=False)
    # "a12>o7": the sharer and the receiver, each an agency (a) or an organisation (o), by id.
    pair_key = models.CharField(max_length=50, editable=False)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = SharingLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-last_seen", "-id"]
        indexes = [
            models.Index(fields=["sharer_agency", "receiver_agency"], name="sharing_sharer_receiver"),
            models.Index(fields=["receiver_agency", "sharer_agency"], name="sharing_receiver_sharer"),
            models.Index(fields=["sharer_organisation"], name="sharing_sharer_org"),
            models.Index(fields=["receiver_organisation"], name="sharing_receiver_org"),
            models.Index(fields=["vendor", "technology"], name="sharing_vendor_technology"),
            models.Index(fields=["pair_key", "how"], name="sharing_pair_how"),
        ]
        constraints = [
            embargo_constraint("sharing_embargo_has_date"),
            models.CheckConstraint(
                condition=Q(receiver_agency__isnull=False, receiver_organisation__isnull=True)
                | Q(receiver_agency__isnull=True, receiver_organisation__isnull=False),
                name="sharing_one_receiver",
            ),
            models.CheckConstraint(
                condition=Q(sharer_agency__isnull=False, sharer_organisation__isnull=True)
                | Q(sharer_agency__isnull=True, sharer_organisation__isnull=False),
                name="sharing_one_sharer",
            ),
            models.CheckConstraint(condition=~Q(source_key=""), name="sharing_has_source"),
            # One row per pair and source; the pair's two sides as one text key, so that one rule covers agencies
            # and organisations on either side (NULLs would make a composite unique constraint let twins in).
            models.UniqueConstraint(fields=["source_key", "pair_key"], name="sharing_unique_link"),
        ]

    def __str__(self):
        return f"{self.sharer} → {self.receiver}"

    @property
    def sharer(self):
        return self.sharer_agency if self.sharer_agency_id else self.sharer_organisation

    @property
    def sharer_state(self) -> str:
        if self.sharer_agency_id:
            return self.sharer_agency.jurisdiction.state
        return self.sharer_organisation.state

    @property
    def receiver(self):
        return self.receiver_agency if self.receiver_agency_id else self.receiver_organisation

    @property
    def receiver_state(self) -> str:
        if self.receiver_agency_id:
            return self.receiver_agency.jurisdiction.state
        return self.receiver_organisation.state

    @staticmethod
    def key_of(*, document_id: int | None, source_url: str) -> str:
        return f"document:{document_id}" if document_id else source_url

    @staticmethod
    def pair_of(*, sharer_agency_id, sharer_organisation_id, receiver_agency_id, receiver_organisation_id) -> str:
        sharer = f"a{sharer_agency_id}" if sharer_agency_id else f"o{sharer_organisation_id}"
        receiver = f"a{receiver_agency_id}" if receiver_agency_id else f"o{receiver_organisation_id}"
        return f"{sharer}>{receiver}"

    def set_keys(self):
        """The source and pair keys from the fields they stand for (bulk writes call this; save() does)."""
        self.source_key = self.key_of(document_id=self.document_id, source_url=self.source_url)
        self.pair_key = self.pair_of(
            sharer_agency_id=self.sharer_agency_id,
            sharer_organisation_id=self.sharer_organisation_id,
            receiver_agency_id=self.receiver_agency_id,
            receiver_organisation_id=self.receiver_organisation_id,
        )

    def save(self, **kwargs):
        self.set_keys()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "source_key", "pair_key"}
        super().save(**kwargs)

    def clean(self):
        super().clean()
        errors = {}
        if bool(self.sharer_agency_id) == bool(self.sharer_organisation_id):
            errors["sharer_agency"] = "Give the sharing agency or the sharing organisation, one of them."
        if bool(self.receiver_agency_id) == bool(self.receiver_organisation_id):
            errors["receiver_agency"] = "Give the receiving agency or the receiving organisation, one of them."
        if not (self.document_id or self.source_url):
            errors["source_url"] = "Give a source: a document (with its page) or a URL."
        if self.first_seen and self.last_seen and self.last_seen < self.first_seen:
            errors["last_seen"] = "Last seen cannot be before first seen."
        if self.receiver_agency_id and self.receiver_agency_id == self.sharer_agency_id:
            errors["receiver_agency"] = "An agency does not share with itself."
        if errors:
            raise ValidationError(errors)


class SharingSummary(models.Model):
    """What an agency's page says of its network for the public, kept by the services that write links
    (services/sharing.py: imports, merges, the admin), so that a page does not count a hub's thousands of links
    and their partners' on each request: the answers of SharingLinkQuerySet.reach_of, partners by state each way,
    and how many links the released records show that its portal leaves out, over public links only.

    `valid_until`: the day the first embargo on a link ended after it was computed; from then on the counts may
    be short of what the public may see, and the page counts afresh until the next write refreshes them."""

    agency = models.OneToOneField(Agency, primary_key=True, on_delete=models.CASCADE, related_name="sharing_summary")
    answers = models.JSONField()
    valid_until = models.DateField(null=True, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Sharing summary of {self.agency_id}"

    def is_current(self, today) -> bool:
        return self.valid_until is None or today < self.valid_until
