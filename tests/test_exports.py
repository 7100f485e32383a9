"""CSV and JSON exports give back exactly what the page lists, with the same filters, from one column list."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from records.exports import columns
from records.models import EventSource, Jurisdiction, Technology, VendorAlias
from records.models.slugs import unique_slug
from records.web.views import listing
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
    return re.findall(rf'<td[^>]*><a href="({prefix}[a-z0-9-]+/)">', response.content.decode())


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
    assert payload["count"] == 4
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


# Lists whose cells need quoting and neutralising.

FORMULAS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def awkward():
    """Lists whose cells need quoting and neutralising, related rows in every combination, and hidden rows."""
    county = factories.county('=County, "Quoted"', "OR")
    city = Jurisdiction.objects.create(
        level="city", state="WA", name="-City\nof Lines", slug=unique_slug(Jurisdiction, "city of lines"),
        parent=factories.state("WA"),
    )  # fmt: skip
    agencies = {
        "county": factories.agency(
            '=HYPERLINK("http://evil"),x', jurisdiction=county, latitude=45.5, longitude=-122.25, ori="OR0340000"
        ),
        "city": factories.agency("+Plus\r\nPolice", jurisdiction=city, kind="sheriff"),
        "state": factories.agency("State Police", "CA"),
    }
    zeta, alpha = factories.vendor("Zeta Systems"), factories.vendor('@Alpha "One", Inc.')
    tab = factories.vendor("\tTabbed Vendor", website="https://example.org/a,b")
    VendorAlias.objects.create(vendor=zeta, name="-Zeta old name")
    VendorAlias.objects.create(vendor=zeta, name="Zeta, earlier")
    face, alpr = factories.technology("face-recognition"), factories.technology("automated-license-plate-readers")
    evil_tech = Technology.objects.create(name="=Evil technology", slug="evil-technology")
    public_doc = factories.document(agencies["county"], title="Contract, signed", date=datetime.date(2021, 2, 3))
    private_doc = factories.document(agencies["county"], title="Private memo about quokkas", visibility="private")
    events = {
        "both": factories.event(
            agencies["county"],
            datetime.date(2021, 5, 4),
            [zeta, alpha],
            [face, alpr],
            title="=SUM(A1:A9)",
            summary='He said "hi", then\nleft',
        ),
        "one": factories.event(
            agencies["city"],
            datetime.date(2021, 5, 1),
            [tab],
            [evil_tech],
            title="+1 entry",
            summary="\rcarriage",
            date_precision="month",
            is_illustrative=True,
        ),
        "none": factories.event(
            None, datetime.date(2020, 1, 1), title="@no agency", summary="-minus", date_precision="year", url=""
        ),
        "cited": factories.event(agencies["state"], datetime.date(2019, 7, 8), [alpha], title="Cited entry"),
    }
    EventSource.objects.create(event=events["both"], document=public_doc, page=3, label="=Label, with comma")
    EventSource.objects.create(event=events["cited"], document=private_doc, page=2)
    EventSource.objects.create(event=events["cited"], document=public_doc)
    EventSource.objects.create(event=events["one"], url="https://example.org/second", label="Second; source")
    for month, (title, visibility, until) in enumerate(
        [("Private entry", "private", None), ("Embargoed entry", "embargoed", datetime.date(2999, 1, 1)),
         ("Embargo over", "embargoed", datetime.date(2019, 1, 1))], start=1,
    ):  # fmt: skip
        events[title] = factories.event(agencies["county"], datetime.date(2022, month, 1), [zeta], title=title,
                                        visibility=visibility, embargo_until=until)  # fmt: skip
    filed = {"status": "filed", "filed_on": datetime.date(2024, 1, 2), "due_on": datetime.date(2024, 2, 1)}
    request = factories.records_request(agencies["county"], subject='-Subject "quoted"', tracking_number="+T-1",
                                        **filed)  # fmt: skip
    factories.document(agencies["city"], title='=Released, "all"', request=request, is_excerpt=True,
                       source_url="https://example.org/d?a=1,2", date=datetime.date(2024, 3, 1))  # fmt: skip
    factories.records_request(agencies["city"], subject="By a person", requester_organization="", **filed)
    factories.records_request(agencies["city"], subject="Private request", visibility="private", **filed)
    factories.records_request(agencies["state"], subject="Answered", status="fulfilled",
                              filed_on=datetime.date(2024, 1, 2), due_on=datetime.date(2024, 2, 1))  # fmt: skip
    product = factories.product(alpha, "=Product", [face])
    factories.procurement(agencies["county"], alpha, title="-Contract, first", amount=Decimal("1234.50"),
                          product=product, signed_on=datetime.date(2021, 1, 2), reference_number="@ref")  # fmt: skip
    factories.procurement(agencies["city"], tab, title="No amount", status="active")
    return {"events": events, "agencies": agencies, "private_doc": private_doc}


def staff_client(client):
    staff = get_user_model().objects.create_user("exporter", password="pw-long-enough-123")
    staff.groups.add(Group.objects.get(name="staff"))
    client.force_login(staff)
    return client


def body(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content)


LIST_EXPORTS = [
    "/timeline/?format=csv",
    "/timeline/?format=csv&vendor=zeta-systems",
    "/timeline/?format=csv&state=OR&start=2021",
    "/timeline/?format=csv&q=entry",
    "/agencies/?format=csv",
    "/agencies/?format=csv&sort=-name",
    "/agencies/?format=csv&vendor=zeta-systems",
    "/vendors/?format=csv",
    "/procurements/?format=csv",
    "/requests/?format=csv",
    "/requests/?format=csv&status=overdue",
    "/documents/?format=csv",
    "/vendors/alpha-one-inc/?format=csv",
    "/technologies/face-recognition/?format=csv",
]


def json_rows(client, url) -> list[dict]:
    """Every row of a list's JSON, page after page."""
    rows, next_url = [], url
    while next_url:
        payload = client.get(next_url).json()
        rows += payload["results"]
        next_url = payload["next"]
    return rows


def as_cells(value) -> list[str]:
    """The CSV cells a JSON value is written as (records/exports/columns.py), for the kinds of this module's data."""
    if value is None:
        return [""]
    if isinstance(value, dict):
        return [columns.neutralise(value["name"]), value["url"]]
    if isinstance(value, list):
        return None  # related lists: checked by their own tests
    if isinstance(value, str):
        return [columns.neutralise(value)]
    return [str(value)]


@pytest.mark.parametrize("reader", ["public", "staff"])
@pytest.mark.parametrize("url", LIST_EXPORTS)
def test_csv_and_json_give_the_same_values_of_the_same_rows(client, awkward, settings, url, reader):
    settings.PAGE_SIZE = 2
    if reader == "staff":
        staff_client(client)
    from_csv = read_csv(client.get(url))
    from_json = json_rows(client, url.replace("format=csv", "format=json"))
    assert len(from_csv) == len(from_json) > 0
    for row, item in zip(from_csv, from_json, strict=True):
        for name, value in item.items():
            cells = as_cells(value)
            if cells is None:
                continue
            written = [row[name]] if len(cells) == 1 else [row[name], row[f"{name}_url"]]
            # A JSON decimal ("1234.50") is text there and a number in CSV: the same digits.
            assert written == cells or (name == "amount" and written == [value]), (url, name, written, cells)


def page_urls(client, url) -> list[str]:
    """The detail URLs of every row a list shows, page after page."""
    urls, after = [], None
    while True:
        response = client.get(url + (f"&after={after}" if after else ""))
        assert response.status_code == 200
        page = response.context["page"]
        urls += [item.get_absolute_url() for item in page.items]
        if not (after := page.next_cursor):
            return urls


@pytest.mark.parametrize("reader", ["public", "staff"])
@pytest.mark.parametrize(
    "url",
    ["/timeline/?kind=deployment", "/timeline/?state=OR", "/agencies/?sort=-name", "/requests/?status=filed",
     "/documents/?kind=other", "/procurements/?kind=contract", "/vendors/alpha-one-inc/?kind=deployment"],
)  # fmt: skip
def test_csv_lists_the_rows_of_the_pages_in_their_order(client, awkward, settings, url, reader):
    settings.PAGE_SIZE = 1
    if reader == "staff":
        staff_client(client)
    on_pages = page_urls(client, url)
    assert len(on_pages) > 1, "more than one page"
    rows = read_csv(client.get(f"{url}&format=csv"))
    assert [row["url"].removeprefix("http://testserver") for row in rows] == on_pages


def test_timeline_csv_related_columns(client, awkward):
    events = awkward["events"]
    rows = {row["url"]: row for row in read_csv(client.get("/timeline/?format=csv"))}
    url = "http://testserver/events/{}/".format
    both, one, none, cited = (rows[url(events[key].pk)] for key in ("both", "one", "none", "cited"))
    # Names in name order, each with its URL at the same place.
    assert both["vendors"] == '\'@Alpha "One", Inc.; Zeta Systems'
    assert both["vendors_url"] == "http://testserver/vendors/alpha-one-inc/; http://testserver/vendors/zeta-systems/"
    assert both["technologies"] == "Automated License Plate Readers; Face Recognition"
    assert both["technologies_url"] == (
        "http://testserver/technologies/automated-license-plate-readers/; "
        "http://testserver/technologies/face-recognition/"
    )
    assert both["agency"] == '\'=HYPERLINK("http://evil"),x'
    assert both["agency_url"] == f"http://testserver{awkward['agencies']['county'].get_absolute_url()}"
    assert both["state"] == "OR"
    public_doc = f"http://testserver/documents/{EventSource.objects.get(label='=Label, with comma').document_id}/"
    # One column per part of a source; the n-th item of each is the n-th source's.
    assert (both["sources"], both["sources_url"], both["sources_document"]) == (
        "Example source; =Label, with comma",
        "https://example.org/source; ",
        f"; {public_doc}#page-3",
    )
    assert (one["vendors"], one["technologies"], one["technologies_url"]) == (
        "'\tTabbed Vendor",
        "'=Evil technology",
        "http://testserver/technologies/evil-technology/",
    )
    assert (one["date"], one["date_precision"], one["display_date"], one["illustrative"]) == (
        "2021-05-01",
        "month",
        "May 2021",
        "True",
    )
    assert (none["agency"], none["agency_url"], none["state"], none["vendors"], none["vendors_url"]) == ("",) * 5
    assert (none["technologies"], none["technologies_url"], none["sources"], none["sources_document"]) == ("",) * 4
    # Two published sources and no document: no column of "; " with nothing around it. A label's own "; " is
    # written ";", so that the labels split as the URLs do.
    assert (one["sources"], one["sources_url"], one["sources_document"]) == (
        "Example source; Second;source",
        "https://example.org/source; https://example.org/second",
        "",
    )
    assert len(one["sources"].split("; ")) == len(one["sources_url"].split("; ")) == 2
    assert none["display_date"] == "2020"
    assert cited["vendors"] == '\'@Alpha "One", Inc.'
    # A source citing a document gives the document's URL and page, nothing else of it, and nothing at all of a
    # document the reader may not see (after the factory's own source, one cites a private document).
    assert (cited["sources"], cited["sources_url"], cited["sources_document"]) == (
        "Example source; ; ",
        "https://example.org/source; ; ",
        f"; ; {public_doc}",
    )
    private_doc = f"http://testserver/documents/{awkward['private_doc'].pk}/"
    staff_rows = {row["url"]: row for row in read_csv(staff_client(client).get("/timeline/?format=csv"))}
    assert staff_rows[url(events["cited"].pk)]["sources_document"] == f"; {private_doc}#page-2; {public_doc}"


def test_timeline_json_gives_no_trace_of_a_cited_document_the_reader_may_not_see(client, awkward):
    private_doc = f"http://testserver/documents/{awkward['private_doc'].pk}/#page-2"

    def cited_sources(reader):
        results = reader.get("/timeline/?format=json&q=Cited").json()["results"]
        return [(source["document"], source["page"]) for source in results[0]["sources"]]

    assert cited_sources(client)[1] == (None, None)
    assert cited_sources(staff_client(client))[1] == (private_doc, 2)


def is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_csv_neutralises_formulas_in_every_kind_of_cell(client, awkward):
    text = body(client.get("/timeline/?format=csv")).decode()
    rows = list(csv.reader(io.StringIO(text, newline="")))
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULAS), (cell, row[0])
    by_title = {row[5]: row for row in rows[1:]}
    assert by_title["'=SUM(A1:A9)"][6] == 'He said "hi", then\nleft'
    assert by_title["'+1 entry"][6] == "'\rcarriage"
    assert by_title["'+1 entry"][8] == "'+Plus\r\nPolice"
    assert by_title["'@no agency"][6] == "'-minus"
    for url in LIST_EXPORTS:
        for row in csv.reader(io.StringIO(body(client.get(url)).decode(), newline="")):
            # A negative number is a number, not a formula: it stays as it is.
            assert not [cell for cell in row if cell.startswith(FORMULAS) and not is_number(cell)], (url, row)
    agencies = {row["name"]: row for row in read_csv(client.get("/agencies/?format=csv"))}
    county = agencies['\'=HYPERLINK("http://evil"),x']
    assert (county["jurisdiction"], county["longitude"]) == ('\'=County, "Quoted", OR', "-122.25")
    assert agencies["'+Plus\r\nPolice"]["jurisdiction"] == "'-City\nof Lines, WA"
    aliases = {row["name"]: row["aliases"] for row in read_csv(client.get("/vendors/?format=csv"))}
    assert aliases["Zeta Systems"] == "'-Zeta old name; Zeta, earlier"


def test_numbers_stay_numbers_and_text_is_neutralised(client, awkward):
    """Parsed back with the csv module, a negative longitude and an amount are numbers, not text made safe."""
    agencies = {row[1]: row for row in csv.reader(io.StringIO(body(client.get("/agencies/?format=csv")).decode()))}
    county = agencies['\'=HYPERLINK("http://evil"),x']
    assert (float(county[7]), float(county[8])) == (45.5, -122.25)
    procurements = read_csv(client.get("/procurements/?format=csv"))
    contract = next(row for row in procurements if row["title"] == "'-Contract, first")
    assert Decimal(contract["amount"]) == Decimal("1234.50")
    assert client.get("/procurements/?format=json").json()["results"][1]["amount"] == "1234.50"


@pytest.mark.parametrize(
    ("value", "written"),
    [("", ""), ("plain", "plain"), ("a,b", '"a,b"'), ('say "hi"', '"say ""hi"""'), ("two\nlines", '"two\nlines"'),
     ("=1+1", "'=1+1"), ("-1", "'-1"), ("\tx", "'\tx"), ("\rx", "\"'\rx\""), ('=a,"b"', '"\'=a,""b"""'), (None, ""),
     (True, "True"), (-2.5, "-2.5"), (-3, "-3"), (Decimal("-0.50"), "-0.50"), ("é, ü", '"é, ü"'),
     (["-a", "b; c"], "'-a; b;c")],
)  # fmt: skip
def test_a_value_cell_is_text_made_safe_or_a_number(value, written):
    out = io.StringIO()
    csv.writer(out).writerow(["x", columns.csv_cells(columns.Column("cell", ("cell",)))(value)])
    assert out.getvalue() == f"x,{written}\r\n"


def test_hidden_rows_and_private_documents_never_reach_the_public(client, awkward):
    hidden = ["Private entry", "Embargoed entry", "Private request", "Private memo about quokkas"]
    public = {url: body(client.get(url)).decode() for url in LIST_EXPORTS}
    for url, text in public.items():
        for secret in hidden:
            assert secret not in text, (url, secret)
    assert "Embargo over" in public["/timeline/?format=csv"]
    private_doc = f"/documents/{awkward['private_doc'].pk}/,"
    assert private_doc not in public["/documents/?format=csv"]
    staff = staff_client(client)
    timeline = body(staff.get("/timeline/?format=csv")).decode()
    assert "Private entry" in timeline and "Embargoed entry" in timeline
    assert "Private request" in body(staff.get("/requests/?format=csv")).decode()
    assert private_doc in body(staff.get("/documents/?format=csv")).decode()


def grow(size: int):
    """`size` agencies' worth of entries with vendors, technologies and sources, and records."""
    vendors = [factories.vendor() for _ in range(3)]
    technologies = [factories.technology("face-recognition"), factories.technology("drones")]
    for i in range(size):
        agency = factories.agency(code=["OR", "WA", "CA"][i % 3])
        document = factories.document(agency, pages=["one"])
        factories.records_request(agency, status="filed", filed_on=datetime.date(2020, 1, 2))
        factories.procurement(agency, vendors[i % 3], amount=100)
        for year in (2019, 2020):
            event = factories.event(agency, datetime.date(year, 1, 1 + i % 27), vendors[: 1 + i % 3], technologies)
            event.sources.create(document=document, page=1)


CSV_QUERIES = {
    # Each first reads the content token for its HTTP validators (records/web/http_cache.py).
    # The rows, then per batch their vendors, technologies, sources, records requests and procurements.
    "/timeline/?format=csv": 7,
    "/timeline/?format=csv&technology=face-recognition&state=OR": 8,
    "/agencies/?format=csv": 2,
    "/vendors/?format=csv": 3,
    # The rows, then per batch the contracts they were bought under.
    "/procurements/?format=csv": 3,
    "/requests/?format=csv": 2,
    "/documents/?format=csv": 2,
}


def csv_queries(client, url) -> tuple[int, int]:
    """How many queries the export of `url` issues, its body read to the end, and how many lines it has."""
    with CaptureQueriesContext(connection) as queries:
        text = body(client.get(url))
    return len(queries), text.count(b"\n")


def test_csv_queries_are_as_many_whatever_the_rows(client, awkward):
    grow(3)
    small = {url: csv_queries(client, url) for url in CSV_QUERIES}
    grow(30)
    large = {url: csv_queries(client, url) for url in CSV_QUERIES}
    for url in CSV_QUERIES:
        assert large[url][1] > small[url][1], (url, "more rows")
    assert {url: n for url, (n, _) in small.items()} == {url: n for url, (n, _) in large.items()} == CSV_QUERIES


def test_a_long_timeline_export_is_written_batch_by_batch_with_the_same_bytes(client, awkward, monkeypatch):
    """Rows are read by keyset batch, and their related rows per batch (memory follows the batch, not the export):
    with batches of 2 entries the file is byte for byte the one-batch file, and costs 6 more queries a batch."""
    grow(3)
    url = "/timeline/?format=csv"
    whole = body(client.get(url))
    entries = len(list(csv.reader(io.StringIO(whole.decode(), newline="")))) - 1
    monkeypatch.setattr(columns, "BATCH", 2)
    with CaptureQueriesContext(connection) as queries:
        batched_body = body(client.get(url))
    assert batched_body == whole
    batches = -(-entries // 2)
    # A query for the rows and five for their related rows per batch; a last full batch needs one more read
    # to find that nothing follows; the content token is read once, for the HTTP validators.
    assert len(queries) == 1 + 6 * batches + (1 if entries % 2 == 0 else 0)


def test_an_entry_from_a_records_request_keeps_that_source_in_csv_and_json(client, awkward):
    county = awkward["agencies"]["county"]
    public = factories.records_request(county, subject="Rekognition contracts", status="filed")
    private = factories.records_request(county, subject="Quokka sightings", visibility="private")
    factories.event(county, datetime.date(2023, 1, 5), title="Filed in public", records_request=public, url="")
    factories.event(county, datetime.date(2023, 1, 6), title="Filed in private", records_request=private, url="")
    rows = {row["title"]: row for row in read_csv(client.get("/timeline/?format=csv"))}
    filed = rows["Filed in public"]
    assert (filed["records_request"], filed["records_request_url"]) == (
        "Rekognition contracts",
        f"http://testserver/requests/{public.pk}/",
    )
    assert (rows["Filed in private"]["records_request"], rows["Filed in private"]["records_request_url"]) == ("", "")
    items = {item["title"]: item for item in json_rows(client, "/timeline/?format=json")}
    assert items["Filed in public"]["records_request"]["url"] == f"http://testserver/requests/{public.pk}/"
    assert items["Filed in private"]["records_request"] is None
    text = body(client.get("/timeline/?format=csv")).decode()
    assert "Quokka sightings" not in text and f"/requests/{private.pk}/" not in text
    staff = {item["title"]: item for item in json_rows(staff_client(client), "/timeline/?format=json")}
    assert staff["Filed in private"]["records_request"]["name"] == "Quokka sightings"


def test_an_entry_from_a_procurement_links_it(client, awkward):
    county = awkward["agencies"]["county"]
    contract = factories.procurement(county, title="Flock cameras, 2023")
    factories.event(county, datetime.date(2023, 2, 1), title="Contract signed", procurement=contract, url="")
    row = next(row for row in read_csv(client.get("/timeline/?format=csv")) if row["title"] == "Contract signed")
    assert (row["procurement"], row["procurement_url"]) == (
        "Flock cameras, 2023",
        f"http://testserver/procurements/{contract.pk}/",
    )


@pytest.mark.parametrize("url", ["/timeline/?format=json", "/requests/?format=json", "/procurements/?format=json",
                                 "/documents/?format=json", "/agencies/?format=json"])  # fmt: skip
def test_json_counts_its_rows_up_to_a_limit(client, awkward, monkeypatch, settings, url):
    settings.PAGE_SIZE = 1
    total = len(json_rows(client, url))
    assert total > 1
    first = client.get(url).json()
    assert first["count"] == total, "counted though the page shows one row"
    assert client.get(first["next"]).json()["count"] == total, "the list's count on every page"
    if not url.startswith("/agencies/"):  # the agency list counts every row (its page shows the total)
        monkeypatch.setattr(listing, "JSON_COUNT_LIMIT", total - 1)
        assert client.get(url).json()["count"] is None, "past the limit the count is not known"


def test_a_subjects_timeline_is_downloaded_under_its_slug(client, world):
    agency = factories.agency("Named Agency", "OR")
    for url, name in [(f"/agencies/{agency.slug}/", agency.slug), ("/vendors/amazon/", "amazon"),
                      ("/technologies/face-recognition/", "face-recognition"), ("/timeline/", "timeline")]:  # fmt: skip
        response = client.get(f"{url}?format=csv")
        assert response["Content-Disposition"] == f'attachment; filename="{name}.csv"'


def test_an_export_of_no_rows_is_its_header(client, world):
    text = body(client.get("/timeline/?format=csv&q=no-such-words")).decode()
    assert text.startswith("url,date,") and text.count("\r\n") == 1


def test_a_cell_is_written_as_csv_writer_writes_it():
    """Cells without a comma, a quote or a line break skip csv.writer (records/exports/columns.py cell_writer):
    for every character, alone and in text, the line is the one csv.writer writes."""
    write = columns.cell_writer()
    for code in range(0x250):
        for text in (chr(code), f"a{chr(code)}b", f"{chr(code)}a", f"{chr(code)}{chr(code)}"):
            reference = io.StringIO()
            csv.writer(reference).writerow(["x", text, "y"])
            assert f"x,{write(text)},y\r\n" == reference.getvalue(), repr(text)
    for number in (-122.25, 3, Decimal("1234.50"), True):
        reference = io.StringIO()
        csv.writer(reference).writerow(["x", number])
        assert f"x,{write(number)}\r\n" == reference.getvalue()


@pytest.mark.parametrize("reader", ["public", "staff"])
@pytest.mark.parametrize("url", LIST_EXPORTS)
def test_every_export_is_what_csv_writer_writes_of_its_cells(client, awkward, url, reader):
    if reader == "staff":
        staff_client(client)
    text = body(client.get(url)).decode()
    reference = io.StringIO()
    csv.writer(reference).writerows(csv.reader(io.StringIO(text, newline="")))
    assert text == reference.getvalue()
