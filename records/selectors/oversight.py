"""What a page shows of oversight: a procurement's evidence, the laws covering it, its status and flags."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q

from records.models import OversightLaw, OversightRecord, Procurement
from records.rules import oversight as rule


def procurement_oversight(*, procurement: Procurement, reader, today: datetime.date) -> dict:
    """The evidence `reader` may see (this procurement's, and its agency's on the use of its technology), the
    laws covering its agency, the status as of `today` and the flags. Four queries whatever the evidence."""
    technologies = {t.pk for t in procurement.product.technologies.all()} if procurement.product_id else set()
    on_use = Q(procurement__isnull=True, agency_id=procurement.agency_id) & (
        Q(technology__isnull=True) | Q(technology_id__in=technologies)
    )
    records = list(
        OversightRecord.objects.visible_to(reader)
        .filter(Q(procurement=procurement) | on_use)
        .select_related("document", "records_request", "technology")
        .order_by("date", "id")
    )
    laws = list(
        OversightLaw.objects.covering(procurement.agency.jurisdiction)
        .select_related("jurisdiction")
        .prefetch_related("technologies")
    )
    evidence = [record.as_rule() for record in records]
    purchase = rule.Purchase(
        acquired_on=procurement.signed_on or procurement.start_on,
        grant_funded=procurement.funding_source in {"federal_grant", "state_grant"},
        technologies=frozenset(technologies),
    )
    derived = rule.oversight_status(purchase, evidence, [law.as_rule() for law in laws])
    status = rule.effective_status(derived.status, derived.due_on, today)
    flags = rule.procurement_flags(
        method=procurement.method,
        method_rationale=procurement.method_rationale,
        kind=procurement.kind,
        funding_source=procurement.funding_source,
        acquired_on=purchase.acquired_on,
        amount=procurement.amount,
        evidence=evidence,
    )
    return {
        "oversight_records": records,
        "oversight_laws": laws,
        "oversight": derived,
        "oversight_status": status,
        "oversight_label": rule.STATUS_LABELS[status],
        "oversight_flags": flags,
    }


# Acquisitions with no recorded public approval shown on the national page; the rest are in the filtered list.
UNAPPROVED_SHOWN = 50


def oversight_laws_compliance(*, reader, today: datetime.date) -> list[dict]:
    """Each oversight law with how the acquisitions it covers stand (`reader`'s view) as of `today`: four
    queries, the counts grouped by place rather than read row by row."""
    laws = list(OversightLaw.objects.select_related("jurisdiction").order_by("jurisdiction__state", "name"))
    visible = Procurement.objects.visible_to(reader)
    local_ids = [law.jurisdiction_id for law in laws if law.jurisdiction.level != "state"]
    state_codes = [law.jurisdiction.state for law in laws if law.jurisdiction.level == "state"]
    by_place: dict[tuple, dict[str, int]] = {}
    # A stored "required but missing" whose obligation is not due yet is not missing yet (rule.effective_status):
    # counted apart, and left out of "missing".
    counted = {"n": Count("id"), "not_due": Count("id", filter=Q(oversight_due_on__gt=today))}

    def add(key, row):
        counts = by_place.setdefault(key, {})
        if row["oversight_status"] == rule.REQUIRED_MISSING:
            counts[rule.REQUIRED_MISSING] = row["n"] - row["not_due"]
            counts[rule.UNKNOWN] = counts.get(rule.UNKNOWN, 0) + row["not_due"]
        else:
            counts[row["oversight_status"]] = counts.get(row["oversight_status"], 0) + row["n"]

    for row in (
        visible.filter(agency__jurisdiction_id__in=local_ids)
        .values("agency__jurisdiction_id", "oversight_status")
        .annotate(**counted)
    ):
        add(("local", row["agency__jurisdiction_id"]), row)
    for row in visible.filter(state__in=state_codes).values("state", "oversight_status").annotate(**counted):
        add(("state", row["state"]), row)
    # Approvals on record count the agencies' uses approved without a procurement recorded too (a council's
    # vote on a department's use of a technology).
    approvals: dict[tuple, int] = {}
    approved = OversightRecord.objects.visible_to(reader).filter(kind=rule.VOTE, outcome="approved")
    for row in approved.values("agency__jurisdiction_id", "agency__jurisdiction__state").annotate(n=Count("id")):
        for key in (("local", row["agency__jurisdiction_id"]), ("state", row["agency__jurisdiction__state"])):
            approvals[key] = approvals.get(key, 0) + row["n"]
    rows = []
    for law in laws:
        key = ("state", law.jurisdiction.state) if law.jurisdiction.level == "state" else ("local", law.jurisdiction_id)
        counts = by_place.get(key, {})
        rows.append(
            {
                "law": law,
                "total": sum(counts.values()),
                "approved": counts.get(rule.APPROVED_PUBLIC, 0),
                "missing": counts.get(rule.REQUIRED_MISSING, 0),
                "none_found": counts.get(rule.NO_APPROVAL_FOUND, 0),
                "votes": approvals.get(key, 0),
            }
        )
    return rows


def unapproved_acquisitions(*, rows, today: datetime.date) -> list[Procurement]:
    """The newest acquisitions among `rows` with no recorded public approval: none found, or required and
    missing by now. One query."""
    unapproved = rows.oversight_is(rule.NO_APPROVAL_FOUND, today) | rows.oversight_is(rule.REQUIRED_MISSING, today)
    return list(unapproved.select_related("agency", "vendor", "product").order_by("-id")[:UNAPPROVED_SHOWN])


AGENCY_OVERSIGHT_SHOWN = 20


def agency_oversight(*, agency, reader) -> list[OversightRecord]:
    """The agency's newest oversight records `reader` may see, on its procurements or its use of a technology
    (one query)."""
    return list(
        OversightRecord.objects.visible_to(reader)
        .filter(agency=agency)
        .select_related("procurement", "technology", "records_request", "document")
        .order_by("-date", "-id")[:AGENCY_OVERSIGHT_SHOWN]
    )


# Oversight obligations falling due within this many days show on the staff dashboard and calendar.
OVERSIGHT_DUE_DAYS = 45


@dataclass(frozen=True)
class Obligation:
    uid: str
    due_on: datetime.date
    summary: str
    description: str
    url: str  # a path; the calendar makes it absolute


def oversight_due(*, today: datetime.date, days: int = OVERSIGHT_DUE_DAYS) -> list[Obligation]:
    """For staff: acquisitions whose required public approval or report is still missing with the acquisition
    due within `days`, and oversight laws' annual reports falling due. Two queries, soonest first."""
    until = today + datetime.timedelta(days=days)
    due = []
    for procurement in (
        Procurement.objects.filter(
            oversight_status=rule.REQUIRED_MISSING, oversight_due_on__gte=today, oversight_due_on__lte=until
        )
        .select_related("agency")
        .order_by("oversight_due_on", "id")
    ):
        due.append(
            Obligation(
                f"procurement-{procurement.pk}-oversight",
                procurement.oversight_due_on,
                f"Public approval due: {procurement.title} ({procurement.agency.name})",
                "An oversight law requires a public approval or report before this acquisition; none is recorded.",
                procurement.get_absolute_url() + "#oversight",
            )
        )
    for law in OversightLaw.objects.filter(annual_report_month__isnull=False).select_related("jurisdiction"):
        day = rule.next_annual_report(law.annual_report_month, law.annual_report_day or 1, today)
        if day <= until:
            due.append(
                Obligation(
                    f"oversight-law-{law.pk}-annual-{day:%Y}",
                    day,
                    f"Annual surveillance report due: {law.jurisdiction} ({law.citation})",
                    f"{law.name} requires an annual report by this date.",
                    law.source_url or "",
                )
            )
    return sorted(due, key=lambda item: (item.due_on, item.uid))
