"""Flock Safety's "Sharing Agencies" report (columns Organization Name, Networks Shared With Me, Networks I'm
Sharing), read from the PDF an agency released: the table is rebuilt from where each character stands on the page.

The report is printed from a spreadsheet: a row's cells are aligned to its bottom line, a long list of networks
wraps onto the lines above, and the organisation's name stands on the row's last line. So lines are read top to
bottom, each cut into the three columns where the header's headings start, and a row ends at the first line that
has an organisation's name. A name of two lines (one line with only that column, and nothing else gathered yet)
is joined to the next.
"""

from dataclasses import dataclass
from pathlib import Path

from records.importers.csvfile import ImportFileError, normalise_header

HEADINGS = ("organizationname", "networkssharedwithme", "networksimsharing")
# Characters whose centres are this close vertically are on one line (points; the report's lines are 15 apart).
LINE_TOLERANCE = 4.0


@dataclass(frozen=True)
class ReportRow:
    page: int
    organisation: str
    shared_with_me: str
    i_am_sharing: str


def _lines(textpage) -> list[tuple[float, list[tuple[float, str]]]]:
    """The page's characters as lines (top first), each a list of (x, character) from left to right."""
    chars = []
    for index in range(textpage.count_chars()):
        char = textpage.get_text_range(index, 1)
        if char in "\r\n" or not char:
            continue
        left, bottom, right, top = textpage.get_charbox(index, loose=True)
        chars.append(((bottom + top) / 2, left, char))
    chars.sort(key=lambda c: -c[0])
    lines: list[tuple[float, list[tuple[float, str]]]] = []
    for y, x, char in chars:
        if lines and abs(lines[-1][0] - y) <= LINE_TOLERANCE:
            lines[-1][1].append((x, char))
        else:
            lines.append((y, [(x, char)]))
    return [(y, sorted(line)) for y, line in lines]


def _text(line: list[tuple[float, str]]) -> str:
    return "".join(char for _, char in line)


def _header_columns(line: list[tuple[float, str]]) -> list[float] | None:
    """The x at which each heading starts, when this line is the header."""
    text = _text(line)
    squeezed = normalise_header(text)
    if not all(heading in squeezed for heading in HEADINGS):
        return None
    starts, position = [], 0
    lowered = text.lower()
    for word in ("organization", "networks shared", "networks i"):
        found = lowered.find(word, position)
        if found < 0:
            return None
        starts.append(line[found][0])
        position = found + len(word)
    return starts


def _cells(line, columns: list[float]) -> list[str]:
    cells = ["", "", ""]
    # A cell's text may start a little left of its heading: cut half a character before each heading.
    bounds = [columns[1] - 3, columns[2] - 3]
    for x, char in line:
        column = 0 if x < bounds[0] else 1 if x < bounds[1] else 2
        cells[column] += char
    return [cell.strip() for cell in cells]


def read_report_pdf(path: Path) -> list[ReportRow]:
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError as error:
        raise ImportFileError(f"{path} cannot be read as a PDF: {error}.") from None
    rows: list[ReportRow] = []
    columns = None
    pending: list[list[str]] = []
    pending_page = None
    try:
        for number in range(len(document)):
            page = document[number]
            textpage = page.get_textpage()
            for _y, line in _lines(textpage):
                found = _header_columns(line)
                if found:
                    columns, pending = found, []
                    continue
                if columns is None:
                    continue
                cells = _cells(line, columns)
                if not any(cells):
                    continue
                if pending_page is None:
                    pending_page = number + 1
                pending.append(cells)
                if not cells[0]:
                    continue
                if not any(c[1] or c[2] for c in pending) and len(pending) == 1:
                    # Only a name so far: it may go on on the next line (a name of two lines).
                    continue
                rows.append(_row(pending, pending_page))
                pending, pending_page = [], None
            textpage.close()
            page.close()
        if pending:
            rows.append(_row(pending, pending_page))
    finally:
        document.close()
    if columns is None:
        raise ImportFileError(
            f"{path} has no table headed Organization Name, Networks Shared With Me, Networks I'm Sharing: it is not "
            "a Flock Sharing Agencies report with a text layer (a scanned page needs its text extracted first)."
        )
    return rows


def _row(lines: list[list[str]], page: int) -> ReportRow:
    def joined(index: int) -> str:
        return " ".join(cells[index] for cells in lines if cells[index])

    return ReportRow(page=page, organisation=joined(0), shared_with_me=joined(1), i_am_sharing=joined(2))
