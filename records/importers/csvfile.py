"""Reading the CSV files the importers take: in whatever encoding a spreadsheet saved them, with headers
matched loosely, and with a message (never a traceback) when a file is not what it should be."""

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path


class ImportFileError(ValueError):
    """The file cannot be imported at all (as opposed to one bad row); the message says why."""


@dataclass(frozen=True)
class RowWarning:
    """Something about one row the person importing should know. Rows are numbered as a spreadsheet
    numbers them: the header is row 1, so the first record is row 2."""

    row: int
    reason: str

    def __str__(self):
        return f"row {self.row}: {self.reason}"


@dataclass
class Table:
    rows: list[tuple[int, dict[str, str]]]
    notes: list[str]
    # Rows read but not to be imported (a last row cut short), with the reason.
    refused: list[RowWarning] = field(default_factory=list)


def normalise_header(text: str) -> str:
    """'NEWAOSNUMBER (ORI9)' -> 'newaosnumber', 'Link 1 Date' -> 'link1date'."""
    return re.sub(r"[^a-z0-9]", "", re.sub(r"\(.*?\)", "", text.lower()))


def _decode(data: bytes) -> tuple[str, list[str]]:
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        # Excel on Windows saves CSV as Windows-1252; anything it cannot hold becomes U+FFFD, not a crash.
        return data.decode("cp1252", errors="replace"), ["the file is not UTF-8: read it as Windows-1252"]


def read_records(path: Path, *, what: str) -> tuple[list[list[str]], list[str]]:
    """Every record of a CSV file (the header first) and notes on how it was read; ImportFileError when it is
    missing, empty, binary or not CSV."""
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(f"No such file: {path}")
    data = path.read_bytes()
    if not data.strip():
        raise ImportFileError(f"{path} is empty.")
    if b"\x00" in data[:4096]:
        raise ImportFileError(f"{path} is not a CSV file (it holds binary data); expected {what}.")
    text, notes = _decode(data)
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise ImportFileError(f"{path} is not a readable CSV file ({error}); expected {what}.") from None
    return records, notes


def read_table(path: Path, *, columns: list[str], required: list[str], what: str) -> Table:
    """Rows as (row number, {column: cell}) for the known `columns`; an absent optional column reads as ""."""
    records, notes = read_records(path, what=what)
    headers = [normalise_header(h) for h in records[0]]
    index = {}
    for name in columns:
        key = normalise_header(name)
        if key in headers:
            index[name] = headers.index(key)
    missing = [name for name in required if name not in index]
    if missing:
        raise ImportFileError(
            f"{path} is missing the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; expected {what}. "
            f"Columns found: {', '.join(h.strip() for h in records[0] if h.strip()) or 'none'}."
        )
    rows, refused = [], []
    cut = last_record_cut(path, records)
    for number, record in enumerate(records[1:], start=2):
        if not record:
            continue
        if cut and number == len(records):
            refused.append(RowWarning(number, f"not imported: {cut}"))
            continue
        cells = {name: record[i].strip() if i < len(record) else "" for name, i in index.items()}
        rows.append((number, {name: cells.get(name, "") for name in columns}))
    return Table(rows=rows, notes=notes, refused=refused)


# A line no CSV file holds, added after a file's text: it is read as a record of its own unless the file ended
# inside a quoted cell, which then swallows it.
_SENTINEL = "\ue000"


def last_record_cut(path: Path, records: list[list[str]]) -> str | None:
    """Why the last record of a CSV file (read by read_records, header first) looks cut short, or None.

    A file cut while it was copied or downloaded still parses: its last row simply comes out shorter (a cell cut
    in the middle, the cells after it missing), and imported over a full import it would replace a good record
    with a damaged one. So the last row is suspect when the file ends inside a quoted cell, when it has fewer
    cells than the header (and than the rows before it), or when the file lacks the line break that ends every
    file the layouts we read are saved as (spreadsheets, exporters and csv writers all end it with one)."""
    if len(records) < 2 or not records[-1]:
        return None
    text, _ = _decode(Path(path).read_bytes())
    if list(csv.reader(io.StringIO(f"{text}\n{_SENTINEL}", newline="")))[-1] != [_SENTINEL]:
        return "the file ends inside a quoted cell of this row: it looks cut short"
    last, header = records[-1], records[0]
    others = [len(record) for record in records[1:-1] if record]
    usual = max(set(others), key=others.count) if others else len(header)
    if len(last) < min(len(header), usual):
        return (
            f"it has {len(last)} cells where the header has {len(header)} and the file ends there: it looks cut short"
        )
    if not text.endswith(("\n", "\r")):
        return "the file ends inside this row (no final line break): it looks cut short"
    return None
