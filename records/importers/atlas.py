"""Import the EFF Atlas of Surveillance CSV export (CC BY 4.0): one timeline entry per row.

Both layouts are read: the 2020 one (AOSNUMBER, City, County, State, Agency, Type of LEA, Summary,
Type of Juris, Technology, Vendor, Link 1..3 with Snapshot, Source, Type, Date) and the current one, which
adds NEWAOSNUMBER (the agency's ORI, with the technology's code after it, or an XX... placeholder when
the agency has none), TECH ABV and Other Links. Other Links is not imported: an entry cites its three
numbered links.

Each row becomes the entry "atlas:<AOSNUMBER>", so importing again updates instead of duplicating. Its
agency is found by ORI, else by normalised name in the same state (aliases included, so a merged
duplicate does not come back), else created with its city, county or state. Nothing is dropped
silently: every row is imported or reported, and whatever had to be guessed or left out is a warning
with the row's number.

An import never makes an entry worse without saying so: a last row cut short (the file ends inside it) is
reported, not imported, and an update that would empty the entry's summary, technologies, vendors or agency,
cut a text to its beginning, leave it fewer sources or a less precise (or illustrative) date is reported with
its row and applied only with `force`. An AOSNUMBER seen twice is imported once, from its first row.
"""

import datetime
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from records.importers.bulk import create_all, one_import_at_a_time, refresh_statistics, update_all
from records.importers.csvfile import RowWarning, read_table
from records.importers.dates import PartialDate, ReadDate, date_in_url, earliest, earliest_year_in_text, read_date
from records.importers.names import SlugAllocator, VendorIndex, collapse, county_name, split_vendors, state_code
from records.importers.places import Agencies, Places, Where
from records.models import (
    Agency,
    AgencyKind,
    DatePrecision,
    EventKind,
    EventSource,
    Jurisdiction,
    Level,
    Technology,
    TimelineEvent,
    Vendor,
    VendorAlias,
)
from records.models.timeline import format_date

LINKS = (1, 2, 3)
COLUMNS = [
    "AOSNUMBER", "NEWAOSNUMBER", "City", "County", "State", "Agency", "Type of LEA", "Summary", "Type of Juris",
    "Technology", "TECH ABV", "Vendor",
    *(f"Link {n}{part}" for n in LINKS for part in ("", " Snapshot", " Source", " Date")),
]  # fmt: skip
REQUIRED = ["AOSNUMBER", "State", "Agency", "Summary", "Technology"]
WHAT = "an Atlas of Surveillance CSV export (AOSNUMBER, State, Agency, Summary, Technology, Vendor, Link 1...)"
REASON = "Imported from the Atlas of Surveillance"
PREFIX = "atlas:"
ATLAS_URL = "https://atlasofsurveillance.org/"
ATLAS_LABEL = "Atlas of Surveillance (Electronic Frontier Foundation)"
UNDATED_NOTE = (
    "The Atlas gives no date for this entry; the date shown is the year of the newest date in the file imported, "
    "by which the Atlas had recorded it, and is illustrative."
)
ORI = re.compile(r"[A-Z]{2}[A-Z0-9]{7}")
TITLE_LENGTH = TimelineEvent._meta.get_field("title").max_length
EXTERNAL_ID_LENGTH = TimelineEvent._meta.get_field("external_id").max_length


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


# Atlas category names and abbreviations, old and current, onto our technology slugs.
TECHNOLOGY_NAMES = {
    "automated-license-plate-readers": [
        "Automated License Plate Readers", "Automated License Plate Reader", "License Plate Readers", "ALPR", "LPR",
    ],
    "body-worn-cameras": ["Body-worn Cameras", "Body-worn Camera", "Body Cameras", "BWC"],
    "camera-registries": ["Camera Registry", "Camera Registries", "CR"],
    "cell-site-simulators": ["Cell-site Simulator", "Cell-site Simulators", "CSS"],
    "drones": ["Drones", "Drone", "UAV", "Unmanned Aerial Vehicles"],
    "face-recognition": ["Face Recognition", "Facial Recognition", "FRT", "FR"],
    "fusion-centers": ["Fusion Center", "Fusion Centers", "FC"],
    "gunshot-detection": ["Gunshot Detection", "GDT", "GSD"],
    "predictive-policing": ["Predictive Policing", "PRPO", "PP"],
    "real-time-crime-centers": ["Real-Time Crime Center", "Real-Time Crime Centers", "RTCC"],
    "ringneighbors-partnerships": ["Ring/Neighbors Partnership", "Ring/Neighbors Partnerships", "Ring/Neighbors"],
    "video-analytics": [
        "Video Analytics/Computer Vision", "Video Analytics", "Video Analysis", "Computer Vision", "VA",
    ],
}  # fmt: skip
# The Atlas added this category in March 2024 (when it retired Ring/Neighbors); it is not among the
# twelve seeded ones, so the first row that names it adds it.
TPIP = {
    "slug": "third-party-investigative-platforms",
    "name": "Third-Party Investigative Platforms",
    "description": "Cloud software law enforcement subscribes to in order to access, share, mine and analyse "
    "investigative data.",
    "names": ["Third-Party Investigative Platforms", "Third-Party Investigative Platform", "TPIP", "TPIPCT",
              "TPIPACC"],
}  # fmt: skip

CITY_JURISDICTIONS = {"municipal", "city", "town", "village", "borough", "township"}
COUNTY_JURISDICTIONS = {"county", "parish"}
STATE_JURISDICTIONS = {"state", "statewide"}
REGIONAL_JURISDICTIONS = {"regional", "cross-jurisdictional", "judicial district"}
KINDS = {
    "police": AgencyKind.POLICE,
    "sheriff": AgencyKind.SHERIFF,
    "state police": AgencyKind.STATE_POLICE,
    "state police/highway patrol": AgencyKind.STATE_POLICE,
    "highway patrol": AgencyKind.STATE_POLICE,
    "fusion center": AgencyKind.FUSION_CENTER,
    "district attorney": AgencyKind.PROSECUTOR,
    "prosecutor": AgencyKind.PROSECUTOR,
    "prosecutor's office": AgencyKind.PROSECUTOR,
    "attorney general": AgencyKind.PROSECUTOR,
    "dhs": AgencyKind.FEDERAL,
    "cbp": AgencyKind.FEDERAL,
    "federal": AgencyKind.FEDERAL,
    "school district": AgencyKind.SCHOOL_DISTRICT,
    "school police": AgencyKind.SCHOOL_DISTRICT,
    "city government": AgencyKind.CITY_GOVERNMENT,
    "constables": AgencyKind.POLICE,
    "public safety": AgencyKind.POLICE,
}


@dataclass
class AtlasImportSummary:
    rows: int = 0
    agencies_created: int = 0
    agencies_matched: int = 0
    jurisdictions_created: int = 0
    vendors_created: int = 0
    events_created: int = 0
    events_updated: int = 0
    events_unchanged: int = 0
    reported: int = 0
    warnings: list[RowWarning] = field(default_factory=list)


PRECISION_RANK = {DatePrecision.YEAR: 0, DatePrecision.MONTH: 1, DatePrecision.DAY: 2}


@dataclass
class Stored:
    """What the tracker holds for an imported entry, to tell an update that would lose some of it."""

    title: str
    summary: str
    date: datetime.date
    precision: str
    illustrative: bool
    agency_id: int | None
    technologies: int = 0
    vendors: int = 0
    sources: int = 0  # links of the Atlas row, not counting the placeholder citing the Atlas itself

    def losses(self, *, title: str, summary: str, date: PartialDate | None, technologies: list, vendors: list,
               sources: list[tuple[str, str]]) -> list[str]:  # fmt: skip
        """What an update to these values would lose, said as what it "would" do; [] when it loses nothing."""
        losses = [
            loss
            for name, old, new in (("title", self.title, title), ("summary", self.summary, summary))
            if (loss := _text_loss(name, old, new))
        ]
        for name, had, has in (("technology", self.technologies, technologies), ("vendors", self.vendors, vendors)):
            if had and not has:
                losses.append(f"remove its {name}")
        kept = sum(1 for url, _ in sources if url != ATLAS_URL)
        if kept < self.sources:
            losses.append(f"drop {self.sources - kept} of its {self.sources} sources")
        precision = date.precision if date else DatePrecision.YEAR
        if PRECISION_RANK[precision] < PRECISION_RANK[self.precision]:
            new = format_date(date.date, precision) if date else "the newest year in the file"
            losses.append(f"lower its date from {format_date(self.date, self.precision)} to {new}")
        if date is None and not self.illustrative:
            losses.append("make its date illustrative (the row has none)")
        return losses


def _text_loss(name: str, old: str, new: str) -> str | None:
    if old and not new:
        return f"empty its {name}"
    beginning = new.removesuffix("…")
    if new != old and old.startswith(beginning):
        return f"cut its {name} to {len(beginning)} of its {len(old)} characters"
    return None


def _stored_entries() -> dict[str, Stored]:
    """The imported entries as stored, with how many technologies, vendors and Atlas links each has."""
    events = TimelineEvent.objects.filter(external_id__startswith=PREFIX)
    fields = ("pk", "external_id", "title", "summary", "date", "date_precision", "is_illustrative", "agency_id")
    stored, by_pk = {}, {}
    for pk, external_id, title, summary, date, precision, illustrative, agency_id in events.values_list(*fields):
        # The note an undated entry carries is the import's, not the Atlas's: it is not part of what is compared.
        summary = summary.removesuffix(UNDATED_NOTE).strip()
        stored[external_id] = by_pk[pk] = Stored(title, summary, date, precision, illustrative, agency_id)
    for through, count in ((TimelineEvent.technologies.through, "technologies"), (TimelineEvent.vendors.through,
                                                                                    "vendors")):  # fmt: skip
        rows = through.objects.filter(timelineevent__external_id__startswith=PREFIX)
        for event_id in rows.values_list("timelineevent_id", flat=True):
            setattr(by_pk[event_id], count, getattr(by_pk[event_id], count) + 1)
    sources = EventSource.objects.filter(event__external_id__startswith=PREFIX, document__isnull=True)
    for event_id in sources.exclude(url=ATLAS_URL).values_list("event_id", flat=True):
        by_pk[event_id].sources += 1
    return stored


@dataclass
class Entry:
    """What one row says, resolved to the tracker's records (some of them not saved yet)."""

    row: int
    external_id: str
    date: PartialDate | None
    title: str
    summary: str
    agency: Agency | None
    vendors: list[Vendor]
    technologies: list[Technology]
    sources: list[tuple[str, str]]
    illustrative: bool = False


def _url(text: str) -> str | None:
    """A web address, or None. Lenient on purpose: real addresses (underscores in host names, unescaped
    characters) fail stricter validators but work in a browser."""
    url = collapse(text)
    if url.lower().startswith("www."):
        url = f"http://{url}"
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname or " " in url:
        return None
    return url if len(url) <= EventSource._meta.get_field("url").max_length else None


def _title(summary: str) -> str:
    if len(summary) <= TITLE_LENGTH:
        return summary
    return summary[: TITLE_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def _technology_slugs() -> dict[str, str]:
    index = {}
    for slug, names in {**TECHNOLOGY_NAMES, TPIP["slug"]: TPIP["names"]}.items():
        for name in names:
            index[_key(name)] = slug
    for name, slug in Technology.objects.values_list("name", "slug"):
        index[_key(name)] = index[_key(slug)] = slug
    return index


def _ori(value: str) -> str | None:
    """The ORI in NEWAOSNUMBER: its first nine characters, unless it is an XX... or AOS... placeholder."""
    value = collapse(value).upper()
    if value.startswith(("XX", "AOS")) or not ORI.fullmatch(value[:9]):
        return None
    return value[:9]


class _Importer:
    def __init__(self, summary: AtlasImportSummary):
        self.summary = summary
        self.stored = _stored_entries()
        self.places = Places()
        self.agencies = Agencies(self.places)
        self.matched_agencies: set[int] = set()
        self.agencies_changed: dict[int, Agency] = {}
        self.technology_slugs = _technology_slugs()
        self.technologies = {t.slug: t for t in Technology.objects.all()}
        vendors = {v.pk: v for v in Vendor.objects.all()}
        self.vendors = VendorIndex()
        for vendor in vendors.values():
            self.vendors.add(vendor.name, vendor)
        for name, vendor_id in VendorAlias.objects.values_list("name", "vendor_id"):
            self.vendors.add(name, vendors[vendor_id])
        self.vendor_slugs = SlugAllocator(Vendor)
        self.new_vendors: list[Vendor] = []

    def warn(self, row: int, reason: str):
        self.summary.warnings.append(RowWarning(row, reason))

    def report(self, row: int, reason: str):
        """A row that is not imported, and why."""
        self.warn(row, f"not imported: {reason}")
        self.summary.reported += 1

    def technology(self, number: int, cell: str, abbreviation: str) -> list[Technology]:
        """The technologies a cell names; TECH ABV helps when the name is not one we know."""
        names = [cell] if _key(cell) in self.technology_slugs else [p for p in re.split(r"[,;]", cell) if _key(p)]
        if not names:
            names = [abbreviation] if _key(abbreviation) else []
        found = []
        for name in names:
            slug = self.technology_slugs.get(_key(name))
            if slug is None and len(names) == 1:
                slug = self.technology_slugs.get(_key(abbreviation))
            if slug == TPIP["slug"] and slug not in self.technologies:
                self.technologies[slug], _ = Technology.objects.get_or_create(
                    slug=slug, defaults={"name": TPIP["name"], "description": TPIP["description"]}
                )
            technology = self.technologies.get(slug)
            if technology is None:
                self.warn(number, f"unknown technology {collapse(name)!r}: the entry is kept without it")
            elif technology not in found:
                found.append(technology)
        if not names:
            self.warn(number, "no technology named: the entry is kept without one")
        return found

    def vendor_list(self, number: int, cell: str) -> list[Vendor]:
        vendors = []
        for name in split_vendors(cell):
            vendor, respelled = self.vendors.find(name)
            if respelled:
                self.warn(number, f"vendor {name!r} taken as {vendor.name!r} (the same name without its legal form)")
            if vendor is None:
                vendor = Vendor(name=name[:200], slug=self.vendor_slugs.allocate(name))
                self.vendors.add(name, vendor)
                self.new_vendors.append(vendor)
            if vendor not in vendors:
                vendors.append(vendor)
        return vendors

    def _jurisdiction(self, row: dict, code: str, juris_type: str):
        city, county = collapse(row["City"]), collapse(row["County"])
        if juris_type in STATE_JURISDICTIONS:
            return self.places.state(code)
        if city and juris_type not in COUNTY_JURISDICTIONS | REGIONAL_JURISDICTIONS:
            return self.places.local(Level.CITY, code, city)
        if county:
            return self.places.local(Level.COUNTY, code, county_name(county, code))
        if city:
            return self.places.local(Level.CITY, code, city)
        return self.places.state(code)

    def agency(self, number: int, row: dict) -> Agency | None:
        name = collapse(row["Agency"])[:200]
        if not name:
            self.warn(number, "no agency named: the entry is kept without one")
            return None
        ori = _ori(row["NEWAOSNUMBER"])
        if row["NEWAOSNUMBER"] and ori is None and not row["NEWAOSNUMBER"].upper().startswith(("XX", "AOS")):
            self.warn(number, f"NEWAOSNUMBER {row['NEWAOSNUMBER']!r} holds no ORI: the agency is matched by name")
        code = state_code(row["State"])
        juris_type = collapse(row["Type of Juris"]).lower()
        jurisdiction = None
        if juris_type == "federal" and self.places.federal:
            code, jurisdiction = "", self.places.federal
        elif code is None and not (ori and ori in self.agencies.by_ori):
            self.warn(number, f"unknown state {row['State']!r}: the entry is kept without its agency {name!r}")
            return None

        agency = self.agencies.by_ori.get(ori) if ori else None
        if agency is None:
            # An agency with another ORI is another agency, however alike the names.
            candidates = [a for a in self.agencies.named(code, name) if not ori or a.ori in (None, ori)]
            if not candidates:
                where = Where.of(city=row["City"], county=row["County"])
                similar, how = self.agencies.similar(code, name, where)
                if similar is not None and (not ori or similar.ori in (None, ori)):
                    self.warn(number, f"agency {name!r} taken as {similar.name!r} ({similar.jurisdiction}): {how}")
                    candidates = [similar]
            if candidates:
                agency = self._choose(number, candidates, row, name, code)
                if ori and not agency.ori:
                    agency.ori = ori
                    self.agencies.by_ori[ori] = agency
                    if agency.pk:
                        self.agencies_changed[agency.pk] = agency
        if agency is not None:
            if agency.pk:
                self.matched_agencies.add(agency.pk)
            return agency

        jurisdiction = jurisdiction or self._jurisdiction(row, code, juris_type)
        free = self.agencies.free_name(name, jurisdiction, [ori])
        if free != name:
            self.warn(number, f"{jurisdiction} already has another agency named {name!r}: saved as {free!r}")
        kind = KINDS.get(collapse(row["Type of LEA"]).lower())
        kind = kind or (AgencyKind.FEDERAL if juris_type == "federal" else AgencyKind.OTHER)
        return self.agencies.add(name=free, jurisdiction=jurisdiction, kind=kind, ori=ori)

    def _choose(self, number: int, candidates: list[Agency], row: dict, name: str, code: str) -> Agency:
        if len(candidates) == 1:
            return candidates[0]
        places = {collapse(row["City"]).casefold(), county_name(collapse(row["County"]), code).casefold()}
        same_place = [a for a in candidates if a.jurisdiction.name.casefold() in places]
        ranked = sorted(same_place or candidates, key=lambda a: (a.pk is None, a.pk or 0))
        self.warn(number, f"{len(candidates)} agencies in {code or 'the federal government'} are named like "
                          f"{name!r}: attached to {ranked[0].name!r} ({ranked[0].jurisdiction})")  # fmt: skip
        return ranked[0]

    def date(self, number: int, row: dict, reads: list[ReadDate], today) -> PartialDate | None:
        """The earliest link date; else a date in a link's address; else the first year the summary names.
        None when the row has no date at all: the caller dates it once the whole file has been read."""
        for n, read in zip(LINKS, reads, strict=True):
            if read.note:
                self.warn(number, f"Link {n} Date: {read.note}")
        if found := earliest(read.value for read in reads):
            return found
        if found := earliest(date_in_url(row[f"Link {n}"], today) for n in LINKS):
            self.warn(number, f"no readable link date: dated by the date in a link's address ({found.date})")
            return found
        if found := earliest_year_in_text(row["Summary"], today):
            self.warn(number, f"no readable link date: dated by the first year the summary names ({found.date.year})")
            return found
        return None

    def sources(self, number: int, row: dict) -> list[tuple[str, str]]:
        found = []
        for n in LINKS:
            raw = row[f"Link {n}"]
            url = _url(raw)
            if url is None:
                url = _url(row[f"Link {n} Snapshot"])
                if raw:
                    instead = ": cited its snapshot instead" if url else ""
                    self.warn(number, f"Link {n} {raw[:80]!r} is not a web address{instead}")
            if url:
                label = collapse(row[f"Link {n} Source"]) or urlsplit(url).hostname or url
                if (url, label[:300]) not in found:
                    found.append((url, label[:300]))
        if not found:
            self.warn(number, "no usable link: the entry cites the Atlas of Surveillance itself")
            found.append((ATLAS_URL, ATLAS_LABEL))
        return found


@transaction.atomic
def import_atlas(
    path: Path, *, force: bool = False, progress: Callable[[Iterable], Iterable] = iter
) -> AtlasImportSummary:
    """Import one export; `force` applies updates that would make an entry poorer (else they are reported)."""
    one_import_at_a_time()
    table = read_table(path, columns=COLUMNS, required=REQUIRED, what=WHAT)
    summary = AtlasImportSummary(warnings=list(table.notes) + table.refused)
    summary.rows, summary.reported = len(table.refused), len(table.refused)
    importer = _Importer(summary)
    entries: dict[str, Entry] = {}
    first_rows: dict[str, tuple[int, dict]] = {}
    newest: PartialDate | None = None
    today = timezone.localdate()

    for number, row in progress(table.rows):
        summary.rows += 1
        if not any(row.values()):
            importer.warn(number, "the row is empty: nothing to import")
            continue
        number_cell = collapse(row["AOSNUMBER"]).upper()
        if number_cell and len(PREFIX + number_cell) <= EXTERNAL_ID_LENGTH:
            external_id = f"{PREFIX}{number_cell}"
        else:
            # Without a usable number a row still gets a stable key, from what it says.
            digest = hashlib.sha256("|".join(row[c] for c in REQUIRED).encode()).hexdigest()[:16]
            external_id = f"{PREFIX}unnumbered-{digest}"
            importer.warn(number, f"no usable AOSNUMBER ({number_cell[:20]!r}): imported as {external_id}")
        if external_id in first_rows:
            first, first_row = first_rows[external_id]
            detail = "imported once" if first_row == row else "it differs from that row, and only that row is imported"
            importer.report(number, f"{external_id.removeprefix(PREFIX)} repeats row {first}: {detail}")
            continue
        first_rows[external_id] = (number, row)
        summary_text = collapse(row["Summary"])
        technologies = importer.technology(number, row["Technology"], row["TECH ABV"])
        if not summary_text:
            importer.warn(number, "no summary: the title names the agency and technology")
        reads = [read_date(row[f"Link {n} Date"], today) for n in LINKS]
        newest = max((d for d in (newest, *(r.value for r in reads)) if d), key=lambda d: d.sort_key, default=None)
        title = _title(summary_text) or " · ".join(
            [collapse(row["Agency"]) or "Unknown agency"] + [t.name for t in technologies]
        )
        date = importer.date(number, row, reads, today)
        sources = importer.sources(number, row)
        stored = importer.stored.get(external_id)
        losses = stored.losses(
            title=title, summary=summary_text, date=date, technologies=technologies,
            vendors=split_vendors(row["Vendor"]), sources=sources,
        ) if stored else []  # fmt: skip
        # The agency is looked up only for a row that is imported: looking it up may add one.
        agency = importer.agency(number, row) if force or not losses else None
        if stored and stored.agency_id and agency is None and (force or not losses):
            losses.append("remove its agency")
        if losses:
            said = f"{external_id.removeprefix(PREFIX)}: the update would {_and(losses)}"
            if not force:
                importer.report(number, f"{said}; check the file (was it cut short?), or import it with --force")
                continue
            importer.warn(number, f"{said}: applied (--force)")
        entries[external_id] = Entry(
            row=number,
            external_id=external_id,
            date=date,
            title=title,
            summary=summary_text,
            agency=agency,
            vendors=importer.vendor_list(number, row["Vendor"]),
            technologies=technologies,
            sources=sources,
        )

    # A row with no date at all was recorded by the Atlas by the time of its newest date at the latest.
    fallback_year = newest.date.year if newest else today.year
    for entry in entries.values():
        if entry.date is None:
            entry.date = PartialDate(datetime.date(fallback_year, 1, 1), DatePrecision.YEAR)
            entry.illustrative = True
            entry.summary = f"{entry.summary} {UNDATED_NOTE}".strip()
            importer.warn(entry.row, f"no date in the row: dated {fallback_year}, the newest year in the file, "
                                     "and marked illustrative")  # fmt: skip
    summary.warnings.sort(key=lambda warning: warning.row)

    summary.jurisdictions_created = importer.places.save(REASON)
    summary.agencies_created = importer.agencies.save(REASON)
    summary.agencies_matched = len(importer.matched_agencies)
    update_all(list(importer.agencies_changed.values()), Agency, ["ori"], REASON)
    create_all(importer.new_vendors, Vendor, REASON)
    summary.vendors_created = len(importer.new_vendors)
    _save_entries(list(entries.values()), summary)
    refresh_statistics([Jurisdiction, Agency, Vendor, TimelineEvent, EventSource])
    return summary


def _and(items: list[str]) -> str:
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else items[0]


EVENT_FIELDS = ["date", "date_precision", "kind", "title", "summary", "agency_id", "state", "is_illustrative"]


def _save_entries(entries: list[Entry], summary: AtlasImportSummary):
    existing = {e.external_id: e for e in TimelineEvent.objects.filter(external_id__startswith=PREFIX)}
    new, changed_events, touched = [], [], set()
    for entry in entries:
        values = {
            "date": entry.date.date,
            "date_precision": entry.date.precision,
            "kind": EventKind.DEPLOYMENT,
            "title": entry.title,
            "summary": entry.summary,
            "agency_id": entry.agency.pk if entry.agency else None,
            # Agencies come with their jurisdictions (importers/places.py): no query per row.
            "state": entry.agency.jurisdiction.state if entry.agency else "",
            "is_illustrative": entry.illustrative,
        }
        event = existing.get(entry.external_id)
        if event is None:
            new.append(TimelineEvent(external_id=entry.external_id, **values))
        elif any(getattr(event, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(event, name, value)
            changed_events.append(event)
    create_all(new, TimelineEvent, REASON)
    update_all(changed_events, TimelineEvent, EVENT_FIELDS, REASON)
    touched.update(e.pk for e in changed_events)
    events = {e.external_id: e for e in [*existing.values(), *new]}

    wanted_vendors = {events[e.external_id].pk: {v.pk for v in e.vendors} for e in entries}
    wanted_technologies = {events[e.external_id].pk: {t.pk for t in e.technologies} for e in entries}
    touched |= _sync_links(TimelineEvent.vendors.through, "vendor_id", wanted_vendors)
    touched |= _sync_links(TimelineEvent.technologies.through, "technology_id", wanted_technologies)
    touched |= _sync_sources({events[e.external_id].pk: e.sources for e in entries})

    new_ids = {e.pk for e in new}
    summary.events_created = len(new_ids)
    summary.events_updated = len(touched - new_ids)
    summary.events_unchanged = len(events.keys() & {e.external_id for e in entries}) - len(touched | new_ids)


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _sync_links(through, target: str, wanted: dict[int, set[int]]) -> set[int]:
    """Make each event's links (vendors or technologies) exactly the wanted ones; return the events changed."""
    current: dict[int, dict[int, int]] = defaultdict(dict)
    rows = through.objects.filter(timelineevent__external_id__startswith=PREFIX)
    for pk, event_id, target_id in rows.values_list("pk", "timelineevent_id", target):
        current[event_id][target_id] = pk
    stale, missing, changed = [], [], set()
    for event_id, targets in wanted.items():
        have = current.get(event_id, {})
        stale += [pk for target_id, pk in have.items() if target_id not in targets]
        missing += [through(timelineevent_id=event_id, **{target: t}) for t in sorted(targets - have.keys())]
        if have.keys() != targets:
            changed.add(event_id)
    for chunk in _chunks(stale):
        through.objects.filter(pk__in=chunk).delete()
    through.objects.bulk_create(missing, batch_size=1000)
    return changed


def _sync_sources(wanted: dict[int, list[tuple[str, str]]]) -> set[int]:
    """An entry's link sources are replaced, in order, when they differ from the row's; sources citing a
    document (added by staff) are left alone."""
    current: dict[int, list] = defaultdict(list)
    rows = EventSource.objects.filter(event__external_id__startswith=PREFIX, document__isnull=True).order_by("id")
    for pk, event_id, url, label in rows.values_list("pk", "event_id", "url", "label"):
        current[event_id].append((pk, url, label))
    stale, missing, changed = [], [], set()
    for event_id, sources in wanted.items():
        have = current.get(event_id, [])
        if [(url, label) for _, url, label in have] != sources:
            stale += [pk for pk, _, _ in have]
            missing += [EventSource(event_id=event_id, url=url, label=label) for url, label in sources]
            changed.add(event_id)
    for chunk in _chunks(stale):
        EventSource.objects.filter(pk__in=chunk).delete()
    create_all(missing, EventSource, REASON)
    return changed
