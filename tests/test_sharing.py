"""Data-sharing networks shown: the agency page's sections and answers, /sharing/ and its exports, the JSON
answers, network sizes, and what merges do to links."""

import csv
import datetime
import io
import xml.etree.ElementTree as ET  # noqa: S405 - parses our own output

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from records.models import AgencyAlias, DuplicatePair, MergeRecord, Organisation, SharingLink
from records.services.duplicates import DuplicateError, duplicate_pair_merge
from records.services.merges import agency_merge
from tests import factories
from tests.accounts import user

pytestmark = pytest.mark.django_db
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


@pytest.fixture
def network():
    """Waxhaw shares with Monroe (NC), Hoke County (NC), Tampa (FL) and the FBI; Monroe shares on with Tampa and
    Akron (OH). A released record shows Waxhaw sharing with Tampa and with Boone, which its portal leaves out."""
    alpr = factories.technology("automated-license-plate-readers")
    flock = factories.vendor("Flock Safety")
    waxhaw = factories.agency("Waxhaw Police Department", "NC")
    monroe = factories.agency("Monroe Police Department", "NC")
    hoke = factories.agency("Hoke County Sheriff's Office", "NC", kind="sheriff")
    tampa = factories.agency("Tampa Police Department", "FL")
    akron = factories.agency("Akron Police Department", "OH")
    boone = factories.agency("Boone Police Department", "NC")
    fbi = factories.organisation("FBI", kind="federal")
    portal = {"technology": alpr, "vendor": flock, "credit": "The News & Observer", "visibility": "public"}
    for receiver in (monroe, hoke, tampa, fbi):
        factories.sharing_link(waxhaw, receiver, **portal)
    factories.sharing_link(monroe, tampa, **portal)
    factories.sharing_link(monroe, akron, **portal)
    factories.sharing_link(hoke, waxhaw, **portal)
    document = factories.document(None, title="Released sharing list", visibility="public")
    released = {"technology": alpr, "vendor": flock, "how": "records", "source_url": "", "visibility": "public"}
    factories.sharing_link(waxhaw, tampa, document=document, page=3, **released)
    factories.sharing_link(waxhaw, boone, document=document, page=4, **released)
    return {"waxhaw": waxhaw, "monroe": monroe, "hoke": hoke, "tampa": tampa, "akron": akron, "boone": boone,
            "fbi": fbi, "document": document, "alpr": alpr, "flock": flock}  # fmt: skip


def test_the_agency_page_answers_who_can_search_its_data(client, network):
    waxhaw = network["waxhaw"]
    response = client.get(waxhaw.get_absolute_url())
    sharing = response.context["sharing"]
    assert sharing["shares_with_count"] == 5  # Monroe, Hoke, Tampa, Boone, the FBI
    assert [(g.state, g.count) for g in sharing["shares_with"]] == [("NC", 3), ("FL", 1), ("", 1)]
    assert sharing["access_from_count"] == 1
    answers = sharing["reach"]
    assert (answers["direct"], answers["states"], answers["out_of_state"], answers["federal"]) == (5, 2, 1, 1)
    assert answers["within_two_hops"] == 6  # and Akron, through Monroe; not Waxhaw itself, through Hoke
    assert [row.partner.name for row in sharing["not_on_portal"]] == ["Boone Police Department"]
    # The map shades the states of those who can search its data, each linking to those links.
    rows = {code: (count, url) for code, _name, count, url in response.context["sharing_map"]["rows"]}
    assert rows == {"NC": (3, "/sharing/?agency=waxhaw-police-department&direction=shares&state=NC"),
                    "FL": (1, "/sharing/?agency=waxhaw-police-department&direction=shares&state=FL")}  # fmt: skip
    text = response.content.decode()
    assert "Shares its data with: 5" in text and "Has access to data from: 1" in text
    assert "Released sharing list, page 4" in text and "The News &amp; Observer" in text
    assert f"{network['document'].get_absolute_url()}#page-4" in text


def test_sharing_json_answers_the_questions_with_sources(client, network):
    found = client.get(f"{network['waxhaw'].get_absolute_url()}sharing.json").json()
    assert found["can_search_its_data"] == {
        "direct": 5, "direct_agencies": 4, "direct_organisations": 1, "within_two_hops": 6, "states": 2,
        "out_of_state": 1, "federal": 1,
    }  # fmt: skip
    missing = found["in_records_not_on_portal"]
    assert missing["count"] == 1
    (link,) = missing["links"]
    assert link["receiver"]["name"] == "Boone Police Department" and link["how"] == "records"
    assert link["source"]["url"].endswith(f"{network['document'].get_absolute_url()}#page-4")


def test_ended_links_stay_listed_and_count_no_more(client, network):
    SharingLink.objects.filter(receiver_organisation=network["fbi"]).update(ended_on=datetime.date(2025, 1, 1))
    response = client.get(network["waxhaw"].get_absolute_url())
    assert response.context["sharing"]["reach"]["federal"] == 0
    assert "ended Jan 1, 2025" in response.content.decode()
    assert client.get("/sharing/?status=ended&format=json").json()["count"] == 1


def test_a_private_link_and_the_document_it_cites_are_for_staff_only(client, network):
    secret = factories.document(None, title="Unreleased audit", visibility="private")
    factories.sharing_link(network["waxhaw"], network["akron"], how="audit", source_url="", document=secret, page=9,
                           visibility="private")  # fmt: skip
    factories.sharing_link(network["waxhaw"], network["boone"], how="audit", source_url="", document=secret,
                           visibility="public")  # fmt: skip
    public = client.get(network["waxhaw"].get_absolute_url()).content.decode()
    assert "Unreleased audit" not in public and secret.get_absolute_url() not in public
    assert "A document not yet public" in public
    assert (
        client.get(f"{network['waxhaw'].get_absolute_url()}sharing.json").json()["can_search_its_data"]["direct"] == 5
    )
    staff = get_user_model().objects.create_user("staffer", password="pw-long-enough-123")
    staff.groups.add(Group.objects.get(name="staff"))
    client.force_login(staff)
    shown = client.get(network["waxhaw"].get_absolute_url())
    assert shown.context["sharing"]["reach"]["direct"] == 6
    assert "Unreleased audit, page 9" in shown.content.decode() and "Private" in shown.content.decode()


def test_the_sharing_list_filters_by_agency_state_vendor_technology_how_and_date(client, network):
    def count(query):
        return client.get(f"/sharing/?format=json&{query}").json()["count"]

    assert count("") == 9
    assert count("agency=waxhaw-police-department") == 7
    assert count("agency=waxhaw-police-department&direction=shares") == 6
    assert count("agency=waxhaw-police-department&direction=receives") == 1
    # With an agency and a direction, the state is the partner's: Waxhaw is in NC, three it shares with too.
    assert count("agency=waxhaw-police-department&state=NC") == 7
    assert count("agency=waxhaw-police-department&direction=shares&state=NC") == 3
    assert count("agency=waxhaw-police-department&direction=shares&state=FL") == 2  # Tampa, portal and records
    assert count("state=OH") == 1
    assert count("state=FL") == 3
    assert count("how=records") == 2
    assert count("vendor=Flock Safety&technology=automated-license-plate-readers") == 9
    assert count("on=2024-04-26") == 9 and count("on=2024-04-25") == 0
    assert count(f"organisation={network['fbi'].pk}") == 1
    bad = client.get("/sharing/?state=ZZ&on=someday")
    assert bad.status_code == 400
    assert client.get("/sharing/?state=ZZ&format=json").status_code == 400


def test_the_sharing_exports_carry_both_sides_the_source_and_the_credit(client, network):
    rows = list(csv.DictReader(io.StringIO(b"".join(client.get("/sharing/?format=csv").streaming_content).decode())))
    assert len(rows) == 9
    fbi = next(row for row in rows if row["receiver"] == "FBI")
    assert (fbi["receiver_url"], fbi["receiver_kind"], fbi["sharer"], fbi["credit"]) == (
        "",
        "federal",
        "Waxhaw Police Department",
        "The News & Observer",
    )
    boone = next(row for row in rows if row["receiver"] == "Boone Police Department")
    assert boone["page"] == "4" and boone["document"] == "Released sharing list" and boone["how"] == "records"
    results = client.get("/sharing/?format=json").json()["results"]
    assert next(r for r in results if r["receiver"]["name"] == "FBI")["receiver"]["url"] is None


def test_the_graphml_export_is_a_directed_graph_of_agencies_and_organisations(client, network):
    response = client.get("/sharing/?format=graphml&state=NC")
    assert response["Content-Type"] == "application/graphml+xml"
    root = ET.fromstring(b"".join(response.streaming_content))  # noqa: S314 - our own output
    graph = root.find(f"{GRAPHML}graph")
    assert graph.get("edgedefault") == "directed"
    nodes = {node.get("id"): node for node in graph.findall(f"{GRAPHML}node")}
    edges = graph.findall(f"{GRAPHML}edge")
    assert len(edges) == 9  # every link has an NC agency on one side
    assert f"o{network['fbi'].pk}" in nodes
    waxhaw = f"a{network['waxhaw'].pk}"
    assert sum(1 for edge in edges if edge.get("source") == waxhaw) == 6
    labels = {data.get("key"): data.text for data in nodes[waxhaw]}
    assert labels["n_label"] == "Waxhaw Police Department" and labels["n_state"] == "NC"


def test_vendor_and_technology_pages_give_the_network_size(client, network):
    vendor = client.get(network["flock"].get_absolute_url())
    assert vendor.context["network"] == {"links": 9, "sharers": 3, "receivers": 7}
    assert "Data-sharing network" in vendor.content.decode()
    technology = client.get(network["alpr"].get_absolute_url())
    assert technology.context["network"]["links"] == 9


def test_an_agency_merge_re_points_its_links_and_merges_twins(network):
    waxhaw, monroe = network["waxhaw"], network["monroe"]
    twin = factories.agency("Monroe Police Dept", "NC")
    factories.sharing_link(waxhaw, twin, first_seen=datetime.date(2023, 1, 1), last_seen=datetime.date(2023, 1, 1))
    factories.sharing_link(twin, network["akron"], source_url="https://example.org/monroe")
    factories.sharing_link(twin, monroe, source_url="https://example.org/monroe")
    record = agency_merge(keep=monroe, remove=twin)
    assert record.moved["sharing_links"] == 3
    merged = SharingLink.objects.get(
        sharer_agency=waxhaw, receiver_agency=monroe, source_key="https://example.org/portal"
    )
    assert merged.first_seen == datetime.date(2023, 1, 1) and merged.last_seen == datetime.date(2024, 4, 26)
    assert SharingLink.objects.filter(sharer_agency=monroe, source_key="https://example.org/monroe").count() == 1
    assert not SharingLink.objects.filter(sharer_agency=monroe, receiver_agency=monroe).exists()
    assert all(link.pair_key == link.pair_of(
        sharer_agency_id=link.sharer_agency_id, sharer_organisation_id=link.sharer_organisation_id,
        receiver_agency_id=link.receiver_agency_id, receiver_organisation_id=link.receiver_organisation_id,
    ) for link in SharingLink.objects.all())  # fmt: skip


def test_an_organisation_found_to_be_an_agency_is_merged_into_it(network):
    app_state = Organisation.objects.create(name="App State University NC PD", state="NC", kind="university")
    university = factories.agency("Appalachian State University", "NC")
    factories.sharing_link(network["waxhaw"], app_state)
    pair = DuplicatePair.objects.create(
        kind="organisation", organisation=app_state, agency_b=university, state="NC", score=83, reason="alike"
    )
    with pytest.raises(DuplicateError):
        duplicate_pair_merge(pair=pair, keep_id=app_state.pk + 1000, user=None)
    record = duplicate_pair_merge(pair=pair, keep_id=university.pk, user=None)
    assert record.kind == MergeRecord.Kind.ORGANISATION
    assert SharingLink.objects.filter(receiver_agency=university).count() == 1
    assert not Organisation.objects.filter(pk=app_state.pk).exists()
    assert AgencyAlias.objects.filter(agency=university, name="App State University NC PD").exists()


def test_the_duplicates_page_offers_one_decision_for_an_organisation(client, network):
    app_state = Organisation.objects.create(name="App State University NC PD", state="NC", kind="university")
    university = factories.agency("Appalachian State University", "NC")
    DuplicatePair.objects.create(
        kind="organisation", organisation=app_state, agency_b=university, state="NC", score=83, reason="alike"
    )
    client.force_login(user("editor"))
    text = client.get("/staff/duplicates/").content.decode()
    assert "It is “Appalachian State University”: move its links there" in text
    assert f"keep:{app_state.pk}" not in text.replace(f"keep:{university.pk}", "")


def test_the_public_reads_the_kept_answers_and_counts_afresh_once_an_embargo_ends(network):
    from django.contrib.auth.models import AnonymousUser

    from records.selectors.sharing import agency_sharing
    from records.services.sharing import sharing_summaries_refresh

    today = datetime.date(2026, 1, 10)
    factories.sharing_link(network["waxhaw"], network["akron"], visibility="embargoed",
                           embargo_until=datetime.date(2026, 1, 11))  # fmt: skip
    assert sharing_summaries_refresh(today=today) == 6  # the agencies with links (the FBI is an organisation)
    summary = network["waxhaw"].sharing_summary
    assert summary.valid_until == datetime.date(2026, 1, 11)
    assert summary.answers["direct"] == 5 and summary.answers["shares_with"] == {"NC": 3, "FL": 1, "": 1}
    # A write outside the services (never done in the app) shows which answers are read: the kept ones until the
    # embargo ends, then counted afresh.
    SharingLink.objects.filter(receiver_organisation=network["fbi"]).delete()
    public = AnonymousUser()
    assert agency_sharing(agency=network["waxhaw"], reader=public, today=today)["reach"]["direct"] == 5
    later = agency_sharing(agency=network["waxhaw"], reader=public, today=datetime.date(2026, 1, 11))
    assert later["reach"]["direct"] == 5  # the FBI gone, Akron public
    assert later["shares_with_count"] == 5 and later["reach"]["federal"] == 0
    staff = user("staff")
    assert agency_sharing(agency=network["waxhaw"], reader=staff, today=today)["reach"]["direct"] == 5


def test_an_import_keeps_the_summaries_of_the_agencies_it_touches_and_of_those_sharing_with_them(tmp_path, network):
    from records.importers.sharing import import_sharing

    waxhaw, monroe = network["waxhaw"], network["monroe"]
    path = tmp_path / "monroe.csv"
    path.write_text("src_agency,external_agency\nMonroe NC PD,Boone NC PD\n")
    import_sharing([path], source_url="https://example.org/monroe", seen_on=datetime.date(2024, 5, 1),
                   visibility="public", user=user("editor"))  # fmt: skip
    # Monroe shares with one more; Waxhaw, sharing with Monroe, reaches Boone within two hops already (directly).
    assert monroe.sharing_summary.answers["direct"] == 3
    assert waxhaw.sharing_summary.answers["within_two_hops"] == 6
    assert network["boone"].sharing_summary.answers["access_from"] == {"NC": 2}


def test_publishing_links_in_the_admin_keeps_the_summaries(client, network):
    link = factories.sharing_link(network["akron"], network["waxhaw"], visibility="private")
    editor = user("editor")
    editor.is_staff = True
    editor.save()
    client.force_login(editor)
    response = client.post(
        "/admin/records/sharinglink/", {"action": "publish", "_selected_action": [link.pk]}, follow=True
    )
    assert "1 link published." in response.content.decode()
    link.refresh_from_db()
    assert link.visibility == "public"
    assert network["waxhaw"].sharing_summary.answers["access_from"] == {"NC": 1, "OH": 1}
    assert network["akron"].sharing_summary.answers["direct"] == 1


def test_the_kept_answers_are_what_the_page_would_count(network):
    from django.contrib.auth.models import AnonymousUser
    from django.core.management import call_command

    from records.models import Agency, SharingSummary

    factories.sharing_link(network["tampa"], network["fbi"], ended_on=datetime.date(2024, 6, 1))
    factories.sharing_link(network["akron"], network["waxhaw"], visibility="private")
    out = io.StringIO()
    call_command("refresh_sharing_summaries", stdout=out)
    assert "6 agencies' sharing summaries recounted" in out.getvalue()
    public = SharingLink.objects.visible_to(AnonymousUser())
    for summary in SharingSummary.objects.select_related("agency__jurisdiction"):
        agency = summary.agency
        expected = public.reach_of(agency) | {
            "shares_with": public.filter(sharer_agency=agency).partners_by_state("receiver"),
            "access_from": public.filter(receiver_agency=agency).partners_by_state("sharer"),
            "not_on_portal": public.active().filter(sharer_agency=agency).not_on_portal(AnonymousUser()).count(),
        }
        assert summary.answers == expected, agency.name
    assert not SharingSummary.objects.filter(agency__in=Agency.objects.exclude(
        pk__in=[a.pk for k, a in network.items() if isinstance(a, Agency)])).exists()  # fmt: skip


def test_the_map_draws_a_line_to_each_agency_it_shares_with_in_the_lower_48(client, network):
    from records.graphics.maps import project

    # Waxhaw, NC and Tampa, FL fall where the map draws North Carolina and Florida; Anchorage is in an inset.
    assert 713 < project(-80.53, 34.99)[0] < 871 and 316 < project(-80.53, 34.99)[1] < 386
    assert 660 < project(-82.46, 27.95)[0] < 824 and 465 < project(-82.46, 27.95)[1] < 607
    assert project(-149.9, 61.2) is None and project(None, 30.0) is None
    Agency = type(network["waxhaw"])
    Agency.objects.filter(pk=network["waxhaw"].pk).update(longitude=-80.53, latitude=34.99)
    Agency.objects.filter(pk=network["tampa"].pk).update(longitude=-82.46, latitude=27.95)
    Agency.objects.filter(pk=network["monroe"].pk).update(longitude=-149.9, latitude=61.2)  # not drawn
    Agency.objects.filter(pk=network["akron"].pk).update(longitude=-81.52, latitude=41.08)  # Monroe's, not Waxhaw's
    svg = str(client.get(network["waxhaw"].get_absolute_url()).context["sharing_map"]["svg"])
    x1, y1 = project(-80.53, 34.99)
    x2, y2 = project(-82.46, 27.95)
    assert svg.count("<line ") == 1
    assert f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}"/>' in svg
