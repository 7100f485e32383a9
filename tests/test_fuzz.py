"""Hostile input into every public filter, the search, the staff forms and the importers:
never a 500, and nothing rendered unescaped."""

import datetime
import io
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories
from tests.accounts import user

pytestmark = pytest.mark.django_db
PAYLOAD = "<script>alert(1)</script>"
HOSTILE = st.one_of(
    st.text(max_size=40),
    st.text(min_size=300, max_size=3000),
    st.sampled_from(
        [
            PAYLOAD, "\x00", "a\x00b", "' OR 1=1 --", '" OR ""="', "'; DROP TABLE records_agency; --",
            "\ud800", "%ff%fe", "9" * 400, "-1", "1e309", "NaN", "2019-02-30", "0000-00-00", "9999-99-99",
            "2017-13", "~", "2020-01-01~99999999999999999999", '"unbalanced', "OR", "-", "AND OR NOT", "*",
            "NEAR(", "^", "()", "{}", "\u202e", "\ufeff", "ÿ", "🙂" * 50, "9999-12", "9999-12-31", "0001-01",
            "\x00~5", "a\x00b~5",
        ]
    ),
)  # fmt: skip
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

LIST_FILTERS = {
    "/timeline/": ["agency", "vendor", "technology", "state", "kind", "start", "end", "year", "q", "sort", "after",
                   "format"],
    "/agencies/": ["q", "state", "kind", "level", "technology", "vendor", "sort", "after", "format"],
    "/vendors/": ["q", "technology", "after", "format"],
    "/procurements/": ["agency", "vendor", "technology", "state", "kind", "status", "amount_min", "amount_max",
                       "year", "method", "funding_source", "under", "sort", "after", "format"],
    "/requests/": ["agency", "state", "status", "outcome", "requester", "filed_after", "filed_before", "year", "q",
                   "sort", "after", "format"],
    "/documents/": ["agency", "state", "kind", "year", "q", "after", "format"],
    "/search/": ["q", "agency", "vendor", "kind", "year", "state", "after", "format"],
    "/vendors/amazon/": ["state", "kind", "start", "end", "year", "q", "sort", "after"],
    "/agencies/fuzz-police-department/": ["vendor", "technology", "kind", "start", "end", "year", "q", "sort", "after",
                                          "format"],
    "/timeline/feed/": ["agency", "vendor", "technology", "state", "kind", "start", "end", "year", "q"],
    "/names/agencies/": ["q"],
    "/names/vendors/": ["q"],
    "/names/products/": ["q"],
}  # fmt: skip
# Values found to break a page once: each is tried in every filter of every list, in every format.
KNOWN_BREAKERS = ["9999-12", "9999-12-31", "0001-01", "\x00~5", "a\x00b~5", "\x00", "2020-01-01~0"]


def encode(value: str) -> str:
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def post_form(client, path, data):
    """Post raw form bytes, so values a browser could mangle (lone surrogates) reach the server as bytes."""
    payload = "&".join(f"{encode(key)}={encode(value)}" for key, value in data.items())
    return client.post(path, payload, content_type="application/x-www-form-urlencoded")


def body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", "replace")


@pytest.fixture
def world():
    amazon = factories.vendor("Amazon")
    agency = factories.agency("Fuzz Police Department", "OR")
    factories.event(agency, datetime.date(2020, 1, 1), [amazon], [factories.technology()])
    factories.procurement(agency, amazon, amount=10)
    factories.records_request(agency)
    factories.document(agency, pages=["The quick brown fox"])


@pytest.mark.parametrize("path", sorted(LIST_FILTERS))
def test_hostile_filter_values_never_break_a_list(client, world, path):
    @FUZZ
    @given(name=st.sampled_from(LIST_FILTERS[path]), value=HOSTILE, repeat=st.booleans())
    def check(name, value, repeat):
        query = f"{name}={encode(value)}" + (f"&{name}={encode(value[::-1])}" if repeat else "")
        response = client.get(f"{path}?{query}")
        assert response.status_code < 500, (path, name, value)
        assert PAYLOAD not in body(response)

    check()


def test_values_that_once_broke_a_page_break_none(client, world):
    for path, names in LIST_FILTERS.items():
        for name in names:
            for value in KNOWN_BREAKERS:
                for extra in ("", "&format=json", "&format=csv"):
                    response = client.get(f"{path}?{name}={encode(value)}{extra}")
                    assert response.status_code < 500, (path, name, value, extra)
                    body(response)


@pytest.mark.parametrize(
    "raw_query", ["q=%ff%fe%00", "q=%C0%AF", "state=%E2%80%AE", "after=%ff~1", "q=" + "a" * 10000, "vendor=%00"]
)
def test_broken_encodings_in_the_query_string(client, world, raw_query):
    for path in LIST_FILTERS:
        response = client.get(f"{path}?{raw_query}")
        assert response.status_code < 500, (path, raw_query)


@FUZZ
@given(subject=HOSTILE, text=HOSTILE, tracking=HOSTILE, filed_on=HOSTILE, agency=HOSTILE)
def test_hostile_values_in_the_request_form(client, subject, text, tracking, filed_on, agency):
    from records.models import Agency, RecordsRequest

    target = Agency.objects.first() or factories.agency("Form Target PD", "OR")
    client.force_login(user("editor"))
    data = {"agency": agency if agency.strip() else target.slug, "subject": subject, "text": text,
            "tracking_number": tracking, "filed_on": filed_on, "status": "filed", "visibility": "public",
            "requester_organization": subject, "requester_person": text, "source_url": text}  # fmt: skip
    before = RecordsRequest.objects.count()
    response = post_form(client, "/staff/requests/new/", data)
    assert response.status_code < 500
    assert PAYLOAD not in body(response)
    if response.status_code == 302:
        created = RecordsRequest.objects.latest("id")
        page = body(client.get(created.get_absolute_url()))
        assert PAYLOAD not in page
    else:
        assert RecordsRequest.objects.count() == before


@FUZZ
@given(status=HOSTILE, date=HOSTILE, summary=HOSTILE, direction=HOSTILE, channel=HOSTILE)
def test_hostile_values_in_the_status_form(client, status, date, summary, direction, channel):
    from records.models import RecordsRequest

    records_request = RecordsRequest.objects.first() or factories.records_request(
        status="filed", filed_on=datetime.date(2024, 1, 2)
    )
    client.force_login(user("editor"))
    response = post_form(
        client,
        f"/staff/requests/{records_request.pk}/status/",
        {"status": status, "date": date, "summary": summary, "direction": direction, "channel": channel},
    )
    assert response.status_code < 500
    assert PAYLOAD not in body(response)


@FUZZ
@given(title=HOSTILE, date=HOSTILE, url=HOSTILE, page=HOSTILE, document=HOSTILE)
def test_hostile_values_in_the_timeline_entry_form(client, title, date, url, page, document):
    client.force_login(user("editor"))
    data = {"date": date, "date_precision": "day", "kind": "other", "title": title, "summary": title,
            "sources-TOTAL_FORMS": "1", "sources-INITIAL_FORMS": "0", "sources-0-url": url,
            "sources-0-label": title, "sources-0-document": document, "sources-0-page": page}  # fmt: skip
    response = post_form(client, "/staff/events/new/", data)
    assert response.status_code < 500
    assert PAYLOAD not in body(response)


@FUZZ
@given(title=HOSTILE, amount=HOSTILE, currency=HOSTILE, start=HOSTILE, end=HOSTILE)
def test_hostile_values_in_the_procurement_form(client, title, amount, currency, start, end):
    agency = factories.Agency.objects.first() or factories.agency("Buyer PD", "OR")
    vendor = factories.Vendor.objects.first() or factories.vendor("Seller Inc")
    client.force_login(user("editor"))
    data = {"agency": agency.slug, "vendor": vendor.slug, "title": title, "kind": "contract", "status": "active",
            "amount": amount, "currency": currency, "start_on": start, "end_on": end}  # fmt: skip
    response = post_form(client, "/staff/procurements/new/", data)
    assert response.status_code < 500
    assert PAYLOAD not in body(response)


@FUZZ
@given(cells=st.lists(HOSTILE, min_size=1, max_size=8), header=st.booleans())
def test_hostile_rows_in_a_foia_log(tmp_path_factory, cells, header):
    path = tmp_path_factory.mktemp("log") / "log.csv"
    lines = (["CASE NO.,DATE RECEIVED,DATE DUE OUT,SUBJECT,CLOSURE DATE"] if header else []) + [
        ",".join('"' + cell.replace('"', '""') + '"' for cell in cells[i : i + 5]) for i in range(0, len(cells), 5)
    ]
    path.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_foia_log", str(path), "--create-agency", "Fuzz Agency", "--level", "federal",
                     stdout=out, stderr=err)  # fmt: skip
    except CommandError:
        return  # a clear error about the file is a fine answer
    assert "rows read" in out.getvalue()


ATLAS_HEADER = ("AOSNUMBER,City,County,State,Agency,Type of LEA,Summary,Type of Juris,Technology,Vendor,"
                "Link 1,Link 1 Snapshot,Link 1 Source,Link 1 Type,Link 1 Date")  # fmt: skip
FBI_HEADER = ",agency_name,agency_type_name,county_name,division_name,latitude,longitude,nibrs,ori,region_desc,region_name,state_abbr,state_name"  # noqa: E501


def csv_line(cells) -> str:
    return ",".join('"' + cell.replace('"', '""') + '"' for cell in cells)


@pytest.mark.parametrize(
    ("command", "header", "width"), [("import_atlas", ATLAS_HEADER, 15), ("import_agencies", FBI_HEADER, 13)]
)
def test_hostile_rows_in_the_atlas_and_fbi_importers(tmp_path_factory, command, header, width):
    @FUZZ
    @given(cells=st.lists(HOSTILE, min_size=width, max_size=width), state=st.sampled_from(["OR", "zz", "", "Or"]))
    def check(cells, state):
        if command == "import_atlas":
            cells[3] = state
        else:
            cells[11] = state
        path = tmp_path_factory.mktemp("import") / "file.csv"
        path.write_text(header + "\n" + csv_line(cells) + "\n", encoding="utf-8", errors="surrogatepass")
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command(command, str(path), stdout=out, stderr=err)
        except CommandError:
            return  # a clear error about the file is a fine answer
        assert "1 rows read" in out.getvalue()  # the row is accounted for: imported or warned about

    check()
