"""What every importer shares to be trusted on real files: a last row cut short is told from a whole one, and
warnings name each file by the path it was given as, so two December.csv of two years are told apart."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from records.importers.csvfile import last_record_cut, read_sheet

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('id,name,note\r\n1,"Axon",x\r\n2,"Motorola",y\r\n', None),
        ("id,name,note\n1,Axon,x\n2,Motorola,y\n\n", None),  # blank lines after the last row
        ('id,name,note\n1,Axon,5" screen\n', None),  # a stray quote inside a cell opens nothing
        ("id,name,note\n1,Axon\n2,Motorola\n", None),  # every row is short: the file's way, not a cut
        ("id,name,note\n", None),  # the header alone
        ('id,name,note\n1,Axon,x\n2,"Motoro', "the file ends inside a quoted cell of this row"),
        ('id,name,note\n1,Axon,x\n2,"Moto\nrola",y', "the file ends inside this row (no final line break)"),
        ('id,name,note\n1,Axon,"a ""quoted"" word\n', "the file ends inside a quoted cell of this row"),
        ("id,name,note\n1,Axon,x\n2,Motorola,", "the file ends inside this row (no final line break)"),
        ("id,name,note\n1,Axon,x\n2,Moto", "it has 2 cells where the header has 3 and the file ends there"),
        ("id,name,note\n1,Axon,x\n2,Motorola,y", "the file ends inside this row (no final line break)"),
    ],
)
def test_a_last_row_cut_short_is_told_from_a_whole_one(tmp_path, text, reason):
    path = tmp_path / "file.csv"
    path.write_bytes(text.encode())
    found = last_record_cut(read_sheet(path, what="a test file"))
    assert found == (f"{reason}: it looks cut short" if reason else None)


def run(command: str, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *args, stdout=out, stderr=err, verbosity=0)
    return out.getvalue(), err.getvalue()


def two_years(tmp_path, name: str, first: bytes, second: bytes) -> tuple[str, str]:
    for year, data in (("2013", first), ("2014", second)):
        (tmp_path / year).mkdir(exist_ok=True)
        (tmp_path / year / name).write_bytes(data)
    return f"2013/{name}", f"2014/{name}"


def test_foia_log_and_procurement_warnings_name_the_file_by_the_path_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    header = b"Request ID,Requester Name,Organization,Received Date,Target Date,Request Description,Closed Date\r\n"
    earlier, later = two_years(
        tmp_path, "December.csv", header + b"2013-1,,,2013-12-02,,Cameras,\r\n", header + b"2014-1,,,soon,,Drones,\r\n"
    )
    _, err = run("import_foia_log", earlier, later, "--create-agency", "APHIS", "--level", "federal")
    assert "warning: 2014/December.csv line 2 (2014-1): not imported: unreadable date 'soon'" in err

    sample = (DATA / "usaspending-awards-sample.csv").read_bytes()
    earlier, later = two_years(tmp_path, "awards.csv", sample, sample)
    _, err = run("import_procurements", earlier, later)
    assert "warning: 2014/awards.csv line 2: not imported: " in err and "repeats 2013/awards.csv line 2" in err


def test_atlas_and_fbi_warnings_name_the_file_by_the_path_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    atlas = (DATA / "atlas-current-layout-synthetic.csv").read_bytes()
    _, path = two_years(tmp_path, "atlas.csv", atlas, atlas)
    out, err = run("import_atlas", path)
    assert out.startswith("2014/atlas.csv: 7 rows read") and "warning: 2014/atlas.csv row 6: unknown state 'ZZ'" in err

    fbi = (DATA / "fbi-agencies-2018-slice.csv").read_bytes()
    _, path = two_years(tmp_path, "agencies.csv", fbi, fbi)
    out, err = run("import_agencies", path)
    assert out.startswith("2014/agencies.csv: ") and "warning: 2014/agencies.csv row " in err


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_imports_at_once_wait_for_each_other_instead_of_failing():
    """On a fresh PostgreSQL database, two Atlas imports at once both created the same jurisdiction slug and all
    but one ended in a traceback. Each now waits for the other's transaction (SQLite has one writer anyway)."""
    import threading

    from django.db import connection, connections

    from records.models import Agency, TimelineEvent

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself")
    sample = Path(__file__).parent.parent / "records" / "data" / "atlas-of-surveillance-sample-300.csv"
    errors = []

    def run_import():
        try:
            call_command("import_atlas", str(sample), stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)
        except Exception as error:  # noqa: BLE001 - the test reports any failure of either run
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run_import) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    assert TimelineEvent.objects.filter(external_id__startswith="atlas:").count() == 300
    assert Agency.objects.count() == len(set(Agency.objects.values_list("slug", flat=True)))
