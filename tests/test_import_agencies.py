"""The FBI agency list importer, and its agreement with the Atlas importer: no twin agencies."""

import csv
import io
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from records.importers.names import normalise_agency_name, state_code
from records.models import Agency, Jurisdiction, TimelineEvent
from tests import factories

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
SLICE = DATA / "fbi-agencies-2018-slice.csv"
ATLAS_SAMPLE = Path(__file__).resolve().parent.parent / "records" / "data" / "atlas-of-surveillance-sample-300.csv"


def run(command, path) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(command, str(path), stdout=out, stderr=err, verbosity=0)
    return out.getvalue(), err.getvalue()


def slice_rows() -> list[dict]:
    with SLICE.open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


def test_agencies_get_their_jurisdiction_kind_ori_and_coordinates():
    out, err = run("import_agencies", SLICE)
    rows = slice_rows()
    assert f"{len(rows)} rows read" in out and f"{len(rows)} created" in out
    assert Agency.objects.filter(ori__isnull=False).count() == len(rows)

    sheriff = Agency.objects.get(ori="OR0340000")
    assert (sheriff.name, sheriff.kind) == ("Washington County Sheriff's Office", "sheriff")
    assert (sheriff.jurisdiction.level, sheriff.jurisdiction.name) == ("county", "Washington County")
    assert sheriff.jurisdiction.parent == Jurisdiction.objects.get(slug="oregon")
    assert (sheriff.latitude, sheriff.longitude) == (45.553542, -123.097615)

    city = Agency.objects.get(ori="DE0030500")  # Milford Police Department, counties "KENT; SUSSEX"
    assert (city.kind, city.jurisdiction.level, city.jurisdiction.name) == ("police", "city", "Milford")
    state_police = Agency.objects.get(ori="DE301SP00")  # State Police: Kent County
    assert state_police.kind == "state_police" and state_police.jurisdiction.slug == "delaware"
    township = Agency.objects.get(ori="OH0151900")
    assert township.jurisdiction.name == "Perry Township, Columbiana County"
    assert township.latitude is None

    nebraska = Agency.objects.get(ori="NB0650000")  # NB: Nebraska's code before 1969
    assert nebraska.jurisdiction.state == "NE" and nebraska.jurisdiction.name == "Nuckolls County"
    guam = Agency.objects.get(ori="GMTGM0000")
    assert (guam.jurisdiction.level, guam.jurisdiction.state, guam.jurisdiction.name) == ("state", "GU", "Guam")


def test_impossible_coordinates_are_dropped_with_a_warning_naming_the_line():
    out, err = run("import_agencies", SLICE)
    task_force = Agency.objects.get(ori="KY0710900")
    assert (task_force.latitude, task_force.longitude) == (None, None)
    line = next(i for i, row in enumerate(slice_rows(), start=2) if row["ori"] == "KY0710900")
    assert f"row {line}: coordinates -9.0, -9.0 are outside the United States" in err


def test_two_agencies_of_one_name_in_one_jurisdiction_are_told_apart():
    out, err = run("import_agencies", SLICE)
    townships = Agency.objects.filter(name__startswith="Jefferson Township Police Department", jurisdiction__state="PA")
    assert sorted(townships.values_list("name", flat=True)) == [
        "Jefferson Township Police Department",
        "Jefferson Township Police Department (Lackawanna County)",
    ]
    patrols = Agency.objects.filter(name__startswith="Highway Patrol", jurisdiction__state="KS")
    assert patrols.count() == 11 and patrols.filter(name="Highway Patrol (KSKHP0800)").exists()
    assert "already has an agency named 'Highway Patrol': saved as 'Highway Patrol (KSKHP0800)'" in err


def test_importing_again_is_idempotent_by_ori_and_updates_coordinates(tmp_path):
    run("import_agencies", SLICE)
    before = Agency.objects.count(), Jurisdiction.objects.count()
    out, _ = run("import_agencies", SLICE)
    assert "0 created, 0 updated" in out
    assert (Agency.objects.count(), Jurisdiction.objects.count()) == before

    rows = slice_rows()
    moved = next(row for row in rows if row["ori"] == "OR0340000")
    moved["latitude"], moved["agency_name"] = "45.5", "Renamed In The FBI List"
    changed = tmp_path / "changed.csv"
    with changed.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    out, _ = run("import_agencies", changed)
    assert "0 created, 1 updated" in out
    sheriff = Agency.objects.get(ori="OR0340000")
    # Coordinates follow the list; the name is the editors' once the agency exists.
    assert (sheriff.latitude, sheriff.name) == (45.5, "Washington County Sheriff's Office")
    assert sheriff.history.first().history_change_reason == "Imported from the FBI agency list"


def test_an_agency_already_known_without_an_ori_receives_it_instead_of_a_twin():
    known = factories.agency("Washington County Sheriffs Office", jurisdiction=factories.county(), kind="sheriff")
    out, _ = run("import_agencies", SLICE)
    known.refresh_from_db()
    assert known.ori == "OR0340000" and known.latitude == 45.553542
    assert "1 matched by name" in out
    assert Agency.objects.filter(jurisdiction__state="OR", name__icontains="Washington County Sheriff").count() == 1


def test_a_bad_file_is_refused_with_a_clear_message(tmp_path):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("name,state\nSomewhere PD,OR\n")
    with pytest.raises(CommandError, match="missing the columns agency_name, agency_type_name, ori, state_abbr"):
        run("import_agencies", wrong)
    with pytest.raises(CommandError, match="No such file"):
        run("import_agencies", tmp_path / "missing.csv")


def test_the_fbi_list_then_the_atlas_leave_no_twin_agencies():
    run("import_agencies", SLICE)
    fbi_agencies = Agency.objects.count()
    out, _ = run("import_atlas", ATLAS_SAMPLE)

    assert TimelineEvent.objects.filter(external_id__startswith="atlas:").count() == 300
    names = Counter((a.jurisdiction.state, normalise_agency_name(a.name)) for a in Agency.objects.with_place())
    assert [key for key, n in names.items() if n > 1] == []
    # The Atlas rows whose agency the FBI list has attach to it; only the others add an agency.
    with ATLAS_SAMPLE.open(encoding="utf-8-sig") as file:
        atlas = {(row["State"], normalise_agency_name(row["Agency"])) for row in csv.DictReader(file)}
    in_fbi = {(state_code(r["state_abbr"]), normalise_agency_name(r["agency_name"])) for r in slice_rows()}
    assert Agency.objects.count() - fbi_agencies == len(atlas - in_fbi)
    assert f"{len(atlas - in_fbi)} created, {len(atlas & in_fbi)} matched" in out


@pytest.mark.parametrize("cut_after", ["35.603422,-88.10", "TN0200000,Region III,South,TN,Tenn"])
def test_a_list_cut_short_does_not_touch_its_last_agency(tmp_path, cut_after):
    run("import_agencies", SLICE)
    decatur = Agency.objects.get(ori="TN0200000")
    text = SLICE.read_text(encoding="utf-8")
    cut = tmp_path / "fbi.csv"
    cut.write_text(text[: text.rindex(cut_after) + len(cut_after)], encoding="utf-8")
    out, err = run("import_agencies", cut)
    line = len(slice_rows()) + 1
    assert f"warning: {cut} row {line}: not imported: " in err and "it looks cut short" in err
    assert "0 created, 0 updated" in out and "1 rows skipped" in out
    decatur.refresh_from_db()
    assert (decatur.latitude, decatur.longitude) == (35.603422, -88.107384)
