"""CSV and JSON exports give back exactly what the page lists, with the same filters."""

import csv
import datetime
import io
import re

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    face = factories.technology("face-recognition")
    amazon = factories.vendor("Amazon")
    for i, code in enumerate(["OR", "OR", "FL", "CA"]):
        agency = factories.agency(f"Agency {code} {i}", code, ori=f"{code}00{i}0000")
        factories.event(agency, datetime.date(2018, 1, 1 + i), [amazon], [face], title=f"Event {i}")
        factories.procurement(agency, amazon, amount=1000 * i, title=f"Contract {i}")
    return amazon


def read_csv(response) -> list[dict]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def page_links(response, prefix) -> list[str]:
    return re.findall(rf'<td><a href="({prefix}[a-z0-9-]+/)">', response.content.decode())


@pytest.mark.parametrize(
    ("query", "prefix"),
    [
        ("/agencies/?state=OR", "/agencies/"),
        ("/procurements/?state=OR", "/procurements/"),
        ("/agencies/", "/agencies/"),
    ],
)
def test_csv_and_json_list_the_same_rows_as_the_page(client, world, query, prefix):
    on_page = page_links(client.get(query), prefix)
    assert on_page
    separator = "&" if "?" in query else "?"
    from_csv = [
        row["url"].removeprefix("http://testserver") for row in read_csv(client.get(f"{query}{separator}format=csv"))
    ]
    payload = client.get(f"{query}{separator}format=json").json()
    from_json = [item["url"].removeprefix("http://testserver") for item in payload["results"]]
    assert from_csv == on_page == from_json


def test_timeline_csv_has_names_and_urls_for_foreign_keys(client, world):
    rows = read_csv(client.get("/timeline/?state=OR&format=csv"))
    assert [row["title"] for row in rows] == ["Event 1", "Event 0"]
    assert rows[0]["agency"] == "Agency OR 1"
    assert rows[0]["agency_url"] == "http://testserver/agencies/agency-or-1/"
    assert rows[0]["vendors"] == "Amazon"
    assert rows[0]["vendors_url"] == "http://testserver/vendors/amazon/"
    assert rows[0]["technologies"] == "Face Recognition"


def test_timeline_json_items(client, world):
    payload = client.get("/timeline/?vendor=amazon&format=json").json()
    assert payload["count"] is None
    assert payload["next"] is None
    item = payload["results"][0]
    assert {"url", "date", "date_precision", "kind", "title", "agency", "vendors", "technologies", "sources"} <= set(
        item
    )
    assert item["agency"]["url"].startswith("http://testserver/agencies/")
    assert item["vendors"] == [{"name": "Amazon", "url": "http://testserver/vendors/amazon/"}]
    assert item["sources"][0]["url"] == "https://example.org/source"


def test_agency_json_items_and_count(client, world):
    payload = client.get("/agencies/?state=OR&format=json").json()
    assert payload["count"] == 2
    assert {item["ori"] for item in payload["results"]} == {"OR0000000", "OR0010000"}
    assert {"url", "name", "state", "kind", "ori"} <= set(payload["results"][0])


def test_json_next_follows_the_keyset_cursor(client, world, settings):
    settings.PAGE_SIZE = 3
    first = client.get("/timeline/?format=json").json()
    assert len(first["results"]) == 3
    assert "after=" in first["next"] and "format=json" in first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 1
    assert second["next"] is None
    urls = [item["url"] for item in first["results"] + second["results"]]
    assert len(set(urls)) == 4


def test_csv_neutralises_formulas(client):
    agency = factories.agency('=HYPERLINK("http://evil")', "OR")
    factories.event(agency, title="+SUM(A1:A9)", summary="@cmd")
    rows = read_csv(client.get("/timeline/?format=csv"))
    assert rows[0]["title"] == "'+SUM(A1:A9)"
    assert rows[0]["summary"] == "'@cmd"
    assert rows[0]["agency"].startswith("'=HYPERLINK")


def test_pages_link_to_their_exports(client, world):
    page = client.get("/timeline/?vendor=amazon").content.decode()
    assert 'href="/timeline/?vendor=amazon&amp;format=csv"' in page
    assert 'href="/timeline/?vendor=amazon&amp;format=json"' in page


def test_technology_list_exports(client, world):
    rows = read_csv(client.get("/technologies/?format=csv"))
    assert len(rows) == 12
    face = next(row for row in rows if row["name"] == "Face Recognition")
    assert face["agency_count"] == "4"
    assert client.get("/technologies/?format=json").json()["count"] == 12
