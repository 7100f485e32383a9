"""Import an agency's own FOIA log. Headers differ between files and years, so columns are matched by
meaning; every row is imported or reported with its line number and reason."""

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from records.importers.csvfile import ImportFileError, read_sheet
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


@dataclass
class LogSummary:
    rows: int = 0
    created: int = 0
    updated: int = 0
    differing_due_dates: int = 0
    warnings: list[str] = field(default_factory=list)


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


def import_foia_log(path: Path, *, agency: Agency, summary: LogSummary | None = None) -> LogSummary:
    """Import one log file into `agency`'s requests, idempotent by (agency, tracking number)."""
    summary = summary or LogSummary()
    # CSV or Excel, in any encoding, the header found below a title: csvfile.read_sheet, as every importer reads.
    sheet = read_sheet(path, what=WHAT, is_header=is_log_header)
    lines = sheet.records
    for note in sheet.notes:
        summary.warnings.append(f"{path.name} line {note.row}: {note.reason}")
    try:
        mapping = map_columns(lines[0])
    except LogFormatError as error:
        raise LogFormatError(f"{path}: {error}") from None
    existing = {r.tracking_number: r for r in RecordsRequest.objects.filter(agency=agency).exclude(tracking_number="")}
    with transaction.atomic():
        for line_number, row in enumerate(lines[1:], start=sheet.header_row + 1):
            if not any(cell.strip() for cell in row):
                continue
            summary.rows += 1
            where = f"{path.name} line {line_number}"
            tracking = _cell(row, mapping, "tracking")
            if not tracking:
                summary.warnings.append(f"{where}: skipped: no tracking number")
                continue
            try:
                received = parse_date(_cell(row, mapping, "received"))
                log_due = parse_date(_cell(row, mapping, "due")) if "due" in mapping else None
            except ValueError as error:
                summary.warnings.append(f"{where} ({tracking}): skipped: {error}")
                continue
            try:
                closed = parse_date(_cell(row, mapping, "closed")) if "closed" in mapping else None
            except ValueError as error:
                summary.warnings.append(f"{where} ({tracking}): closing date ignored: {error}")
                closed = None
            if received is None:
                summary.warnings.append(f"{where} ({tracking}): skipped: no date received")
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
            _save_row(
                agency=agency, existing=existing, summary=summary, tracking=tracking, received=received, closed=closed,
                subject=_cell(row, mapping, "subject"), organization=_cell(row, mapping, "organization"),
                person=_requester(row, mapping), log_due=log_due, outcome=outcome, where=where,
            )  # fmt: skip
    return summary


def _save_row(
    *, agency, existing, summary, tracking, received, closed, subject, organization, person, log_due, outcome, where
):
    records_request = existing.get(tracking)
    created = records_request is None
    if created:
        records_request = RecordsRequest(agency=agency, tracking_number=tracking)
    records_request.subject = (subject or f"Request {tracking}")[:300]
    records_request.text = subject
    records_request.requester_organization = organization[:200]
    # A person's name in an agency log is kept for staff only.
    records_request.requester_person = person[:200]
    records_request.filed_on = received
    records_request.closed_on = closed
    # A log says what it says: an outcome only when it names one, and no closure is not "still open" (the log
    # may predate it), so neither "fulfilled" nor "filed" is assumed.
    records_request.status = outcome or (RequestStatus.CLOSED if closed else RequestStatus.UNKNOWN)
    records_request.visibility = Visibility.PUBLIC
    records_request.save()
    existing[tracking] = records_request
    records_request.status_changes.all().delete()
    changes = [(received, RequestStatus.FILED)] + ([(closed, records_request.status)] if closed else [])
    RequestStatusChange.objects.bulk_create(
        RequestStatusChange(request=records_request, status=status, changed_on=day) for day, status in changes
    )
    records_request.due_on = request_due_date(records_request, changes=changes)
    records_request.save(update_fields=["due_on"])
    if log_due and records_request.due_on and log_due != records_request.due_on:
        summary.differing_due_dates += 1
    summary.created += created
    summary.updated += not created
