"""The Atlas of Surveillance importer: both layouts, every row accounted for, idempotent, clear errors."""

import csv
import datetime
import io
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from records.importers.dates import read_date
from records.models import Agency, EventSource, Technology, TimelineEvent, Vendor, VendorAlias
from tests import factories

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "records" / "data" / "atlas-of-surveillance-sample-300.csv"
CURRENT = Path(__file__).parent / "data" / "atlas-current-layout-synthetic.csv"


def run(path) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_atlas", str(path), stdout=out, stderr=err, verbosity=0)
    return out.getvalue(), err.getvalue()


def sample_rows() -> list[dict]:
    with SAMPLE.open(encoding="utf-8-sig") as file:
        return list(csv.DictReader(file))


def test_every_row_of_the_2020_sample_becomes_one_sourced_entry():
    out, err = run(SAMPLE)
    numbers = {f"atlas:{row['AOSNUMBER']}" for row in sample_rows()}
    events = TimelineEvent.objects.filter(external_id__startswith="atlas:")
    assert set(events.values_list("external_id", flat=True)) == numbers
    assert "300 rows read" in out and "300 created" in out
    for event in events.prefetch_related("sources", "technologies"):
        assert 1 <= event.sources.count() <= 3, event.external_id
        assert event.kind == "deployment" and event.agency_id
        assert event.technologies.count() == 1, event.external_id
    # Each warning names its row (header = row 1) and its reason.
    assert re.search(rf"^warning: {re.escape(str(SAMPLE))} row \d+: no date in the row", err, re.MULTILINE)
    shotspotter = TimelineEvent.objects.get(external_id="atlas:AOS0006")
    assert shotspotter.title.startswith("The Rochester Police Department has been using ShotSpotter")
    assert (shotspotter.date, shotspotter.date_precision) == (datetime.date(2017, 11, 20), "day")
    assert list(shotspotter.sources.values_list("label", "url")) == [
        ("New York Up State", sample_rows()[0]["Link 1"]),
        ("Democrat and Chronical", sample_rows()[0]["Link 2"]),
    ]
    assert [v.name for v in shotspotter.vendors.all()] == ["ShotSpotter"]
    assert shotspotter.agency.jurisdiction.name == "Rochester"
    assert shotspotter.agency.jurisdiction.parent.slug == "new-york"


def test_importing_again_changes_nothing_and_a_changed_row_updates_its_entry(tmp_path):
    run(SAMPLE)
    counts = (Agency.objects.count(), Vendor.objects.count(), TimelineEvent.objects.count())
    source_ids = list(EventSource.objects.order_by("id").values_list("id", flat=True))
    out, _ = run(SAMPLE)
    assert "0 created, 0 updated, 300 unchanged" in out
    assert (Agency.objects.count(), Vendor.objects.count(), TimelineEvent.objects.count()) == counts
    assert list(EventSource.objects.order_by("id").values_list("id", flat=True)) == source_ids

    rows = sample_rows()
    rows[0]["Summary"] = "Corrected summary."
    rows[0]["Link 2"] = "https://example.org/corrected"
    changed = tmp_path / "changed.csv"
    with changed.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    out, _ = run(changed)
    assert "0 created, 1 updated, 299 unchanged" in out
    event = TimelineEvent.objects.get(external_id="atlas:AOS0006")
    assert event.summary == "Corrected summary."
    assert list(event.sources.values_list("url", flat=True)) == [rows[0]["Link 1"], "https://example.org/corrected"]
    assert TimelineEvent.objects.count() == counts[2]


def test_the_current_layout_matches_agencies_by_ori_then_by_name():
    washington = factories.agency(
        "Washington County Sheriff's Office", jurisdiction=factories.county(), ori="OR0340000", kind="sheriff"
    )
    rochester = factories.agency("Rochester Police Dept.", "NY")
    sound = factories.vendor("SoundThinking")
    VendorAlias.objects.create(vendor=sound, name="ShotSpotter")
    out, err = run(CURRENT)
    assert "7 rows read" in out

    by_ori = TimelineEvent.objects.get(external_id="atlas:AOS000001")
    assert by_ori.agency == washington
    assert sorted(v.name for v in by_ori.vendors.all()) == ["Axon", "Motorola Solutions, Inc."]
    assert by_ori.technologies.get().slug == "body-worn-cameras"

    by_name = TimelineEvent.objects.get(external_id="atlas:AOS000003")
    rochester.refresh_from_db()
    assert by_name.agency == rochester and rochester.ori == "NY0280100"
    assert list(by_name.vendors.all()) == [sound]
    assert (by_name.date, by_name.date_precision) == (datetime.date(2016, 1, 1), "year")

    placeholder = TimelineEvent.objects.get(external_id="atlas:AOS000002").agency
    assert (placeholder.name, placeholder.ori, placeholder.kind) == ("Burnet County Constables", None, "police")
    assert (placeholder.jurisdiction.level, placeholder.jurisdiction.name) == ("county", "Burnet County")
    assert TimelineEvent.objects.get(external_id="atlas:AOS000002").vendors.count() == 0

    platform = TimelineEvent.objects.get(external_id="atlas:AOS000004")
    assert platform.technologies.get() == Technology.objects.get(slug="third-party-investigative-platforms")
    assert (platform.date, platform.date_precision) == (datetime.date(2019, 7, 1), "month")


def test_rows_that_cannot_be_fully_read_are_kept_with_warnings():
    out, err = run(CURRENT)
    assert not Vendor.objects.filter(name__in=["", "Unknown"]).exists()

    stateless = TimelineEvent.objects.get(external_id="atlas:AOS000005")
    assert stateless.agency is None
    assert "row 6: unknown state 'ZZ'" in err
    assert (stateless.date, stateless.date_precision) == (datetime.date(2019, 11, 1), "month")
    assert "row 6: Link 1 Date: '11/31/2019' has no day 31 in that month: kept the month" in err

    miami = TimelineEvent.objects.get(external_id="atlas:AOS000006")
    assert miami.technologies.get().slug == "face-recognition"  # from TECH ABV, the name being unknown
    assert (miami.date, miami.date_precision) == (datetime.date(2016, 1, 1), "year")
    assert list(miami.sources.values_list("url", flat=True)) == [
        "http://www.example.org/miami-face",
        "https://web.archive.org/web/2019/https://example.org/miami",
    ]
    assert "row 7: Link 1 Date: unreadable date 'soon'" in err
    assert "row 7: Link 2 'not a web address' is not a web address: cited its snapshot instead" in err
    assert "row 7: unknown technology 'Face Surveillance'" not in err

    undated = TimelineEvent.objects.get(external_id="atlas:AOS000007")
    assert undated.is_illustrative and "illustrative" in undated.summary
    assert (undated.date, undated.date_precision) == (datetime.date(2019, 1, 1), "year")
    assert list(undated.sources.values_list("url", flat=True)) == ["https://atlasofsurveillance.org/"]
    assert "row 8: no date in the row: dated 2019" in err
    assert "row 8: no usable link" in err
    assert "7 created" in out and f"{err.count('warning:')} warnings" in out


def test_names_match_whatever_their_spelling_but_only_in_the_same_state():
    erie = factories.agency("Erie County Sheriffs Office", "NY")
    factories.agency("Erie County Sheriff's Office", "PA")
    run(SAMPLE)
    event = TimelineEvent.objects.get(external_id="atlas:AOS0090")  # "Erie County Sheriff's Office", NY
    assert event.agency == erie
    assert Agency.objects.filter(name__icontains="Erie County Sheriff").count() == 2


def test_jurisdictions_follow_the_type_of_jurisdiction():
    run(SAMPLE)
    sheriff = Agency.objects.get(name="Erie County Sheriff's Office")
    assert (sheriff.jurisdiction.level, sheriff.jurisdiction.name, sheriff.jurisdiction.parent.state) == (
        "county", "Erie County", "NY"
    )  # fmt: skip
    state = Agency.objects.get(name="South Carolina Highway Patrol")
    assert state.jurisdiction.slug == "south-carolina" and state.kind == "state_police"
    federal = Agency.objects.get(name__startswith="U.S. Customs and Border Protection")
    assert federal.jurisdiction.level == "federal" and federal.kind == "federal"


@pytest.mark.parametrize(
    ("cell", "date", "precision"),
    [
        ("12/27/2012", datetime.date(2012, 12, 27), "day"),
        ("4/20/16", datetime.date(2016, 4, 20), "day"),
        ("2016", datetime.date(2016, 1, 1), "year"),
        ("07/2019", datetime.date(2019, 7, 1), "month"),
        ("2016-2018", datetime.date(2016, 1, 1), "year"),
        ("2019-05-04", datetime.date(2019, 5, 4), "day"),
        ("June 2019", datetime.date(2019, 6, 1), "month"),
        ("08/05/2016 ", datetime.date(2016, 8, 5), "day"),
        ("2/30/2020", datetime.date(2020, 2, 1), "month"),
        ("13/05/2019", datetime.date(2019, 1, 1), "year"),
    ],
)
def test_link_dates_keep_the_precision_they_are_written_with(cell, date, precision):
    read = read_date(cell, today=datetime.date(2024, 1, 1))
    assert (read.value.date, read.value.precision) == (date, precision)


@pytest.mark.parametrize("cell", ["soon", "1/1/219", "20199", "3030"])
def test_unreadable_dates_say_so(cell):
    read = read_date(cell, today=datetime.date(2024, 1, 1))
    assert read.value is None and cell in read.note


def test_bad_files_are_refused_with_a_clear_message(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run(tmp_path / "missing.csv")
    binary = tmp_path / "file.csv"
    binary.write_bytes(b"%PDF-1.4\x00\x01\x02")
    with pytest.raises(CommandError, match=r"not a CSV or Excel file \(it is a PDF document\)"):
        run(binary)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("AOSNUMBER,Agency\nAOS1,Somewhere PD\n")
    with pytest.raises(CommandError, match="missing the columns State, Summary, Technology"):
        run(wrong)
    assert not TimelineEvent.objects.exists()


def test_imported_entries_credit_the_eff_where_they_are_shown(client):
    run(SAMPLE)
    event = TimelineEvent.objects.get(external_id="atlas:AOS0006")
    for url in (event.get_absolute_url(), event.agency.get_absolute_url(), "/timeline/"):
        page = client.get(url).content.decode()
        assert "Atlas of Surveillance</a> by the Electronic Frontier Foundation" in page, url
        assert "CC BY 4.0" in page


def test_json_items_carry_the_fields_researchers_need(client):
    run(SAMPLE)
    agency = client.get("/agencies/?format=json").json()["results"][0]
    assert {"url", "name", "state", "kind", "ori"} <= agency.keys()
    entry = client.get("/timeline/?format=json").json()["results"][0]
    assert {"url", "date", "date_precision", "kind", "title", "agency", "vendors", "technologies", "sources"} <= (
        entry.keys()
    )
    assert entry["sources"] and entry["technologies"]


def write_rows(path: Path, rows: list[dict]) -> Path:
    """Rows written as the Atlas exports them: every cell quoted, lines ended by CRLF."""
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]), quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def rochester_last(tmp_path) -> tuple[Path, str]:
    """Four sample rows, Rochester's ShotSpotter entry (a day date, two sources) last, and the file's text."""
    rows = sample_rows()
    path = write_rows(tmp_path / "atlas.csv", [*rows[1:4], rows[0]])
    return path, path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("cut_after", "reason"),
    [
        ("The Rochester Polic", "the file ends inside a quoted cell of this row"),
        ('since at least 2013. ",', "it has 8 cells where the header has 25 and the file ends there"),
        ('"","",""', "the file ends inside this row (no final line break)"),
    ],
    ids=["inside a quoted cell", "at a cell boundary", "without its final line break"],
)
def test_a_file_cut_short_leaves_its_last_entry_as_the_full_import_made_it(tmp_path, cut_after, reason):
    full, text = rochester_last(tmp_path)
    run(full)
    event = TimelineEvent.objects.get(external_id="atlas:AOS0006")
    before = (event.title, event.date, event.date_precision, event.is_illustrative, list(event.technologies.all()),
              list(event.sources.values_list("url", "label")))  # fmt: skip
    assert before[2] == "day" and len(before[5]) == 2 and before[4]

    end = text.rindex(cut_after) + len(cut_after)
    assert end > text.rindex("AOS0006")  # the cut is inside the last row
    cut = tmp_path / "cut" / "atlas.csv"
    cut.parent.mkdir()
    cut.write_text(text[:end], encoding="utf-8")
    out, err = run(cut)

    assert f"warning: {cut} row 5: not imported: {reason}: it looks cut short" in err
    assert "4 rows read" in out and "0 created, 0 updated, 3 unchanged; 1 rows reported (not imported)" in out
    event = TimelineEvent.objects.get(external_id="atlas:AOS0006")
    after = (event.title, event.date, event.date_precision, event.is_illustrative, list(event.technologies.all()),
             list(event.sources.values_list("url", "label")))  # fmt: skip
    assert after == before


def test_an_update_that_would_make_an_entry_poorer_is_reported_and_applied_only_with_force(tmp_path):
    full, _ = rochester_last(tmp_path)
    run(full)
    rows = list(csv.DictReader(full.open(encoding="utf-8")))
    # What a damaged copy says of the entry: a cut summary, no technology, one link of two, no date.
    rows[-1] |= {"Summary": "The Rochester Police Department has been using", "Technology": "", "Link 2": ""}
    rows[-1] |= {f"Link {n} Date": "" for n in (1, 2, 3)}
    rows[-1] |= {"Link 1": "https://example.org/no-date-here"}
    poorer = write_rows(tmp_path / "poorer.csv", rows)

    out, err = run(poorer)
    assert "0 updated, 3 unchanged; 1 rows reported (not imported)" in out
    message = next(line for line in err.splitlines() if "row 5: not imported: AOS0006" in line)
    for loss in ("cut its title to", "cut its summary to", "remove its technology", "drop 1 of its 2 sources",
                 "lower its date from Nov 20, 2017 to the newest year in the file",
                 "make its date illustrative", "--force"):  # fmt: skip
        assert loss in message, loss
    event = TimelineEvent.objects.get(external_id="atlas:AOS0006")
    assert event.technologies.exists() and event.sources.count() == 2 and event.date_precision == "day"

    out, err = io.StringIO(), io.StringIO()
    call_command("import_atlas", str(poorer), "--force", stdout=out, stderr=err, verbosity=0)
    assert "1 updated, 3 unchanged; 0 rows reported" in out.getvalue()
    assert "row 5: AOS0006: the update would cut its title" in err.getvalue() and "applied (--force)" in err.getvalue()
    event = TimelineEvent.objects.get(external_id="atlas:AOS0006")
    assert event.summary.startswith("The Rochester Police Department has been using The Atlas gives no date")
    assert not event.technologies.exists() and event.sources.count() == 1 and event.date_precision == "year"


def test_an_aosnumber_seen_twice_is_imported_once_and_reported_with_both_rows(tmp_path):
    rows = sample_rows()[:3]
    changed = rows[0] | {"Summary": "Another summary of the same number."}
    path = write_rows(tmp_path / "twice.csv", [*rows, rows[0], changed])
    out, err = run(path)
    assert "5 rows read" in out and "3 created" in out and "2 rows reported (not imported)" in out
    assert f"{path} row 5: not imported: AOS0006 repeats row 2: imported once" in err
    assert f"{path} row 6: not imported: AOS0006 repeats row 2: it differs from that row, and only that row" in err
    event = TimelineEvent.objects.get(external_id="atlas:AOS0006")
    assert event.summary == rows[0]["Summary"].strip()
