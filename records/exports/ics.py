"""An iCalendar (RFC 5545) feed of request due dates and contract ends, written by hand: it is a few lines of
text."""

import datetime

from django.urls import reverse


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        # Every line break, a bare carriage return included, is an escaped \n: a raw one would start a new line.
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode("utf-8")
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += piece
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def _all_day(uid: str, stamp_text: str, day: datetime.date, summary: str, description: str, url: str) -> list[str]:
    return [
        "BEGIN:VEVENT",
        f"UID:{uid}@surveillance-tracker",
        f"DTSTAMP:{stamp_text}",
        f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
        f"DTEND;VALUE=DATE:{day + datetime.timedelta(days=1):%Y%m%d}",
        f"SUMMARY:{_escape(summary)}",
        f"DESCRIPTION:{_escape(description)}",
        f"URL:{url}",
        "END:VEVENT",
    ]


def deadlines_calendar(requests, *, contracts=(), oversight=(), absolute, stamp: datetime.datetime) -> str:
    """Each open request's due date and each contract's end, as all-day events."""
    stamp_text = stamp.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Surveillance Procurement Tracker//Deadlines//EN",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:Records request deadlines and contract ends",
    ]
    for records_request in requests:
        url = absolute(reverse("staff-request-detail", args=[records_request.pk]))
        lines += _all_day(
            f"request-{records_request.pk}-due",
            stamp_text,
            records_request.due_on,
            f"Due: {records_request.subject} ({records_request.agency.name})",
            f"Status: {records_request.get_status_display()}. {url}",
            url,
        )
    for obligation in oversight:
        # What an oversight law requires by a date (records/selectors/oversight.py: oversight_due).
        url = absolute(obligation.url) if obligation.url.startswith("/") else obligation.url
        lines += _all_day(obligation.uid, stamp_text, obligation.due_on, obligation.summary,
                          f"{obligation.description} {url}".strip(), url)  # fmt: skip
    for contract in contracts:
        url = absolute(contract.get_absolute_url())
        # A renewal usually goes to a vote before the end: the end is the date to plan back from.
        lines += _all_day(
            f"procurement-{contract.pk}-ends",
            stamp_text,
            contract.end_on,
            f"Contract ends: {contract.title} ({contract.agency.name})",
            f"{contract.get_kind_display()}. A renewal or extension often goes to a vote before this date. {url}",
            url,
        )
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
