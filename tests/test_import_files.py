"""How the importers read files: CSV in any encoding a spreadsheet writes (UTF-8, Windows-1252, Latin-1, UTF-16),
comma, tab or semicolon separated; Excel workbooks (.xlsx, .xls) with dates, titles above the header and merged
footers; NUL bytes removed and reported; anything else refused by name. Every file here is written in tmp_path."""

import csv
import datetime
import io
import re
from pathlib import Path

import openpyxl
import pytest
import xlwt
from django.core.management import CommandError, call_command

from records.models import Agency, Procurement, RecordsRequest, TimelineEvent

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
LOGS = sorted((DATA / "foia-logs").glob("*.csv"))
ATLAS = DATA / "atlas-current-layout-synthetic.csv"
FBI = DATA / "fbi-agencies-2018-slice.csv"
AWARDS = DATA / "usaspending-awards-sample.csv"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
EXCEL_EPOCH = datetime.date(1899, 12, 30)


def run(command, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *[str(a) for a in args], stdout=out, stderr=err, verbosity=0)
    return out.getvalue(), err.getvalue()


def run_log(*paths, agency="APHIS") -> tuple[str, str]:
    return run("import_foia_log", *paths, "--create-agency", agency, "--level", "federal")


def csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(file))


def requests_of(agency_name: str) -> dict[str, tuple]:
    fields = ("filed_on", "due_on", "closed_on", "status", "subject", "text", "requester_organization",
              "requester_person")  # fmt: skip
    requests = RecordsRequest.objects.filter(agency__name=agency_name)
    return {r["tracking_number"]: tuple(r[f] for f in fields) for r in requests.values("tracking_number", *fields)}


def cell_value(text: str, *, serial: bool):
    """A CSV cell as a person typing the log into Excel would leave it: dates as dates (or, with serial, as the bare
    serial number a date column shows when its format is lost), everything else as text."""
    if ISO_DATE.fullmatch(text.strip()):
        day = datetime.date.fromisoformat(text.strip())
        return float((day - EXCEL_EPOCH).days) if serial else day
    return text


TITLE = "USDA APHIS FOIA Log"
FOOTER = "Prepared by the FOIA office. Totals are unofficial."


def write_xlsx(rows: list[list[str]], path: Path, *, serial_column: int) -> Path:
    """The log as an agency publishes it: a merged title and a blank row above the header, a merged footer and
    formatted blank rows below the records."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Log"
    width = len(rows[0])
    sheet.append([TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.append([])
    for row in rows:
        sheet.append([cell_value(text, serial=i == serial_column) for i, text in enumerate(row)])
    for row in sheet.iter_rows(min_row=4):
        for cell in row:
            if isinstance(cell.value, datetime.date):
                cell.number_format = "mm/dd/yyyy"
    sheet.append([])
    sheet.append([FOOTER])
    footer = sheet.max_row
    sheet.merge_cells(start_row=footer, start_column=1, end_row=footer, end_column=width)
    for number in range(footer + 1, footer + 4):
        sheet.cell(row=number, column=2).number_format = "mm/dd/yyyy"  # formatted but empty, as Excel leaves them
    book.create_sheet("Notes")  # an empty second sheet
    book.save(path)
    return path


def write_xls(rows: list[list[str]], path: Path, *, serial_column: int) -> Path:
    book = xlwt.Workbook()
    sheet = book.add_sheet("Log")
    date_style = xlwt.easyxf(num_format_str="MM/DD/YYYY")
    width = len(rows[0])
    sheet.write_merge(0, 0, 0, width - 1, TITLE)
    for r, row in enumerate(rows, start=2):
        for c, text in enumerate(row):
            value = cell_value(text, serial=c == serial_column)
            if isinstance(value, datetime.date):
                sheet.write(r, c, value, date_style)
            elif text:
                sheet.write(r, c, value)
    footer = len(rows) + 3
    sheet.write_merge(footer, footer, 0, width - 1, FOOTER)
    book.save(str(path))
    return path


WRITERS = {"xlsx": write_xlsx, "xls": write_xls}


@pytest.mark.parametrize("form", ["xlsx", "xls"])
def test_the_sample_logs_as_excel_import_the_same_requests_as_their_csvs(tmp_path, form):
    out, err = run_log(*LOGS, agency="From CSV")
    from_csv = requests_of("From CSV")
    assert len(from_csv) == 112 and "112 rows read: 112 requests created" in out
    workbooks = []
    for log in LOGS:
        rows = csv_rows(log)
        # The date received holds bare serial numbers, as a date column does whose format was lost; the other
        # dates are date cells.
        received = next(i for i, header in enumerate(rows[0]) if header.strip() in {"DATE RECEIVED", "Received Date"})
        workbooks.append(WRITERS[form](rows, tmp_path / f"{log.stem}.{form}", serial_column=received))

    excel_out, excel_err = run_log(*workbooks, agency="From Excel")

    assert requests_of("From Excel") == from_csv
    assert "112 rows read: 112 requests created, 0 updated" in excel_out
    # The log's own due dates (date cells) read as in the CSV: as many differ from ours.
    assert excel_out.split("warnings; ")[1] == out.split("warnings; ")[1]
    # The same row warnings, on the rows of the sheet (two rows lower: the title and a blank row above the header).
    csv_warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    # Warnings name each file by its path as given; the two forms live in two folders.
    shifted = [re.sub(r"\S*?(\d{4}-\w+)\.csv line (\d+)", lambda m: f"{m[1]}.{form} line {int(m[2]) + 2}", w)
               for w in csv_warnings]  # fmt: skip
    excel_named = re.sub(r"\S*?(\d{4}-\w+\.xlsx?) line", r"\1 line", excel_err)
    assert shifted
    for warning in shifted:
        assert warning in excel_named
    assert f"2010-November.{form} line 1: above the header (row 3): not imported ('{TITLE}')" in excel_err
    footer = len(csv_rows(LOGS[0])) + 4
    assert f"2010-November.{form} line {footer}: one merged cell ('{FOOTER}'): not a record" in excel_err


def test_a_log_in_excel_reads_date_cells_serial_numbers_and_a_workbook_of_several_sheets(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Read me"
    book.active.append(["This workbook holds the FOIA log of March 2024."])
    sheet = book.create_sheet("March 2024")
    sheet.append(["Request Number", "Date Received", "Due Date", "Closed Date", "Subject", "Requester Name"])
    sheet.append(["A-1", datetime.datetime(2024, 3, 4, 9, 30), 45387, datetime.date(2024, 3, 20), "Drones", 12])
    sheet.append(["A-2", 45355, None, None, "ALPR contracts", "Jane Roe"])
    book.save(tmp_path / "march.xlsx")

    out, err = run_log(tmp_path / "march.xlsx")

    assert "2 rows read: 2 requests created" in out
    first, second = RecordsRequest.objects.order_by("tracking_number")
    assert (first.filed_on, first.closed_on, first.status) == (
        datetime.date(2024, 3, 4),
        datetime.date(2024, 3, 20),
        "closed",
    )  # fmt: skip (a closure without an outcome)
    assert first.requester_person == "12"  # a number in a text column is its digits, not "12.0"
    assert (second.filed_on, second.status) == (datetime.date(2024, 3, 4), "unknown")  # no closure given
    assert "march.xlsx line 1: the workbook has several sheets: read 'March 2024'; not read: 'Read me'" in err


# --- Encodings -------------------------------------------------------------------------------------------------

LOG_HEADER = "CASE NO.,DATE RECEIVED,SUBJECT,AFFILIATION"


@pytest.mark.parametrize(
    ("encoding", "subjects"),
    [
        ("latin-1", ["Réquesting the café's façade records", "Señor Müller — no: Señor Müller's ½ page"]),
        ("cp1252", ["“Smart” quotes – and a dash", "€ 5,000 contract for naïve œuvres"]),
    ],
)
def test_a_log_saved_in_a_western_code_page_is_read_as_windows_1252_and_says_so(tmp_path, encoding, subjects):
    if encoding == "latin-1":
        subjects[1] = "Señor Müller's ½ page"  # Latin-1 has no dash
    lines = [LOG_HEADER] + [f'A-{i},2024-03-0{i},"{subject}",Ça Ira Média' for i, subject in enumerate(subjects, 1)]
    path = tmp_path / "log.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))

    out, err = run_log(path)

    assert "2 rows read: 2 requests created" in out
    assert "log.csv line 1: the file is not UTF-8: read it as Windows-1252" in err
    stored = dict(RecordsRequest.objects.values_list("tracking_number", "subject"))
    assert stored == {f"A-{i}": subject for i, subject in enumerate(subjects, 1)}
    assert set(RecordsRequest.objects.values_list("requester_organization", flat=True)) == {"Ça Ira Média"}
    assert not RecordsRequest.objects.filter(subject__contains="\ufffd").exists()


def test_a_utf8_log_with_rows_pasted_from_a_windows_1252_file_reads_both_kinds_right(tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(
        "\ufeffCASE NO.,DATE RECEIVED,SUBJECT\nA-1,2024-03-04,Café in UTF-8\n".encode()
        + "A-2,2024-03-05,Café in Windows-1252\n".encode("cp1252")
    )
    out, err = run_log(path)
    assert "2 rows read: 2 requests created" in out
    assert "log.csv line 1: the file is UTF-8 but for 1 line: read them as Windows-1252" in err
    assert sorted(RecordsRequest.objects.values_list("subject", flat=True)) == [
        "Café in UTF-8",
        "Café in Windows-1252",
    ]


@pytest.mark.parametrize("bom", [True, False], ids=["with byte-order mark", "without"])
def test_excels_unicode_text_export_utf16_and_tab_separated_is_read(tmp_path, bom):
    rows = [["Request ID", "Requester Name", "Organization", "Received Date", "Request Description"],
            ["2014-APHIS-1", "Łukasz, Zoë", "Ørsted", "2014-06-03", "Records, with commas, of the 東京 office"],
            ["2014-APHIS-2", "Smith, Al", "-", "2014-06-04", "Inspection reports"]]  # fmt: skip
    text = "\r\n".join("\t".join(row) for row in rows) + "\r\n"
    path = tmp_path / "log.txt"
    path.write_bytes(text.encode("utf-16" if bom else "utf-16-le"))

    out, err = run_log(path)

    assert "2 rows read: 2 requests created" in out
    assert "log.txt line 1: the file is not UTF-8: read it as UTF-16" in err
    first = RecordsRequest.objects.get(tracking_number="2014-APHIS-1")
    assert (first.requester_person, first.requester_organization) == ("Łukasz, Zoë", "Ørsted")
    assert first.subject == "Records, with commas, of the 東京 office"
    assert first.filed_on == datetime.date(2014, 6, 3)


def test_a_semicolon_separated_log_below_a_title_line_is_read(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(
        "FOIA log, City of Example; January 2024\n\n"
        "Case No;Date Received;Subject\nC-1;01/04/2024;Body cameras, Axon\nC-2;01/05/2024;Drones\n",
        encoding="utf-8",
    )
    out, err = run("import_foia_log", path, "--create-agency", "Example PD", "--level", "city", "--state", "OR")
    assert "2 rows read: 2 requests created" in out
    assert RecordsRequest.objects.get(tracking_number="C-1").subject == "Body cameras, Axon"
    assert "log.csv line 1: above the header (row 3): not imported ('FOIA log, City of Example January 2024')" in err


# --- NUL bytes -------------------------------------------------------------------------------------------------


def test_nul_bytes_in_a_log_are_removed_and_their_rows_reported(tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(
        b"CASE NO.,DATE RECEIVED,SUBJECT\r\nA-1,2024-03-04,Clean\r\nA-2,2024-03-05,Pad\x00ded\x00\x00\r\n"
        b"A-3,2024-03-06,Clean too\r\n"
    )
    out, err = run_log(path)
    assert "3 rows read: 3 requests created" in out
    assert RecordsRequest.objects.get(tracking_number="A-2").subject == "Padded"
    assert "log.csv line 3: the row held NUL bytes (\\x00): they were removed" in err
    assert "line 2: the row held NUL" not in err and "line 4: the row held NUL" not in err


def with_nul(source: Path, path: Path, *, row: int, column: str) -> Path:
    """The file with a NUL byte in one cell of a row far enough down that no look at the file's start finds it."""
    rows = csv_rows(source)
    index = rows[0].index(column)
    rows[row - 1][index] = rows[row - 1][index][:3] + "\x00" + rows[row - 1][index][3:]
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows(rows)
    return path


def test_a_nul_byte_deep_in_an_fbi_list_is_removed_and_its_row_reported(tmp_path):
    path = with_nul(FBI, tmp_path / "agencies.csv", row=210, column="agency_name")
    assert path.read_bytes().index(b"\x00") > 4096
    name = csv_rows(FBI)[209][csv_rows(FBI)[0].index("agency_name")]
    ori = csv_rows(FBI)[209][csv_rows(FBI)[0].index("ori")]

    out, err = run("import_agencies", path)

    assert f"{len(csv_rows(FBI)) - 1} rows read" in out
    assert Agency.objects.get(ori=ori).name == name == "Los Angeles County Sheriff's Office"
    assert "row 210: the row held NUL bytes (\\x00): they were removed" in err


def test_a_nul_byte_in_an_atlas_export_is_removed_and_its_row_reported(tmp_path):
    path = with_nul(ATLAS, tmp_path / "atlas.csv", row=3, column="Summary")
    summary = csv_rows(ATLAS)[2][csv_rows(ATLAS)[0].index("Summary")]

    out, err = run("import_atlas", path)

    assert f"{len(csv_rows(ATLAS)) - 1} rows read" in out
    assert TimelineEvent.objects.filter(summary__startswith=" ".join(summary.split())[:40]).count() == 1
    assert "row 3: the row held NUL bytes (\\x00): they were removed" in err


# --- The other importers read Excel and UTF-16 through the same reader -------------------------------------------


@pytest.mark.parametrize(
    ("source", "command", "unchanged"),
    [
        (ATLAS, "import_atlas", "0 created, 0 updated, {rows} unchanged"),
        (FBI, "import_agencies", "0 created, 0 updated (0 matched by name), {rows} unchanged"),
    ],  # fmt: skip
    ids=["atlas", "fbi"],
)
def test_the_atlas_and_fbi_files_as_xlsx_read_exactly_as_their_csvs(tmp_path, source, command, unchanged):
    book = openpyxl.Workbook()
    for row in csv_rows(source):
        book.active.append(row)
    book.save(tmp_path / f"{source.stem}.xlsx")
    rows = len(csv_rows(source)) - 1
    run(command, source)
    _, again_err = run(command, source)

    # Imported again from the workbook, nothing changes: every cell read the same.
    xlsx_out, xlsx_err = run(command, tmp_path / f"{source.stem}.xlsx")

    assert f"{rows} rows read" in xlsx_out and unchanged.format(rows=rows) in xlsx_out
    # The same warnings, each naming its file as given.
    assert xlsx_err.replace(str(tmp_path / f"{source.stem}.xlsx"), "FILE") == again_err.replace(str(source), "FILE")


@pytest.mark.parametrize("form", ["xlsx", "utf-16"])
def test_a_usaspending_table_as_xlsx_or_utf16_imports_every_award_and_none_is_taken_for_cut_short(tmp_path, form):
    rows = csv_rows(AWARDS)
    if form == "xlsx":
        book = openpyxl.Workbook()
        for row in rows:
            book.active.append([cell_value(text, serial=False) for text in row])
        book.save(path := tmp_path / "awards.xlsx")
    else:
        path = tmp_path / "awards.csv"
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        path.write_bytes(buffer.getvalue().encode("utf-16"))
    run("import_procurements", AWARDS)

    # Imported again from the other form, nothing changes: every cell read the same, the last row included.
    out, err = run("import_procurements", path)

    assert "cut short" not in err
    # The sample repeats one award (line 26), as search results do.
    assert "25 rows read" in out and "0 created, 0 updated, 24 unchanged, 1 reported" in out
    assert ("awards.csv line 1: the file is not UTF-8: read it as UTF-16" in err) == (form == "utf-16")
    assert Procurement.objects.count() == 24


# --- Files that are not CSV or Excel -----------------------------------------------------------------------------

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a8a4"
    "0000000049454e44ae426082"
)


@pytest.mark.parametrize(
    "command",
    [
        ["import_foia_log", "--create-agency", "X", "--level", "federal"],
        ["import_atlas"],
        ["import_agencies"],
        ["import_procurements"],
    ],  # fmt: skip
    ids=lambda command: command[0],
)
def test_a_png_renamed_csv_is_refused_by_name(tmp_path, command):
    path = tmp_path / "photo.csv"
    path.write_bytes(PNG)
    with pytest.raises(CommandError) as refused:
        run(command[0], path, *command[1:])
    assert f"{path} is not a CSV or Excel file (it is a PNG image); " in str(refused.value)
    assert "\\x" not in str(refused.value) and "PNG\r" not in str(refused.value)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("log.xlsx", b"PK\x03\x04" + b"\x00" * 40, "photo-or-zip"),
        ("log.csv", bytes(range(256)) * 20, "it holds binary data"),
        ("log.xls", b"<html><body><table><tr><td>CASE NO.</td></tr></table></body></html>", "it is a web page"),
        ("log.csv", b"\n\n\x00\n", "is empty"),
    ],
    ids=["damaged zip", "binary without a signature", "html named xls", "empty"],
)
def test_other_files_that_are_not_logs_get_a_clear_refusal(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(CommandError) as refused:
        run_log(path)
    text = str(refused.value)
    assert str(path) in text
    if message == "photo-or-zip":
        assert "is not a CSV or Excel file: it cannot be read as an Excel workbook" in text
    else:
        assert message in text
    assert not RecordsRequest.objects.exists()


def test_a_zip_that_is_not_a_workbook_says_so(tmp_path):
    import zipfile

    path = tmp_path / "log.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("report.txt", "hello")
    with pytest.raises(CommandError, match=r"log.xlsx is not a CSV or Excel file: it is a ZIP archive"):
        run_log(path)
