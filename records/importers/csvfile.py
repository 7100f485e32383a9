"""Reading the CSV files the importers take: in whatever encoding a spreadsheet saved them, with headers
matched loosely, and with a message (never a traceback) when a file is not what it should be."""

import csv
import io
import re
from dataclasses import dataclass
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
    rows = []
    for number, record in enumerate(records[1:], start=2):
        if not record:
            continue
        cells = {name: record[i].strip() if i < len(record) else "" for name, i in index.items()}
        rows.append((number, {name: cells.get(name, "") for name in columns}))
    return Table(rows=rows, notes=notes)
