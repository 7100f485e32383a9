"""Import procurements from CSV: USAspending.gov award data, in the award search layout or the bulk prime award
download, and the tracker's own layout for city and county contract lists (docs/IMPORTING.md describes all three).

Each procurement has a stable key (Procurement.external_id): "usaspending:<generated_internal_id>" for an award
(a PIID alone can repeat across agencies), "csv:<agency slug>:<reference>" for a row of our own layout. Importing
again updates what the file gives and never duplicates; a row identical to what is stored writes nothing, not even
a history row. The visibility chosen applies to new procurements only: an editor may have published one since.

Every file is read and checked before anything is written, and all of them are imported in one transaction, so a
file that cannot be imported leaves nothing behind. A row that cannot be imported is reported with its file and
line (the header is line 1, as a spreadsheet numbers rows) and the reason; whatever had to be guessed or left out
of a row that is imported is a warning with its line.
"""

import datetime
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from simple_history.utils import update_change_reason

from records.importers.bulk import one_import_at_a_time, refresh_statistics
from records.importers.csvfile import ImportFileError, last_record_cut, normalise_header, read_sheet
from records.importers.dates import read_date
from records.importers.names import (
    collapse,
    normalise_agency_name,
    readable_case,
    state_code,
    vendor_match_key,
)
from records.importers.places import Agencies, Places
from records.models import (
    Agency,
    AgencyAlias,
    AgencyKind,
    FundingSource,
    Jurisdiction,
    Level,
    Procurement,
    ProcurementKind,
    ProcurementMethod,
    ProcurementStatus,
    TimelineEvent,
    Vendor,
    VendorAlias,
    Visibility,
)
from records.models.slugs import unique_slug
from records.rules.permissions import is_editor
from records.services.timeline import procurement_record, procurement_update

REASON = "Imported from a procurement file"
USASPENDING_PREFIX = "usaspending:"
CSV_PREFIX = "csv:"
AWARD_PAGE = "https://www.usaspending.gov/award/"
TITLE_LENGTH = Procurement._meta.get_field("title").max_length
REFERENCE_LENGTH = Procurement._meta.get_field("reference_number").max_length
KEY_LENGTH = Procurement._meta.get_field("external_id").max_length
NAME_LENGTH = Vendor._meta.get_field("name").max_length
LARGEST_AMOUNT = Decimal("999999999999.99")  # max_digits=14, decimal_places=2
# A contract's end date may lie decades ahead; a year further off than this is a typo.
YEARS_AHEAD = 50

# Department-level offices that buy for the whole department: their purchases are the department's own.
DEPARTMENT_OFFICES = {
    normalise_agency_name(name)
    for name in (
        "Offices, Boards and Divisions",  # Justice
        "Office of Procurement Operations",  # Homeland Security headquarters
        "Office of the Secretary",
        "Immediate Office of the Secretary",
        "Office of the Secretary of Defense",
        "Departmental Offices",  # Treasury
        "Departmental Administration",  # Agriculture
        "Departmental Management",
        "Office of the Chief Procurement Officer",
    )
}
# Recipients that name nobody: aggregated awards to individuals.
NO_RECIPIENT = {"multiple recipients", "redacted due to pii", "miscellaneous foreign awardees", "unknown"}
# A vendor whose whole name is made of these words is too general to be a near match of a longer name.
GENERIC_WORDS = {
    "general", "national", "american", "united", "international", "global", "advanced", "applied", "digital",
    "data", "security", "technology", "technologies", "systems", "solutions", "services", "group", "federal",
    "us", "usa", "north", "south", "east", "west", "first", "new", "premier", "integrated", "information",
    "smart", "safety", "public", "and", "of", "the",
}  # fmt: skip


# --- Layouts -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    name: str
    # meaning -> the headers that carry it, the first present one winning
    columns: dict[str, tuple[str, ...]]
    # meanings without which a file is not of this layout (a tuple: any one of them will do)
    required: tuple[str | tuple[str, ...], ...]

    def index(self, header: list[str]) -> dict[str, int]:
        normalised = [normalise_header(h) for h in header]
        found = {}
        for meaning, names in self.columns.items():
            for name in names:
                if normalise_header(name) in normalised:
                    found[meaning] = normalised.index(normalise_header(name))
                    break
        return found

    def missing(self, index: dict[str, int]) -> list[str]:
        absent = []
        for need in self.required:
            options = need if isinstance(need, tuple) else (need,)
            if not any(option in index for option in options):
                absent.append(" or ".join(self.columns[option][0] for option in options))
        return absent

    def expected(self) -> str:
        names = [" or ".join(self.columns[o][0] for o in (n if isinstance(n, tuple) else (n,))) for n in self.required]
        return f"{self.name} ({', '.join(names)}, ...)"


SEARCH = Layout(
    "the USAspending award search table",
    {
        "award_id": ("Award ID",),
        "recipient": ("Recipient Name",),
        "amount": ("Award Amount",),
        "start": ("Start Date",),
        "end": ("End Date", "Last Date to Order"),
        "agency": ("Awarding Agency",),
        "sub_agency": ("Awarding Sub Agency",),
        "description": ("Description",),
        "award_type": ("Contract Award Type", "Award Type"),
        "generated_id": ("generated_internal_id",),
        "uei": ("Recipient UEI",),
        "signed": ("Base Obligation Date",),
    },
    required=("award_id", "recipient", "agency", "generated_id"),
)
BULK = Layout(
    "the USAspending prime award download",
    {
        "award_id": ("award_id_piid", "award_id_fain", "award_id_uri"),
        "recipient": ("recipient_name",),
        "amount": ("total_obligated_amount",),
        "value": ("current_total_value_of_award",),
        "start": ("period_of_performance_start_date",),
        "end": ("period_of_performance_current_end_date",),
        "agency": ("awarding_agency_name",),
        "sub_agency": ("awarding_sub_agency_name",),
        "description": ("prime_award_base_transaction_description",),
        "award_type": ("award_type",),
        "award_type_code": ("award_type_code",),
        "permalink": ("usaspending_permalink",),
        "generated_id": ("contract_award_unique_key", "assistance_award_unique_key"),
        "uei": ("recipient_uei",),
        "naics": ("naics_code",),
        "psc": ("product_or_service_code",),
        "signed": ("award_base_action_date",),
        "program": ("assistance_listing_title", "cfda_title"),
    },
    required=("award_id", "recipient", "agency", ("permalink", "generated_id")),
)
OWN = Layout(
    "the tracker's procurement CSV (docs/IMPORTING.md)",
    {
        "agency": ("agency", "agency_slug"),
        "state": ("state",),
        "vendor": ("vendor",),
        "title": ("title",),
        "kind": ("kind",),
        "amount": ("amount",),
        "currency": ("currency",),
        "signed": ("signed", "signed_on", "date_signed"),
        "start": ("start", "start_on", "start_date"),
        "end": ("end", "end_on", "end_date"),
        "reference": ("reference", "reference_number", "contract_number"),
        "source_url": ("source_url", "url", "source"),
        "description": ("description",),
        "status": ("status",),
        "method": ("method",),
        "method_rationale": ("method_rationale",),
        "funding_source": ("funding_source",),
        "funding_program": ("funding_program",),
        "funding_award_number": ("funding_award_number",),
    },
    required=("agency", "vendor", "title", "reference"),
)
LAYOUTS = (SEARCH, BULK, OWN)


def _has_a_layout(header: list[str]) -> bool:
    """Whether a row is the header of a layout we read (and not a title above it)."""
    return any(not layout.missing(layout.index(header)) for layout in LAYOUTS)


WHAT = "; or ".join(layout.expected() for layout in LAYOUTS)


# --- What a file says ---------------------------------------------------------------------------------------------


class ImportOptionError(ValueError):
    """The options asked for something the import may not do (publishing as a non-editor, a past embargo)."""


@dataclass
class ProcurementImportSummary:
    files: int = 0
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    reported: int = 0
    agencies_created: int = 0
    agencies_updated: int = 0
    vendors_created: int = 0
    warnings: list[str] = field(default_factory=list)
    possible_aliases: list[str] = field(default_factory=list)
    file_names: list[str] = field(default_factory=list)


@dataclass
class Row:
    """One row of a file, read into what the procurement will hold; its agency and vendor are resolved later."""

    file: str
    line: int
    layout: Layout
    fields: dict
    vendor_name: str
    uei: str = ""
    key: str = ""  # external_id; for our own layout it needs the agency
    department: str = ""  # USAspending: the awarding agency and sub-agency
    sub_agency: str = ""
    agency_cell: str = ""  # our own layout: slug or name, and state
    state_cell: str = ""
    parent_key: str = ""  # the IDV a delivery order was placed under
    parent_note: str = ""
    agency: Agency | None = None
    vendor: Vendor | None = None

    @property
    def where(self) -> str:
        return f"{self.file} line {self.line}"


class _Reader:
    def __init__(self, summary: ProcurementImportSummary, today: datetime.date):
        self.summary = summary
        self.today = today

    def warn(self, where: str, reason: str):
        self.summary.warnings.append(f"{where}: {reason}")

    def report(self, where: str, reason: str):
        self.summary.reported += 1
        self.warn(where, f"not imported: {reason}")

    def date(self, where: str, raw: str, label: str) -> datetime.date | None:
        text = re.sub(r"[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2}|UTC)?$", "", collapse(raw))
        read = read_date(text, self.today, years_ahead=YEARS_AHEAD)
        if read.note:
            # A procurement's dates are days: a typo's year or month is no date to store.
            self.warn(where, f"{label} {raw.strip()!r} is not a date: left empty")
            return None
        if read.value is None:
            return None
        if read.value.precision != "day":
            self.warn(where, f"{label} {raw.strip()!r} gives no day: stored as {read.value.date}")
        return read.value.date

    def amount(self, where: str, raw: str, label: str) -> Decimal | None:
        text = collapse(raw).replace("$", "").replace(",", "").replace(" ", "")
        if not text:
            return None
        negative = text.startswith("(") and text.endswith(")")
        try:
            value = Decimal(text.strip("()"))
        except InvalidOperation:
            self.warn(where, f"{label} {raw.strip()!r} is not a number: the amount is left empty")
            return None
        if not value.is_finite():
            self.warn(where, f"{label} {raw.strip()!r} is not a number: the amount is left empty")
            return None
        value = -value if negative else value
        if value < 0:
            self.warn(where, f"{label} {raw.strip()} is negative (money taken back): the amount is left empty")
            return None
        if value > LARGEST_AMOUNT:
            self.warn(where, f"{label} {raw.strip()} is too large to be an amount: the amount is left empty")
            return None
        return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def dates(self, where: str, cells: dict, index: dict) -> dict:
        fields = {}
        for meaning, name in (("signed", "signed_on"), ("start", "start_on"), ("end", "end_on")):
            if meaning in index:
                fields[name] = self.date(where, cells[meaning], f"{name.replace('_on', '')} date")
        start, end = fields.get("start_on"), fields.get("end_on")
        if start and end and end < start:
            self.warn(where, f"the end date {end} is before the start date {start}: the end date is left empty")
            fields["end_on"] = None
        return fields

    def status(self, end: datetime.date | None) -> str:
        if end is None:
            return ProcurementStatus.UNKNOWN
        return ProcurementStatus.ACTIVE if end >= self.today else ProcurementStatus.COMPLETED


def _title(text: str) -> str:
    text = collapse(text)
    if len(text) <= TITLE_LENGTH:
        return text
    return text[: TITLE_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def _clean_description(text: str) -> str:
    """Federal descriptions often start with a contract-type tag: 'IGF::OT::IGF THE PURPOSE ...'."""
    return re.sub(r"^\s*(IGF::[A-Z]+::IGF\b[\s:;,-]*)+", "", text or "", flags=re.IGNORECASE).strip()


def _kind_words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


# Award types (USAspending's words or its codes) onto our kinds, tried in order: a "BPA call" is a purchase
# under a BPA, not a BPA.
KIND_RULES: list[tuple[re.Pattern, str]] = [
    (re.compile(r"\b(delivery order|task order|bpa call|call order|do|to)\b"), ProcurementKind.PURCHASE_ORDER),
    (re.compile(r"\b(purchase order|po)\b"), ProcurementKind.PURCHASE_ORDER),
    (re.compile(r"\b(definitive contract|definitive)\b"), ProcurementKind.CONTRACT),
    (
        re.compile(
            r"\b(idv|idc|indefinite delivery|idiq|gwac|government wide|fss|federal supply schedule|bpa|"
            r"blanket purchase agreement|boa|basic ordering agreement)\b"
        ),
        ProcurementKind.FRAMEWORK,
    ),
    (re.compile(r"\b(grant|cooperative agreement)\b"), ProcurementKind.GRANT),
]
# award_type_code in the bulk download: contracts A-D, IDVs IDV_*, assistance 02-05 (grants, cooperative agreements).
KIND_CODES = {
    "a": ProcurementKind.PURCHASE_ORDER,  # BPA call
    "b": ProcurementKind.PURCHASE_ORDER,  # purchase order
    "c": ProcurementKind.PURCHASE_ORDER,  # delivery order
    "d": ProcurementKind.CONTRACT,  # definitive contract
    "02": ProcurementKind.GRANT,
    "03": ProcurementKind.GRANT,
    "04": ProcurementKind.GRANT,
    "05": ProcurementKind.GRANT,
}


def award_kind(award_type: str, code: str = "", generated_id: str = "") -> str | None:
    """The kind an award type names; None when it names none of ours."""
    code = collapse(code).lower()
    if code.startswith("idv"):
        return ProcurementKind.FRAMEWORK
    if code in KIND_CODES:
        return KIND_CODES[code]
    words = _kind_words(award_type)
    if words in KIND_CODES:
        return KIND_CODES[words]
    for pattern, kind in KIND_RULES:
        if pattern.search(words):
            return kind
    if not words and generated_id.startswith("CONT_IDV_"):
        return ProcurementKind.FRAMEWORK
    if not words and generated_id.startswith("ASST_"):
        return ProcurementKind.GRANT
    return None


GENERATED_ID = re.compile(r"(CONT_AWD|CONT_IDV|ASST_NON|ASST_AGG)_[A-Za-z0-9._-]+(_[A-Za-z0-9._-]+)*")


def generated_id_from_permalink(url: str) -> str:
    """'https://www.usaspending.gov/award/CONT_AWD_.../' -> 'CONT_AWD_...'; '' when it is no award page."""
    try:
        parts = urlsplit(collapse(url))
    except ValueError:
        return ""
    segments = [s for s in parts.path.split("/") if s]
    if not (parts.hostname or "").endswith("usaspending.gov") or len(segments) < 2 or segments[-2] != "award":
        return ""
    return segments[-1]


def parent_idv(generated_id: str) -> tuple[str, str, str]:
    """A delivery order's id names the IDV it was placed under: CONT_AWD_<piid>_<agency>_<parent piid>_<parent
    agency>. Returns (the parent's key, its PIID, its award page), or empty strings when there is none."""
    if not generated_id.startswith("CONT_AWD_"):
        return "", "", ""
    parts = generated_id.removeprefix("CONT_AWD_").rsplit("_", 3)
    if len(parts) != 4 or parts[2] in {"-NONE-", ""} or parts[3] in {"-NONE-", ""}:
        return "", "", ""
    parent = f"CONT_IDV_{parts[2]}_{parts[3]}"
    return f"{USASPENDING_PREFIX}{parent}", parts[2], f"{AWARD_PAGE}{parent}"


def _choice(text: str, choices, aliases: dict[str, str] | None = None) -> str | None:
    """A choice given by its value or its label, case and punctuation aside."""
    words = _kind_words(text)
    for value, label in choices:
        if words in {_kind_words(value), _kind_words(str(label))}:
            return value
    return (aliases or {}).get(words)


KIND_ALIASES = {"master contract": "framework", "cooperative contract": "framework", "po": "purchase_order",
                "pilot": "free_trial", "free trial": "free_trial", "trial": "free_trial"}  # fmt: skip
METHOD_ALIASES = {"sole source": "direct", "direct award": "direct", "competitive": "open", "rfp": "open",
                  "cooperative": "cooperative", "piggyback": "cooperative"}  # fmt: skip


class _FileReader(_Reader):
    def read(self, path: Path) -> list[Row]:
        sheet = read_sheet(path, what=WHAT, is_header=_has_a_layout)
        records = sheet.records
        name = str(path)  # as given: two files of one name in two folders are told apart
        for note in sheet.notes:
            self.warn(f"{name} line {note.row}", note.reason)
        header = records[0]
        layout, index = self._layout(path, header)
        rows = []
        # A key cut inside the last row would otherwise be imported as another award.
        cut = last_record_cut(sheet)
        last = sheet.header_row + len(records) - 1
        for line, record in enumerate(records[1:], start=sheet.header_row + 1):
            if not any(cell.strip() for cell in record):
                continue
            self.summary.rows += 1
            where = f"{name} line {line}"
            if cut and line == last:
                self.report(where, cut)
                continue
            if len(record) != len(header):
                shape = "looks truncated" if len(record) < len(header) else "has cells beyond the header's columns"
                self.report(where, f"it has {len(record)} cells where the header has {len(header)}: the row {shape}")
                continue
            cells = {meaning: record[i].strip() for meaning, i in index.items()}
            reader = self._usaspending if layout in (SEARCH, BULK) else self._own
            row = reader(where, layout, cells, index)
            if row is not None:
                row.file, row.line = name, line
                rows.append(row)
        return rows

    def _layout(self, path: Path, header: list[str]) -> tuple[Layout, dict[str, int]]:
        candidates = []
        for layout in LAYOUTS:
            index = layout.index(header)
            missing = layout.missing(index)
            if not missing:
                return layout, index
            candidates.append((len(layout.required) - len(missing), layout, missing))
        found = ", ".join(h.strip() for h in header if h.strip()) or "none"
        present, layout, missing = max(candidates, key=lambda c: c[0])
        if present >= 2:
            raise ImportFileError(
                f"{path} looks like {layout.name} but lacks the column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)}. Columns found: {found}."
            )
        raise ImportFileError(
            f"{path} has none of the layouts this import reads. Expected {WHAT}. Columns found: {found}."
        )

    def _usaspending(self, where: str, layout: Layout, cells: dict, index: dict) -> Row | None:
        award_id = collapse(cells["award_id"])
        generated = collapse(cells.get("generated_id", ""))
        if not generated and cells.get("permalink"):
            generated = generated_id_from_permalink(cells["permalink"])
            if not generated:
                self.report(where, f"usaspending_permalink {cells['permalink'][:120]!r} is not an award page")
                return None
        if not generated:
            self.report(where, "no generated_internal_id or award page to key it by (a PIID alone can repeat)")
            return None
        if not GENERATED_ID.fullmatch(generated) or len(USASPENDING_PREFIX + generated) > KEY_LENGTH:
            self.report(where, f"{generated[:120]!r} is not a USAspending award id (CONT_AWD_..., ASST_NON_...)")
            return None
        recipient = collapse(cells["recipient"])
        if not recipient or recipient.casefold() in NO_RECIPIENT:
            self.report(where, f"the recipient {recipient!r} names no vendor" if recipient else "no recipient")
            return None
        department = collapse(cells["agency"])
        if not department:
            self.report(where, "no awarding agency")
            return None

        award_type = cells.get("award_type", "")
        kind = award_kind(award_type, cells.get("award_type_code", ""), generated)
        if kind is None:
            kind = ProcurementKind.OTHER
            self.warn(where, f"unknown award type {award_type!r}: recorded as {ProcurementKind.OTHER.label!r}")

        text = cells.get("description", "")
        description = text.strip()
        fields = self.dates(where, cells, index)
        amount = self.amount(where, cells.get("amount", ""), "the obligated amount")
        if amount is None and cells.get("value") and not cells.get("amount"):
            amount = self.amount(where, cells["value"], "current_total_value_of_award")
        parent_key, parent_piid, parent_page = parent_idv(generated)
        parent_note = ""
        if parent_key:
            parent_note = f"Placed under the contract (IDV) {parent_piid}: {parent_page}"
        codes = [f"{label} {collapse(cells[m])}" for m, label in (("naics", "NAICS"), ("psc", "PSC")) if cells.get(m)]
        if codes:
            description = "\n\n".join(p for p in (description, " · ".join(codes)) if p)
        fields |= {
            "kind": kind,
            "status": self.status(fields.get("end_on")),
            "title": _title(_clean_description(text)) or _title(f"{kind.label} {award_id or generated}"),
            "description": description,
            "amount": amount,
            "currency": "USD",
            "reference_number": award_id[:REFERENCE_LENGTH],
            "source_url": f"{AWARD_PAGE}{generated}",
        }
        if kind == ProcurementKind.GRANT:
            fields |= {"funding_source": FundingSource.FEDERAL_GRANT, "funding_award_number": award_id[:100]}
            if "program" in index:
                fields["funding_program"] = collapse(cells["program"])[:200]
        uei = re.sub(r"[^A-Z0-9]", "", cells.get("uei", "").upper())
        if uei and len(uei) != 12:
            self.warn(where, f"recipient UEI {cells['uei']!r} is not 12 letters and digits: ignored")
            uei = ""
        return Row(
            file="", line=0, layout=layout, fields=fields, vendor_name=recipient[:NAME_LENGTH], uei=uei,
            key=f"{USASPENDING_PREFIX}{generated}", department=department,
            sub_agency=collapse(cells.get("sub_agency", "")), parent_key=parent_key, parent_note=parent_note,
        )  # fmt: skip

    def _own(self, where: str, layout: Layout, cells: dict, index: dict) -> Row | None:
        reference = collapse(cells["reference"])
        title = collapse(cells["title"])
        vendor = collapse(cells["vendor"])
        agency = collapse(cells["agency"])
        for value, what in ((agency, "no agency"), (vendor, "no vendor"), (title, "no title")):
            if not value:
                self.report(where, what)
                return None
        if not reference:
            self.report(where, "no reference, so it could not be imported again without a duplicate (give it the "
                               "contract's number, or any reference unique within the agency)")  # fmt: skip
            return None
        if len(reference) > REFERENCE_LENGTH:
            self.report(where, f"the reference is longer than {REFERENCE_LENGTH} characters")
            return None
        kind = ProcurementKind.CONTRACT
        if cells.get("kind"):
            kind = _choice(cells["kind"], ProcurementKind.choices, KIND_ALIASES)
            if kind is None:
                self.warn(where, f"unknown kind {cells['kind']!r}: recorded as {ProcurementKind.OTHER.label!r}")
                kind = ProcurementKind.OTHER
        fields = self.dates(where, cells, index)
        fields |= {
            "kind": kind,
            "title": _title(title),
            "amount": self.amount(where, cells.get("amount", ""), "amount"),
            "reference_number": reference,
        }
        status = _choice(cells.get("status", ""), ProcurementStatus.choices) if cells.get("status") else None
        if cells.get("status") and status is None:
            self.warn(where, f"unknown status {cells['status']!r}: read from the end date instead")
        fields["status"] = status or self.status(fields.get("end_on"))
        if "currency" in index:
            currency = collapse(cells["currency"]).upper() or "USD"
            if not re.fullmatch(r"[A-Z]{3}", currency):
                self.warn(where, f"currency {cells['currency']!r} is not a three-letter code: recorded as USD")
                currency = "USD"
            fields["currency"] = currency
        if "source_url" in index:
            fields["source_url"] = self._url(where, cells["source_url"])
        for meaning in ("description", "method_rationale", "funding_program", "funding_award_number"):
            if meaning in index:
                limit = Procurement._meta.get_field(meaning).max_length
                fields[meaning] = cells[meaning][:limit] if limit else cells[meaning]
        for meaning, choices, aliases in (
            ("method", ProcurementMethod.choices, METHOD_ALIASES),
            ("funding_source", FundingSource.choices, {}),
        ):
            if meaning in index:
                value = _choice(cells[meaning], choices, aliases) if cells[meaning] else ""
                if value is None:
                    self.warn(where, f"unknown {meaning.replace('_', ' ')} {cells[meaning]!r}: left empty")
                fields[meaning] = value or ""
        return Row(
            file="", line=0, layout=layout, fields=fields, vendor_name=vendor[:NAME_LENGTH],
            agency_cell=agency, state_cell=collapse(cells.get("state", "")),
        )  # fmt: skip

    def _url(self, where: str, raw: str) -> str:
        url = collapse(raw)
        if not url:
            return ""
        if url.lower().startswith("www."):
            url = f"https://{url}"
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            self.warn(where, f"source_url {raw[:120]!r} is not a web address: left empty")
            return ""
        if len(url) > Procurement._meta.get_field("source_url").max_length:
            self.warn(where, "source_url is longer than 500 characters: left empty")
            return ""
        return url


# --- Agencies -------------------------------------------------------------------------------------------------------


class _FederalAgencies:
    """Federal buyers: the department (the awarding agency) and its sub-agency under it, found by name (aliases
    included, case and punctuation aside) or created."""

    def __init__(self, summary: ProcurementImportSummary):
        self.summary = summary
        self.jurisdiction = Jurisdiction.objects.filter(level=Level.FEDERAL).order_by("id").first()
        if self.jurisdiction is None:
            raise ImportFileError("The tracker has no federal jurisdiction: run `manage.py migrate` first.")
        agencies = list(Agency.objects.filter(jurisdiction=self.jurisdiction).order_by("id"))
        self.by_name: dict[str, list[Agency]] = defaultdict(list)
        self.taken = {a.name.casefold() for a in agencies}
        for agency in agencies:
            self.by_name[normalise_agency_name(agency.name)].append(agency)
        by_id = {a.pk: a for a in agencies}
        aliases = AgencyAlias.objects.filter(agency__jurisdiction=self.jurisdiction).values_list("agency_id", "name")
        for agency_id, name in aliases:
            if by_id[agency_id] not in self.by_name[normalise_agency_name(name)]:
                self.by_name[normalise_agency_name(name)].append(by_id[agency_id])

    def buyer(self, department_name: str, sub_name: str) -> Agency:
        department = self.department(department_name)
        sub_key = normalise_agency_name(sub_name) if sub_name else ""
        if not sub_key or sub_key in DEPARTMENT_OFFICES or sub_key == normalise_agency_name(department_name):
            return department
        return self.sub_agency(department, sub_name)

    def department(self, name: str) -> Agency:
        candidates = self.by_name.get(normalise_agency_name(name), [])
        found = next((a for a in candidates if a.parent_id is None), None) or next(iter(candidates), None)
        return found or self._create(readable_case(name), parent=None)

    def sub_agency(self, department: Agency, name: str) -> Agency:
        name = readable_case(name)
        qualified = f"{name} ({department.name})"
        candidates = self.by_name.get(normalise_agency_name(name), [])
        for agency in [*candidates, *self.by_name.get(normalise_agency_name(qualified), [])]:
            if agency.parent_id == department.pk:
                return agency
        orphan = next((a for a in candidates if a.parent_id is None and a.pk != department.pk), None)
        if orphan is not None:
            # Known without its department (typed in, or from another list): it gets the department.
            orphan.parent = department
            orphan._change_reason = REASON
            orphan.save(update_fields=["parent"])
            self.summary.agencies_updated += 1
            return orphan
        # Another department has an office of that name (each has an "Office of Inspector General").
        return self._create(name if name.casefold() not in self.taken else qualified, parent=department)

    def _create(self, name: str, parent: Agency | None) -> Agency:
        name = name[: Agency._meta.get_field("name").max_length]
        agency = Agency(
            name=name, slug=unique_slug(Agency, name), kind=AgencyKind.FEDERAL, jurisdiction=self.jurisdiction,
            parent=parent,
        )  # fmt: skip
        agency._change_reason = REASON
        agency.save()
        self.taken.add(name.casefold())
        self.by_name[normalise_agency_name(name)].append(agency)
        self.summary.agencies_created += 1
        return agency


class _LocalAgencies:
    """Our own layout's buyers: an agency named by its slug, or by its name within the row's state; created (under
    the state) only when the import was asked to."""

    def __init__(self, summary: ProcurementImportSummary, create: bool):
        self.summary = summary
        self.create = create
        self.places = Places()
        self.agencies = Agencies(self.places)
        self.by_slug: dict[str, Agency] | None = None

    def find(self, reader: _Reader, row: Row) -> Agency | None:
        if self.by_slug is None:
            self.by_slug = {a.slug: a for a in Agency.objects.select_related("jurisdiction")}
        if found := self.by_slug.get(row.agency_cell.lower()):
            return found
        code = state_code(row.state_cell, row.state_cell) if row.state_cell else None
        if code is None:
            why = f"unknown state {row.state_cell!r}" if row.state_cell else "no state given"
            reader.report(row.where, f"no agency has the slug {row.agency_cell!r}, and {why} to find it by name")
            return None
        candidates = sorted(self.agencies.named(code, row.agency_cell), key=lambda a: a.pk or 0)
        if len(candidates) > 1:
            reader.warn(row.where, f"{len(candidates)} agencies in {code} are named like {row.agency_cell!r}: "
                                   f"attached to {candidates[0].name!r} ({candidates[0].slug})")  # fmt: skip
        if candidates:
            return candidates[0]
        if not self.create:
            reader.report(row.where, f"no agency named {row.agency_cell!r} in {code} (nor with that slug): add it "
                                     "first, or import with --create-agencies")  # fmt: skip
            return None
        jurisdiction = self.places.state(code)
        if jurisdiction.pk is None:
            self.places.save(REASON)
        name = self.agencies.free_name(row.agency_cell[:200], jurisdiction, [])
        agency = self.agencies.add(name=name, jurisdiction=jurisdiction, kind=AgencyKind.OTHER)
        self.agencies.new.remove(agency)
        agency._change_reason = REASON
        agency.save()
        self.by_slug[agency.slug] = agency
        self.summary.agencies_created += 1
        reader.warn(row.where, f"agency {name!r} created under {jurisdiction.name}: an editor may move it to its "
                               "city or county and set its kind")  # fmt: skip
        return agency


# --- Vendors --------------------------------------------------------------------------------------------------------


class _Vendors:
    """Vendors by UEI, then by name and aliases once legal forms and case are set aside, then by a near match: a
    known vendor whose name's words begin the recipient's ("Motorola Solutions" for "MOTOROLA SOLUTIONS
    CONNECTIVITY, INC."). A near match is linked through an unconfirmed alias that an editor confirms; a recipient
    matching nothing becomes a vendor with its name in readable case and the name as written as an alias."""

    def __init__(self, summary: ProcurementImportSummary):
        self.summary = summary
        vendors = {v.pk: v for v in Vendor.objects.order_by("id")}
        self.exact: dict[str, tuple[Vendor, bool]] = {}
        self.prefixes: dict[str, Vendor] = {}
        for vendor in vendors.values():
            self._index(vendor_match_key(vendor.name), vendor, confirmed=True)
        self.alias_names = set()
        for name, vendor_id, confirmed in VendorAlias.objects.order_by("id").values_list(
            "name", "vendor_id", "confirmed"
        ):
            self.alias_names.add(name)
            self._index(vendor_match_key(name), vendors[vendor_id], confirmed)
        self.names = {v.name for v in vendors.values()}
        self.by_uei = {v.uei.upper(): v for v in vendors.values() if v.uei}
        self.possible: dict[tuple[str, int], list[str]] = defaultdict(list)
        self.possible_vendor: dict[tuple[str, int], Vendor] = {}

    def _index(self, key: str, vendor: Vendor, confirmed: bool):
        if not key:
            return
        if key not in self.exact or (confirmed and not self.exact[key][1]):
            self.exact[key] = (vendor, confirmed)
        if confirmed:
            self.prefixes.setdefault(key, vendor)

    def _alias(self, vendor: Vendor, name: str, confirmed: bool):
        if name in self.alias_names or name == vendor.name:
            return
        VendorAlias.objects.create(vendor=vendor, name=name, confirmed=confirmed)
        self.alias_names.add(name)

    def _possible(self, name: str, vendor: Vendor, wheres: list[str]):
        self.possible[(name, vendor.pk)] += wheres
        self.possible_vendor[(name, vendor.pk)] = vendor

    def resolve(self, name: str, uei: str, wheres: list[str]) -> Vendor:
        key = vendor_match_key(name) or name.casefold()
        if uei and uei in self.by_uei:
            vendor = self.by_uei[uei]
            if key not in self.exact:
                # The same UEI is the same registered company, under a name we did not know.
                self._alias(vendor, name, confirmed=True)
                self._index(key, vendor, confirmed=True)
            return vendor
        if key in self.exact:
            vendor, confirmed = self.exact[key]
            if not confirmed:
                self._possible(name, vendor, wheres)
            elif uei and not vendor.uei:
                vendor.uei = uei
                vendor._change_reason = REASON
                vendor.save(update_fields=["uei"])
                self.by_uei[uei] = vendor
            return vendor
        words = key.split()
        for length in range(len(words) - 1, 0, -1):
            vendor = self.prefixes.get(" ".join(words[:length]))
            if vendor is not None and not set(words[:length]) <= GENERIC_WORDS:
                self._alias(vendor, name, confirmed=False)
                self._index(key, vendor, confirmed=False)
                self._possible(name, vendor, wheres)
                return vendor
        readable = readable_case(name)[:NAME_LENGTH]
        if readable in self.names:
            readable = name
        vendor = Vendor(name=readable, slug=unique_slug(Vendor, readable), uei=uei)
        vendor._change_reason = REASON
        vendor.save()
        self.names.add(readable)
        self.summary.vendors_created += 1
        self._alias(vendor, name, confirmed=True)
        self._index(key, vendor, confirmed=True)
        if uei:
            self.by_uei[uei] = vendor
        return vendor

    def report(self):
        for (name, vendor_id), wheres in self.possible.items():
            vendor = self.possible_vendor[(name, vendor_id)]
            lines = _lines(wheres)
            self.summary.possible_aliases.append(
                f"{name!r} linked to the vendor {vendor.name!r} ({lines}): confirm the alias, or give it a vendor "
                "of its own, in the admin"
            )


def _lines(wheres: list[str]) -> str:
    """'a.csv line 3', 'a.csv line 9' -> 'a.csv lines 3, 9'."""
    by_file: dict[str, list[str]] = defaultdict(list)
    for where in wheres:
        file, _, line = where.rpartition(" line ")
        by_file[file].append(line)
    return "; ".join(f"{f} line{'s' if len(n) > 1 else ''} {', '.join(n)}" for f, n in by_file.items())


# --- Import ---------------------------------------------------------------------------------------------------------


def check_options(*, user, visibility: str, embargo_until: datetime.date | None, today: datetime.date):
    if visibility not in Visibility.values:
        raise ImportOptionError(f"Unknown visibility {visibility!r}: use public, private or embargoed.")
    if visibility == Visibility.EMBARGOED and embargo_until is None:
        raise ImportOptionError("--visibility embargoed needs --embargo-until DATE, the day they become public.")
    if embargo_until is not None and visibility != Visibility.EMBARGOED:
        raise ImportOptionError("--embargo-until goes with --visibility embargoed.")
    if embargo_until is not None and embargo_until < today:
        raise ImportOptionError(f"{embargo_until} has passed; an embargo ends today or later.")
    if visibility != Visibility.PRIVATE:
        if user is None:
            raise ImportOptionError(
                f"Importing as {visibility} publishes: name the editor who does it with --user USERNAME."
            )
        if not is_editor(user):
            raise ImportOptionError(
                f"{user.get_username()} is not an editor: only editors publish or embargo. Import as private "
                "(the default) for an editor to review, or name an editor with --user."
            )


def _key_csv(agency: Agency, reference: str) -> str:
    key = f"{CSV_PREFIX}{agency.slug}:{reference}"
    if len(key) <= KEY_LENGTH:
        return key
    digest = hashlib.sha256(agency.slug.encode()).hexdigest()[:12]
    return f"{CSV_PREFIX}{agency.slug[: KEY_LENGTH - len(CSV_PREFIX) - len(reference) - 14]}-{digest}:{reference}"


def import_procurements(
    paths: list[Path],
    *,
    user=None,
    visibility: str = Visibility.PRIVATE,
    embargo_until: datetime.date | None = None,
    create_agencies: bool = False,
    dry_run: bool = False,
    progress: Callable[[Iterable], Iterable] = iter,
    today: datetime.date | None = None,
) -> ProcurementImportSummary:
    today = today or timezone.localdate()
    check_options(user=user, visibility=visibility, embargo_until=embargo_until, today=today)
    summary = ProcurementImportSummary()
    reader = _FileReader(summary, today)
    rows: list[Row] = []
    # Every file is read and its header checked before anything is written.
    for path in paths:
        rows += reader.read(path)
        summary.files += 1
        summary.file_names.append(str(path))
    with transaction.atomic():
        one_import_at_a_time()
        _import_rows(rows, reader, summary, user=user, visibility=visibility, embargo_until=embargo_until,
                     create_agencies=create_agencies, progress=progress)  # fmt: skip
        if dry_run:
            transaction.set_rollback(True)
    return summary


def _import_rows(rows: list[Row], reader: _Reader, summary, *, user, visibility, embargo_until, create_agencies,
                 progress):  # fmt: skip
    federal = _FederalAgencies(summary) if any(r.department for r in rows) else None
    local = _LocalAgencies(summary, create_agencies) if any(r.agency_cell for r in rows) else None

    # Buyers first: our own layout's key needs the agency.
    keyed: dict[str, Row] = {}
    for row in rows:
        if row.department:
            row.agency = federal.buyer(row.department, row.sub_agency)
        else:
            row.agency = local.find(reader, row)
            if row.agency is None:
                continue
            row.key = _key_csv(row.agency, row.fields["reference_number"])
        first = keyed.get(row.key)
        if first is not None:
            same = first.fields == row.fields and first.vendor_name == row.vendor_name and first.agency == row.agency
            detail = "imported once" if same else "it differs from that row, and only that row is imported"
            where = f"line {first.line}" if first.file == row.file else first.where
            reader.report(row.where, f"{row.key} repeats {where}: {detail}")
            continue
        keyed[row.key] = row
    rows = list(keyed.values())

    # Vendors next, shortest names first, so that a company the file names is known before its subsidiaries.
    vendors = _Vendors(summary)
    names: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        names[(row.vendor_name, row.uei)].append(row)
    for (name, uei), named in sorted(names.items(), key=lambda item: len(vendor_match_key(item[0][0]).split())):
        vendor = vendors.resolve(name, uei, [r.where for r in named])
        for row in named:
            row.vendor = vendor
    vendors.report()

    # Contracts before the orders placed under them.
    rows.sort(key=lambda r: not r.key.startswith(f"{USASPENDING_PREFIX}CONT_IDV_"))
    existing: dict[str, Procurement] = {}
    keys = [r.key for r in rows]
    parent_keys = list({r.parent_key for r in rows if r.parent_key} - set(keys))
    for start in range(0, len(keys) + len(parent_keys), 500):
        chunk = (keys + parent_keys)[start : start + 500]
        existing |= {p.external_id: p for p in Procurement.objects.filter(external_id__in=chunk)}
    written = False
    for row in progress(rows):
        values = {"agency": row.agency, "vendor": row.vendor, **row.fields}
        if row.parent_key:
            # A contract an editor linked by hand is left alone unless the award names one the tracker has.
            if parent := existing.get(row.parent_key):
                values["parent_contract"] = parent
            else:
                # The IDV is not in the tracker: its number and page are noted, no record is made up for it.
                values["description"] = "\n\n".join(p for p in (values["description"], row.parent_note) if p)
        procurement = existing.get(row.key)
        try:
            if procurement is None:
                procurement = _create(row, values, user=user, visibility=visibility, embargo_until=embargo_until)
                existing[row.key] = procurement
                summary.created += 1
                written = True
                continue
            changed = {name: value for name, value in values.items() if _differs(procurement, name, value)}
            if not changed:
                summary.unchanged += 1
                continue
            procurement._change_reason = REASON
            with transaction.atomic():
                procurement_update(procurement=procurement, user=user, **changed)
            summary.updated += 1
            written = True
        except ValidationError as error:
            messages = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            reader.report(row.where, messages)
    summary.warnings.sort(key=_warning_order(summary.file_names))
    if written:
        refresh_statistics([Procurement, Vendor, Agency, TimelineEvent])


def _create(row: Row, values: dict, *, user, visibility, embargo_until) -> Procurement:
    with transaction.atomic():
        procurement = procurement_record(
            user=user, external_id=row.key, visibility=visibility, embargo_until=embargo_until, **values
        )
        update_change_reason(procurement, REASON)
    return procurement


def _differs(procurement: Procurement, name: str, value) -> bool:
    if name in {"agency", "vendor", "parent_contract"}:
        return getattr(procurement, f"{name}_id") != (value.pk if value is not None else None)
    return getattr(procurement, name) != value


def _warning_order(files: list[str]):
    """Warnings in the order of the files given, then of their lines."""
    order = {name: number for number, name in enumerate(files)}

    def key(warning: str):
        where = warning.split(": ", 1)[0]
        file, _, line = where.rpartition(" line ")
        return order.get(file, len(order)), int(line) if line.isdigit() else 0

    return key
