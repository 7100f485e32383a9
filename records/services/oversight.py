"""Writes of oversight records and laws, and the oversight status they give procurements.

A procurement's status is derived (rules/oversight.py) from its public oversight records and the laws that
cover its agency, and stored on it so the list can filter and show it without per-row work. Everything that
changes an input calls procurements_refresh_oversight() in the same transaction."""

from django.db import transaction
from django.db.models import Q

from records.models import OversightLaw, OversightRecord, Procurement
from records.models.visibility import VisibleQuerySet
from records.rules import oversight as rule


def _evidence_for(procurement: Procurement, records: list[OversightRecord], technologies: set[int]):
    # A record on the agency's use of a technology (no procurement) counts for its procurements of that
    # technology; one without a technology, for all of them.
    return [
        record.as_rule()
        for record in records
        if record.procurement_id == procurement.pk
        or (record.procurement_id is None and (record.technology_id is None or record.technology_id in technologies))
    ]


def _technologies(procurement: Procurement) -> set[int]:
    return {t.pk for t in procurement.product.technologies.all()} if procurement.product_id else set()


@transaction.atomic
def procurements_refresh_oversight(*, procurements) -> int:
    """Re-derive and store the oversight status of `procurements` (a queryset or list); returns how many
    changed. Only public records count: the stored status is shown to the public."""
    procurements = list(
        Procurement.objects.filter(pk__in=[p.pk for p in procurements])
        .select_related("agency__jurisdiction", "product")
        .prefetch_related("product__technologies")
    )
    changed = 0
    laws_by_jurisdiction: dict[int | None, list[rule.Law]] = {}
    records_by_agency: dict[int, list[OversightRecord]] = {}
    for procurement in procurements:
        jurisdiction = procurement.agency.jurisdiction
        key = jurisdiction.pk if jurisdiction else None
        if key not in laws_by_jurisdiction:
            laws_by_jurisdiction[key] = [
                law.as_rule() for law in OversightLaw.objects.covering(jurisdiction).prefetch_related("technologies")
            ]
        if procurement.agency_id not in records_by_agency:
            # Public today (an ended embargo included): an embargo ending needs no write to be shown, but the
            # stored status only counts it from the next refresh (`manage.py refresh_oversight`, daily).
            records_by_agency[procurement.agency_id] = list(
                OversightRecord.objects.filter(
                    VisibleQuerySet.public_q(), agency_id=procurement.agency_id
                ).select_related("document")
            )
        technologies = _technologies(procurement)
        evidence = _evidence_for(procurement, records_by_agency[procurement.agency_id], technologies)
        status = rule.oversight_status(purchase(procurement, technologies), evidence, laws_by_jurisdiction[key])
        if (procurement.oversight_status, procurement.oversight_due_on) != (status.status, status.due_on):
            # A derived field: written without a save() so it adds no history entry of its own.
            Procurement.objects.filter(pk=procurement.pk).update(
                oversight_status=status.status, oversight_due_on=status.due_on
            )
            changed += 1
    return changed


def purchase(procurement: Procurement, technologies: set[int] | None = None) -> rule.Purchase:
    return rule.Purchase(
        acquired_on=procurement.signed_on or procurement.start_on,
        grant_funded=procurement.funding_source in {"federal_grant", "state_grant"},
        technologies=frozenset(_technologies(procurement) if technologies is None else technologies),
    )


def _affected(record: OversightRecord):
    if record.procurement_id:
        return Procurement.objects.filter(pk=record.procurement_id)
    return Procurement.objects.filter(agency_id=record.agency_id)


@transaction.atomic
def oversight_record(*, user=None, **fields) -> OversightRecord:
    """Record evidence of oversight (or of its absence) and re-derive the procurements it bears on."""
    procurement = fields.get("procurement")
    if procurement is not None and "agency" not in fields and "agency_id" not in fields:
        fields["agency"] = procurement.agency
    record = OversightRecord(**fields)
    if user is not None:
        record.added_by = record.added_by or user
        record._history_user = user
    record.full_clean()
    record.save()
    procurements_refresh_oversight(procurements=_affected(record))
    return record


@transaction.atomic
def oversight_update(*, record: OversightRecord, user=None, **fields) -> OversightRecord:
    before = list(_affected(record))
    for name, value in fields.items():
        setattr(record, name, value)
    record.full_clean()
    if user is not None:
        record._history_user = user
    record.save()
    procurements_refresh_oversight(procurements=before + list(_affected(record)))
    return record


@transaction.atomic
def oversight_delete(*, record: OversightRecord) -> None:
    before = list(_affected(record))
    record.delete()
    procurements_refresh_oversight(procurements=before)


@transaction.atomic
def oversight_law_refresh(*, law: OversightLaw) -> int:
    """After a law is added or edited: re-derive the procurements of the agencies it covers."""
    jurisdiction = law.jurisdiction
    if jurisdiction.level == "state":
        covered = Q(state=jurisdiction.state) | Q(agency__jurisdiction=jurisdiction)
    else:
        covered = Q(agency__jurisdiction=jurisdiction)
    return procurements_refresh_oversight(procurements=Procurement.objects.filter(covered).only("pk"))


# Procurements re-derived per call of procurements_refresh_oversight (each call keeps the laws and records it
# reads): bounded, so memory stays flat at national scale.
REFRESH_BATCH = 2000


def procurements_refresh_all_oversight() -> tuple[int, int]:
    """Re-derive every procurement's oversight status (after an archive restore, or laws edited outside the
    admin); returns (procurements read, statuses changed). In batches of REFRESH_BATCH ordered by agency, each
    atomic."""
    ids = list(Procurement.objects.order_by("agency_id", "pk").values_list("pk", flat=True))
    changed = 0
    for start in range(0, len(ids), REFRESH_BATCH):
        changed += procurements_refresh_oversight(
            procurements=[Procurement(pk=pk) for pk in ids[start : start + REFRESH_BATCH]]
        )
    return len(ids), changed
