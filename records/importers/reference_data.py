"""Reference data every tracker needs: the Atlas technology categories, the federal and state
public-records laws. Migration 0002 loads it; load_demo makes sure it is there (idempotent);
`manage.py load_reference_data` also brings existing databases' laws up to the corrections below."""

import json
from pathlib import Path

from django.apps import apps as global_apps
from django.utils.text import slugify

from records.rules.states import STATE_NAMES

# The twelve technology categories of the EFF Atlas of Surveillance (CC BY 4.0).
TECHNOLOGIES = [
    ("Automated License Plate Readers", "Cameras that capture and record vehicle licence plates."),
    ("Body-Worn Cameras", "Cameras worn by officers that record video and audio."),
    ("Camera Registries", "Programmes where residents and businesses register or share private cameras."),
    ("Cell-Site Simulators", "Devices that mimic cell towers to locate and identify phones."),
    ("Drones", "Unmanned aerial vehicles used for surveillance."),
    ("Face Recognition", "Software that identifies or verifies people from images of their faces."),
    ("Fusion Centers", "Hubs where agencies share intelligence and surveillance data."),
    ("Gunshot Detection", "Acoustic sensors that detect and locate gunfire."),
    ("Predictive Policing", "Software that forecasts where crime may occur or who may be involved."),
    ("Real-Time Crime Centers", "Command centres that combine live camera feeds and data sources."),
    ("Ring/Neighbors Partnerships", "Partnerships giving police a channel to request doorbell-camera footage."),
    ("Video Analytics", "Computer vision applied to video: object, person and behaviour detection."),
]

LAWS_FILE = Path(__file__).resolve().parents[1] / "data" / "state-public-records-laws.json"
LAWS_SOURCE = "https://github.com/foilthepolice/foilthepolice.org"


LAW_FIELDS = ("law_name", "law_citation", "law_days", "law_day_type", "law_source_url")

# Corrections applied over the FOIL the Police data set (kept as published), only where the statute's own text
# says more than the data set: a deadline it lacks, or whether the days are business or calendar days.
LAW_CORRECTIONS = {
    # Cal. Gov. Code § 7922.535(a) (formerly § 6253(c)): the agency shall, "within 10 days from receipt of the
    # request", determine whether it seeks disclosable records and notify the requester; the Act's days are
    # calendar days (extendable by 14 in unusual circumstances, § 7922.535(b)).
    "CA": {
        "law_days": 10,
        "law_day_type": "calendar",
        "law_citation": "Cal. Gov. Code § 7922.535(a) (formerly § 6253(c))",
        "law_source_url": "https://leginfo.legislature.ca.gov/faces/codes_displaySection.xhtml?lawCode=GOV&sectionNum=7922.535",
    },
    # ORS 192.324(2): acknowledge receipt (or complete the response) within 5 business days of receiving the
    # request; ORS 192.329: complete it, or state when it will be, no later than 10 business days after that
    # date. The data set has no number for Oregon; the tracker's due date is the completion one, 15 business days.
    "OR": {
        "law_days": 15,
        "law_day_type": "business",
        "law_citation": "ORS 192.324(2) (acknowledge: 5 business days), ORS 192.329 (complete: 10 more)",
        "law_source_url": "https://oregon.public.law/statutes/ors_192.329",
    },
}


def source_laws() -> dict[str, dict]:
    """Each state's law fields as the FOIL the Police data set gives them, by state code."""
    laws = {}
    for law in json.loads(LAWS_FILE.read_text()):
        code = law["state"].upper()
        laws[code] = {
            "law_name": law["name"],
            "law_citation": law.get("statute") or "",
            "law_days": law["responseWithinDays"],
            # The source does not say whether days are business or calendar days; editors can set it.
            "law_day_type": "",
            "law_source_url": law.get("rcGuideUrl") or LAWS_SOURCE,
        }
    return laws


def seeded_laws() -> dict[str, dict]:
    """The law fields the tracker seeds: the source's, with LAW_CORRECTIONS applied."""
    return {code: {**fields, **LAW_CORRECTIONS.get(code, {})} for code, fields in source_laws().items()}


def seed_reference_data(apps=global_apps) -> list[str]:
    """Create what is missing; bring a state's law up to its correction if it still holds the source's values.
    A law an editor has changed is left as it is. Returns the codes of the states whose law was corrected."""
    Technology = apps.get_model("records", "Technology")
    Jurisdiction = apps.get_model("records", "Jurisdiction")
    for name, description in TECHNOLOGIES:
        Technology.objects.get_or_create(slug=slugify(name), defaults={"name": name, "description": description})

    Jurisdiction.objects.get_or_create(
        slug="united-states",
        defaults={
            "name": "United States",
            "level": "federal",
            "state": "",
            "law_name": "Freedom of Information Act",
            "law_citation": "5 U.S.C. § 552",
            "law_days": 20,
            "law_day_type": "business",
        },
    )
    sources, corrected = source_laws(), []
    for code, fields in seeded_laws().items():
        state, created = Jurisdiction.objects.get_or_create(
            slug=slugify(STATE_NAMES[code]),
            defaults={"name": STATE_NAMES[code], "level": "state", "state": code, **fields},
        )
        current = {name: getattr(state, name) for name in LAW_FIELDS}
        if not created and current == sources[code] and current != fields:
            Jurisdiction.objects.filter(pk=state.pk).update(**fields)
            corrected.append(code)
    return corrected


def edited_laws(apps=global_apps) -> list[str]:
    """States with a correction whose law an editor changed: left as they are, for an editor to compare."""
    Jurisdiction = apps.get_model("records", "Jurisdiction")
    seeded = seeded_laws()
    return [
        state.state
        for state in Jurisdiction.objects.filter(level="state", state__in=LAW_CORRECTIONS).order_by("state")
        if {name: getattr(state, name) for name in LAW_FIELDS} != seeded[state.state]
    ]
