"""Import data-sharing links: who lets whom search its licence-plate-reader (or other) data.

Two kinds of file, told apart by their header (or, for a PDF, by its table):

- an edge list: one column naming the agency that shares (`src_agency`, `sharing_agency`, `from`...), one
  naming the one that receives (`external_agency`, `receiving_agency`, `to`...), optional date columns (`date`,
  `first_seen`, `last_seen`) and a portal column (the transparency portal's address, which then is the link's
  source);
- Flock Safety's "Sharing Agencies" report of one agency (its owner), from its CSV export or from the PDF an
  agency released: `Organization Name`, `Networks Shared With Me` (the organisation's networks the owner may
  search: the organisation shares with the owner) and `Networks I'm Sharing` (the owner's networks the
  organisation may search). A PDF's links cite the page their row is on.

Names are read as Flock writes them (importers/flock_names.py) and matched to the directory within their state
(importers/places.py: the same name in any spelling the normaliser treats as one, then the loose and typo
matches). A name no agency fits becomes an organisation of its own kind (a fusion centre, a company, an HOA, or a
law-enforcement agency not in the directory), listed in the summary; find_duplicates then suggests the agency it
may be. A report's owner that the directory lacks is added to it: a released list is that agency's own.

Every row is imported or reported. One link per pair and source (the document, else the URL): importing the same
list again changes nothing; a newer list of the same source moves `last_seen` on, and a link it no longer has
ends as of its date (never deleted). A link's visibility is set when it is created and never changed by an import.
"""

import datetime
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Q

from records.importers.bulk import create_all, one_import_at_a_time, refresh_statistics, update_all
from records.importers.csvfile import ImportFileError, last_record_cut, normalise_header, read_sheet
from records.importers.dates import read_date
from records.importers.flock_names import FlockName, parse_flock_name
from records.importers.flock_report import ReportRow, read_report_pdf
from records.importers.names import SlugAllocator, collapse
from records.importers.places import Agencies, Places, Where
from records.importers.procurements import ImportOptionError, check_options
from records.models import (
    Agency,
    AgencyKind,
    Document,
    Level,
    Organisation,
    SharingHow,
    SharingLink,
    Technology,
    Vendor,
    VendorAlias,
)
from records.rules.states import STATE_NAMES
from records.services.sharing import sharing_links_changed

REASON = "Imported from a sharing list"
DEFAULT_VENDOR = "Flock Safety"
DEFAULT_TECHNOLOGY = "Automated License Plate Readers"
NAME_LENGTH = 300

SHARER_COLUMNS = ["src_agency", "source_agency", "sharing_agency", "sharer", "from_agency", "from", "agency",
                  "shares", "owner", "data_owner"]  # fmt: skip
RECEIVER_COLUMNS = ["external_agency", "receiving_agency", "receiver", "recipient", "to_agency", "to",
                    "shared_with", "shares_with", "target", "external_org", "external_organization"]  # fmt: skip
DATE_COLUMNS = ["date", "as_of", "observed", "observed_on", "date_observed", "scraped", "scraped_on", "seen",
                "retrieved", "retrieved_on", "collected"]  # fmt: skip
FIRST_COLUMNS = ["first_seen", "first_observed", "start", "start_date", "since"]
LAST_COLUMNS = ["last_seen", "last_observed"]
PORTAL_COLUMNS = ["portal", "portal_url", "transparency_portal", "source_url", "url"]
REPORT_COLUMNS = ["organization name", "networks shared with me", "networks i'm sharing"]
SHARED_WITH_ME, I_AM_SHARING = "Networks Shared With Me", "Networks I'm Sharing"


class Layout:
    EDGES = "edge list"
    REPORT = "Flock Sharing Agencies report"


@dataclass(frozen=True)
class Observation:
    """One link a row states, before its names are matched."""

    where: str  # "file line 12" or "file page 3"
    sharer: str
    receiver: str
    direction: str
    networks: tuple[str, ...] = ()
    page: int | None = None
    first_seen: datetime.date | None = None
    last_seen: datetime.date | None = None
    portal: str = ""


@dataclass
class SharingImportSummary:
    files: int = 0
    rows: int = 0
    links_stated: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ended: int = 0
    repeated: int = 0
    reported: int = 0
    organisations_created: int = 0
    agencies_created: int = 0
    names: int = 0
    names_matched: int = 0
    unmatched: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Files whose last row was cut short: an incomplete list, which says nothing of the links it lacks.
    cut_files: list[str] = field(default_factory=list)

    @property
    def match_rate(self) -> float:
        return self.names_matched / self.names if self.names else 0.0


@dataclass
class Party:
    """One side of a link: an agency of the directory, or an organisation."""

    agency: Agency | None = None
    organisation: Organisation | None = None

    @property
    def key(self) -> str:
        record = self.agency or self.organisation
        return f"{'a' if self.agency else 'o'}{record.pk or id(record)}"


def _find(headers: list[str], names: list[str]) -> int | None:
    wanted = [normalise_header(name) for name in names]
    for name in wanted:
        if name in headers:
            return headers.index(name)
    return None


def _is_header(record: list[str]) -> bool:
    headers = [normalise_header(cell) for cell in record]
    report = all(normalise_header(name) in headers for name in REPORT_COLUMNS[:1]) and any(
        normalise_header(name) in headers for name in REPORT_COLUMNS[1:]
    )
    return report or (_find(headers, SHARER_COLUMNS) is not None and _find(headers, RECEIVER_COLUMNS) is not None)


def _networks(cell: str) -> list[str]:
    return list(dict.fromkeys(collapse(part) for part in cell.split(",") if collapse(part)))


def _report_observations(rows: list[ReportRow], owner: str, name: str, cite_page: bool) -> list[Observation]:
    observations = []
    for row in rows:
        where = f"{name} page {row.page}" if cite_page else f"{name} line {row.page}"
        page = row.page if cite_page else None
        shared_with_me, i_am_sharing = _networks(row.shared_with_me), _networks(row.i_am_sharing)
        if shared_with_me:
            observations.append(
                Observation(where, row.organisation, owner, SHARED_WITH_ME, tuple(shared_with_me), page=page)
            )
        if i_am_sharing:
            observations.append(
                Observation(where, owner, row.organisation, I_AM_SHARING, tuple(i_am_sharing), page=page)
            )
    return observations


def _report_owner(rows: list[ReportRow], owner: str | None, path: Path) -> str:
    """The agency whose report it is: given, or the one the "Networks I'm Sharing" column names most."""
    if owner:
        return owner
    bases = Counter(parse_flock_name(n).base for row in rows for n in _networks(row.i_am_sharing))
    if not bases:
        raise ImportOptionError(
            f"{path}: no row says which networks its agency shares (Networks I'm Sharing is empty), so the report's "
            "agency is not known: name it with --owner, as Flock writes it (e.g. 'Okaloosa County FL SO')."
        )
    return bases.most_common(1)[0][0]


def _read_csv(path: Path, label: str, owner: str | None, summary: SharingImportSummary):
    """(layout, observations, owners) of a CSV, text or Excel file; rows that state no link are reported."""
    sheet = read_sheet(path, what="a sharing list (two columns naming the sharing and the receiving agency, or "
                       "Flock's Sharing Agencies report)", is_header=_is_header)  # fmt: skip
    for note in sheet.notes:
        summary.warnings.append(f"{label} line {note.row}: {note.reason}")
    header = [normalise_header(cell) for cell in sheet.records[0]]
    if not _is_header(sheet.records[0]):
        raise ImportFileError(
            f"{path} is neither an edge list nor a Flock Sharing Agencies report: expected a column naming the "
            f"sharing agency ({', '.join(SHARER_COLUMNS[:4])}...) and one naming the receiver "
            f"({', '.join(RECEIVER_COLUMNS[:4])}...), or the columns {', '.join(REPORT_COLUMNS)}. Columns found: "
            f"{', '.join(c.strip() for c in sheet.records[0] if c.strip()) or 'none'}."
        )
    cut = last_record_cut(sheet)
    last = sheet.header_row + len(sheet.records) - 1
    body = []
    for number, record in enumerate(sheet.records[1:], start=sheet.header_row + 1):
        if not any(cell.strip() for cell in record):
            continue
        summary.rows += 1
        if cut and number == last:
            summary.reported += 1
            summary.warnings.append(f"{label} line {number}: not imported: {cut}")
            summary.cut_files.append(label)
            continue
        body.append((number, record))

    def cell(record, index):
        return collapse(record[index]) if index is not None and index < len(record) else ""

    organisation = _find(header, REPORT_COLUMNS[:1])
    if organisation is not None and _find(header, SHARER_COLUMNS) is None:
        with_me, sharing = _find(header, REPORT_COLUMNS[1:2]), _find(header, REPORT_COLUMNS[2:])
        rows = [
            ReportRow(number, cell(r, organisation), cell(r, with_me), cell(r, sharing))
            for number, r in body
            if cell(r, organisation)
        ]
        for number, r in body:
            if not cell(r, organisation):
                summary.reported += 1
                summary.warnings.append(f"{label} line {number}: not imported: no organisation name")
        for row in rows:
            if not (row.shared_with_me or row.i_am_sharing):
                summary.reported += 1
                summary.warnings.append(f"{label} line {row.page}: not imported: {row.organisation} shares nothing")
        owner_name = _report_owner(rows, owner, path)
        return Layout.REPORT, _report_observations(rows, owner_name, label, cite_page=False), {owner_name}

    sharer, receiver = _find(header, SHARER_COLUMNS), _find(header, RECEIVER_COLUMNS)
    date, first, last_seen = _find(header, DATE_COLUMNS), _find(header, FIRST_COLUMNS), _find(header, LAST_COLUMNS)
    portal = _find(header, PORTAL_COLUMNS)
    direction = f"{sheet.records[0][sharer].strip()} → {sheet.records[0][receiver].strip()}"
    observations = []
    for number, record in body:
        where = f"{label} line {number}"
        one, other = cell(record, sharer), cell(record, receiver)
        if not one or not other:
            summary.reported += 1
            summary.warnings.append(f"{where}: not imported: {'no sharing agency' if not one else 'no receiver'}")
            continue
        dates = {}
        for key, index in (("date", date), ("first", first), ("last", last_seen)):
            text = cell(record, index)
            if not text:
                continue
            parsed = _date(text)
            if parsed is None:
                summary.warnings.append(f"{where}: the date {text!r} cannot be read: the list's date is used")
            else:
                dates[key] = parsed
        url = cell(record, portal)
        if url and not re.match(r"https?://", url, re.IGNORECASE):
            summary.warnings.append(f"{where}: the portal {url!r} is not an http(s) address: the list's source is used")
            url = ""
        observations.append(
            Observation(
                where, one, other, direction,
                first_seen=dates.get("first") or dates.get("date"),
                last_seen=dates.get("last") or dates.get("date"),
                portal=url[:500],
            )
        )  # fmt: skip
    owners = {o.sharer for o in observations}
    return Layout.EDGES, observations, owners


def _date(text: str) -> datetime.date | None:
    """A cell's date: "2024-04-26", "2024-04-26T13:05:00Z", "04/26/2024" (a time of day is set aside)."""
    if match := re.match(r"(\d{4}-\d{1,2}-\d{1,2})[T ]", text):
        text = match[1]
    found = read_date(text).value
    return found.date if found else None


def _kind_of(name: FlockName) -> str:
    return {
        "police": AgencyKind.POLICE,
        "sheriff": AgencyKind.SHERIFF,
        "prosecutor": AgencyKind.PROSECUTOR,
        "state_police": AgencyKind.STATE_POLICE,
    }.get(name.kind, AgencyKind.OTHER)


class Matcher:
    """Flock's names to directory agencies or organisations, read once and kept for the whole import."""

    def __init__(self, summary: SharingImportSummary):
        self.places = Places()
        self.agencies = Agencies(self.places)
        self.summary = summary
        self.organisations = {(o.name.casefold(), o.state): o for o in Organisation.objects.all()}
        self.new_organisations: list[Organisation] = []
        self.found: dict[str, Party] = {}
        self.matched: set[str] = set()
        self.unmatched: dict[str, str] = {}

    def _agency(self, name: FlockName) -> Agency | None:
        # A name without a state can only be a federal agency's (the directory files those under no state).
        for state in [name.state]:
            for candidate in [name.text, name.base, *name.directory_names()]:
                found = self.agencies.named(state, candidate)
                if len(found) == 1:
                    return found[0]
                if len(found) > 1:
                    kind = _kind_of(name)
                    fits = [a for a in found if a.kind == kind]
                    return fits[0] if len(fits) == 1 else None
            where = Where.of(city=name.place, county=name.place)
            for candidate in name.directory_names():
                agency, _how = self.agencies.similar(state, candidate, where)
                if agency is not None:
                    return agency
        return None

    def party(self, raw: str, *, owner: bool = False) -> Party:
        name = parse_flock_name(raw)
        key = f"{name.base.casefold()}|{name.state}"
        if key in self.found:
            return self.found[key]
        agency = self._agency(name)
        if agency is None and owner:
            agency = self._add_agency(name)
        if agency is not None:
            party = Party(agency=agency)
            self.matched.add(key)
        else:
            party = Party(organisation=self._organisation(name))
            self.unmatched[key] = f"{name.base} ({name.state})" if name.state else name.base
        self.found[key] = party
        return party

    def _add_agency(self, name: FlockName) -> Agency:
        """The owner of a released list, missing from the directory: added under its county, city or state."""
        state = name.state if name.state in STATE_NAMES else ""
        if not state:
            raise ImportOptionError(f"The list's agency {name.text!r} names no state: give --owner with its state.")
        directory = name.directory_names()
        full = directory[0] if directory else name.base
        place = name.place
        if name.kind == "sheriff" and re.search(r"\b(county|parish)\b", place, re.IGNORECASE):
            jurisdiction = self.places.local(Level.COUNTY, state, place)
        elif name.kind == "police" and place:
            jurisdiction = self.places.local(Level.CITY, state, place)
        else:
            jurisdiction = self.places.state(state)
        agency = self.agencies.add(name=full, jurisdiction=jurisdiction, kind=_kind_of(name))
        self.summary.warnings.append(
            f"the list's agency {name.text!r} is not in the directory: added as {full} ({state}), for an editor "
            "to check"
        )
        return agency

    def _organisation(self, name: FlockName) -> Organisation:
        label = name.base[:200]
        key = (label.casefold(), name.state)
        if key not in self.organisations:
            organisation = Organisation(name=label, state=name.state, kind=name.organisation_kind())
            self.organisations[key] = organisation
            self.new_organisations.append(organisation)
        return self.organisations[key]

    def save(self):
        self.places.save(REASON)
        self.summary.agencies_created = self.agencies.save(REASON)
        if self.new_organisations:
            create_all(self.new_organisations, Organisation, REASON)
        self.summary.organisations_created = len(self.new_organisations)


def _vendor(name: str) -> Vendor:
    key = collapse(name)
    vendor = Vendor.objects.filter(name__iexact=key).first()
    if vendor is None:
        alias = VendorAlias.objects.filter(name__iexact=key).select_related("vendor").first()
        vendor = alias.vendor if alias else None
    if vendor is None:
        vendor = Vendor(name=key, slug=SlugAllocator(Vendor).allocate(key))
        vendor._change_reason = REASON
        vendor.save()
    return vendor


def _technology(name: str) -> Technology:
    technology = Technology.objects.filter(Q(name__iexact=name) | Q(slug__iexact=name)).first()
    if technology is None:
        known = ", ".join(Technology.objects.values_list("name", flat=True)[:20])
        raise ImportOptionError(f"No technology named {name!r}. Known: {known}.")
    return technology


@dataclass
class _Seen:
    """One link as this import states it: the rows that state it merged."""

    sharer: Party
    receiver: Party
    sharer_name: str
    receiver_name: str
    direction: str
    where: str
    page: int | None
    portal: str
    networks: list[str]
    first_seen: datetime.date
    last_seen: datetime.date
    how: str


def _layout_of(path: Path) -> str:
    with open(path, "rb") as handle:
        return "pdf" if handle.read(5) == b"%PDF-" else "sheet"


def read_observations(paths, *, owner: str | None, summary: SharingImportSummary):
    """Every file's observations and owners, read and checked before anything is written."""
    read = []
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise ImportFileError(f"No such file: {path}")
        summary.files += 1
        if _layout_of(path) == "pdf":
            rows = read_report_pdf(path)
            summary.rows += len(rows)
            owner_name = _report_owner(rows, owner, path)
            for row in rows:
                if not (row.shared_with_me or row.i_am_sharing):
                    summary.reported += 1
                    summary.warnings.append(f"{path} page {row.page}: not imported: {row.organisation} shares nothing")
            read.append(
                (Layout.REPORT, _report_observations(rows, owner_name, str(path), cite_page=True), {owner_name})
            )
        else:
            read.append(_read_csv(path, str(path), owner, summary))
    return read


@transaction.atomic
def import_sharing(
    paths,
    *,
    source_url: str = "",
    document: Document | None = None,
    how: str | None = None,
    seen_on: datetime.date | None = None,
    owner: str | None = None,
    vendor: str = DEFAULT_VENDOR,
    technology: str = DEFAULT_TECHNOLOGY,
    credit: str = "",
    visibility: str = "private",
    embargo_until: datetime.date | None = None,
    user=None,
    dry_run: bool = False,
    today: datetime.date | None = None,
) -> SharingImportSummary:
    today = today or datetime.date.today()
    check_options(user=user, visibility=visibility, embargo_until=embargo_until, today=today)
    if bool(source_url) == bool(document):
        raise ImportOptionError("Give the list's source: --source-url URL or --document ID (one of them).")
    if source_url and not re.match(r"https?://", source_url, re.IGNORECASE):
        raise ImportOptionError(f"--source-url {source_url!r} is not an http(s) address.")
    if how is not None and how not in SharingHow.values:
        raise ImportOptionError(f"Unknown --how {how!r}: use {', '.join(SharingHow.values)}.")
    seen_on = seen_on or (document.date if document else None)
    summary = SharingImportSummary()
    files = read_observations(paths, owner=owner, summary=summary)
    if seen_on is None and any(o.last_seen is None for _, observations, _ in files for o in observations):
        raise ImportOptionError(
            "Say when the list was observed: --date YYYY-MM-DD (the day the portal was read or the document dated)."
        )
    one_import_at_a_time()
    matcher = Matcher(summary)
    the_vendor, the_technology = _vendor(vendor) if vendor else None, _technology(technology) if technology else None

    seen: dict[tuple[str, str, str], _Seen] = {}
    scopes: dict[str, set[str]] = {}  # source key -> the parties whose lists this import is
    list_dates: dict[str, datetime.date] = {}
    for layout, observations, owners in files:
        link_how = how or (SharingHow.PORTAL if layout == Layout.EDGES else SharingHow.RECORDS)
        owner_parties = {name: matcher.party(name, owner=layout == Layout.REPORT) for name in owners}
        for observation in observations:
            sharer = owner_parties.get(observation.sharer) or matcher.party(observation.sharer)
            receiver = owner_parties.get(observation.receiver) or matcher.party(observation.receiver)
            summary.links_stated += 1
            if sharer.key == receiver.key:
                summary.reported += 1
                summary.warnings.append(
                    f"{observation.where}: not imported: {observation.sharer!r} and {observation.receiver!r} are one "
                    "agency (a list names its own agency among those it shares with)"
                )
                continue
            url = observation.portal or source_url
            source_key = SharingLink.key_of(document_id=document.pk if document else None, source_url=url)
            first = observation.first_seen or seen_on
            last = observation.last_seen or seen_on
            owner_party = sharer if observation.direction != SHARED_WITH_ME else receiver
            scopes.setdefault(source_key, set()).add(owner_party.key)
            list_dates[source_key] = max(list_dates.get(source_key, last), last)
            key = (source_key, sharer.key, receiver.key)
            if key in seen:
                earlier = seen[key]
                if observation.direction == earlier.direction and set(observation.networks) <= set(earlier.networks):
                    summary.repeated += 1
                    summary.warnings.append(f"{observation.where}: the same link as {earlier.where}: counted once")
                earlier.networks += [n for n in observation.networks if n not in earlier.networks]
                earlier.first_seen, earlier.last_seen = min(earlier.first_seen, first), max(earlier.last_seen, last)
                continue
            seen[key] = _Seen(
                sharer, receiver, observation.sharer[:NAME_LENGTH], observation.receiver[:NAME_LENGTH],
                observation.direction, observation.where, observation.page, url, list(observation.networks),
                first, last, link_how,
            )  # fmt: skip

    summary.names = len(matcher.found)
    summary.names_matched = len(matcher.matched)
    summary.unmatched = sorted(matcher.unmatched.values(), key=str.casefold)
    if summary.cut_files:
        summary.warnings.append(
            f"{', '.join(summary.cut_files)} looks cut short: no link was marked ended (import the whole list for that)"
        )
    matcher.save()
    _write_links(seen, scopes, list_dates, document, the_vendor, the_technology, collapse(credit)[:300], visibility,
                 embargo_until, user, summary, end_missing=not summary.cut_files)  # fmt: skip
    if dry_run:
        # Counted as a real import would, then undone.
        transaction.set_rollback(True)
        return summary
    refresh_statistics([SharingLink, Organisation])
    return summary


def _write_links(seen, scopes, list_dates, document, vendor, technology, credit, visibility, embargo_until, user,
                 summary, *, end_missing: bool):  # fmt: skip
    existing = {
        (link.source_key, link.pair_key): link
        for link in SharingLink.objects.filter(source_key__in=list(scopes)).order_by("pk")
    }
    new, changed = [], []
    fields = ["first_seen", "last_seen", "ended_on", "networks", "page", "sharer_name", "receiver_name", "credit"]
    observed = set()
    for found in seen.values():
        link = SharingLink(
            sharer_agency=found.sharer.agency,
            sharer_organisation=found.sharer.organisation,
            receiver_agency=found.receiver.agency,
            receiver_organisation=found.receiver.organisation,
        )
        link.document, link.source_url = document, found.portal if not document else ""
        link.set_keys()
        observed.add((link.source_key, link.pair_key))
        current = existing.get((link.source_key, link.pair_key))
        networks = "\n".join(found.networks)
        if current is None:
            link.sharer_name, link.receiver_name = found.sharer_name, found.receiver_name
            link.technology, link.vendor, link.how, link.direction = technology, vendor, found.how, found.direction
            link.networks, link.page, link.credit = networks, found.page, credit
            link.first_seen, link.last_seen = found.first_seen, found.last_seen
            link.visibility, link.embargo_until, link.added_by = visibility, embargo_until, user
            new.append(link)
            continue
        before = [getattr(current, name) for name in fields]
        if current.first_seen is None or found.first_seen < current.first_seen:
            current.first_seen = found.first_seen
        if current.last_seen is None or found.last_seen > current.last_seen:
            current.last_seen = found.last_seen
            # Seen again after it had ended: it is in force again.
            current.ended_on = None
        elif current.ended_on and found.last_seen >= current.ended_on:
            current.ended_on = None
        current.networks = "\n".join(dict.fromkeys([*current.networks.splitlines(), *found.networks]))
        current.page = current.page or found.page
        current.sharer_name = current.sharer_name or found.sharer_name
        current.receiver_name = current.receiver_name or found.receiver_name
        current.credit = credit or current.credit
        if [getattr(current, name) for name in fields] != before:
            changed.append(current)
        else:
            summary.unchanged += 1
    # A link of the same source and scope that this (newer) list no longer has ended as of the list's date; an
    # incomplete list (its last row cut short) ends nothing.
    for (source_key, _pair), link in existing.items() if end_missing else ():
        if (source_key, link.pair_key) in observed or link.ended_on is not None:
            continue
        sides = {link.pair_key.split(">")[0], link.pair_key.split(">")[1]}
        if not sides & scopes.get(source_key, set()):
            continue
        list_date = list_dates[source_key]
        if link.last_seen is None or link.last_seen < list_date:
            link.ended_on = list_date
            changed.append(link)
            summary.ended += 1
    create_all(new, SharingLink, REASON)
    update_all(changed, SharingLink, fields, REASON)
    # The public summaries of the agencies these links touch, and of those sharing with them (two hops).
    sharing_links_changed(links=[*new, *changed])
    summary.created = len(new)
    summary.updated = len(changed) - summary.ended
