"""Reading Excel workbooks (.xlsx with openpyxl, the older .xls with xlrd) as rows of strings, the way a CSV export
of the same sheet would read: dates as YYYY-MM-DD, whole numbers without ".0", blank rows empty. csvfile.py decides
which sheet is wanted and where its header is; this module only turns cells into text."""

import datetime
import io
import zipfile
from dataclasses import dataclass, field

import openpyxl
import xlrd

XLSX = "xlsx"
XLS = "xls"
ZIP_MAGIC = b"PK\x03\x04"
# Excel 97-2003 workbooks (and Word documents, and password-protected .xlsx files) are OLE2 compound files.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class WorkbookError(ValueError):
    """The file looks like a workbook but cannot be read as one; the message says why (the caller names the file)."""


@dataclass
class Worksheet:
    name: str
    # Row n of the sheet is rows[n - 1]; trailing empty cells are cut and a blank row is [].
    rows: list[list[str]]
    # Rows whose only content is one cell merged across several columns: titles, section headings, footers.
    banners: set[int] = field(default_factory=set)


def workbook_kind(data: bytes) -> str | None:
    """XLSX or XLS when the bytes start like one (a ZIP archive or an OLE2 file), else None."""
    if data.startswith(ZIP_MAGIC):
        return XLSX
    if data.startswith(OLE_MAGIC):
        return XLS
    return None


def read_workbook(data: bytes, kind: str) -> list[Worksheet]:
    return _read_xlsx(data) if kind == XLSX else _read_xls(data)


def cell_text(value) -> str:
    """A cell as a CSV export shows it, minus Excel's locale: ISO dates, 15 significant digits."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    return str(value)


def _trimmed(cells: list[str]) -> list[str]:
    while cells and not cells[-1].strip():
        cells.pop()
    return cells


def _worksheet(name: str, rows: list[list[str]], merged: list[tuple[int, int, int, int]]) -> Worksheet:
    """merged: (first row, last row, first column, last column), 1-based and inclusive."""
    while rows and not rows[-1]:
        rows.pop()
    banners = set()
    for first_row, last_row, first_column, last_column in merged:
        if last_column == first_column:
            continue
        for number in range(first_row, min(last_row, len(rows)) + 1):
            filled = [i for i, cell in enumerate(rows[number - 1], start=1) if cell.strip()]
            if filled and first_column <= filled[0] and filled[-1] <= last_column:
                banners.add(number)
    return Worksheet(name=name, rows=rows, banners=banners)


def _read_xlsx(data: bytes) -> list[Worksheet]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and b"opendocument.spreadsheet" in archive.read("mimetype"):
                raise WorkbookError("is an OpenDocument spreadsheet (.ods): save it as .xlsx or CSV first")
            if "xl/workbook.bin" in names:
                raise WorkbookError("is an Excel binary workbook (.xlsb): save it as .xlsx or CSV first")
            if "xl/workbook.xml" not in names:
                raise WorkbookError("is a ZIP archive, not an Excel workbook")
        # Not read_only: only a fully loaded sheet knows its merged cells. data_only: a formula's last value.
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except WorkbookError:
        raise
    except Exception as error:  # openpyxl raises many kinds (KeyError, BadZipFile, XML errors) for a damaged file
        raise WorkbookError(f"cannot be read as an Excel workbook ({type(error).__name__}: {error})") from None
    sheets = []
    for sheet in book.worksheets:
        rows = [
            _trimmed([cell_text(value) for value in row])
            for row in sheet.iter_rows(min_row=1, min_col=1, values_only=True)
        ]
        merged = [(r.min_row, r.max_row, r.min_col, r.max_col) for r in sheet.merged_cells.ranges]
        sheets.append(_worksheet(sheet.title, rows, merged))
    return sheets


def _xls_cell(cell, datemode: int) -> str:
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return cell_text(xlrd.xldate_as_datetime(cell.value, datemode))
        except (ValueError, OverflowError, xlrd.XLDateError):
            return cell_text(cell.value)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return cell_text(bool(cell.value))
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERROR")
    return cell_text(cell.value)


def _read_xls(data: bytes) -> list[Worksheet]:
    # An OLE2 file names its streams in UTF-16: an encrypted .xlsx keeps its workbook in "EncryptedPackage".
    if "EncryptedPackage".encode("utf-16-le") in data:
        raise WorkbookError("is password-protected: save an unprotected copy first")
    if "WordDocument".encode("utf-16-le") in data:
        raise WorkbookError("is a Word document, not an Excel workbook")
    try:
        # formatting_info: without it xlrd does not read merged cells.
        book = xlrd.open_workbook(file_contents=data, formatting_info=True)
    except Exception as error:  # xlrd raises XLRDError, CompDocError, struct and index errors for what it cannot read
        raise WorkbookError(f"cannot be read as an Excel 97-2003 workbook ({error})") from None
    sheets = []
    for sheet in book.sheets():
        rows = [_trimmed([_xls_cell(cell, book.datemode) for cell in sheet.row(i)]) for i in range(sheet.nrows)]
        # xlrd's ranges are 0-based and half-open.
        merged = [(r0 + 1, r1, c0 + 1, c1) for r0, r1, c0, c1 in sheet.merged_cells]
        sheets.append(_worksheet(sheet.name, rows, merged))
    return sheets
