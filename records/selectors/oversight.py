"""What a page shows of oversight: a procurement's evidence, the laws covering it, its status and flags."""

import datetime

from django.db.models import Q

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
