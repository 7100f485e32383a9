"""The public procurements as an Open Contracting Data Standard 1.1 release package.

Each procurement is one contracting process (ocid = "<OCDS_OCID_PREFIX>-<id>") with one release: the
agency as buyer, the vendor as supplier, one award and one contract. A free trial is an award of value
0 after a direct tender. Source documents are the procurement's source URL and its public documents.
The procurement method and its stated reason are the tender's; a purchase under a cooperative or master
contract names that contract's process in relatedProcesses ("framework"), if it is public; the funding is
planning.budget, and a grant's programme is a party with the role "funder".
"""

import datetime
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db.models import OuterRef, Prefetch, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from records.models import (
    Document,
    FundingSource,
    OversightRecord,
    Procurement,
    ProcurementKind,
    ProcurementMethod,
    ProcurementStatus,
)
from records.models.procurements import GRANT_SOURCES
from records.models.visibility import VisibleQuerySet

OCDS_VERSION = "1.1"
PUBLISHER = "Surveillance Procurement Tracker"
# Our statuses onto the closed award and contract status codelists; "unknown" is left out.
AWARD_STATUS = {
    ProcurementStatus.PROPOSED: "pending",
    ProcurementStatus.ACTIVE: "active",
    ProcurementStatus.COMPLETED: "active",
    ProcurementStatus.CANCELLED: "cancelled",
}
CONTRACT_STATUS = {
    ProcurementStatus.PROPOSED: "pending",
    ProcurementStatus.ACTIVE: "active",
    ProcurementStatus.COMPLETED: "terminated",
    ProcurementStatus.CANCELLED: "cancelled",
}
DOCUMENT_TYPES = {"contract": "contractSigned"}
# Our methods onto the closed method codelist. A cooperative purchase has no code of its own: the competition,
# if any, was the cooperative's, and the buyer's own step is often a plain order. It is left out of
# procurementMethod and said in procurementMethodDetails, with the contract in relatedProcesses.
METHODS = {
    ProcurementMethod.OPEN: "open",
    ProcurementMethod.SELECTIVE: "selective",
    ProcurementMethod.LIMITED: "limited",
    ProcurementMethod.DIRECT: "direct",
}
FREE_TRIAL_DETAILS = "Free trial or pilot: the vendor offered the product at no cost, without a competitive tender."
METHOD_DETAILS = {
    ProcurementMethod.COOPERATIVE: "Cooperative purchasing: bought under a contract that another body awarded "
    "(a cooperative or master contract), without a tender of the buyer's own.",
}


def procurements_for_ocds(today: datetime.date | None = None):
    """Every public procurement, with its public documents, the time it last changed, and the contract it was
    bought under (named in the package only if that one is public too)."""
    history = Procurement.history.model.objects.filter(id=OuterRef("pk")).order_by("-history_date")
    public_documents = Document.objects.filter(VisibleQuerySet.public_q(today)).order_by("id")
    public_oversight = OversightRecord.objects.filter(VisibleQuerySet.public_q(today)).order_by("date", "id")
    return (
        Procurement.objects.filter(VisibleQuerySet.public_q(today))
        .select_related("agency__jurisdiction", "vendor", "product", "parent_contract")
        .prefetch_related(Prefetch("documents", queryset=public_documents, to_attr="public_documents"))
        .prefetch_related(Prefetch("oversight_records", queryset=public_oversight, to_attr="public_oversight"))
        .annotate(changed_at=Subquery(history.values("history_date")[:1]))
        .order_by("id")
    )


def _datetime(value: datetime.date | datetime.datetime | None) -> str | None:
    """OCDS dates are date-times; a date alone is its midnight, UTC."""
    if value is None:
        return None
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time.min, tzinfo=datetime.UTC)
    return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def _compact(data: dict) -> dict:
    """Leave out what is unknown rather than publishing nulls and empty lists."""
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def _party(obj, role: str, prefix: str, absolute: Callable[[str], str]) -> dict:
    party = {
        "id": f"{prefix}-{obj.pk}",
        "name": obj.name,
        "roles": [role],
        "identifier": {"legalName": obj.name, "uri": absolute(obj.get_absolute_url())},
        "contactPoint": _compact({"name": obj.name, "url": obj.website}),
    }
    if getattr(obj, "ori", None):
        # The FBI's Originating Agency Identifier has no entry in the org-id.guide register.
        party["additionalIdentifiers"] = [{"scheme": "US-FBI-ORI", "id": obj.ori, "legalName": obj.name}]
    if getattr(obj, "jurisdiction", None):
        party["address"] = _compact({"region": obj.jurisdiction.state, "countryName": "United States"})
    return _compact(party)


def _documents(procurement: Procurement, absolute: Callable[[str], str]) -> list[dict]:
    documents = []
    if procurement.source_url:
        documents.append({"id": "source", "title": "Source", "url": procurement.source_url, "language": "en"})
    for document in procurement.public_documents:
        documents.append(
            _compact(
                {
                    "id": f"document-{document.pk}",
                    "title": document.title,
                    "description": document.description,
                    "documentType": DOCUMENT_TYPES.get(document.kind),
                    "url": absolute(document.get_absolute_url()),
                    "datePublished": _datetime(document.date),
                    "format": document.content_type,
                    "language": "en",
                }
            )
        )
    return documents


def _funding(procurement: Procurement) -> tuple[dict | None, dict | None]:
    """The planning budget of a procurement with a recorded funding source, and for a grant the funder: a
    party by the programme's name (the grantor is not recorded), so that one programme is one party id."""
    if not procurement.funding_source:
        return None, None
    source = FundingSource(procurement.funding_source).label
    program = procurement.funding_program
    budget = _compact(
        {
            "description": f"{source}: {program}" if program else source,
            "project": program,
            "projectID": procurement.funding_award_number,
        }
    )
    funder = None
    if procurement.funding_source in GRANT_SOURCES:
        name = program or f"{source} (programme not recorded)"
        funder = {"id": f"funder-{slugify(name) or procurement.funding_source}", "name": name, "roles": ["funder"]}
    return budget, funder


def _tender(procurement: Procurement, ocid: str, buyer: dict, supplier: dict) -> dict | None:
    """The tender of a free trial (a direct award at no cost) or of a procurement whose method is recorded."""
    free_trial = procurement.kind == ProcurementKind.FREE_TRIAL
    if not (free_trial or procurement.method or procurement.method_rationale):
        return None
    # A free trial with no method recorded is the vendor's offer taken up: a direct award.
    method = METHODS.get(procurement.method) or ("direct" if free_trial else None)
    details = METHOD_DETAILS.get(procurement.method) or (
        FREE_TRIAL_DETAILS if free_trial and method == "direct" else None
    )
    return _compact(
        {
            "id": f"{ocid}-tender",
            "title": procurement.title,
            "status": "complete" if free_trial else None,
            "procurementMethod": method,
            "procurementMethodDetails": details,
            "procurementMethodRationale": procurement.method_rationale,
            "procuringEntity": {"id": buyer["id"], "name": buyer["name"]},
            "tenderers": [{"id": supplier["id"], "name": supplier["name"]}] if free_trial else None,
        }
    )


def _related_processes(procurement: Procurement, prefix: str, absolute, today: datetime.date) -> list[dict]:
    parent = procurement.parent_contract
    if parent is None or not parent.is_public(today):
        return []
    return [
        {
            "id": "framework",
            "relationship": ["framework"],
            "title": parent.title,
            "scheme": "ocid",
            "identifier": f"{prefix}-{parent.pk}",
            "uri": absolute(reverse("procurements-ocds")),
        }
    ]


# Public oversight as the planning stage's milestones (a vote is an approval, a hearing or comment period an
# engagement) and documents (the vote's record an approvalDocument, a hearing's a hearingNotice).
OVERSIGHT_MILESTONES = {"vote": "approval", "advisory_review": "approval", "hearing": "engagement",
                        "comment_period": "engagement", "impact_report": "assessment"}  # fmt: skip
OVERSIGHT_DOCUMENTS = {"vote": "approvalDocument", "advisory_review": "approvalDocument", "hearing": "hearingNotice"}


def _oversight_planning(procurement: Procurement, ocid: str) -> dict:
    milestones, documents = [], []
    for record in getattr(procurement, "public_oversight", []):
        kind = OVERSIGHT_MILESTONES.get(record.kind)
        if kind is None:
            continue
        met = record.outcome in {"", "approved"}
        milestones.append(
            _compact(
                {
                    "id": f"{ocid}-oversight-{record.pk}",
                    "title": f"{record.get_kind_display()}{f': {record.body}' if record.body else ''}",
                    "type": kind,
                    "description": record.get_outcome_display() if record.outcome else None,
                    "status": "met" if met and record.date else ("notMet" if not met else "scheduled"),
                    "dateMet": _datetime(record.date) if met and record.date else None,
                }
            )
        )
        if record.source_url and record.kind in OVERSIGHT_DOCUMENTS:
            documents.append(
                _compact(
                    {
                        "id": f"oversight-{record.pk}",
                        "documentType": OVERSIGHT_DOCUMENTS[record.kind],
                        "title": record.agenda_item or record.get_kind_display(),
                        "url": record.source_url,
                        "datePublished": _datetime(record.date),
                        "language": "en",
                    }
                )
            )
    return _compact({"milestones": milestones, "documents": documents})


def release(
    procurement: Procurement,
    *,
    prefix: str,
    published: datetime.datetime,
    absolute,
    today: datetime.date | None = None,
) -> dict:
    today = today or timezone.localdate()
    ocid = f"{prefix}-{procurement.pk}"
    date = procurement.changed_at or published
    buyer = _party(procurement.agency, "buyer", "agency", absolute)
    supplier = _party(procurement.vendor, "supplier", "vendor", absolute)
    free_trial = procurement.kind == ProcurementKind.FREE_TRIAL
    value = None
    if free_trial:
        value = {"amount": 0, "currency": procurement.currency}
    elif procurement.amount is not None:
        value = {"amount": float(procurement.amount), "currency": procurement.currency}
    period = _compact({"startDate": _datetime(procurement.start_on), "endDate": _datetime(procurement.end_on)})
    items = [{"id": "1", "description": procurement.product.name}] if procurement.product else []
    documents = _documents(procurement, absolute)
    award_id = f"{ocid}-award"
    tender = _tender(procurement, ocid, buyer, supplier)
    budget, funder = _funding(procurement)
    data = {
        "ocid": ocid,
        "id": f"{ocid}-{date:%Y%m%dT%H%M%S}",
        "date": _datetime(date),
        "tag": ["tender", "award", "contract"] if tender else ["award", "contract"],
        "initiationType": "tender",
        "language": "en",
        "parties": [buyer, supplier] + ([funder] if funder else []),
        "buyer": {"id": buyer["id"], "name": buyer["name"]},
        "awards": [
            _compact(
                {
                    "id": award_id,
                    "title": procurement.title,
                    "description": procurement.description,
                    "status": AWARD_STATUS.get(procurement.status),
                    "date": _datetime(procurement.signed_on),
                    "value": value,
                    "suppliers": [{"id": supplier["id"], "name": supplier["name"]}],
                    "items": items,
                    "contractPeriod": period,
                    "documents": documents,
                }
            )
        ],
        "contracts": [
            _compact(
                {
                    "id": f"{ocid}-contract",
                    "awardID": award_id,
                    "title": procurement.title,
                    "description": procurement.description,
                    "status": CONTRACT_STATUS.get(procurement.status),
                    "period": period,
                    "value": value,
                    "items": items,
                    "dateSigned": _datetime(procurement.signed_on),
                    "documents": documents,
                }
            )
        ],
    }
    if tender:
        data["tender"] = tender
    planning = _compact({"budget": budget, **_oversight_planning(procurement, ocid)})
    if planning:
        data["planning"] = planning
    if related := _related_processes(procurement, prefix, absolute, today):
        data["relatedProcesses"] = related
    return data


def release_package(
    procurements: Iterable[Procurement], *, absolute: Callable[[str], str], published: datetime.datetime | None = None
) -> dict:
    """The package; `absolute` turns a site path into a full URL."""
    published = published or timezone.now()
    today = timezone.localdate()
    prefix = settings.OCDS_OCID_PREFIX
    return {
        "uri": absolute(reverse("procurements-ocds")),
        "version": OCDS_VERSION,
        "publishedDate": _datetime(published),
        "publisher": {"name": PUBLISHER, "uri": absolute("/")},
        "releases": [
            release(p, prefix=prefix, published=published, absolute=absolute, today=today) for p in procurements
        ],
    }
