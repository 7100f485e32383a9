"""The FOIA-log importer: both USDA layouts, federal deadlines, bad rows reported, idempotent."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from records.models import Agency, RecordsRequest

pytestmark = pytest.mark.django_db
LOGS = Path(__file__).parent / "data" / "foia-logs"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_foia_log", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_both_layouts_import_with_federal_due_dates_matching_the_log():
    out, err = run(*sorted(str(p) for p in LOGS.glob("*.csv")), "--create-agency", "APHIS", "--level", "federal")
    agency = Agency.objects.get(name="APHIS")
    assert agency.jurisdiction.level == "federal"
    assert RecordsRequest.objects.filter(agency=agency).count() == 112
    assert "112 rows read: 112 requests created" in out
    # The log's own dates for two layouts: "DATE DUE OUT" and "Target Date".
    fast = RecordsRequest.objects.get(tracking_number="11-060")
    assert (fast.filed_on, fast.due_on) == (datetime.date(2010, 11, 1), datetime.date(2010, 12, 1))
    june = RecordsRequest.objects.get(tracking_number="2014-APHIS-03796-F")
    assert (june.filed_on, june.due_on) == (datetime.date(2014, 6, 3), datetime.date(2014, 7, 1))
    assert june.requester_person == "Spencer, Lauren"
    assert june.requester_organization == ""
    # No closure in the log: the request may be open still or closed after the log was written.
    assert june.status == "unknown" and june.closed_on is None
    # A closure date without a disposition: closed, but the log does not say how.
    closed = RecordsRequest.objects.get(tracking_number="2014-APHIS-03815-F")
    assert (closed.status, closed.closed_on) == ("closed", datetime.date(2014, 6, 16))
    assert list(closed.status_changes.values_list("status", flat=True)) == ["filed", "closed"]


def test_due_dates_equal_the_logs_target_dates_unless_extended():
    run(*sorted(str(p) for p in LOGS.glob("*.csv")), "--create-agency", "APHIS", "--level", "federal")
    import csv

    compared = later = 0
    for path in LOGS.glob("*.csv"):
        rows = list(csv.reader(path.open(encoding="utf-8")))
        due_column = 5 if "DATE DUE OUT" in rows[0] else 4
        for row in rows[1:]:
            if not row or not row[0].strip():
                continue
            log_due = datetime.date.fromisoformat(row[due_column].strip())
            ours = RecordsRequest.objects.get(tracking_number=row[0].strip()).due_on
            compared += 1
            if log_due != ours:
                # The agency extended it (a later date), or the log has a typo (before receipt), or, in 2010
                # only, the log counted Friday 24 December, Christmas observed, as a working day.
                filed = RecordsRequest.objects.get(tracking_number=row[0].strip()).filed_on
                christmas_2010 = filed < datetime.date(2010, 12, 24) < ours and (ours - log_due).days == 1
                assert log_due > ours or log_due < filed or christmas_2010, row[0]
                later += 1
    assert compared == 112
    assert compared - later >= 90


def test_reimport_changes_nothing_instead_of_duplicating():
    paths = sorted(str(p) for p in LOGS.glob("*.csv"))
    run(*paths, "--create-agency", "APHIS", "--level", "federal")
    out, _ = run(*paths, "--agency", Agency.objects.get(name="APHIS").slug)
    assert "0 requests created, 0 updated, 112 unchanged" in out
    assert RecordsRequest.objects.count() == 112


def test_varied_headers_and_bad_rows_are_reported_not_dropped(tmp_path):
    log = tmp_path / "log.csv"
    log.write_text(
        "CASENO,Date  Received,DateDueOut,Subject,Date Closed\n"
        "A-1,03/04/2024,,Body cameras,\n"
        "A-2,45355,,Excel serial date,03/20/2024\n"
        "A-3,not a date,,Broken,\n"
        ",03/04/2024,,No number,\n"
        "A-5, 2024-03-04 ,,Stray spaces,2024-03-01\n"
    )
    out, err = run(str(log), "--create-agency", "Example PD", "--level", "city", "--state", "or")
    assert "5 rows read: 3 requests created" in out
    assert "log.csv line 4 (A-3): not imported: unreadable date 'not a date'" in err
    assert "log.csv line 5: not imported: no tracking number" in err
    assert "line 6 (A-5): closing date 2024-03-01 is before receipt" in err
    assert RecordsRequest.objects.get(tracking_number="A-2").filed_on == datetime.date(2024, 3, 4)
    assert RecordsRequest.objects.get(tracking_number="A-2").status == "closed"


def test_a_stated_disposition_gives_the_outcome_and_nothing_else_is_read_as_fulfilled(tmp_path):
    log = tmp_path / "log.csv"
    log.write_text(
        "Request Number,Date Received,Date Closed,Final Disposition\n"
        "B-1,2024-03-04,2024-03-20,Full grant\n"
        "B-2,2024-03-04,2024-03-20,Partial grant/partial denial\n"
        "B-3,2024-03-04,2024-03-20,No records\n"
        "B-4,2024-03-04,2024-03-20,Request withdrawn\n"
        "B-5,2024-03-04,2024-03-20,Full denial based on exemptions\n"
        "B-6,2024-03-04,2024-03-20,Improper FOIA request for other reason\n"
        "B-7,2024-03-04,2024-03-20,\n"
        "B-8,2024-03-04,,\n"
    )
    out, err = run(str(log), "--create-agency", "Example PD", "--level", "city", "--state", "or")
    assert "8 rows read: 8 requests created" in out
    statuses = dict(RecordsRequest.objects.values_list("tracking_number", "status"))
    assert statuses == {
        "B-1": "fulfilled", "B-2": "partially_fulfilled", "B-3": "no_records", "B-4": "withdrawn",
        "B-5": "rejected", "B-6": "closed", "B-7": "closed", "B-8": "unknown",
    }  # fmt: skip
    assert (
        "log.csv line 7 (B-6): disposition 'Improper FOIA request for other reason' not recognised; "
        "recorded as closed, outcome not recorded"
    ) in err
    assert not RecordsRequest.objects.overdue(datetime.date(2030, 1, 1)).exists()


def test_reimporting_a_log_corrects_requests_once_read_as_fulfilled(tmp_path):
    log = tmp_path / "log.csv"
    log.write_text("Request ID,Received Date,Closed Date\nC-1,2024-03-04,2024-03-20\nC-2,2024-03-04,-\n")
    run(str(log), "--create-agency", "Example PD", "--level", "city", "--state", "or")
    # As the importer used to write them.
    RecordsRequest.objects.filter(tracking_number="C-1").update(status="fulfilled")
    RecordsRequest.objects.filter(tracking_number="C-2").update(status="filed")
    out, _ = run(str(log), "--agency", Agency.objects.get().slug)
    assert "0 requests created, 2 updated" in out
    assert dict(RecordsRequest.objects.values_list("tracking_number", "status")) == {"C-1": "closed", "C-2": "unknown"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--agency", "nope"], "No agency with the slug"),
        (["--create-agency", "X", "--level", "city"], "--state must be"),
        (["--create-agency", "X"], "needs --level"),
    ],
)
def test_bad_arguments_get_clear_errors(args, message):
    with pytest.raises(CommandError, match=message):
        run(str(next(LOGS.glob("*.csv"))), *args)


def test_a_file_without_the_needed_columns_is_refused(tmp_path):
    log = tmp_path / "other.csv"
    log.write_text("name,colour\nx,blue\n")
    with pytest.raises(CommandError, match="no column for tracking, received"):
        run(str(log), "--create-agency", "X", "--level", "federal")


HEADER_2010 = "CASE NO.,LAST NAME,FIRST NAME,AFFILIATION,DATE RECEIVED,DATE DUE OUT,TRACK,SUBJECT,CLOSURE DATE\r\n"


def log(path: Path, *rows: str) -> Path:
    """A log in the 2010 layout, saved as Excel saves it (CRLF)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((HEADER_2010 + "".join(f"{row}\r\n" for row in rows)).encode())
    return path


def test_a_log_cut_inside_a_quoted_subject_keeps_the_full_imports_subject(tmp_path):
    june = LOGS / "2014-June.csv"
    run(str(june), "--create-agency", "APHIS", "--level", "federal")
    text = june.read_bytes()
    last = RecordsRequest.objects.get(tracking_number="2014-APHIS-04631-F")
    assert last.text.endswith("inspection report for Cricket Hollow Zoo.")
    cut = tmp_path / "2014" / "June.csv"
    cut.parent.mkdir()
    cut.write_bytes(text[: text.rindex(b"inspection report for Cricket")])
    out, err = run(str(cut), "--agency", last.agency.slug)
    assert f"{cut} line 69: not imported: the file ends inside a quoted cell of this row: it looks cut short" in err
    assert "68 rows read: 0 requests created, 0 updated, 67 unchanged, 1 rows reported" in out
    last.refresh_from_db()
    assert last.text.endswith("inspection report for Cricket Hollow Zoo.")


def test_a_request_in_two_monthly_logs_is_imported_in_its_latest_state_whatever_the_file_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    log(Path("2012/June.csv"),
        "12-101,Doe,Jane,,2012-06-04,2012-07-02,Fast,Inspection reports,",
        "12-102,Roe,Rick,,2012-06-11,2012-07-10,Fast,Contracts for cameras,")  # fmt: skip
    log(Path("2012/July.csv"),
        "12-102,Roe,Rick,,2012-06-11,2012-07-10,Fast,Contracts for cameras,",
        "12-101,Doe,Jane,,2012-06-04,2012-07-02,Fast,Inspection reports,2012-07-09",
        "12-101,Doe,Jane,,2012-06-04,2012-07-02,Fast,Inspection reports,2012-07-09")  # fmt: skip
    # The shell's order: July before June.
    out, err = run("2012/July.csv", "2012/June.csv", "--create-agency", "APHIS", "--level", "federal")
    closed = RecordsRequest.objects.get(tracking_number="12-101")
    assert (closed.status, closed.closed_on) == ("closed", datetime.date(2012, 7, 9))
    assert RecordsRequest.objects.count() == 2
    assert "5 rows read: 2 requests created" in out and "3 repeating another row" in out
    assert "2012/July.csv line 4 (12-101): the same request as 2012/July.csv line 3: imported once" in err
    assert ("2012/June.csv line 2 (12-101): the same request as 2012/July.csv line 3: 2012/July.csv line 3 is "
            "imported: it is closed on 2012-07-09, where this row leaves it open") in err  # fmt: skip
    assert "2012/June.csv line 3 (12-102): the same request as 2012/July.csv line 2: imported once" in err


def test_two_requests_that_share_a_number_are_both_kept_and_stay_apart_on_reimport(tmp_path):
    first = "12-200,Doe,Jane,,2012-06-04,2012-07-02,Fast,Inspection reports,"
    second = "12-200,Smith,Al,City Paper,2012-06-20,2012-07-19,Fast,Drone purchases,"
    path = log(tmp_path / "June.csv", first, second)
    out, err = run(str(path), "--create-agency", "APHIS", "--level", "federal")
    assert "2 requests created" in out
    assert (f"{path} line 3 (12-200): another request than {path} line 2 has this number (they differ in at least "
            "two of date received, subject and requester): both are kept, this one as '12-200 (2)'") in err  # fmt: skip
    assert sorted(RecordsRequest.objects.values_list("tracking_number", "subject")) == [
        ("12-200", "Inspection reports"), ("12-200 (2)", "Drone purchases"),
    ]  # fmt: skip
    slug = Agency.objects.get(name="APHIS").slug
    out, _ = run(str(path), "--agency", slug)
    assert "0 requests created, 0 updated, 2 unchanged" in out

    # A later log giving only the second request closes the second one, not the first.
    july = log(tmp_path / "July.csv", second + "2012-07-11")
    out, _ = run(str(july), "--agency", slug)
    assert "0 requests created, 1 updated" in out
    assert RecordsRequest.objects.get(tracking_number="12-200 (2)").closed_on == datetime.date(2012, 7, 11)
    assert RecordsRequest.objects.get(tracking_number="12-200").closed_on is None


def test_an_update_that_would_reopen_a_request_or_cut_its_subject_needs_force(tmp_path):
    july = log(tmp_path / "July.csv",
               "12-101,Doe,Jane,,2012-06-04,2012-07-02,Fast,Inspection reports,2012-07-09",
               "12-102,Roe,Rick,,2012-06-11,2012-07-10,Fast,Contracts for cameras and readers,")  # fmt: skip
    run(str(july), "--create-agency", "APHIS", "--level", "federal")
    slug = Agency.objects.get(name="APHIS").slug
    older = log(tmp_path / "June.csv",
                "12-101,Doe,Jane,,2012-06-04,2012-07-02,Fast,Inspection reports,",
                "12-102,Roe,Rick,,2012-06-11,2012-07-10,Fast,Contracts for cameras,")  # fmt: skip
    out, err = run(str(older), "--agency", slug)
    assert "0 updated, 0 unchanged, 2 rows reported" in out
    assert (
        f"{older} line 2 (12-101): not imported: the update would reopen it (the tracker has it closed on "
        "2012-07-09, the row gives no date); check the file (was it cut short?), or import it with --force"
    ) in err
    assert f"{older} line 3 (12-102): not imported: the update would cut its subject to 21 of its 33 characters" in err
    assert RecordsRequest.objects.get(tracking_number="12-101").status == "closed"  # closed, outcome not recorded

    out, err = run(str(older), "--agency", slug, "--force")
    assert "2 updated" in out and "applied" in err
    reopened = RecordsRequest.objects.get(tracking_number="12-101")
    assert (reopened.status, reopened.closed_on) == ("unknown", None)  # the log gives no closure


def test_a_refused_file_refuses_the_run_unless_keep_going_and_the_summary_says_so(tmp_path):
    good = log(tmp_path / "June.csv", "12-101,Doe,Jane,,2012-06-04,2012-07-02,Fast,Inspection reports,")
    bad = tmp_path / "notes.csv"
    bad.write_text("name,colour\nx,blue\n")
    args = [str(good), str(bad), "--create-agency", "New Office", "--level", "federal"]
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match=r"1 of 2 files refused .*notes.csv: no column for tracking.*: nothing was"):
        call_command("import_foia_log", *args, stdout=out, stderr=err)
    assert not Agency.objects.filter(name="New Office").exists() and not RecordsRequest.objects.exists()
    assert ("Nothing was imported and the agency 'New Office' not created: 1 file could not be read as a log "
            "(--keep-going imports the others). Had it been, New Office: 1 file, 1 rows read: 1 requests created"
            ) in out.getvalue()  # fmt: skip
    assert f"refused: {bad}: no column for tracking, received" in err.getvalue()

    out = io.StringIO()
    with pytest.raises(CommandError, match="1 of 2 files refused .*: the others were imported"):
        call_command("import_foia_log", *args, "--keep-going", stdout=out, stderr=io.StringIO())
    assert out.getvalue().startswith("New Office: 1 file, 1 rows read: 1 requests created")
    assert RecordsRequest.objects.get().agency.name == "New Office"
