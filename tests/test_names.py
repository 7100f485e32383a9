"""Agencies, vendors and products by name: the look-up behind the suggestions, and filters and forms that take a
typed name (or an alias, or a slug) instead of asking for a slug."""

import datetime
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from records.models import AgencyAlias, VendorAlias
from records.selectors.names import SUGGESTIONS, name_suggestions
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    wcso = {
        code: factories.agency("Washington County Sheriff's Office", code, kind="sheriff")
        for code in ("OR", "MN", "AR")
    }
    portland = factories.agency("Portland Police Bureau", "OR")
    AgencyAlias.objects.create(agency=portland, name="PPB")
    amazon = factories.vendor("Amazon")
    shotspotter = factories.vendor("SoundThinking")
    VendorAlias.objects.create(vendor=shotspotter, name="ShotSpotter")
    factories.product(amazon, "Rekognition")
    factories.event(wcso["OR"], datetime.date(2017, 11, 1), [amazon], [factories.technology()])
    factories.event(wcso["MN"], datetime.date(2019, 1, 1), [shotspotter])
    factories.event(portland, datetime.date(2020, 1, 1), [shotspotter])
    return wcso, portland


def lookup(client, kind, text):
    response = client.get(f"/names/{kind}/", {"q": text})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()["results"]


def test_agency_suggestions_start_with_the_typed_letters_and_carry_the_state(client, world):
    results = lookup(client, "agencies", "washington c")
    assert sorted(r["value"] for r in results) == [
        "Washington County Sheriff's Office (AR)",
        "Washington County Sheriff's Office (MN)",
        "Washington County Sheriff's Office (OR)",
    ]
    assert {r["detail"] for r in results} == {"OR", "MN", "AR"}
    assert lookup(client, "agencies", "county") == []  # from the start of a name, not inside it
    assert lookup(client, "agencies", "  ") == []


def test_an_alias_suggests_the_record_it_names(client, world):
    (found,) = lookup(client, "agencies", "pp")
    assert (found["value"], found["alias"]) == ("Portland Police Bureau (OR)", "PPB")
    (vendor,) = lookup(client, "vendors", "shots")
    assert (vendor["value"], vendor["alias"], vendor["slug"]) == ("SoundThinking", "ShotSpotter", "soundthinking")
    (product,) = lookup(client, "products", "REKO")
    assert product["value"] == "Rekognition (Amazon)"


def test_at_most_twenty_suggestions_in_two_queries_whatever_the_number_of_agencies(client, world):
    for number in range(30):
        factories.agency(f"Springfield Agency {number:02}", "IL")
    with CaptureQueriesContext(connection) as queries:
        results = lookup(client, "agencies", "springfield")
    assert len(results) == SUGGESTIONS
    assert results[0]["value"] == "Springfield Agency 00 (IL)"
    assert len(queries) == 1  # twenty names found: no alias query
    with CaptureQueriesContext(connection) as queries:
        lookup(client, "agencies", "zzz")
    assert len(queries) == 2  # names, then aliases


def test_the_name_look_up_runs_on_an_index(world):
    """At 18,000 agencies a scan of every name would be felt at every keystroke (migration 0019)."""
    rows = name_suggestions.__globals__["Agency"].objects.filter(name__istartswith="wash")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = rows.explain()
    assert "records_agency_name_prefix" in plan, plan


def test_the_name_look_up_is_rate_limited(client, world, settings):
    settings.NAME_LOOKUP_RATE_LIMIT = 2
    for _ in range(2):
        assert client.get("/names/vendors/?q=a", REMOTE_ADDR="203.0.113.9").status_code == 200
    assert client.get("/names/vendors/?q=a", REMOTE_ADDR="203.0.113.9").status_code == 429
    assert client.get("/names/vendors/?q=a", REMOTE_ADDR="203.0.113.10").status_code == 200


def test_a_filter_takes_a_name_an_alias_or_a_slug(client, world):
    wcso, portland = world
    for value in (
        "Portland Police Bureau",
        "portland police   bureau",
        "PPB",
        portland.slug,
        "Portland Police Bureau (OR)",
    ):
        response = client.get("/timeline/", {"agency": value})
        assert response.status_code == 200, value
        assert [e.agency for e in response.context["page"].items] == [portland]
    # The box shows the name the filter understood, with its state, whatever was typed.
    page = client.get("/timeline/", {"agency": portland.slug}).content.decode()
    assert 'value="Portland Police Bureau (OR)"' in page
    response = client.get("/timeline/", {"vendor": "ShotSpotter"})
    assert {e.agency for e in response.context["page"].items} == {portland, wcso["MN"]}


def test_a_name_of_several_agencies_asks_which_one_at_the_filter(client, world):
    wcso, _ = world
    response = client.get("/procurements/", {"agency": "Washington County Sheriff's Office"})
    assert response.status_code == 400
    (message,) = response.context["filter"].errors["agency"]
    assert message.startswith("3 agencies are called “Washington County Sheriff's Office”: add the state")
    assert "Washington County Sheriff's Office (MN)" in message
    response = client.get("/timeline/", {"agency": "Washington County Sheriff's Office (mn)"})
    assert response.status_code == 200
    assert [e.agency for e in response.context["page"].items] == [wcso["MN"]]


def test_an_unknown_name_says_so(client, world):
    response = client.get("/documents/", {"agency": "Gotham Police"})
    assert response.status_code == 400
    assert response.context["filter"].errors["agency"] == [
        "No agency is called “Gotham Police”. Type part of its name and pick one of the suggestions."
    ]
    response = client.get("/timeline/", {"agency": "Gotham Police", "format": "json"})
    assert response.status_code == 400 and "agency" in response.json()["errors"]


def test_technologies_are_a_list_to_pick_from(client, world):
    page = client.get("/timeline/").content.decode()
    assert '<select name="technology"' in page and '<option value="face-recognition">Face Recognition' in page
    response = client.get("/timeline/?technology=face-recognition")
    assert len(response.context["page"].items) == 1


def test_every_name_box_offers_suggestions_and_no_form_asks_for_a_slug(client, world):
    from tests.accounts import user

    client.force_login(user("editor"))
    pages = ["/timeline/", "/procurements/", "/requests/", "/documents/", "/agencies/", "/staff/requests/new/",
             "/staff/procurements/new/", "/staff/events/new/", "/staff/documents/upload/"]  # fmt: skip
    for url in pages:
        page = client.get(url).content.decode()
        assert "slug" not in page.lower(), url
        assert 'data-names="/names/' in page, url
        assert '<script src="/static/names.js" defer></script>' in page, url


def test_the_script_is_a_static_file_and_the_page_has_no_inline_script(client, world):
    from django.contrib.staticfiles import finders

    script = finders.find("names.js")
    assert script and "datalist" in Path(script).read_text()
    page = client.get("/timeline/").content.decode()
    assert "<script>" not in page and "onclick" not in page


def test_a_staff_form_takes_the_agency_by_name(client, world):
    from tests.accounts import user

    wcso, _ = world
    client.force_login(user("editor"))
    data = {
        "agency": "Washington County Sheriff's Office",
        "subject": "Drones",
        "status": "filed",
        "visibility": "public",
    }
    response = client.post("/staff/requests/new/", data)
    assert "3 agencies are called" in response.content.decode()
    response = client.post("/staff/requests/new/", data | {"agency": "Washington County Sheriff's Office (AR)"})
    assert response.status_code == 302
    assert wcso["AR"].records_requests.get().subject == "Drones"
