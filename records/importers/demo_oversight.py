"""The demo's oversight side by side: the Washington County Sheriff's Office's Rekognition use, for which the
ACLU asked for any record of public discussion and got none, and the Seattle Police Department's licence
plate readers, approved by the City Council with a surveillance impact report under SMC 14.18."""

import datetime

from records.importers.oversight_laws import seed_oversight_laws
from records.models import Agency, Jurisdiction, OversightRecord, Procurement, RecordsRequest, Technology
from records.services.oversight import procurements_refresh_oversight

# Seattle City Council, Council Bill 120025, Ordinance 126312 (passed April 19, 2021).
SEATTLE_ALPR_URL = (
    "https://seattle.legistar.com/LegislationDetail.aspx?ID=4902141&GUID=D82CC687-728D-4C9C-ABFF-F5C806A059AA"
)


def _upsert(model, defaults: dict, **lookup):
    """update_or_create that saves only what changed, so loading the demo again writes no new history."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **defaults), True
    changed = [name for name, value in defaults.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, defaults[name])
        obj.save(update_fields=changed)
    return obj, False


def load_oversight_demo(*, wcso: Agency, request: RecordsRequest, source_url: str) -> int:
    """Create or update the demo's oversight records; returns how many it holds. Safe to run again."""
    seed_oversight_laws()
    for procurement in Procurement.objects.filter(agency=wcso, product__slug="amazon-rekognition"):
        _upsert(
            OversightRecord,
            procurement=procurement,
            kind="none_found",
            defaults={
                "agency": wcso,
                "records_request": request,
                "source_url": source_url,
                "body": "Washington County Sheriff's Office",
                "searched": "The ACLU's Oregon public-records request asked for any record showing that the public "
                "had been given an opportunity to discuss the technology before it was deployed.",
                "found": "No such record was provided.",
            },
        )
    seattle = Jurisdiction.objects.get(level="city", state="WA", name__iexact="Seattle")
    spd, _ = _upsert(
        Agency,
        slug="seattle-police-department-wa",
        defaults={
            "name": "Seattle Police Department",
            "kind": "police",
            "jurisdiction": seattle,
            "website": "https://www.seattle.gov/police",
        },
    )
    alpr = Technology.objects.get(slug="automated-license-plate-readers")
    approval = {
        "body": "Seattle City Council",
        "date": datetime.date(2021, 4, 19),
        "source_url": SEATTLE_ALPR_URL,
        "agenda_item": "Council Bill 120025 (Ordinance 126312)",
    }
    _upsert(
        OversightRecord,
        agency=spd, technology=alpr, kind="impact_report",
        defaults={**approval, "notes": "The Automated License Plate Reader surveillance impact report, "
                  "attached to the ordinance, after review by the Community Surveillance Working Group."},
    )  # fmt: skip
    _upsert(
        OversightRecord,
        agency=spd, technology=alpr, kind="vote",
        defaults={**approval, "outcome": "approved", "public_meeting": True,
                  "notes": "The Council passed the ordinance approving the Police Department's use of automated "
                  "licence plate readers and accepting its surveillance impact report. The vote count is in the "
                  "Council's record of the bill."},
    )  # fmt: skip
    procurements_refresh_oversight(procurements=Procurement.objects.filter(agency__in=[wcso, spd]))
    return OversightRecord.objects.filter(agency__in=[wcso, spd]).count()
