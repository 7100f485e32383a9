"""Reading the files the importers take, in one place: CSV or tab- or semicolon-separated text in whatever encoding
a spreadsheet saved it (UTF-8, UTF-16, Windows-1252...), or an Excel workbook (.xlsx, .xls), as rows of strings;
the header found by the columns it names, even below a title; NUL bytes removed and reported; and a message (never
a traceback) when a file is not what it should be."""

import csv
import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from charset_normalizer import from_bytes

from records.importers.spreadsheets import WorkbookError, read_workbook, workbook_kind


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
class Sheet:
    """A file's records, its header first, and what the reading had to guess or repair."""

    records: list[list[str]]
    notes: list[RowWarning] = field(default_factory=list)
    # The header's row in the file: 1 unless a title stands above it. The record after it is header_row + 1.
    header_row: int = 1
    # How a text file ends, as last_record_cut() reads it: a file cut in copying ends inside a quoted cell, or
    # without the final line break. A workbook is never cut in the middle of a row.
    from_text: bool = False
    ends_inside_quotes: bool = False
    ends_without_line_break: bool = False


@dataclass
class Table:
    rows: list[tuple[int, dict[str, str]]]
    notes: list[RowWarning]
    # Rows read but not to be imported (a last row cut short), with the reason.
    refused: list[RowWarning] = field(default_factory=list)


# How far down a title, a date or a blank line may push the header.
HEADER_SEARCH_ROWS = 20
BOMS = [
    (b"\xef\xbb\xbf", "utf-8", "UTF-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
]
# What a file renamed .csv often is; the message names it instead of showing its bytes.
SIGNATURES = [
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a program"),
    (b"{\\rtf", "an RTF document"),
]
DELIMITERS = [",", "\t", ";", "|"]
# Control characters that plain text does not hold (tabs, line and page breaks do; NUL is removed and reported).
CONTROL = re.compile(r"[\x01-\x08\x0e-\x1f\x7f]")


def normalise_header(text: str) -> str:
    """'NEWAOSNUMBER (ORI9)' -> 'newaosnumber', 'Link 1 Date' -> 'link1date'."""
    return re.sub(r"[^a-z0-9]", "", re.sub(r"\(.*?\)", "", text.lower()))


def _encoding_name(codec: str) -> str:
    codec = codec.lower().replace("-", "_")
    if match := re.fullmatch(r"cp(125\d)", codec):
        return f"Windows-{match.group(1)}"
    if codec in {"latin_1", "iso8859_1"}:
        return "ISO-8859-1 (Latin-1)"
    return {"utf_16_le": "UTF-16", "utf_16_be": "UTF-16", "mac_roman": "Mac Roman"}.get(codec, codec)


def _utf16_without_bom(data: bytes) -> str | None:
    """Excel's "Unicode text" and some exports write UTF-16 without a byte-order mark: text in the Latin range then
    has a zero byte in every other place, which no single-byte file has."""
    sample = data[:4096]
    sample = sample[: len(sample) // 2 * 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2].count(0) / (len(sample) / 2), sample[1::2].count(0) / (len(sample) / 2)
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    return None


def _guess_codec(data: bytes) -> str | None:
    """The code page of a file that is not UTF-8, by charset-normalizer (a maintained detector rather than our own
    statistics). On a few accented letters it cannot tell the Western code pages apart (é is the same byte in
    Windows-1250 and Windows-1252) and takes the first; the files we import come from Excel on Windows in the US, so
    Windows-1252 wins whenever it reads the bytes as cleanly as the best guess."""
    matches = from_bytes(data.replace(b"\x00", b""))
    best = matches.best()
    if best is None:
        return None
    for match in matches:
        if match.chaos <= best.chaos and "cp1252" in (match.encoding, *match.could_be_from_charset):
            return "cp1252"
    return best.encoding


def _mixed_utf8(data: bytes) -> tuple[str, int] | None:
    """A file that is UTF-8 but for some lines (rows pasted in from a Windows-1252 file): those lines read as
    Windows-1252 and the rest as UTF-8, so that neither half turns into mojibake. None if no line is UTF-8 beyond
    ASCII."""
    texts, fallback, utf8_beyond_ascii = [], 0, False
    for line in data.splitlines(keepends=True):
        try:
            text = line.decode("utf-8")
            utf8_beyond_ascii = utf8_beyond_ascii or not text.isascii()
        except UnicodeDecodeError:
            text = line.decode("cp1252", errors="replace")
            fallback += 1
        texts.append(text)
    return ("".join(texts), fallback) if utf8_beyond_ascii else None


def _decode(path: Path, data: bytes, what: str) -> tuple[str, list[str]]:
    """The text of a file and, when it is not UTF-8, a note saying how it was read."""
    for bom, codec, name in BOMS:
        if data.startswith(bom):
            if codec == "utf-8":
                data = data[len(bom) :]
                break
            return data[len(bom) :].decode(codec, errors="replace"), [f"the file is not UTF-8: read it as {name}"]
    else:
        if codec := _utf16_without_bom(data):
            return data.decode(codec, errors="replace"), [
                "the file is not UTF-8: read it as UTF-16 (without byte-order mark)"
            ]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    if mixed := _mixed_utf8(data):
        text, lines = mixed
        return text, [f"the file is UTF-8 but for {lines} line{'s' if lines > 1 else ''}: read them as Windows-1252"]
    codec = _guess_codec(data)
    if codec is None:
        raise ImportFileError(f"{path} is not a CSV or Excel file (it holds binary data); expected {what}.")
    text = data.decode(codec, errors="replace")
    notes = [f"the file is not UTF-8: read it as {_encoding_name(codec)}"]
    if unreadable := text.count("\ufffd"):
        notes.append(f"{unreadable} bytes mean nothing in {_encoding_name(codec)}: they show as \ufffd")
    return text, notes


def _delimiter(path: Path, text: str) -> str:
    """Comma, tab, semicolon or bar: the one that splits the most of the first lines into the same number of cells
    (a title line above the header splits into one whatever the delimiter). csv.Sniffer is not used: on real logs
    it picks letters and spaces."""
    if path.suffix.lower() in {".tsv", ".tab"}:
        return "\t"
    sample = text[:65536].splitlines()[:50]
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        widths = Counter(len(record) for record in csv.reader(sample, delimiter=delimiter) if record)
        width, rows = max(widths.items(), key=lambda item: (item[1], item[0]), default=(0, 0))
        score = (rows, width) if width > 1 else (0, 0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _text_records(path: Path, data: bytes, what: str) -> tuple[list[list[str]], list[str], tuple[bool, bool]]:
    for signature, kind in SIGNATURES:
        if data.startswith(signature):
            raise ImportFileError(f"{path} is not a CSV or Excel file (it is {kind}); expected {what}.")
    text, notes = _decode(path, data, what)
    stripped = text.lstrip().lower()
    if stripped.startswith(("<!doctype html", "<html", "<table")):
        # Many sites serve an HTML table named .xls.
        raise ImportFileError(
            f"{path} is not a CSV or Excel file (it is a web page); open it in a spreadsheet and save it as .xlsx "
            f"or CSV. Expected {what}."
        )
    if len(CONTROL.findall(text[:65536])) > len(text[:65536]) / 100:
        raise ImportFileError(f"{path} is not a CSV or Excel file (it holds binary data); expected {what}.")
    try:
        delimiter = _delimiter(path, text)
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise ImportFileError(f"{path} is not a readable CSV file ({error}); expected {what}.") from None
    return records, notes, _ending(text, delimiter)


# A line no CSV file holds, added after a file's text: it is read as a record of its own unless the file ended
# inside a quoted cell, which then swallows it.
_SENTINEL = "\ue000"


def _ending(text: str, delimiter: str) -> tuple[bool, bool]:
    """(ends inside a quoted cell, ends without a line break)."""
    try:
        tail = list(csv.reader(io.StringIO(f"{text}\n{_SENTINEL}", newline=""), delimiter=delimiter))[-1]
    except csv.Error:
        tail = []
    return tail != [_SENTINEL], not text.rstrip("\x00").endswith(("\n", "\r"))


def _worksheet_records(path: Path, data: bytes, kind: str, what: str, is_header):
    """(records, notes, {row: text} of the rows that are one merged cell); such rows read as blank."""
    try:
        sheets = read_workbook(data, kind)
    except WorkbookError as error:
        raise ImportFileError(f"{path} is not a CSV or Excel file: it {error}. Expected {what}.") from None
    filled = [sheet for sheet in sheets if any(sheet.rows)]
    if not filled:
        raise ImportFileError(f"{path} is empty: its sheets hold no cells.")
    # The first sheet with the columns wanted; else the first with anything in it (whose header is then reported).
    chosen = next((s for s in filled if is_header and any(is_header(r) for r in s.rows[:HEADER_SEARCH_ROWS])), None)
    chosen = chosen or filled[0]
    notes = []
    if len(filled) > 1:
        others = ", ".join(repr(sheet.name) for sheet in filled if sheet is not chosen)
        notes.append(f"the workbook has several sheets: read {chosen.name!r}; not read: {others}")
    records = [[] if number in chosen.banners else row for number, row in enumerate(chosen.rows, start=1)]
    banners = {number: " ".join(chosen.rows[number - 1]).strip() for number in chosen.banners}
    return records, notes, banners


def read_sheet(path: Path, *, what: str, is_header: Callable[[list[str]], bool] | None = None) -> Sheet:
    """Every record of a CSV, text or Excel file from its header on, the header first; ImportFileError when it is
    missing, empty, or neither text nor a workbook. is_header tells the header row from a title above it; without
    it (or when no row of the first twenty passes it) the header is the first row that is not blank."""
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(f"No such file: {path}")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImportFileError(f"Cannot read {path}: {error.strerror}.") from None
    if not data.strip(b" \t\r\n\x00"):
        raise ImportFileError(f"{path} is empty.")
    banners: dict[int, str] = {}
    ending = (False, False)
    if kind := workbook_kind(data):
        records, file_notes, banners = _worksheet_records(path, data, kind, what, is_header)
    else:
        records, file_notes, ending = _text_records(path, data, what)
    notes = [RowWarning(1, note) for note in file_notes]
    for number, record in enumerate(records, start=1):
        if any("\x00" in cell for cell in record):
            # NUL is never data, and PostgreSQL cannot store it in text.
            records[number - 1] = [cell.replace("\x00", "") for cell in record]
            notes.append(RowWarning(number, "the row held NUL bytes (\\x00): they were removed"))
    header = _header_index(records, is_header)
    if header is None:
        raise ImportFileError(f"{path} is empty.")
    for number, record in enumerate(records[:header], start=1):
        if any(cell.strip() for cell in record):
            shown = " ".join(" ".join(record).split())[:80]
            notes.append(RowWarning(number, f"above the header (row {header + 1}): not imported ({shown!r})"))
    for number, text in sorted(banners.items()):
        shown = " ".join(text.split())[:80]
        if number <= header:
            notes.append(RowWarning(number, f"above the header (row {header + 1}): not imported ({shown!r})"))
        else:
            notes.append(RowWarning(number, f"one merged cell ({shown!r}): not a record, not imported"))
    records = records[header:]
    if kind:
        # A worksheet's empty trailing cells are not written; a CSV export would write them.
        width = len(records[0])
        records = [row + [""] * (width - len(row)) if row else row for row in records]
    notes.sort(key=lambda note: note.row)
    return Sheet(
        records=records, notes=notes, header_row=header + 1, from_text=not kind,
        ends_inside_quotes=ending[0], ends_without_line_break=ending[1],
    )  # fmt: skip


def _header_index(records: list[list[str]], is_header) -> int | None:
    if is_header:
        for index, record in enumerate(records[:HEADER_SEARCH_ROWS]):
            if record and is_header(record):
                return index
    return next((index for index, record in enumerate(records) if any(cell.strip() for cell in record)), None)


def has_columns(record: list[str], names: list[str]) -> bool:
    found = {normalise_header(cell) for cell in record}
    return all(normalise_header(name) in found for name in names)


def read_table(path: Path, *, columns: list[str], required: list[str], what: str) -> Table:
    """Rows as (row number, {column: cell}) for the known `columns`; an absent optional column reads as ""."""
    sheet = read_sheet(path, what=what, is_header=lambda record: has_columns(record, required))
    records = sheet.records
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
    cut = last_record_cut(sheet)
    last = sheet.header_row + len(records) - 1
    for number, record in enumerate(records[1:], start=sheet.header_row + 1):
        if not record:
            continue
        if cut and number == last:
            refused.append(RowWarning(number, f"not imported: {cut}"))
            continue
        cells = {name: record[i].strip() if i < len(record) else "" for name, i in index.items()}
        rows.append((number, {name: cells.get(name, "") for name in columns}))
    return Table(rows=rows, notes=sheet.notes, refused=refused)


def last_record_cut(sheet: Sheet) -> str | None:
    """Why the last record of a text file looks cut short, or None (a workbook is never cut in the middle).

    A file cut while it was copied or downloaded still parses: its last row simply comes out shorter (a cell cut
    in the middle, the cells after it missing), and imported over a full import it would replace a good record
    with a damaged one. So the last row is suspect when the file ends inside a quoted cell, when it has fewer
    cells than the header (and than the rows before it), or when the file lacks the line break that ends every
    file the layouts we read are saved as (spreadsheets, exporters and csv writers all end it with one)."""
    records = sheet.records
    if len(records) < 2 or not records[-1] or not sheet.from_text:
        return None
    if sheet.ends_inside_quotes:
        return "the file ends inside a quoted cell of this row: it looks cut short"
    last, header = records[-1], records[0]
    others = [len(record) for record in records[1:-1] if record]
    usual = max(set(others), key=others.count) if others else len(header)
    if len(last) < min(len(header), usual):
        return (
            f"it has {len(last)} cells where the header has {len(header)} and the file ends there: it looks cut short"
        )
    if sheet.ends_without_line_break:
        return "the file ends inside this row (no final line break): it looks cut short"
    return None
