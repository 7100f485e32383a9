"""Import an agency's own FOIA logs. Headers differ between files and years, so columns are matched by
meaning; every row is imported or reported with its file (the path as given), line number and reason.

The logs of one run are read first and then imported together, so that a request listed in several monthly logs
is imported once, in its latest state: rows of one tracking number that agree on at least two of date received,
subject and requester (an empty cell agrees with nothing) are one request; the row that closes it wins over one
that leaves it open, a later closing date over an earlier one, then a later date received, and only then the
first row in the order given. Rows of one number that agree on less are different requests that share a number:
both are kept and flagged. The first keeps the number as its key; the next is stored as "<number> (2)", then
"(3)" (the key is the tracking number within the agency, so no other field is needed), and importing again finds
each by the same rule.

An update never makes a request poorer silently: one that would reopen a closed request, empty its subject or
requester, or cut its subject to its beginning is reported and applied only with `force`.
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from records.importers.bulk import one_import_at_a_time
from records.importers.csvfile import ImportFileError, last_record_cut, read_sheet
from records.models import Agency, RecordsRequest, RequestStatus, RequestStatusChange, Visibility
from records.services.requests import request_due_date

# Normalised header (lowercase letters and digits only) -> meaning.
COLUMNS = {
    "tracking": {"caseno", "casenumber", "requestid", "requestnumber", "trackingnumber", "foianumber", "requestno"},
    "received": {"datereceived", "receiveddate", "received", "datesubmitted", "submitteddate", "requestdate"},
    "due": {"datedueout", "duedate", "targetdate", "dateout", "duedateout"},
    "closed": {"closuredate", "closeddate", "dateclosed", "closedate", "completiondate"},
    "disposition": {"disposition", "finaldisposition", "dispositionofrequest", "outcome", "finalaction"},
    "subject": {"subject", "requestdescription", "description", "subjectofrequest"},
    "organization": {"affiliation", "organization", "organisation", "company", "requesterorganization"},
    "requester": {"requestername", "requester", "name"},
    "last_name": {"lastname"},
    "first_name": {"firstname"},
}
REQUIRED = ("tracking", "received")
EXCEL_EPOCH = datetime.date(1899, 12, 30)
EMPTY = {"", "-", "--", "n/a", "na", "none", "null"}
WHAT = "an agency's FOIA log (a tracking number and a date received for each request)"

# A log's disposition -> our status, first match wins ("partial grant/partial denial" is partial). Anything
# else, or no disposition at all, is "closed, outcome not recorded": a closure is never read as fulfilled.
OUTCOMES = (
    ("partial", RequestStatus.PARTIALLY_FULFILLED),
    ("norecord", RequestStatus.NO_RECORDS),
    ("noresponsive", RequestStatus.NO_RECORDS),
    ("withdr", RequestStatus.WITHDRAWN),
    ("deni", RequestStatus.REJECTED),
    ("grant", RequestStatus.FULFILLED),
    ("releasedinfull", RequestStatus.FULFILLED),
    ("fullrelease", RequestStatus.FULFILLED),
)


class LogFormatError(ImportFileError):
    """The file cannot be read as a FOIA log at all (as opposed to one bad row); the message names the file."""


TRACKING_LENGTH = RecordsRequest._meta.get_field("tracking_number").max_length
SUFFIXED = re.compile(r"(?P<number>.+) \((?P<n>\d+)\)")


@dataclass
class LogSummary:
    files: int = 0
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    reported: int = 0  # rows not imported, each with a warning
    repeats: int = 0  # rows of a request another row of the run gives in a later (or the same) state
    differing_due_dates: int = 0
    warnings: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # files that cannot be read as a log, with why
    saved: bool = True  # False when the run was refused and everything rolled back

    def report(self, where: str, reason: str):
        self.warnings.append(f"{where}: not imported: {reason}")
        self.reported += 1


@dataclass
class LogRow:
    where: str
    tracking: str
    received: datetime.date
    closed: datetime.date | None
    log_due: datetime.date | None
    subject: str
    organization: str
    person: str
    # The outcome the log's disposition names (None: none, or none we know).
    outcome: str | None = None

    @property
    def requester(self) -> str:
        return " ".join(p for p in (self.person, self.organization) if p)

    def state(self) -> tuple:
        """Later states sort higher: closed above open, then by closing date, then by date received."""
        return self.closed is not None, self.closed or datetime.date.min, self.received

    def values(self) -> tuple:
        return self.received, self.closed, self.subject, self.organization, self.person, self.outcome

    @property
    def status(self) -> str:
        """What the log says of the request: an outcome only when it names one, and no closure is not "still
        open" (the log may predate it), so neither "fulfilled" nor "filed" is assumed."""
        return self.outcome or (RequestStatus.CLOSED if self.closed else RequestStatus.UNKNOWN)


def _agree(a: str, b: str) -> bool:
    return bool(a) and " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def same_request(received, subject, requester, other: LogRow) -> bool:
    """Whether a row of the same tracking number is the same request: two of the three agree, of those both
    sides give (a log without subject or requester columns has only its date received to go by)."""
    texts = [(a, b) for a, b in ((subject, other.subject), (requester, other.requester)) if a or b]
    agreeing = [received == other.received] + [_agree(a, b) for a, b in texts]
    return sum(agreeing) >= min(2, len(agreeing))


def normalise_header(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _find_columns(headers: list[str]) -> dict[str, int]:
    mapping = {}
    for index, header in enumerate(headers):
        key = normalise_header(header)
        for meaning, names in COLUMNS.items():
            if key in names and meaning not in mapping:
                mapping[meaning] = index
    return mapping


def is_log_header(headers: list[str]) -> bool:
    mapping = _find_columns(headers)
    return all(meaning in mapping for meaning in REQUIRED)


def map_columns(headers: list[str]) -> dict[str, int]:
    mapping = _find_columns(headers)
    missing = [meaning for meaning in REQUIRED if meaning not in mapping]
    if missing:
        raise LogFormatError(
            f"no column for {', '.join(missing)} (headers found: {', '.join(h.strip() for h in headers if h.strip())})"
        )
    return mapping


def parse_date(raw: str) -> datetime.date | None:
    """ISO, US month/day/year (2- or 4-digit years), Excel serial numbers, with stray characters around."""
    text = raw.strip().strip("\"'*#").strip()
    if text.lower() in EMPTY:
        return None
    text = re.sub(r"[T ]\d{1,2}:\d{2}(:\d{2})?.*$", "", text)
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
        year, month, day = (int(g) for g in match.groups())
    elif match := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})", text):
        month, day, year = (int(g) for g in match.groups())
        year += 2000 if year < 100 and year < 70 else (1900 if year < 100 else 0)
    elif re.fullmatch(r"\d{5}(\.\d+)?", text):
        return EXCEL_EPOCH + datetime.timedelta(days=int(float(text)))
    else:
        raise ValueError(f"unreadable date {raw.strip()!r}")
    return datetime.date(year, month, day)


def _cell(row: list[str], mapping: dict[str, int], meaning: str) -> str:
    index = mapping.get(meaning)
    if index is None or index >= len(row):
        return ""
    value = row[index].strip()
    return "" if value.lower() in EMPTY else value


def outcome_status(disposition: str) -> str | None:
    """The status a log's disposition names (None: it names none we know)."""
    key = normalise_header(disposition)
    return next((status for word, status in OUTCOMES if word in key), None)


def _requester(row, mapping) -> str:
    if "requester" in mapping:
        return " ".join(_cell(row, mapping, "requester").split())
    return " ".join(part for part in (_cell(row, mapping, "first_name"), _cell(row, mapping, "last_name")) if part)


def read_foia_log(path: Path, *, summary: LogSummary) -> list[LogRow]:
    """The rows of one log file that can be imported; the others are reported in `summary`."""
    # CSV or Excel, in any encoding, the header found below a title: csvfile.read_sheet, as every importer reads.
    sheet = read_sheet(path, what=WHAT, is_header=is_log_header)
    lines = sheet.records
    for note in sheet.notes:
        summary.warnings.append(f"{path} line {note.row}: {note.reason}")
    try:
        mapping = map_columns(lines[0])
    except LogFormatError as error:
        raise LogFormatError(f"{path}: {error}") from None
    cut = last_record_cut(sheet)
    last = sheet.header_row + len(lines) - 1
    rows = []
    for line_number, row in enumerate(lines[1:], start=sheet.header_row + 1):
        if not any(cell.strip() for cell in row):
            continue
        summary.rows += 1
        where = f"{path} line {line_number}"
        if cut and line_number == last:
            summary.report(where, cut)
            continue
        tracking = _cell(row, mapping, "tracking")
        if not tracking:
            summary.report(where, "no tracking number")
            continue
        if len(tracking) > TRACKING_LENGTH - 5:
            summary.report(where, f"the tracking number {tracking[:40]!r}... is longer than {TRACKING_LENGTH - 5}")
            continue
        try:
            received = parse_date(_cell(row, mapping, "received"))
            log_due = parse_date(_cell(row, mapping, "due")) if "due" in mapping else None
        except ValueError as error:
            summary.report(f"{where} ({tracking})", str(error))
            continue
        try:
            closed = parse_date(_cell(row, mapping, "closed")) if "closed" in mapping else None
        except ValueError as error:
            summary.warnings.append(f"{where} ({tracking}): closing date ignored: {error}")
            closed = None
        if received is None:
            summary.report(f"{where} ({tracking})", "no date received")
            continue
        if closed and closed < received:
            summary.warnings.append(f"{where} ({tracking}): closing date {closed} is before receipt; ignored")
            closed = None
        if log_due and log_due < received:
            summary.warnings.append(f"{where} ({tracking}): the log's due date {log_due} is before receipt")
        disposition = _cell(row, mapping, "disposition")
        outcome = outcome_status(disposition) if disposition else None
        if disposition and outcome is None:
            summary.warnings.append(
                f"{where} ({tracking}): disposition {disposition!r} not recognised; "
                f"recorded as {RequestStatus.CLOSED.label.lower() if closed else 'status unknown'}"
            )
        rows.append(
            LogRow(
                where=where,
                tracking=tracking,
                received=received,
                closed=closed,
                log_due=log_due,
                subject=_cell(row, mapping, "subject"),
                organization=_cell(row, mapping, "organization"),
                person=_requester(row, mapping),
                outcome=outcome,
            )
        )
    return rows


@transaction.atomic
def import_foia_logs(paths: list[Path], *, agency: Agency, force: bool = False, keep_going: bool = False) -> LogSummary:
    """Import log files into `agency`'s requests, keyed by tracking number within the agency. A file that is not
    a log refuses the whole run (nothing is saved, and the summary says what would have been) unless
    `keep_going`; `force` applies updates that would make a request poorer."""
    one_import_at_a_time()
    summary = LogSummary()
    rows: list[LogRow] = []
    for path in paths:
        try:
            rows += read_foia_log(path, summary=summary)
            summary.files += 1
        except ImportFileError as error:  # a LogFormatError too; the message names the file
            summary.refused.append(str(error) if str(path) in str(error) else f"{path}: {error}")
    by_number: dict[str, list[LogRow]] = defaultdict(list)
    for row in rows:
        by_number[row.tracking].append(row)
    stored = _stored_requests(agency)
    for number_rows in by_number.values():
        requests = _requests(number_rows, summary)
        claimed: list[RecordsRequest] = []  # each stored request is the match of one request of the run at most
        for row in requests:
            _import_request(row, agency=agency, stored=stored, claimed=claimed, summary=summary, force=force,
                            first=requests[0])  # fmt: skip
    if summary.refused and not keep_going:
        summary.saved = False
        transaction.set_rollback(True)
    return summary


def _requests(rows: list[LogRow], summary: LogSummary) -> list[LogRow]:
    """The requests the rows of one tracking number give, each as its row in the latest state."""
    groups: list[list[LogRow]] = []
    for row in rows:
        group = next((g for g in groups if any(same_request(r.received, r.subject, r.requester, row) for r in g)), None)
        if group is None:
            groups.append([row])
        else:
            group.append(row)
    requests = []
    for group in groups:
        # max() keeps the first of equals: of rows in the same state, the first given is imported.
        latest = max(group, key=LogRow.state)
        for row in group:
            if row is latest:
                continue
            summary.repeats += 1
            if row.values() == latest.values():
                detail = "imported once"
            elif row.state() == latest.state():
                detail = "it differs in subject or requester; in the same state, the row given first is imported"
            else:
                detail = f"{latest.where} is imported: it is {_later(latest, row)}"
            summary.warnings.append(f"{row.where} ({row.tracking}): the same request as {latest.where}: {detail}")
        requests.append(latest)
    return requests


def _later(latest: LogRow, row: LogRow) -> str:
    if latest.closed and not row.closed:
        return f"closed on {latest.closed}, where this row leaves it open"
    if latest.closed != row.closed:
        return f"closed later ({latest.closed}, not {row.closed})"
    return f"received later ({latest.received}, not {row.received})"


def _stored_requests(agency: Agency) -> dict[str, list[RecordsRequest]]:
    """The agency's requests by tracking number, a suffixed key ("11-060 (2)") under its number."""
    stored = defaultdict(list)
    for records_request in RecordsRequest.objects.filter(agency=agency).exclude(tracking_number=""):
        match = SUFFIXED.fullmatch(records_request.tracking_number)
        stored[match["number"] if match else records_request.tracking_number].append(records_request)
    return stored


def _import_request(row: LogRow, *, agency, stored, claimed, summary, force, first: LogRow):
    candidates = stored[row.tracking]
    found = next(
        (r for r in candidates if r not in claimed and same_request(r.filed_on, r.text, _requester_of(r), row)), None
    )
    if found is None:
        taken = {r.tracking_number for r in candidates}
        key = next(k for n in range(1, len(taken) + 2) if (k := _suffixed(row.tracking, n)) not in taken)
        if key != row.tracking:
            other = first.where if row is not first else f"the tracker's request {candidates[0].tracking_number}"
            summary.warnings.append(
                f"{row.where} ({row.tracking}): another request than {other} has this number (they differ in at "
                f"least two of date received, subject and requester): both are kept, this one as {key!r}"
            )
        records_request = RecordsRequest(agency=agency, tracking_number=key, visibility=Visibility.PUBLIC)
        candidates.append(records_request)
    else:
        records_request = found
    claimed.append(records_request)
    if found:
        losses = _losses(found, row)
        if losses and not force:
            summary.report(
                f"{row.where} ({row.tracking})",
                f"the update would {' and '.join(losses)}; check the file (was it cut short?), or import it "
                "with --force",
            )
            return
        if losses:
            summary.warnings.append(f"{row.where} ({row.tracking}): the update would {' and '.join(losses)}: applied")
    _save_request(records_request, row, summary)


def _requester_of(records_request: RecordsRequest) -> str:
    return " ".join(p for p in (records_request.requester_person, records_request.requester_organization) if p)


def _suffixed(number: str, n: int) -> str:
    return number if n == 1 else f"{number} ({n})"


def _losses(records_request: RecordsRequest, row: LogRow) -> list[str]:
    losses = []
    if records_request.closed_on and not row.closed:
        losses.append(f"reopen it (the tracker has it closed on {records_request.closed_on}, the row gives no date)")
    for name, old, new in (
        ("subject", records_request.text, row.subject),
        ("requester organization", records_request.requester_organization, row.organization),
        ("requester name", records_request.requester_person, row.person),
    ):
        if old and not new:
            losses.append(f"empty its {name}")
        elif name == "subject" and new != old and old.startswith(new):
            losses.append(f"cut its subject to {len(new)} of its {len(old)} characters")
    return losses


def _save_request(records_request: RecordsRequest, row: LogRow, summary: LogSummary):
    created = records_request.pk is None
    values = {
        "subject": (row.subject or f"Request {row.tracking}")[:300],
        "text": row.subject,
        "requester_organization": row.organization[:200],
        # A person's name in an agency log is kept for staff only.
        "requester_person": row.person[:200],
        "filed_on": row.received,
        "closed_on": row.closed,
    }
    dates_changed = (records_request.filed_on, records_request.closed_on) != (row.received, row.closed)
    # The status follows the log while the log's dates change or it names an outcome; a status an earlier version
    # of this importer assumed ("fulfilled" for any closure, "filed" for no closure) is corrected, and an
    # editor's status stays otherwise.
    assumed = RequestStatus.FULFILLED if records_request.closed_on else RequestStatus.FILED
    status_follows = created or dates_changed or bool(row.outcome) or records_request.status == assumed
    status_changed = status_follows and records_request.status != row.status
    if (
        not created
        and not status_changed
        and not any(getattr(records_request, name) != value for name, value in values.items())
    ):
        summary.unchanged += 1
    else:
        for name, value in values.items():
            setattr(records_request, name, value)
        if status_follows:
            records_request.status = row.status
        records_request.save()
        if dates_changed or status_changed:
            records_request.status_changes.all().delete()
            changes = [(row.received, RequestStatus.FILED)]
            changes += [(row.closed, row.status)] if row.closed else []
            RequestStatusChange.objects.bulk_create(
                RequestStatusChange(request=records_request, status=status, changed_on=day) for day, status in changes
            )
            records_request.due_on = request_due_date(records_request, changes=changes)
            records_request.save(update_fields=["due_on"])
        summary.created += created
        summary.updated += not created
    if row.log_due and records_request.due_on and row.log_due != records_request.due_on:
        summary.differing_due_dates += 1
