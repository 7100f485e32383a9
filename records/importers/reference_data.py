"""Reference data every tracker needs: the Atlas technology categories, the federal and state
public-records laws. Migration 0002 loads it; load_demo makes sure it is there (idempotent)."""

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


def seed_reference_data(apps=global_apps):
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
    for law in json.loads(LAWS_FILE.read_text()):
        code = law["state"].upper()
        Jurisdiction.objects.get_or_create(
            slug=slugify(STATE_NAMES[code]),
            defaults={
                "name": STATE_NAMES[code],
                "level": "state",
                "state": code,
                "law_name": law["name"],
                "law_citation": law.get("statute") or "",
                "law_days": law["responseWithinDays"],
                # The source does not say whether days are business or calendar days; editors can set it.
                "law_day_type": "",
                "law_source_url": law.get("rcGuideUrl") or LAWS_SOURCE,
            },
        )
