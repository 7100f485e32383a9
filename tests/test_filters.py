"""List filters, facet counts, and bad filter values answered with a message instead of a 500."""

import datetime
import re

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    face, alpr = factories.technology("face-recognition"), factories.technology("automated-license-plate-readers")
    amazon, flock = factories.vendor("Amazon"), factories.vendor("Flock Safety")
    agencies = {
        "portland": factories.agency("Portland Police Bureau", "OR", kind="police"),
        "wcso": factories.agency("Washington County Sheriff's Office", "OR", kind="sheriff"),
        "orlando": factories.agency("Orlando Police Department", "FL", kind="police"),
        "miami": factories.agency("Miami Police Department", "FL", kind="police"),
        "austin": factories.agency("Austin Police Department", "TX", kind="police"),
    }
    factories.event(agencies["wcso"], datetime.date(2017, 11, 1), [amazon], [face], date_precision="month")
    factories.event(agencies["orlando"], datetime.date(2018, 5, 22), [amazon], [face])
    factories.event(agencies["portland"], datetime.date(2019, 1, 1), [flock], [alpr], date_precision="year")
    factories.event(agencies["miami"], datetime.date(2020, 6, 3), [flock], [alpr])
    factories.event(agencies["austin"], datetime.date(2021, 2, 2), [flock], [alpr], kind="procurement")
    return agencies


def agency_names(response) -> list[str]:
    return re.findall(r'<td><a href="/agencies/[^"]+/">([^<]+)</a></td>', response.content.decode())


def facet(response, name) -> dict:
    return {option["value"]: option["count"] for key, _label, options in response.context["facets"] if key == name
            for option in options}  # fmt: skip


def test_agencies_filter_by_state_kind_technology_and_vendor(client, world):
    assert agency_names(client.get("/agencies/?state=FL")) == ["Miami Police Department", "Orlando Police Department"]
    assert agency_names(client.get("/agencies/?state=or&kind=sheriff")) == ["Washington County Sheriff&#x27;s Office"]
    assert agency_names(client.get("/agencies/?technology=face-recognition")) == [
        "Orlando Police Department",
        "Washington County Sheriff&#x27;s Office",
    ]
    assert agency_names(client.get("/agencies/?vendor=flock-safety&state=FL")) == ["Miami Police Department"]
    assert agency_names(client.get("/agencies/?q=police+dep")) == [
        "Austin Police Department",
        "Miami Police Department",
        "Orlando Police Department",
    ]


def test_agencies_sort_both_ways(client, world):
    names = agency_names(client.get("/agencies/?sort=-name"))
    assert names == sorted(names, reverse=True)


def test_facet_counts_follow_the_other_filters(client, world):
    everything = client.get("/agencies/")
    assert facet(everything, "state") == {"FL": 2, "OR": 2, "TX": 1}
    assert facet(everything, "technology") == {"automated-license-plate-readers": 3, "face-recognition": 2}
    assert facet(everything, "vendor") == {"flock-safety": 3, "amazon": 2}
    police = client.get("/agencies/?kind=police")
    assert facet(police, "state") == {"FL": 2, "OR": 1, "TX": 1}
    assert facet(police, "vendor") == {"flock-safety": 3, "amazon": 1}


def test_facet_links_keep_the_other_filters(client, world):
    page = client.get("/agencies/?kind=police").content.decode()
    assert 'href="?kind=police&amp;state=FL"' in page


def test_map_shades_the_matching_states_and_links_to_the_filtered_list(client, world):
    response = client.get("/agencies/?technology=automated-license-plate-readers")
    rows = {code: count for code, _name, count, _url in response.context["state_map"]["rows"]}
    assert rows == {"FL": 1, "OR": 1, "TX": 1}
    assert "/agencies/?technology=automated-license-plate-readers&amp;state=TX" in response.content.decode()


def test_timeline_filters(client, world):
    def titles(query):
        return [event.title for event in client.get(f"/timeline/?{query}").context["page"].items]

    all_titles = titles("")
    assert len(all_titles) == 5
    assert titles("vendor=amazon") == all_titles[-2:]
    assert titles("state=TX") == all_titles[:1]
    assert titles("kind=procurement") == all_titles[:1]
    assert titles("technology=face-recognition&state=OR") == all_titles[-1:]
    assert titles(f"agency={world['miami'].slug}") == all_titles[1:2]


def test_date_ranges_respect_precision(client, world):
    def dates(query):
        return [event.display_date for event in client.get(f"/timeline/?{query}").context["page"].items]

    assert dates("start=2018&end=2019") == ["2019", "May 22, 2018"]
    assert dates("end=2017") == ["Nov 2017"]
    assert dates("start=2017-11&end=2017-11") == ["Nov 2017"]
    assert dates("start=2020-06-03&end=2020-06-03") == ["Jun 3, 2020"]


@pytest.mark.parametrize(
    ("url", "field", "message"),
    [
        ("/timeline/?vendor=no-such-vendor", "vendor", "No vendor is called"),
        ("/timeline/?start=last+tuesday", "start", "YYYY"),
        ("/timeline/?end=2019-02-30", "end", "does not exist"),
        ("/agencies/?state=ZZ", "state", "two-letter"),
        ("/procurements/?amount_min=lots", "amount_min", "number"),
        ("/procurements/?amount_max=-5", "amount_max", "greater than or equal"),
        ("/procurements/?year=99999999999999999999", "year", ""),
        ("/requests/?status=sleeping", "status", "valid choice"),
        ("/documents/?year=abc", "year", "number"),
        ("/vendors/?technology=%00", "technology", ""),
    ],
)
def test_bad_filter_values_get_a_message_at_the_filter(client, world, url, field, message):
    response = client.get(url)
    assert response.status_code == 400
    errors = response.context["filter"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert f'id="id_{field}-error"' in response.content.decode()


def test_bad_filters_in_json_are_reported_not_ignored(client, world):
    response = client.get("/timeline/?format=json&start=soon")
    assert response.status_code == 400
    assert "start" in response.json()["errors"]


def test_a_malformed_cursor_shows_the_first_page_with_a_message(client, world):
    response = client.get("/timeline/?after=not-a-cursor")
    assert response.status_code == 400
    assert "Not a valid page cursor" in response.content.decode()
    assert len(response.context["page"].items) == 5


def test_empty_results_offer_to_drop_a_filter(client, world):
    page = client.get("/timeline/?vendor=amazon&state=TX").content.decode()
    assert "Nothing matches these filters" in page
    assert 'href="/timeline/?state=TX">without vendor' in page
    assert 'href="/timeline/?vendor=amazon">without state' in page
