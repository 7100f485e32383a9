"""An iCalendar (RFC 5545) feed of request due dates, written by hand: it is a few lines of text."""

import datetime

from django.urls import reverse


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
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


def deadlines_calendar(requests, *, absolute, stamp: datetime.datetime) -> str:
    stamp_text = stamp.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Surveillance Procurement Tracker//Deadlines//EN",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:Records request deadlines",
    ]
    for records_request in requests:
        url = absolute(reverse("staff-request-detail", args=[records_request.pk]))
        due = records_request.due_on
        lines += [
            "BEGIN:VEVENT",
            f"UID:request-{records_request.pk}-due@surveillance-tracker",
            f"DTSTAMP:{stamp_text}",
            f"DTSTART;VALUE=DATE:{due:%Y%m%d}",
            f"DTEND;VALUE=DATE:{due + datetime.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(f'Due: {records_request.subject} ({records_request.agency.name})')}",
            f"DESCRIPTION:{_escape(f'Status: {records_request.get_status_display()}. {url}')}",
            f"URL:{url}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
