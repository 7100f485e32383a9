"""Import the FBI's list of law-enforcement agencies (Crime Data Explorer, public domain): ORI, name, type,
county, state and coordinates, for the agency directory and the map.

Idempotent by ORI. An agency already in the tracker without an ORI (typed in, or from the Atlas) that
has the same normalised name in the same state receives the ORI instead of getting a twin. The name,
kind and jurisdiction of an agency that already exists are the editors' and are left alone; the import
keeps its ORI and coordinates up to date; coordinates the file lacks never erase the tracker's, and an ORI is only
ever added, so an update loses nothing (no --force is needed). A last row cut short is reported, not imported.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from records.importers.bulk import one_import_at_a_time, refresh_statistics, update_all
from records.importers.csvfile import RowWarning, read_table
from records.importers.names import city_from_agency_name, collapse, county_name, state_code
from records.importers.places import Agencies, Places
from records.models import Agency, AgencyKind, Jurisdiction, Level

COLUMNS = ["agency_name", "agency_type_name", "county_name", "latitude", "longitude", "ori", "state_abbr", "state_name"]
REQUIRED = ["agency_name", "agency_type_name", "ori", "state_abbr"]
WHAT = "the FBI agency list (agency_name, agency_type_name, county_name, latitude, longitude, ori, state_abbr)"
REASON = "Imported from the FBI agency list"
ORI = re.compile(r"[A-Z0-9]{9}")
# The United States and its territories, from Guam (144° E) across the date line to the Virgin Islands.
LATITUDES = (-15.0, 72.0)
LONGITUDE_RANGES = ((-180.0, -64.0), (130.0, 180.0))

STATE_WIDE = {"State Police", "Other State Agency"}
KIND_BY_TYPE = {
    "City": AgencyKind.POLICE,
    "County": AgencyKind.POLICE,
    "State Police": AgencyKind.STATE_POLICE,
    "University or College": AgencyKind.POLICE,
    "Tribal": AgencyKind.POLICE,
}


@dataclass
class AgencyImportSummary:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    matched_by_name: int = 0
    skipped: int = 0
    jurisdictions_created: int = 0
    warnings: list[RowWarning] = field(default_factory=list)


def agency_kind(type_name: str, name: str) -> str:
    """The FBI's types are coarse ("County" holds sheriffs and county police alike): the name says more."""
    lowered = name.lower()
    if "sheriff" in lowered:
        return AgencyKind.SHERIFF
    if "state police" in lowered or "highway patrol" in lowered:
        return AgencyKind.STATE_POLICE
    if "attorney" in lowered or "prosecutor" in lowered:
        return AgencyKind.PROSECUTOR
    if "school" in lowered:
        return AgencyKind.SCHOOL_DISTRICT
    return KIND_BY_TYPE.get(type_name, AgencyKind.OTHER)


def coordinates(latitude: str, longitude: str) -> tuple[float | None, float | None, str]:
    """(latitude, longitude, why they were dropped). Both or neither: half a position is no position."""
    if not latitude and not longitude:
        return None, None, ""
    try:
        lat, lon = float(latitude), float(longitude)
    except ValueError:
        return None, None, f"coordinates {latitude!r}, {longitude!r} are not numbers"
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None, f"coordinates {lat}, {lon} are out of range"
    in_us = LATITUDES[0] <= lat <= LATITUDES[1] and any(low <= lon <= high for low, high in LONGITUDE_RANGES)
    if not in_us:
        return None, None, f"coordinates {lat}, {lon} are outside the United States and its territories"
    return lat, lon, ""


def _jurisdiction(places: Places, type_name: str, county: str, name: str, code: str):
    if type_name in STATE_WIDE or code == "DC":
        return places.state(code)
    if type_name == "City" and (city := city_from_agency_name(name)):
        return places.local(Level.CITY, code, city)
    if county:
        return places.local(Level.COUNTY, code, county_name(county, code))
    return places.state(code)


def _name_match(candidates: list[Agency]) -> tuple[Agency | None, bool]:
    """An agency of that name without an ORI yet (the first, if several), and whether there were several."""
    free = sorted((a for a in candidates if not a.ori and a.pk), key=lambda a: a.pk)
    return (free[0] if free else None), len(free) > 1


@transaction.atomic
def import_agencies(path: Path, *, progress: Callable[[Iterable], Iterable] = iter) -> AgencyImportSummary:
    one_import_at_a_time()
    table = read_table(path, columns=COLUMNS, required=REQUIRED, what=WHAT)
    summary = AgencyImportSummary(warnings=list(table.notes) + table.refused)
    summary.rows = summary.skipped = len(table.refused)
    places = Places()
    agencies = Agencies(places)
    seen: dict[str, int] = {}
    changed: dict[int, Agency] = {}

    def warn(row: int, reason: str):
        summary.warnings.append(RowWarning(row, reason))

    for number, row in progress(table.rows):
        summary.rows += 1
        name = collapse(row["agency_name"]).rstrip(":").strip()
        code = state_code(row["state_abbr"], row["state_name"])
        if not name or not code:
            warn(number, "no agency name: skipped" if not name else f"unknown state {row['state_abbr']!r}: skipped")
            summary.skipped += 1
            continue
        ori = collapse(row["ori"]).upper() or None
        if ori and not ORI.fullmatch(ori):
            warn(number, f"ORI {ori!r} is not nine letters and digits: matched by name only")
            ori = None
        if ori in seen:
            warn(number, f"ORI {ori} was already on row {seen[ori]}: skipped")
            summary.skipped += 1
            continue
        if ori:
            seen[ori] = number
        latitude, longitude, problem = coordinates(row["latitude"], row["longitude"])
        if problem:
            warn(number, f"{problem}: stored without coordinates")

        agency = agencies.by_ori.get(ori) if ori else None
        if agency is None:
            agency, several = _name_match(agencies.named(code, name))
            if agency is not None:
                summary.matched_by_name += 1
                if several:
                    warn(number, f"several agencies named {name!r} in {code} have no ORI: {ori} went to {agency.slug}")
                if ori:
                    agency.ori = ori
                    agencies.by_ori[ori] = agency
                    changed[agency.pk] = agency
        if agency is None:
            jurisdiction = _jurisdiction(places, row["agency_type_name"], row["county_name"], name, code)
            county = county_name(row["county_name"], code) if row["county_name"] else None
            free = agencies.free_name(name, jurisdiction, [county if county != jurisdiction.name else None, ori])
            if free != name:
                warn(number, f"{jurisdiction} already has an agency named {name!r}: saved as {free!r}")
            kind = agency_kind(row["agency_type_name"], name)
            agencies.add(
                name=free, jurisdiction=jurisdiction, kind=kind, ori=ori, latitude=latitude, longitude=longitude
            )
            summary.created += 1
            continue
        # Coordinates the file does not have never erase ones the tracker has.
        if latitude is not None and (agency.latitude, agency.longitude) != (latitude, longitude):
            agency.latitude, agency.longitude = latitude, longitude
            changed[agency.pk] = agency
        if agency.pk not in changed:
            summary.unchanged += 1

    summary.jurisdictions_created = places.save(REASON)
    agencies.save(REASON)
    summary.updated = len(changed)
    update_all(list(changed.values()), Agency, ["ori", "latitude", "longitude"], REASON)
    refresh_statistics([Agency, Jurisdiction])
    return summary
