"""One agency per agency, one vendor per vendor: the Atlas import lands a name spelled another way on the agency
or vendor already there, keeps apart what is really different, and lists what is uncertain for editors."""

import csv
import io

import pytest
from django.core.management import call_command
from django.test import Client

from records.importers.duplicates import find_candidates, save_candidates
from records.models import Agency, AgencyAlias, DuplicatePair, TimelineEvent, Vendor
from tests import factories
from tests.accounts import user

pytestmark = pytest.mark.django_db

FBI_HEADER = ["", "agency_name", "agency_type_name", "county_name", "ori", "state_abbr", "state_name"]
ATLAS_HEADER = ["AOSNUMBER", "City", "County", "State", "Agency", "Type of LEA", "Summary", "Type of Juris",
                "Technology", "Vendor", "Link 1", "Link 1 Date"]  # fmt: skip

# name, type, county, ORI, state
FBI = [
    ("New York City Police Department", "City", "", "NY0303000", "NY"),
    ("Cheektowaga Town Police Department", "City", "ERIE", "NY0145500", "NY"),
    ("Niagara Falls Police Department", "City", "NIAGARA", "NY0310200", "NY"),
    ("Niagara Town Police Department", "City", "NIAGARA", "NY0315500", "NY"),
    ("Buffalo Police Department", "City", "ERIE", "NY0140100", "NY"),
    ("San Francisco County Sheriff's Office", "County", "SAN FRANCISCO", "CA0380000", "CA"),
    ("San Francisco Police Department", "City", "SAN FRANCISCO", "CA0380100", "CA"),
    ("South St. Paul Police Department", "City", "DAKOTA", "MN0190600", "MN"),
    ("Mount Lebanon Police Department", "City", "ALLEGHENY", "PA0021700", "PA"),
    ("Erie Police Department", "City", "ERIE", "PA0250200", "PA"),
    ("University of North Alabama", "University or College", "LAUDERDALE", "AL0410800", "AL"),
    ("Tucson Police Department", "City", "PIMA", "AZ0100300", "AZ"),
    ("South Tucson Police Department", "City", "PIMA", "AZ0100100", "AZ"),
    ("Indianapolis Police Department", "City", "MARION", "INIPD0000", "IN"),
    ("Washington County Sheriff's Office", "County", "WASHINGTON", "OR0340000", "OR"),
    ("Pontotoc County Sheriff's Office", "County", "PONTOTOC", "MS0580000", "MS"),
    ("Baltimore Police Department", "City", "", "MDBPD0000", "MD"),
    ("Mason County Sheriff's Office", "County", "MASON", "IL0630000", "IL"),
    ("Macon County Coroner", "County", "MACON", "IL0580700", "IL"),
    ("Chatham Township Police Department", "City", "MORRIS", "NJ0140700", "NJ"),
    ("Harris County Constable Precinct 6", "County", "HARRIS", "TX1010600", "TX"),
    ("Folly Beach Police Department", "City", "CHARLESTON", "SC0100400", "SC"),
]

# (Atlas agency, City, County, State, Type of Juris, the FBI agency it is, or None for a new one)
TWINS = [
    ("New York Police Department", "New York", "New York County", "NY", "Municipal", "New York City Police Department"),
    ("San Francisco Sheriff's Office", "San Francisco", "San Francisco County", "CA", "County",
     "San Francisco County Sheriff's Office"),
    ("Cheektowaga Police Department", "Cheektowaga", "Erie County", "NY", "Municipal",
     "Cheektowaga Town Police Department"),
    ("South Saint Paul Police Department", "South Saint Paul", "Dakota County", "MN", "Municipal",
     "South St. Paul Police Department"),
    ("Mt. Lebanon Police Department", "Mt. Lebanon", "Allegheny County", "PA", "Municipal",
     "Mount Lebanon Police Department"),
    ("University of North Alabama Police Department", "Florence", "Lauderdale County", "AL", "University",
     "University of North Alabama"),
    ("Tuscon Police Department", "Tucson", "Pima County", "AZ", "Municipal", "Tucson Police Department"),
    ("Tuscon Police Department", "Tuscon", "Pima County", "AZ", "Municipal", "Tucson Police Department"),
    ("Niagra Falls Police Department", "Niagara Falls", "Niagara County", "NY", "Municipal",
     "Niagara Falls Police Department"),
    ("Buffalo Poilce Department", "Buffalo", "Erie County", "NY", "Municipal", "Buffalo Police Department"),
    ("Indianapolis Metropolitan Police Department", "Indianapolis", "Marion County", "IN", "Municipal",
     "Indianapolis Police Department"),
    # Invisible marks and a non-breaking space inside the name.
    ("Cheek\u00adtowaga\u200b Police\u00a0Department", "Cheektowaga", "Erie County", "NY", "Municipal",
     "Cheektowaga Town Police Department"),
    # Really different: another state, a sheriff and a police department of one place, a county police and
    # the city's, a real county one letter from another, a borough and a township, another precinct.
    ("Washington County Sheriff's Office", "Stillwater", "Washington County", "MN", "County", None),
    ("Erie County Sheriff's Office", "Erie", "Erie County", "PA", "County", None),
    ("Pontotoc Police Department", "Pontotoc", "Pontotoc County", "MS", "Municipal", None),
    ("Baltimore County Police Department", "Towson", "Baltimore County", "MD", "County", None),
    ("Macon County Sheriff's Office", "Decatur", "Macon County", "IL", "County", None),
    ("Chatham Borough Police Department", "Chatham", "Morris County", "NJ", "Municipal", None),
    ("Harris County Constable Precinct 5", "Houston", "Harris County", "TX", "County", None),
    ("San Francisco Police Department", "San Francisco", "San Francisco County", "CA", "Municipal",
     "San Francisco Police Department"),
]  # fmt: skip


def write_fbi(path, rows=FBI):
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(FBI_HEADER)
        for number, (name, kind, county, ori, state) in enumerate(rows):
            writer.writerow([number, name, kind, county, ori, state, ""])
    return path


def write_atlas(path, rows):
    """rows: (agency, city, county, state, type of juris[, vendor])."""
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(ATLAS_HEADER)
        for number, (agency, city, county, state, juris, *vendor) in enumerate(rows, start=1):
            writer.writerow([
                f"AOS{number:04}", city, county, state, agency, "Sheriff" if "Sheriff" in agency else "Police",
                f"{agency} uses drones.", juris, "Drones", vendor[0] if vendor else "",
                f"https://example.org/{number}", "2020-01-02",
            ])  # fmt: skip
    return path


def run(command, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *map(str, args), stdout=out, stderr=err, verbosity=0)
    return out.getvalue(), err.getvalue()


def test_each_twin_from_the_atlas_lands_on_the_fbi_agency_and_what_differs_stays_apart(tmp_path):
    run("import_agencies", write_fbi(tmp_path / "fbi.csv"))
    before = Agency.objects.count()
    out, err = run("import_atlas", write_atlas(tmp_path / "atlas.csv", [row[:5] for row in TWINS]))
    events = {e.external_id: e for e in TimelineEvent.objects.select_related("agency__jurisdiction")}
    for number, (name, _, _, state, _, twin) in enumerate(TWINS, start=1):
        agency = events[f"atlas:AOS{number:04}"].agency
        if twin:
            assert (agency.name, agency.ori is not None) == (twin, True), name
        else:
            assert agency.ori is None and agency.name == name and agency.jurisdiction.state == state, name
    assert Agency.objects.count() == before + sum(1 for row in TWINS if row[5] is None)
    # Not silent: the import says which name it took for which, and why.
    assert "'Tuscon Police Department' taken as 'Tucson Police Department' (Tucson, AZ): a letter or two apart" in err
    assert "'New York Police Department' taken as 'New York City Police Department'" in err


def test_twins_within_the_atlas_are_one_agency_and_vendors_one_vendor(tmp_path):
    rows = [
        ("De Kalb County Sheriff's Office", "Decatur", "De Kalb County", "GA", "County", "Flock Safety"),
        ("DeKalb County Sheriff's Office", "Decatur", "DeKalb County", "GA", "County", "Flock"),
        ("Saint Cloud Police Department", "Saint Cloud", "Osceola County", "FL", "Municipal", "Harris Corporation"),
        ("St. Cloud Police Department", "St. Cloud", "Osceola County", "FL", "Municipal", "Harris Corp."),
        ("St. Cloud Police Department", "St. Cloud", "Osceola County", "FL", "Municipal", "Draganfly Innovations"),
        ("Saint Cloud Police Department", "Saint Cloud", "Osceola County", "FL", "Municipal", "DRAGANFLY"),
    ]
    out, err = run("import_atlas", write_atlas(tmp_path / "atlas.csv", rows))
    assert sorted(Agency.objects.values_list("name", flat=True)) == [
        "De Kalb County Sheriff's Office",
        "Saint Cloud Police Department",
    ]
    assert sorted(Vendor.objects.values_list("name", flat=True)) == [
        "Draganfly Innovations",
        "Flock Safety",
        "Harris Corporation",
    ]
    assert "vendor 'Flock' taken as 'Flock Safety'" in err


def test_two_vendors_that_share_a_short_name_are_not_guessed_between(tmp_path):
    factories.vendor("ABC Solutions")
    factories.vendor("ABC Systems")
    run("import_atlas", write_atlas(tmp_path / "atlas.csv", [("Erie Police Department", "Erie", "", "PA", "", "ABC")]))
    assert Vendor.objects.filter(name="ABC").exists()
    pairs = {(c.first.name, c.second.name) for c in find_candidates() if c.kind == "vendor"}
    assert ("ABC Solutions", "ABC Systems") in pairs and ("ABC Solutions", "ABC") in pairs


def read_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def leftovers(tmp_path):
    """The FBI list, then Atlas rows the import could not settle alone."""
    run("import_agencies", write_fbi(tmp_path / "fbi.csv"))
    rows = [
        ("Folly Beach Department of Public Safety", "Folly Beach", "Charleston County", "SC", "Municipal", "Axon"),
        ("Pontotoc Police Department", "Pontotoc", "Pontotoc County", "MS", "Municipal", "Motorolla"),
    ]
    factories.vendor("Motorola Solutions")  # misspelled in the Atlas row: a typo is not merged by the import
    run("import_atlas", write_atlas(tmp_path / "atlas.csv", rows))


def test_find_duplicates_lists_the_uncertain_pairs_as_csv(leftovers):
    out, err = run("find_duplicates")
    rows = read_csv(out)
    assert list(rows[0]) == ["kind", "state", "name", "url", "other_name", "other_url", "score", "why"]
    folly = Agency.objects.get(name="Folly Beach Police Department")
    listed = {(r["kind"], r["state"], r["name"], r["other_name"]) for r in rows}
    assert ("agency", "SC", "Folly Beach Police Department", "Folly Beach Department of Public Safety") in listed
    folly_row = next(r for r in rows if r["name"] == folly.name)
    assert folly_row["url"] == folly.get_absolute_url() and 0 < int(folly_row["score"]) <= 100 and folly_row["why"]
    # A city police department and the county sheriff of the same name are not suggested; nor are two FBI agencies.
    assert not any("Pontotoc" in r["name"] + r["other_name"] for r in rows)
    assert not any({r["name"], r["other_name"]} == {"Tucson Police Department", "South Tucson Police Department"}
                   for r in rows)  # fmt: skip
    assert ("vendor", "", "Motorola Solutions", "Motorolla") in {(r["kind"], r["state"], r["name"], r["other_name"])
                                                           for r in rows}  # fmt: skip
    assert f"{len(rows)} possible duplicates found in" in err
    # The import commands stored the same pairs for the page.
    assert DuplicatePair.objects.suggested().count() == len(rows)


def test_find_duplicates_over_the_fbi_list_is_fast(tmp_path):
    """Blocked by state and ORI: 2,000 agencies of one state without an ORI compare against each other in seconds."""
    import time

    rows = [(f"Town {n} Police Department", "City", "ERIE", f"NY{n:07}", "NY") for n in range(3000)]
    run("import_agencies", write_fbi(tmp_path / "fbi.csv", rows))
    extra = [(f"Town {n} Police Dept", f"Town {n}", "Erie County", "NY", "Municipal") for n in range(0, 3000, 10)]
    extra += [(f"Villige {n} Police Department", f"Villige {n}", "Erie County", "NY", "Municipal") for n in range(300)]
    run("import_atlas", write_atlas(tmp_path / "atlas.csv", extra))
    started = time.perf_counter()
    candidates = find_candidates()
    assert time.perf_counter() - started < 10
    assert Agency.objects.filter(ori__isnull=True).count() == 300  # the "Dept" spellings matched
    assert all(c.kind == "agency" for c in candidates)


@pytest.fixture
def pair(leftovers):
    return DuplicatePair.objects.get(agency_a__name="Folly Beach Police Department")


def test_an_editor_merges_a_pair_in_one_click_and_the_name_stays_as_an_alias(client, pair):
    client.force_login(user("editor"))
    kept, removed = pair.agency_a, pair.agency_b
    page = client.get("/staff/duplicates/")
    assert page.status_code == 200 and "Folly Beach Department of Public Safety" in page.content.decode()
    response = client.post("/staff/duplicates/", {"pair": pair.pk, "decision": f"keep:{kept.pk}"})
    assert response.status_code == 302
    assert not Agency.objects.filter(pk=removed.pk).exists()
    assert AgencyAlias.objects.filter(agency=kept, name="Folly Beach Department of Public Safety").exists()
    assert TimelineEvent.objects.filter(agency=kept).count() == 1
    assert not DuplicatePair.objects.filter(pk=pair.pk).exists()
    # The next import of the same row lands on the kept agency through the alias.
    assert save_candidates() == DuplicatePair.objects.suggested().count()


def test_not_the_same_is_remembered_and_not_suggested_again(client, pair):
    client.force_login(user("editor"))
    response = client.post("/staff/duplicates/", {"pair": pair.pk, "decision": "different"})
    assert response.status_code == 302
    save_candidates()
    out, _ = run("find_duplicates", "--save")
    assert "Folly Beach Police Department" not in out
    assert DuplicatePair.objects.get(pk=pair.pk).status == DuplicatePair.Status.DIFFERENT
    assert pair.agency_b.get_absolute_url() not in client.get("/staff/duplicates/").content.decode()
    # Merging one of the two into a third record keeps the editor's word for that record.
    third = factories.agency("Folly Beach DPS", "SC")
    from records.services.merges import agency_merge

    agency_merge(keep=third, remove=pair.agency_b)
    assert DuplicatePair.objects.filter(status="different", agency_a=pair.agency_a, agency_b=third).exists()


def test_staff_see_the_pairs_but_only_editors_decide(pair):
    staff = Client()
    staff.force_login(user("staff"))
    page = staff.get("/staff/duplicates/").content.decode()
    assert "Folly Beach Department of Public Safety" in page and "Not the same" not in page
    assert staff.post("/staff/duplicates/", {"pair": pair.pk, "decision": "different"}).status_code == 403
    assert DuplicatePair.objects.get(pk=pair.pk).status == DuplicatePair.Status.SUGGESTED


def test_a_decision_on_a_pair_already_decided_is_reported_not_applied(client, pair):
    client.force_login(user("editor"))
    client.post("/staff/duplicates/", {"pair": pair.pk, "decision": "different"})
    response = client.post("/staff/duplicates/", {"pair": pair.pk, "decision": f"keep:{pair.agency_a_id}"})
    assert response.status_code == 400 and "decided meanwhile" in response.content.decode()
    assert Agency.objects.filter(pk=pair.agency_b_id).exists()
    other = client.post("/staff/duplicates/", {"pair": "x", "decision": "keep:1"})
    assert other.status_code == 400


def test_the_page_issues_a_fixed_number_of_queries(client, django_assert_num_queries):
    client.force_login(user("editor"))
    client.get("/staff/duplicates/")

    def pairs(count):
        DuplicatePair.objects.all().delete()
        for _ in range(count):
            a, b = factories.agency(code="OR"), factories.agency(code="OR")
            DuplicatePair.objects.create(kind="agency", agency_a=a, agency_b=b, state="OR", score=90, reason="r")

    counts = []
    for count in (1, 60):
        pairs(count)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get("/staff/duplicates/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert 'href="?after=' in client.get("/staff/duplicates/").content.decode()


def test_a_foia_log_for_an_agency_spelled_another_way_goes_to_the_agency_already_there(tmp_path):
    existing = factories.agency("St. Paul Police Dept.", "MN")
    log = tmp_path / "log.csv"
    log.write_text("Request Number,Date Received,Subject\nA-1,01/02/2024,Drone contracts\n", encoding="utf-8")
    out, err = run("import_foia_log", log, "--create-agency", "Saint Paul Police Department", "--level", "state",
                   "--state", "MN")  # fmt: skip
    assert Agency.objects.count() == 1 and existing.records_requests.count() == 1
    assert "already in the tracker as 'St. Paul Police Dept.'" in err
