"""Whether the public was asked before an acquisition: a pure rule over its oversight evidence and the
oversight laws that cover its agency (no ORM, so each case is tested by table)."""

import datetime
from dataclasses import dataclass, field

# Statuses, in the order the rule tries them.
APPROVED_PUBLIC = "approved_public"
APPROVED_NO_PROCESS = "approved_no_process"
REQUIRED_MISSING = "required_missing"
NO_APPROVAL_FOUND = "no_approval_found"
UNKNOWN = "unknown"

STATUS_LABELS = {
    APPROVED_PUBLIC: "Approved at a public meeting",
    APPROVED_NO_PROCESS: "Approved without a public process",
    REQUIRED_MISSING: "Required but missing",
    NO_APPROVAL_FOUND: "No public approval found",
    UNKNOWN: "Unknown",
}

# Evidence kinds (OversightKind in records/models/oversight.py uses these values).
VOTE = "vote"
HEARING = "hearing"
COMMENT_PERIOD = "comment_period"
IMPACT_REPORT = "impact_report"
USE_POLICY = "use_policy"
ANNUAL_REPORT = "annual_report"
ADVISORY_REVIEW = "advisory_review"
EMERGENCY = "emergency"
BID_WAIVER = "bid_waiver"
NONE_FOUND = "none_found"

# Obligations a law may impose before an acquisition, and the evidence that meets each.
OBLIGATION_APPROVAL = "approval"
OBLIGATION_GRANT_APPROVAL = "grant_approval"
OBLIGATION_IMPACT_REPORT = "impact_report"
OBLIGATION_USE_POLICY = "use_policy"
OBLIGATION_LABELS = {
    OBLIGATION_APPROVAL: "governing-body approval before acquisition",
    OBLIGATION_GRANT_APPROVAL: "governing-body approval before accepting grant funds",
    OBLIGATION_IMPACT_REPORT: "surveillance impact report before acquisition",
    OBLIGATION_USE_POLICY: "use policy before acquisition",
}


@dataclass(frozen=True)
class Evidence:
    kind: str
    date: datetime.date | None = None
    outcome: str = ""  # approved, rejected, tabled, or "" where the kind has none
    public_meeting: bool = True
    url: str = ""
    pk: int | None = None


@dataclass(frozen=True)
class Law:
    name: str
    citation: str
    effective_on: datetime.date | None
    obligations: frozenset[str]
    # The technologies it covers (ids); empty covers every surveillance technology.
    technologies: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Purchase:
    acquired_on: datetime.date | None  # signed, else started
    grant_funded: bool = False
    technologies: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Status:
    status: str
    # The day the first unmet obligation falls due: before it, the missing record is not missing yet
    # (read time decides, see effective_status()).
    due_on: datetime.date | None = None
    approved_on: datetime.date | None = None
    approval_url: str = ""
    missing: tuple[str, ...] = field(default_factory=tuple)  # "Law name: obligation label"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def _approves(item: Evidence) -> bool:
    return item.kind in {VOTE, ADVISORY_REVIEW} and item.outcome == "approved"


def _meets(obligation: str, item: Evidence, deadline: datetime.date | None) -> bool:
    # Evidence dated after the deadline does not meet a "before" obligation; undated evidence is taken at
    # its word (the record says it happened, not when).
    in_time = item.date is None or deadline is None or item.date <= deadline
    if obligation in {OBLIGATION_APPROVAL, OBLIGATION_GRANT_APPROVAL}:
        # The laws ask for a vote at a public meeting; an emergency acquisition is the exception they allow.
        public_vote = item.kind == VOTE and _approves(item) and item.public_meeting
        return in_time and (public_vote or item.kind == EMERGENCY)
    if obligation == OBLIGATION_IMPACT_REPORT:
        return in_time and (item.kind == IMPACT_REPORT or item.kind == EMERGENCY)
    if obligation == OBLIGATION_USE_POLICY:
        return in_time and (item.kind == USE_POLICY or item.kind == EMERGENCY)
    return False


def applicable_laws(purchase: Purchase, laws: list[Law]) -> list[Law]:
    """The laws in force on the acquisition day that cover its technology. Without a date nothing can be
    said: the acquisition may predate the law."""
    if purchase.acquired_on is None:
        return []
    return [
        law
        for law in laws
        if (law.effective_on is None or law.effective_on <= purchase.acquired_on)
        and (not law.technologies or law.technologies & purchase.technologies)
    ]


def missing_obligations(purchase: Purchase, evidence: list[Evidence], laws: list[Law]) -> list[str]:
    missing = []
    for law in applicable_laws(purchase, laws):
        for obligation in sorted(law.obligations):
            if obligation == OBLIGATION_GRANT_APPROVAL and not purchase.grant_funded:
                continue
            if not any(_meets(obligation, item, purchase.acquired_on) for item in evidence):
                missing.append(f"{law.name}: {OBLIGATION_LABELS[obligation]}")
    return missing


def oversight_status(purchase: Purchase, evidence: list[Evidence], laws: list[Law]) -> Status:
    """Derive the status; `laws` are those of the agency's jurisdiction and of its state."""
    missing = tuple(missing_obligations(purchase, evidence, laws))
    if missing:
        # An unmet obligation outweighs an approval: a vote without its impact report is not the process
        # the law asks for.
        return Status(REQUIRED_MISSING, due_on=purchase.acquired_on, missing=missing)
    votes = sorted(
        (item for item in evidence if _approves(item)), key=lambda item: (item.date or datetime.date.min, item.pk or 0)
    )
    public = [item for item in votes if item.public_meeting and item.kind == VOTE]
    if public:
        return Status(APPROVED_PUBLIC, approved_on=public[-1].date, approval_url=public[-1].url)
    waived = [item for item in evidence if item.kind in {EMERGENCY, BID_WAIVER}] + votes
    if waived:
        return Status(APPROVED_NO_PROCESS, approved_on=waived[-1].date, approval_url=waived[-1].url)
    if any(item.kind == NONE_FOUND for item in evidence):
        return Status(NO_APPROVAL_FOUND)
    return Status(UNKNOWN)


def effective_status(stored: str, due_on: datetime.date | None, today: datetime.date) -> str:
    """The stored status as of `today`: an obligation not yet due is not missing yet."""
    if stored == REQUIRED_MISSING and due_on is not None and due_on > today:
        return UNKNOWN
    return stored


@dataclass(frozen=True)
class Flag:
    label: str
    fields: tuple[str, ...]


def procurement_flags(
    *,
    method: str,
    method_rationale: str,
    kind: str,
    funding_source: str,
    acquired_on: datetime.date | None,
    amount,
    parent_kind: str = "",
    evidence: list[Evidence] = (),
) -> list[Flag]:
    """What deserves a second look, each flag naming the fields that raised it."""
    flags = []
    if any(item.kind == BID_WAIVER for item in evidence):
        flags.append(Flag("Bid waiver", ("oversight records: bid waiver",)))
    if method == "direct" and not method_rationale.strip():
        flags.append(Flag("Sole source without a stated rationale", ("method", "method_rationale")))
    if amount and (kind == "free_trial" or funding_source == "free_trial"):
        fields = tuple(
            name
            for name, on in (("kind", kind == "free_trial"), ("funding_source", funding_source == "free_trial"))
            if on
        )
        flags.append(Flag("Free trial that became a paid contract", (*fields, "amount")))
    elif parent_kind == "free_trial" and kind != "free_trial" and amount:
        flags.append(Flag("Free trial that became a paid contract", ("parent_contract", "kind", "amount")))
    if funding_source in {"federal_grant", "state_grant"} and acquired_on is not None:
        votes = [item.date for item in evidence if item.kind == VOTE and item.date is not None]
        if not votes or min(votes) > acquired_on:
            flags.append(Flag("Grant-funded, accepted before any vote", ("funding_source", "signed_on")))
    return flags


def next_annual_report(month: int, day: int, today: datetime.date) -> datetime.date:
    """The next day (today or later) an annual report due on `month`/`day` falls due; a 31st in a shorter month
    falls on its last day."""
    import calendar

    for year in (today.year, today.year + 1):
        due = datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))
        if due >= today:
            return due
    raise AssertionError("unreachable")
