"""import_sharing: edge lists and Flock's Sharing Agencies report (CSV and the released PDF), names matched to the
directory, every row accounted for, importing again changing nothing, newer lists ending what they no longer have."""

import datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from records.importers.fbi_agencies import import_agencies
from records.importers.flock_names import parse_flock_name
from records.importers.procurements import ImportOptionError
from records.importers.sharing import import_sharing
from records.models import Agency, DuplicatePair, Organisation, SharingLink
from tests import factories

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"
NO_SAMPLE = Path(__file__).parents[1] / "records" / "data" / "flock-sharing-edges-sample.csv"
OKALOOSA = DATA / "okaloosa-flock-sharing-agencies.pdf"
# The FBI list's rows (unchanged) for the agencies the two sample files name: tests/data/README.md.
DIRECTORY = DATA / "fbi-agencies-2018-sharing-slice.csv"
NO_URL = "https://github.com/mcclatchy-southeast/private_eyes"
APRIL = datetime.date(2024, 4, 26)


@pytest.fixture
def directory():
    import_agencies(DIRECTORY)


@pytest.mark.parametrize(
    "raw, state, kind, place, network",
    [
        ("Sylvania OH PD", "OH", "police", "Sylvania", ""),
        ("Hoke County NC SO", "NC", "sheriff", "Hoke County", ""),
        ("App State University NC PD", "NC", "police", "App State University", ""),
        ("Polk County FL SO (LR)", "FL", "sheriff", "Polk County", "LR"),
        ("Polk County FL SO - Axon", "FL", "sheriff", "Polk County", "Axon"),
        ("Huntersville PD NC", "NC", "police", "Huntersville", ""),
        ("Zachary PD (LA)", "LA", "police", "Zachary", ""),
        ("Brunswick County SO - NC", "NC", "sheriff", "Brunswick County", ""),
        ("NC - Rowan County SO - Insight Omnia", "NC", "sheriff", "Rowan County", "Insight Omnia"),
        ("Summerset SD PD", "SD", "police", "Summerset", ""),
        ("Denver CO PD", "CO", "police", "Denver", ""),
        ("Albany GA PD Condor", "GA", "police", "Albany", "Condor"),
        ("Columbia County DA's Office GA", "GA", "prosecutor", "Columbia County", ""),
        ("SLED - South Carolina Law Enforcement Division", "SC", "", "South Carolina Law Enforcement Division", "SLED"),
        ("US Postal Inspection Service", "", "", "US Postal Inspection Service", ""),
    ],
)
def test_flock_names_give_their_place_state_kind_and_network(raw, state, kind, place, network):
    name = parse_flock_name(raw)
    assert (name.state, name.kind, name.place, name.network) == (state, kind, place, network)


def test_flock_names_say_what_an_organisation_is():
    assert parse_flock_name("[Federal] US GSA Office of Inspector General").organisation_kind() == "federal"
    assert parse_flock_name("FBI").organisation_kind() == "federal"
    assert parse_flock_name("Missouri Information Analysis Center (MO)").organisation_kind() == "fusion_center"
    assert parse_flock_name("WakeMed Campus PD and Public Safety (NC)").organisation_kind() == "hospital"
    assert parse_flock_name("Town of Hildebran (NC)").organisation_kind() == "local"
    assert parse_flock_name("AHPC PARKS AT RIVERCREST LLC (SC)").organisation_kind() == "private_company"
    assert parse_flock_name("Pittsboro IN PD").organisation_kind() == "law_enforcement"


def test_the_news_and_observer_sample_imports_every_row_and_matches_most_names(directory):
    summary = import_sharing([NO_SAMPLE], source_url=NO_URL, seen_on=APRIL, credit="The News & Observer")
    assert summary.rows == 375 and summary.links_stated == 375
    assert (summary.created, summary.reported, summary.repeated) == (375, 0, 0)
    assert summary.names == 152
    assert summary.match_rate >= 0.89, summary.unmatched
    waxhaw = Agency.objects.get(name="Waxhaw Police Department", jurisdiction__state="NC")
    assert waxhaw.sharing_out.count() == 113
    link = waxhaw.sharing_out.get(receiver_name="Hoke County NC SO")
    assert link.receiver_agency.name == "Hoke County Sheriff's Office"
    assert (link.how, link.first_seen, link.last_seen, link.ended_on) == ("portal", APRIL, APRIL, None)
    assert (link.source_url, link.credit, link.vendor.name) == (NO_URL, "The News & Observer", "Flock Safety")
    assert link.technology.slug == "automated-license-plate-readers"
    assert link.visibility == "private"  # for an editor to review, as every import
    # Names not in the directory are organisations of their kind, not agencies made up.
    fbi = Organisation.objects.get(name="FBI")
    assert fbi.kind == "federal" and "FBI" in summary.unmatched
    assert not Agency.objects.filter(name__icontains="FBI").exists()

    history = SharingLink.history.count()
    again = import_sharing([NO_SAMPLE], source_url=NO_URL, seen_on=APRIL, credit="The News & Observer")
    assert (again.created, again.updated, again.unchanged, again.ended) == (0, 0, 375, 0)
    assert SharingLink.history.count() == history
    assert Organisation.objects.count() == summary.organisations_created


def test_the_okaloosa_pdf_imports_with_each_link_citing_its_page(directory):
    document = factories.document(None, title="Okaloosa County Sheriff's Office: Flock sharing agencies",
                                  date=datetime.date(2025, 12, 1))  # fmt: skip
    summary = import_sharing([OKALOOSA], document=document)
    assert summary.rows == 858
    # Every row is imported or reported: links stated = created + rows repeating a link + the list's own agency.
    assert summary.links_stated == summary.created + summary.repeated + summary.reported
    assert summary.reported == 1  # "Okaloosa County FL SO" shares with itself
    assert summary.match_rate >= 0.9, summary.unmatched
    okaloosa = Agency.objects.get(name="Okaloosa County Sheriff's Office")
    links = SharingLink.objects.filter(document=document)
    assert not links.filter(page__isnull=True).exists()
    assert set(links.values_list("page", flat=True)) == set(range(1, 30))
    polk = links.get(sharer_name="Polk County FL SO", receiver_agency=okaloosa)
    assert polk.page == 1 and polk.direction == "Networks Shared With Me" and polk.how == "records"
    assert "Polk County FL SO (LR)" in polk.networks.splitlines()
    assert polk.first_seen == datetime.date(2025, 12, 1)
    shared = links.get(sharer_agency=okaloosa, receiver_name="Nashville Intl Airport TN PD")
    assert shared.page == 29 and shared.direction == "Networks I'm Sharing"
    assert shared.receiver_organisation.state == "TN"
    # A company sharing its apartment complexes' cameras is an organisation.
    assert links.get(sharer_name="Ancient City Capital").sharer_organisation is not None
    # 506 rows name its network: one is Okaloosa itself, one names again an organisation of page 2 (page 27).
    assert links.filter(sharer_agency=okaloosa).count() == 504
    assert import_sharing([OKALOOSA], document=document).created == 0


def test_unmatched_names_are_suggested_as_the_agency_they_may_be(directory):
    call_command("import_sharing", str(NO_SAMPLE), "--source-url", NO_URL, "--date", "2024-04-26", verbosity=0)
    pair = DuplicatePair.objects.get(kind="organisation", organisation__name="App State University NC PD")
    assert pair.agency_b.name == "Appalachian State University"


def _csv(tmp_path, name: str, text: str, encoding="utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def three():
    return (
        factories.agency("Waxhaw Police Department", "NC"),
        factories.agency("Monroe Police Department", "NC"),
        factories.agency("Hoke County Sheriff's Office", "NC"),
    )


def test_a_newer_list_moves_last_seen_on_and_ends_the_links_it_no_longer_has(tmp_path, three):
    waxhaw, monroe, hoke = three
    first = _csv(
        tmp_path, "a.csv", "src_agency,external_agency\nWaxhaw NC PD,Monroe NC PD\nWaxhaw NC PD,Hoke County NC SO\n"
    )
    second = _csv(tmp_path, "b.csv", "src_agency,external_agency\nWaxhaw NC PD,Monroe NC PD\n")
    url = "https://example.org/waxhaw-portal"
    import_sharing([first], source_url=url, seen_on=datetime.date(2024, 1, 1))
    summary = import_sharing([second], source_url=url, seen_on=datetime.date(2024, 6, 1))
    assert (summary.created, summary.updated, summary.ended) == (0, 1, 1)
    kept = SharingLink.objects.get(receiver_agency=monroe)
    assert (kept.first_seen, kept.last_seen, kept.ended_on) == (
        datetime.date(2024, 1, 1),
        datetime.date(2024, 6, 1),
        None,
    )
    ended = SharingLink.objects.get(receiver_agency=hoke)  # never deleted
    assert ended.ended_on == datetime.date(2024, 6, 1) and ended.last_seen == datetime.date(2024, 1, 1)
    assert ended.history.count() == 2  # created, then ended
    # The same newer list again changes nothing; an older list does not end or move anything back.
    assert import_sharing([second], source_url=url, seen_on=datetime.date(2024, 6, 1)).unchanged == 1
    assert import_sharing([second], source_url=url, seen_on=datetime.date(2023, 6, 1)).ended == 0
    # Another source's list leaves this source's links alone.
    import_sharing([second], source_url="https://example.org/other", seen_on=datetime.date(2025, 1, 1))
    assert SharingLink.objects.get(pk=ended.pk).ended_on == datetime.date(2024, 6, 1)
    # Seen again: in force again.
    import_sharing([first], source_url=url, seen_on=datetime.date(2024, 9, 1))
    again = SharingLink.objects.get(pk=ended.pk)
    assert (again.ended_on, again.last_seen) == (None, datetime.date(2024, 9, 1))


def test_messy_edge_lists_are_read_and_every_row_accounted_for(tmp_path, three):
    waxhaw, monroe, hoke = three
    text = (
        "Export of 2024-05-01\n\n"  # a title above the header
        "Sharing Agency;Receiving Agency;Date observed;Notes\n"
        "Waxhaw NC PD;Monroe NC PD;2024-05-01T10:00:00Z;extra column\n"
        "\n"
        "Waxhaw NC PD;Monroe NC PD;05/01/2024;the same link again\n"
        "Waxhaw NC PD;;2024-05-01;no receiver\n"
        "Waxhaw NC PD;Hoke County NC SO;someday;an unreadable date\n"
        "Waxhaw NC PD;Caf\u00e9 Security LLC (NC);2024-05-01;\n"
    )
    path = _csv(tmp_path, "messy.csv", "\ufeff" + text, encoding="utf-16")
    summary = import_sharing([path], source_url="https://example.org/list", seen_on=datetime.date(2024, 5, 2))
    assert summary.rows == 5
    assert (summary.created, summary.repeated, summary.reported) == (3, 1, 1)
    assert any("line 7" in w and "no receiver" in w for w in summary.warnings), summary.warnings
    assert any("someday" in w for w in summary.warnings)
    assert SharingLink.objects.get(receiver_agency=monroe).first_seen == datetime.date(2024, 5, 1)
    assert SharingLink.objects.get(receiver_agency=hoke).first_seen == datetime.date(2024, 5, 2)
    company = Organisation.objects.get(name="Caf\u00e9 Security LLC")
    assert (company.state, company.kind) == ("NC", "private_company")


def test_flocks_csv_export_of_the_sharing_report_is_read(tmp_path, three):
    waxhaw, monroe, hoke = three
    text = (
        "Organization Name,Networks Shared With Me,Networks I'm Sharing\r\n"
        '"Monroe NC PD","Monroe NC PD,Monroe NC PD (Flex)","Waxhaw NC PD"\r\n'
        '"Hoke County NC SO","","Waxhaw NC PD"\r\n'
        '"Lakeside HOA (NC)","Lakeside HOA (NC)",""\r\n'
        '"Nobody NC PD","",""\r\n'
    )
    path = _csv(tmp_path, "report.csv", text, encoding="cp1252")
    summary = import_sharing([path], source_url="https://example.org/report", seen_on=datetime.date(2024, 5, 2))
    assert summary.rows == 4 and summary.reported == 1  # Nobody shares nothing
    assert SharingLink.objects.get(sharer_agency=monroe, receiver_agency=waxhaw).networks == (
        "Monroe NC PD\nMonroe NC PD (Flex)"
    )
    assert SharingLink.objects.filter(sharer_agency=waxhaw, receiver_agency__in=[monroe, hoke]).count() == 2
    hoa = SharingLink.objects.get(receiver_agency=waxhaw, sharer_organisation__isnull=False).sharer_organisation
    assert hoa.kind == "hoa"
    assert all(link.how == "records" for link in SharingLink.objects.all())


def test_bad_files_and_options_get_a_message(tmp_path, three):
    path = _csv(tmp_path, "x.csv", "src_agency,external_agency\nWaxhaw NC PD,Monroe NC PD\n")
    with pytest.raises(ImportOptionError, match="source"):
        import_sharing([path], seen_on=APRIL)
    with pytest.raises(ImportOptionError, match="--date"):
        import_sharing([path], source_url="https://example.org/x")
    with pytest.raises(ImportOptionError, match="http"):
        import_sharing([path], source_url="ftp://example.org/x", seen_on=APRIL)
    with pytest.raises(ImportOptionError, match="editor"):
        import_sharing([path], source_url="https://example.org/x", seen_on=APRIL, visibility="public")
    other = _csv(tmp_path, "y.csv", "name,amount\nA,1\n")
    with pytest.raises(CommandError, match="neither an edge list"):
        call_command("import_sharing", str(other), "--source-url", "https://example.org/y", "--date", "2024-01-01")
    with pytest.raises(CommandError, match="No document 999"):
        call_command("import_sharing", str(path), "--document", "999")
    assert not SharingLink.objects.exists()


def test_a_newer_list_cut_short_ends_nothing_and_reports_its_cut_row(tmp_path, three):
    waxhaw, monroe, hoke = three
    whole = "src_agency,external_agency\nWaxhaw NC PD,Monroe NC PD\nWaxhaw NC PD,Hoke County NC SO\n"
    url = "https://example.org/waxhaw-portal"
    import_sharing([_csv(tmp_path, "a.csv", whole)], source_url=url, seen_on=datetime.date(2024, 1, 1))
    # The newer copy stops inside its last row, with no final line break.
    cut = _csv(tmp_path, "b.csv", "src_agency,external_agency\nWaxhaw NC PD,Monroe NC PD\nWaxhaw NC PD,Hoke Cou")
    would = import_sharing([cut], source_url=url, seen_on=datetime.date(2024, 6, 1), dry_run=True)
    summary = import_sharing([cut], source_url=url, seen_on=datetime.date(2024, 6, 1))
    for counted in (would, summary):
        assert (counted.created, counted.updated, counted.ended, counted.reported) == (0, 1, 0, 1)
        assert any("looks cut short: no link was marked ended" in warning for warning in counted.warnings)
    assert SharingLink.objects.get(receiver_agency=hoke).ended_on is None
    assert SharingLink.objects.get(receiver_agency=monroe).last_seen == datetime.date(2024, 6, 1)


def test_a_dry_run_saves_nothing(tmp_path, three):
    path = _csv(tmp_path, "x.csv", "src_agency,external_agency\nWaxhaw NC PD,Somewhere Else NC PD\n")
    summary = import_sharing([path], source_url="https://example.org/x", seen_on=APRIL, dry_run=True)
    assert summary.names == 2 and summary.names_matched == 1
    assert not SharingLink.objects.exists() and not Organisation.objects.exists()


def test_a_pdf_without_the_report_table_is_refused_with_a_message(tmp_path, three):
    from tests import pdfs

    path = tmp_path / "letter.pdf"
    path.write_bytes(pdfs.text_pdf(["Dear requester, the records you asked for are attached."]))
    with pytest.raises(CommandError, match="Organization Name, Networks Shared With Me"):
        call_command("import_sharing", str(path), "--source-url", "https://example.org/l", "--date", "2025-01-01")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(CommandError, match="cannot be read as a PDF"):
        call_command("import_sharing", str(broken), "--source-url", "https://example.org/l", "--date", "2025-01-01")


def test_the_commands_summary_counts_in_words(tmp_path, three):
    import io

    path = _csv(tmp_path, "one.csv", "src_agency,external_agency\nWaxhaw NC PD,Somewhere Else NC PD\n")
    out = io.StringIO()
    call_command("import_sharing", str(path), "--source-url", "https://example.org/one", "--date", "2024-04-26",
                 stdout=out, stderr=io.StringIO())  # fmt: skip
    said = out.getvalue()
    assert "1 file, 1 row stating 1 link; links: 1 created" in said
    assert "1 organisation and 0 agencies created; 0 warnings." in said
