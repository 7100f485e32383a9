"""/search/: page-level full-text hits with snippets and facets, names and titles, on PostgreSQL and SQLite alike."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from records.documents import search
from records.documents.search import marks
from records.models import Agency, Document, DocumentMention, DocumentPage, Vendor
from records.web.views import search as search_view
from tests import factories
from tests.accounts import user

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    from records.importers.demo import load_demo

    load_demo()


def hits(client, q, **params):
    response = client.get("/search/", {"q": q, **params})
    assert response.status_code == 200, response.status_code
    return response.context["hits"]


# Translating what was typed


@pytest.mark.parametrize(
    ("raw", "tsquery", "fts5"),
    [
        ("big brother", "('big') & ('brother')", '("big") AND ("brother")'),
        ('"big brother"', "('big' <-> 'brother')", '("big brother")'),
        ("flock OR axon -drone", "('flock' | 'axon') & !('drone')", '(("flock" OR "axon")) NOT ("drone")'),
        ('-"body camera" alpr', "('alpr') & !('bodi' <-> 'camera')", '(("alpr")) NOT ("bodi camera")'),
        ("face-recognition", "('face' <-> 'recognit')", '("face recognit")'),
        ("or and NOT near", "('or') & ('and') & ('not') & ('near')", '("or") AND ("and") AND ("not") AND ("near")'),
        ('"unclosed phrase', "('unclos' <-> 'phrase')", '("unclos phrase")'),
        ("OR flock OR", "('flock')", '("flock")'),
        (
            "10-31 2015-APHIS-00523-F",
            "('10' <-> '31') & ('2015' <-> 'aphi' <-> '523' <-> 'f')",
            '("10 31") AND ("2015 aphi 523 f")',
        ),
    ],
)
def test_queries_are_translated_for_each_engine(raw, tsquery, fts5):
    # Words are stemmed and split at punctuation exactly as page text is (records/rules/search_terms.py).
    query = search.parse_query(raw)
    assert query.tsquery() == tsquery
    assert query.fts5() == fts5


@pytest.mark.parametrize(
    ("raw", "note"),
    [
        ('"unclosed', "quotation mark was not closed"),
        ("OR", "without a word"),
        ("-", "without a word"),
        ("-flock", "not only words to leave out"),
        ("word " * 100, "cut to its first 200 characters"),
    ],
)
def test_odd_queries_give_an_empty_or_smaller_query_and_a_note(raw, note):
    query = search.parse_query(raw)
    assert any(note in n for n in query.notes)


BAD_INPUT = [
    "", "   ", '"', '""', "-", "--", "OR", "OR OR", "AND", "NOT", "*", "^", "(", ")", "NEAR(a b)", "a:b", "col:x",
    "\x00", "x\x00y", "\ufffe", "\u202e", "\ue000\ue001", "💥", "ß", "İ", "😀 flock", "ａｌｐｒ", "a" * 5000,
    '"a" OR -"b" OR', "- - -", '-"', 'flock -"', "'", "';--", "%", "%%", "_", "\\", "{}", "{documents}", "%s",
    "'; DROP TABLE records_document; --", "<script>alert(1)</script>", "a\tb\nc", "\u0301", "ﷺ", "‮flock",
]  # fmt: skip


@pytest.mark.parametrize("raw", BAD_INPUT)
def test_bad_input_gives_a_results_page_never_an_error(client, raw):
    factories.document(pages=["Flock Safety cameras; the alpr contract"])
    for params in ({"q": raw}, {"q": raw, "format": "json"}, {"q": raw, "page": "2", "kind": "email"}):
        response = client.get("/search/", params)
        assert response.status_code == 200, (raw, params)


def test_bytes_that_are_not_utf8_give_a_results_page(client):
    assert client.get("/search/?q=%ED%A0%80%FF%00flock").status_code == 200


def test_bad_facet_values_are_reported_and_ignored(client):
    response = client.get("/search/", {"q": "flock", "year": "abc", "state": "ZZ", "page": "9999", "agency": "none"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"year", "state", "page", "agency"}
    assert "narrow the search" in response.content.decode()
    assert client.get("/search/", {"q": "flock", "year": "x", "format": "json"}).status_code == 400


# Document pages


def test_the_phrase_big_brother_finds_the_demo_email(client, demo):
    (hit,) = hits(client, '"big brother"')
    assert hit.document.title == "Email from a Washington County employee (excerpt)"
    assert hit.page == 1
    assert "<mark>Big" in hit.snippet
    page = client.get("/search/", {"q": '"big brother"'}).content.decode()
    assert f'href="/documents/{hit.document.pk}/?q=%22big+brother%22#page-1"' in page
    assert "Washington County Sheriff" in page and "page 1" in page


def test_hits_show_page_numbers_ranked_with_stemming(client):
    agency = factories.agency("Okaloosa County Sheriff's Office", "FL")
    document = factories.document(
        agency,
        pages=["Cover page", "The cameras were installed.", "Camera network sharing with other agencies."],
        date=datetime.date(2025, 12, 29),
    )
    found = hits(client, "camera")
    assert [(h.document, h.page) for h in found] == [(document, 2), (document, 3)] or {h.page for h in found} == {2, 3}
    assert found[0].url.startswith(f"/documents/{document.pk}/?q=camera#page-")


def test_or_and_minus_work_on_page_text(client):
    factories.document(pages=["flock cameras", "axon bodycams", "flock and axon together"])
    assert {h.page for h in hits(client, "flock OR axon")} == {1, 2, 3}
    assert {h.page for h in hits(client, "flock -axon")} == {1}
    assert {h.page for h in hits(client, "flock axon")} == {3}


def test_a_snippet_shows_each_word_s_first_match_in_context_and_as_plain_text():
    words = [f"w{n}" for n in range(100)]
    words[10], words[20], words[80] = "alpr", "ALPRs", "Flock"
    snippet = marks.snippet(search.parse_query("flock alpr"), "  ".join(words))
    assert snippet.html == (
        "… w4 w5 w6 w7 w8 w9 <mark>alpr</mark> w11 w12 w13 w14 w15 w16 w17 w18 w19 <mark>ALPRs</mark> w21 w22 w23 "
        "w24 w25 w26 w27 … w74 w75 w76 w77 w78 w79 <mark>Flock</mark> w81 w82 w83 w84 w85 w86 w87 w88 w89 w90 w91 "
        "w92 w93 w94 w95 w96 w97 …"
    )
    assert snippet.text == snippet.html.replace("<mark>", "").replace("</mark>", "")


def test_page_text_is_escaped_and_only_the_marks_are_markup(client):
    factories.document(pages=['<script>alert("x")</script> surveillance <b>contract</b> \ue000fake\ue001'])
    (hit,) = hits(client, "surveillance")
    # SQLite's snippet keeps the tags, escaped; PostgreSQL's headline leaves tags out of fragments.
    assert "<script" not in hit.snippet and "<b>" not in hit.snippet
    assert "<mark>surveillance</mark>" in hit.snippet
    assert hit.snippet.count("<mark>") == hit.snippet.count("</mark>") == 1  # the private-use marks fake nothing
    body = client.get("/search/", {"q": "surveillance"}).content.decode()
    assert "<script>alert" not in body


def test_the_index_follows_page_edits_and_deletions(client):
    document = factories.document(pages=["original wording"])
    page = document.pages.get()
    page.text = "replacement wording"
    page.save()
    assert hits(client, "original") == []
    assert len(hits(client, "replacement")) == 1
    document.pages.all().delete()
    assert hits(client, "replacement") == []


def test_private_and_embargoed_pages_never_show_for_the_public(client):
    agency = factories.agency("Quiet Police Department", "NV")
    vendor = factories.vendor("Hushed Vendor")
    private = factories.document(agency, pages=["hushed pilot contract"], visibility="private", kind="contract")
    embargoed = factories.document(
        agency, pages=["hushed pilot invoice"], visibility="embargoed", embargo_until=datetime.date(2999, 1, 1)
    )
    for document in (private, embargoed):
        DocumentMention.objects.create(document=document, vendor=vendor, pages=[1])
    public = factories.document(pages=["unrelated public page"])

    response = client.get("/search/", {"q": "hushed"})
    assert response.context["hits"] == [] and response.context["total"] == 0
    assert all(options == [] for _, _, options in response.context["facets"])
    body = response.content.decode()
    assert "hushed pilot" not in body and "Quiet Police Department</a><span" not in body
    assert client.get("/search/", {"q": "hushed", "format": "json"}).json() == {
        "count": 0, "next": None, "results": [], "notes": []
    }  # fmt: skip
    assert client.get(f"{public.get_absolute_url()}?q=hushed").status_code == 200
    assert client.get(f"{private.get_absolute_url()}?q=hushed").status_code == 404

    client.force_login(user("staff"))
    assert {h.document for h in hits(client, "hushed")} == {private, embargoed}


def test_facets_count_matching_documents_and_narrow_the_hits(client):
    flock = factories.vendor("Flock Safety")
    fl, orr = factories.agency("Okaloosa County Sheriff's Office", "FL"), factories.agency("Portland Police", "OR")
    a = factories.document(fl, pages=["alpr cameras"], kind="contract", date=datetime.date(2024, 5, 1))
    b = factories.document(fl, pages=["alpr invoice"], kind="invoice", date=datetime.date(2025, 1, 1))
    c = factories.document(orr, pages=["alpr policy"], kind="policy", date=datetime.date(2025, 2, 1))
    factories.document(orr, pages=["nothing relevant"], kind="policy")
    DocumentMention.objects.create(document=a, vendor=flock, pages=[1])
    DocumentMention.objects.create(document=c, vendor=flock, pages=[1], status="removed")

    response = client.get("/search/", {"q": "alpr"})
    facets = {name: {o["value"]: o["count"] for o in options} for name, _, options in response.context["facets"]}
    assert facets == {
        "agency": {fl.slug: 2, orr.slug: 1},
        "vendor": {"flock-safety": 1},
        "kind": {"contract": 1, "invoice": 1, "policy": 1},
        "year": {"2025": 2, "2024": 1},
        "state": {"FL": 2, "OR": 1},
    }
    option = next(o for _, _, options in response.context["facets"] for o in options if o["value"] == "FL")
    assert option["query"] == "q=alpr&state=FL"
    assert {h.document for h in hits(client, "alpr", state="FL")} == {a, b}
    assert {h.document for h in hits(client, "alpr", vendor="flock-safety")} == {a}
    assert {h.document for h in hits(client, "alpr", year="2025", kind="policy")} == {c}
    assert {h.document for h in hits(client, "alpr", agency=orr.slug)} == {c}
    # A name typed into the address works as the facet's slug does; an unknown one says so in words.
    assert {h.document for h in hits(client, "alpr", agency=orr.name, vendor="Flock Safety")} == set()
    assert {h.document for h in hits(client, "alpr", vendor="FLOCK SAFETY")} == {a}
    refused = client.get("/search/", {"q": "alpr", "agency": "Nowhere Sheriff"})
    assert refused.status_code == 400
    assert "No agency is called “Nowhere Sheriff”" in refused.content.decode()
    assert "slug" not in refused.content.decode().lower().replace("slugify", "")


def test_hits_come_in_bounded_pages_and_as_json(client):
    agency = factories.agency("Okaloosa County Sheriff's Office", "FL")
    factories.document(agency, pages=[f"alpr page {n}" for n in range(45)], title="Big file")
    first = client.get("/search/", {"q": "alpr", "format": "json"}).json()
    assert first["count"] == 45 and len(first["results"]) == 20
    assert first["next"].startswith("http://testserver/search/?") and "page=2" in first["next"]
    hit = first["results"][0]
    assert set(hit) >= {"url", "document", "page", "snippet", "agency", "date", "kind"}
    assert hit["document"]["name"] == "Big file"
    assert hit["url"].startswith("http://testserver/documents/") and f"#page-{hit['page']}" in hit["url"]
    assert "<mark>alpr</mark>" in hit["snippet"]
    third = client.get("/search/", {"q": "alpr", "format": "json", "page": "3"}).json()
    assert len(third["results"]) == 5 and third["next"] is None
    pages = {
        r["page"]
        for p in (1, 2, 3)
        for r in client.get("/search/", {"q": "alpr", "format": "json", "page": p}).json()["results"]
    }  # noqa: E501
    assert pages == set(range(1, 46))


def test_hits_can_be_taken_away_as_csv_with_the_same_filters(client, monkeypatch):
    fl, orr = factories.agency("Okaloosa County Sheriff's Office", "FL"), factories.agency("Portland Police", "OR")
    sharing = factories.document(
        fl, pages=["cover", "=HYPERLINK shared with\n<b>Destin</b> PD: alpr"], title="=Sharing"
    )
    factories.document(orr, pages=["alpr policy"], title="Policy", date=datetime.date(2025, 2, 1))
    factories.document(fl, pages=["alpr secret"], title="Private", visibility="private")

    response = client.get("/search/", {"q": "alpr", "state": "FL", "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="search.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["document", "page", "url", "snippet", "agency", "date", "kind", "document_url", "vendors"]
    assert rows[1:] == [
        [
            "'=Sharing", "2", f"http://testserver/documents/{sharing.pk}/?q=alpr#page-2",
            "… shared with <b>Destin</b> PD: alpr", "Okaloosa County Sheriff's Office", "", "other",
            f"http://testserver/documents/{sharing.pk}/", "",
        ]
    ]  # fmt: skip
    # Public documents only, whoever asks; the facets narrow as on the page; the page's own link carries them.
    client.force_login(user("staff"))
    titles = [row[0] for row in csv.reader(io.StringIO(client.get("/search/?q=alpr&format=csv").content.decode()))]
    assert titles[1:] == ["Policy", "'=Sharing"] or titles[1:] == ["'=Sharing", "Policy"]
    page = client.get("/search/", {"q": "alpr", "state": "FL", "page": "1"}).content.decode()
    assert 'href="/search/?q=alpr&amp;state=FL&amp;format=csv"' in page

    monkeypatch.setattr(search_view, "CSV_MAX_HITS", 1)
    assert len(client.get("/search/?q=alpr&format=csv").content.decode().splitlines()) == 2


def test_the_csv_counts_against_the_rate_limit_and_an_unknown_format_lists_the_formats(client, settings):
    factories.document(pages=["alpr"])
    settings.SEARCH_RATE_LIMIT = 2
    assert [client.get("/search/?q=alpr&format=csv").status_code for _ in range(3)] == [200, 200, 429]
    settings.SEARCH_RATE_LIMIT = 0
    response = client.get("/search/?q=alpr&format=xml")
    assert response.status_code == 400
    assert "There is no format “xml” here: use html, json or csv." in response.content.decode()
    assert client.get("/search/?q=alpr&format=csv&year=abc").status_code == 400


def test_names_and_titles_are_found_by_type(client, demo):
    factories.product(Vendor.objects.get(name="Flock Safety"), "Falcon")  # the demo's sharing links name it
    factories.records_request(
        factories.agency("Hidden PD", "NV"), subject="Falcon secret request", visibility="private"
    )
    response = client.get("/search/", {"q": "falcon"})
    results = response.context["results"]
    assert [p.name for p in results["products"]] == ["Falcon"]
    assert list(results["requests"]) == []
    response = client.get("/search/", {"q": "washington county"})
    results = response.context["results"]
    assert [a.name for a in results["agencies"]] == ["Washington County Sheriff's Office"]
    assert any(
        "Rekognition" in r.subject for r in client.get("/search/", {"q": "rekognition"}).context["results"]["requests"]
    )  # noqa: E501


def test_names_and_titles_match_by_word_not_inside_words(client):
    for name, code in [("Altamonte Springs Police Department", "FL"), ("Palm Springs Police Department", "CA"),
                       ("Pickerington Police Department", "OH"), ("Ringgold Police Department", "GA")]:  # fmt: skip
        factories.agency(name, code)
    brookhaven = factories.agency("Brookhaven Police Department", "GA", ori="GA0447200")

    def agencies(q):
        return [a.name for a in client.get("/search/", {"q": q}).context["results"]["agencies"]]

    assert agencies("ring") == ["Ringgold Police Department"]
    assert agencies("springs") == ["Altamonte Springs Police Department", "Palm Springs Police Department"]
    assert agencies("pick") == ["Pickerington Police Department"]  # a word's start is enough
    assert agencies('"palm springs police"') == ["Palm Springs Police Department"]
    assert agencies('"springs palm"') == []
    assert agencies("GA0447200") == agencies("ga0447200") == [brookhaven.name]
    listed = client.get("/agencies/", {"q": "ring"}).content.decode()
    assert "Ringgold Police Department" in listed and "Springs" not in listed and "Pickerington" not in listed
    assert "Brookhaven Police Department" in client.get("/agencies/", {"q": "GA0447200"}).content.decode()


def test_the_timeline_words_need_every_word_in_any_order(client):
    agency = factories.agency("Adams County Sheriff's Office", "CO")
    event = factories.event(
        agency, title="Adams County buys licence plate readers", summary="A license for 20 cameras."
    )
    factories.event(agency, title="Flock cameras in Adamsville", summary="No licensing yet.")

    def titles(q):
        return [e.title for e in client.get("/timeline/", {"q": q}).context["page"].items]

    assert titles("Adams license") == titles("license adams") == [event.title]
    assert titles('"adams county" licen') == [event.title]
    assert titles("dams license") == titles("Adams licenses") == []
    assert len(titles("cameras")) == 2 and titles("cameras -licensing") == [event.title]


def test_results_link_the_agencies_and_requests_they_name_and_empty_sections_take_one_line(client, demo):
    body = client.get("/search/", {"q": "rekognition"}).content.decode()
    wcso = Agency.objects.get(name="Washington County Sheriff's Office")
    assert f'<a href="{wcso.get_absolute_url()}">Washington County Sheriff&#x27;s Office</a>' in body
    assert "No matching" not in body and "<h2>Vendors</h2>" not in body
    assert '<p class="muted" id="no-names">No agencies, vendors, ' in body

    agency = factories.agency("Quokka Police Department", "NV")
    public = factories.records_request(agency, subject="Quokka camera records")
    hidden = factories.records_request(agency, subject="Secret quokka request", visibility="private")
    factories.document(agency, pages=["quokka camera invoice"], request=public, title="Invoice")
    factories.document(agency, pages=["quokka camera letter"], request=hidden, title="Letter")
    response = client.get("/search/", {"q": "quokka camera"})
    body = response.content.decode()
    assert body.count(f'<a href="{agency.get_absolute_url()}">Quokka Police Department</a>') >= 3  # hits, request
    assert f'released under <a href="{public.get_absolute_url()}">Quokka camera records</a>' in body
    assert "Secret quokka" not in body and hidden.get_absolute_url() not in body
    assert "No agencies, vendors, products, technologies, timeline entries or document titles match." in body


def test_each_hit_links_the_vendors_its_page_names_in_the_page_json_and_csv(client):
    flock = factories.vendor("Flock Safety")
    axon = factories.vendor("Axon Enterprise")
    agency = factories.agency("Quokka Police Department", "NV")
    contract = factories.document(agency, pages=["wallaby cameras from Flock Safety", "wallaby body cameras by Axon"])
    DocumentMention.objects.create(document=contract, vendor=flock, pages=[1])
    DocumentMention.objects.create(document=contract, vendor=axon, pages=[2], status="removed")

    named = {hit.page: [v.name for v in hit.vendors] for hit in hits(client, "wallaby")}
    assert named == {1: ["Flock Safety"], 2: []}  # a mention staff removed is not shown
    body = client.get("/search/", {"q": "wallaby"}).content.decode()
    assert f'<a href="{flock.get_absolute_url()}">Flock Safety</a>' in body
    assert axon.get_absolute_url() not in body
    results = client.get("/search/", {"q": "wallaby", "format": "json"}).json()["results"]
    assert {r["page"]: [v["name"] for v in r["vendors"]] for r in results} == {1: ["Flock Safety"], 2: []}
    rows = list(csv.reader(io.StringIO(client.get("/search/", {"q": "wallaby", "format": "csv"}).content.decode())))
    assert sorted((row[1], row[-1]) for row in rows[1:]) == [("1", "Flock Safety"), ("2", "")]


# The document page


def test_arriving_from_a_search_marks_the_terms_on_the_document_page(client):
    document = factories.document(pages=["nothing here", "The <i>ALPR</i> cameras & readers"])
    body = client.get(f"{document.get_absolute_url()}?q=camera").content.decode()
    assert 'id="page-2"' in body
    assert "The &lt;i&gt;ALPR&lt;/i&gt; <mark>cameras</mark> &amp; readers" in body
    assert 'marked on page <a href="#page-2">2</a>' in body
    plain = client.get(document.get_absolute_url()).content.decode()
    assert "<mark>" not in plain and "The &lt;i&gt;ALPR&lt;/i&gt; cameras &amp; readers" in plain


# The engines' structures and the query count


def test_the_search_index_exists_on_this_engine():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'records_documentpage' AND indexdef LIKE '%gin%'"
            )
            assert "search_vector" in cursor.fetchone()[0]
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'records_documentpage'"
            )
            assert {row[0] for row in cursor.fetchall()} == {
                "records_documentpage_fts_insert", "records_documentpage_fts_delete", "records_documentpage_fts_update"
            }  # fmt: skip


SEARCH_TERMS_MIGRATION = ("records", "0018_search_terms")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_gives_the_pages_already_there_their_search_terms():
    executor = MigrationExecutor(connection)
    before = sorted(executor.loader.graph.node_map[SEARCH_TERMS_MIGRATION].parents)
    before = [parent.key for parent in before if parent.key[0] == "records"]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    document = old.get_model("records", "Document").objects.create(title="Log", kind="other")
    old.get_model("records", "DocumentPage").objects.create(document=document, number=1, text="See 2015-APHIS-00523-F.")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    query = search.parse_query("2015-APHIS-00523-F")
    assert [page.text for page in search.matching_pages(query, Document.objects.all())] == ["See 2015-APHIS-00523-F."]
    assert DocumentPage.objects.get().search_text == "see 2015 aphi 523 f"


def grow(size: int):
    flock = factories.vendor()
    for n in range(size):
        agency = factories.agency(code=["FL", "OR", "CA"][n % 3])
        document = factories.document(
            agency, pages=["alpr camera contract", "alpr invoice"], date=datetime.date(2020 + n % 4, 1, 1)
        )
        DocumentMention.objects.create(document=document, vendor=flock, pages=[1])


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# The content token, 7 name look-ups, hits with their documents and the vendors they name, the count, 5 facets.
SEARCH_QUERIES = 17


def test_the_search_page_issues_a_fixed_number_of_queries(client):
    url = "/search/?q=alpr+OR+falcon&state=FL"
    grow(3)
    small = count_queries(client, url)
    grow(30)
    assert small == count_queries(client, url) == SEARCH_QUERIES
    assert DocumentPage.objects.count() == 66
