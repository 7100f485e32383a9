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
    return re.findall(r'<td[^>]*><a href="/agencies/[^"]+/">([^<]+)</a></td>', response.content.decode())


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


def test_every_list_has_facets_that_follow_the_filters(client, world):
    timeline = client.get("/timeline/")
    assert facet(timeline, "kind") == {"deployment": 4, "procurement": 1}
    assert facet(timeline, "technology") == {"face-recognition": 2, "automated-license-plate-readers": 3}
    assert facet(timeline, "vendor") == {"amazon": 2, "flock-safety": 3}
    assert facet(timeline, "state") == {"OR": 2, "FL": 2, "TX": 1}
    assert facet(timeline, "year") == {2017: 1, 2018: 1, 2019: 1, 2020: 1, 2021: 1}
    narrowed = client.get("/timeline/?vendor=flock-safety&state=FL")
    assert facet(narrowed, "year") == {2020: 1}
    assert facet(narrowed, "technology") == {"automated-license-plate-readers": 1}
    # Each option links to the list narrowed by it, the other filters kept and the page position dropped.
    page = client.get("/timeline/?vendor=flock-safety&after=2030-01-01~99").content.decode()
    assert 'href="?vendor=flock-safety&amp;year=2020"' in page
    assert [e.title for e in client.get("/timeline/?year=2020").context["page"].items] == [
        e.title for e in narrowed.context["page"].items
    ]


def test_request_procurement_and_document_facets(client, world):
    amazon = world["wcso"].timeline_events.get().vendors.get()
    factories.records_request(world["wcso"], status="fulfilled", filed_on=datetime.date(2018, 3, 1))
    factories.records_request(world["miami"], status="rejected", filed_on=datetime.date(2019, 3, 1))
    factories.records_request(world["miami"], status="filed", filed_on=datetime.date(2019, 4, 1))
    requests = client.get("/requests/")
    assert facet(requests, "status") == {"fulfilled": 1, "rejected": 1, "filed": 1}
    assert facet(requests, "outcome") == {"released": 1, "refused": 1, "open": 1}
    assert facet(requests, "state") == {"OR": 1, "FL": 2}
    assert facet(requests, "year") == {2018: 1, 2019: 2}
    assert len(client.get("/requests/?outcome=refused").context["page"].items) == 1
    assert len(client.get("/requests/?year=2019&state=FL").context["page"].items) == 2

    factories.procurement(world["wcso"], amazon, kind="contract", amount=100, signed_on=datetime.date(2017, 6, 1))
    factories.procurement(world["miami"], amazon, kind="free_trial", signed_on=datetime.date(2019, 6, 1))
    procurements = client.get("/procurements/?vendor=amazon")
    assert facet(procurements, "kind") == {"contract": 1, "free_trial": 1}
    assert facet(procurements, "vendor") == {"amazon": 2}
    assert facet(procurements, "state") == {"OR": 1, "FL": 1}
    assert facet(procurements, "year") == {2017: 1, 2019: 1}

    factories.document(world["wcso"], kind="contract", date=datetime.date(2017, 1, 1))
    factories.document(world["wcso"], kind="email", date=datetime.date(2018, 1, 1))
    documents = client.get("/documents/?year=2018")
    assert facet(documents, "kind") == {"email": 1}
    assert facet(documents, "agency") == {world["wcso"].slug: 1}
    labels = {o["label"] for key, _label, options in documents.context["facets"] if key == "agency" for o in options}
    assert labels == {"Washington County Sheriff's Office (OR)"}


def test_facets_count_only_what_the_reader_may_see(client, world):
    from tests.accounts import user

    factories.event(world["austin"], datetime.date(2022, 1, 1), kind="policy", visibility="private")
    factories.records_request(world["austin"], status="rejected", filed_on=datetime.date(2022, 1, 1),
                              visibility="private")  # fmt: skip
    assert 2022 not in facet(client.get("/timeline/"), "year")
    assert "policy" not in facet(client.get("/timeline/"), "kind")
    assert facet(client.get("/requests/"), "state") == {}
    client.force_login(user("editor"))
    assert facet(client.get("/timeline/"), "year")[2022] == 1
    assert facet(client.get("/requests/"), "state") == {"TX": 1}


@pytest.mark.parametrize(
    ("url", "field", "message"),
    [
        ("/timeline/?start=2021&end=2019", "end", "“To” (2019) comes before “From” (2021): swap them"),
        ("/requests/?filed_after=2020-05&filed_before=2020-04-30", "filed_before", "comes before “Filed from”"),
        ("/procurements/?amount_min=500&amount_max=10", "amount_max", "“Amount up to” (10) comes before"),
        (f"/agencies/{'x'}/?start=2021&end=2019", "end", "comes before"),
    ],
)
def test_a_reversed_range_says_so_at_the_filter(client, world, url, field, message):
    if "/agencies/x/" in url:
        url = url.replace("/agencies/x/", world["wcso"].get_absolute_url())
    response = client.get(url)
    assert response.status_code == 400
    assert message in " ".join(response.context["filter"].errors[field])
    assert client.get(url + "&format=json").status_code == 400


def test_the_same_day_or_year_is_a_range(client, world):
    assert client.get("/timeline/?start=2019&end=2019").status_code == 200
    assert client.get("/timeline/?start=2019-01-01&end=2019").status_code == 200


@pytest.mark.parametrize("path", ["/timeline/", "/agencies/", "/procurements/", "/requests/", "/documents/",
                                  "/vendors/", "/vendors/amazon/", "/technologies/"])  # fmt: skip
def test_an_unknown_format_says_which_exist(client, world, path):
    response = client.get(f"{path}?format=xml")
    assert response.status_code == 400
    assert "There is no format “xml”. Ask for format=csv or format=json, or leave format out for the page." in (
        response.content.decode()
    )
    assert client.get(f"{path}?format=html").status_code == 200
    assert client.get(f"{path}?format=").status_code == 200
