"""The public face, as the server renders it: the name mark and icons on every page, who is signed in, the filters
folded with their chips, tables that stack, maps with their legend and first, a home page that is a front door,
entries that say each thing once, and copy that reads right."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from records.models import Document, ExtractionStatus
from records.models.timeline import summary_adds
from records.web.views.documents_staff import UPLOAD_OUTCOMES
from tests import factories, pdfs
from tests.accounts import user

pytestmark = pytest.mark.django_db
STATIC = Path(settings.BASE_DIR) / "static"


def html(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def header(page: str) -> str:
    return page[page.index('<header class="site-header">') : page.index("</header>")]


@pytest.fixture
def sheriff():
    return factories.agency("Washington County Sheriff's Office", jurisdiction=factories.county())


# The identity


@pytest.mark.parametrize("url", ["/", "/timeline/", "/accounts/login/", "/agencies/no-such-agency/"])
def test_every_page_carries_the_name_mark_and_the_icons(client, url):
    page = html(client, url, status=404 if "no-such" in url else 200)
    assert 'class="brand-mark"' in header(page)
    for name in ("favicon.ico", "favicon.svg", "apple-touch-icon.png"):
        assert f'href="/static/{name}"' in page
        assert (STATIC / name).stat().st_size > 100


def test_the_icons_are_served(client):
    for name, kind in [("favicon.svg", "image/svg+xml"), ("favicon.ico", "image/"), ("favicon.png", "image/png")]:
        response = client.get(f"/static/{name}")
        assert response.status_code == 200
        assert response["Content-Type"].startswith(kind)


def test_the_stylesheet_writes_its_scales_once_as_custom_properties():
    css = (STATIC / "tracker.css").read_text()
    root = css[css.index(":root {") : css.index("}", css.index(":root {"))]
    for prop in ("--step-0", "--step-4", "--space-1", "--space-7", "--ink", "--accent", "--muted"):
        assert f"{prop}:" in root
    # Sizes and colours are written through the properties: no hex colour outside :root but a handful of tints.
    outside = css.replace(root, "")
    assert len(set(re.findall(r"#[0-9a-fA-F]{6}\b", outside))) <= 4


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize(
    ("text", "background"),
    [
        ("--ink", "--paper"), ("--muted", "--paper"), ("--muted", "--wash"), ("--muted", "--accent-soft"),
        ("--accent", "--paper"), ("--accent", "--wash"), ("--accent", "--accent-soft"), ("--tech", "--tech-soft"),
        ("--warn", "--warn-soft"), ("--alert", "--paper"), ("--alert", "--alert-soft"), ("--mist", "--night"),
        ("--signal", "--night"),
    ],
)  # fmt: skip
def test_the_palette_passes_wcag_aa_for_text(text, background):
    css = (STATIC / "tracker.css").read_text()
    value = dict(re.findall(r"(--[a-z-]+):\s*(#[0-9a-f]{6})", css))
    assert contrast(value[text], value[background]) >= 4.5
    assert contrast(value["--control"], value["--paper"]) >= 3  # form control borders (non-text)


def test_no_inline_style_or_script_on_the_pages(client, sheriff):
    factories.event(sheriff, title="A deployment")
    for url in ("/", "/timeline/", "/agencies/", sheriff.get_absolute_url()):
        page = html(client, url)
        assert "style=" not in page and "<style" not in page
        assert not re.search(r"<script(?![^>]*\bsrc=)", page)


# The header


def test_the_header_shows_who_is_signed_in_and_signs_out_by_post(client):
    assert "Staff sign-in" in header(html(client, "/"))
    editor = user("editor")
    client.force_login(editor)
    top = header(html(client, "/timeline/"))
    assert f"Signed in as <strong>{editor.get_username()}</strong>" in top
    form = re.search(r'<form method="post" action="/accounts/logout/">(.*?)</form>', top, re.S)
    assert form and "csrfmiddlewaretoken" in form.group(1) and "Sign out" in form.group(1)
    assert "Staff sign-in" not in top


# Filters


def test_filters_are_folded_behind_one_control_and_open_only_on_a_refused_value(client):
    page = html(client, "/timeline/")
    assert '<details class="filter-panel">' in page
    assert "<summary>" in page and "Filter" in page
    refused = client.get("/timeline/?start=2020-13")
    assert '<details class="filter-panel" open>' in refused.content.decode()


def test_filters_in_use_are_chips_that_each_remove_one(client, sheriff):
    amazon = factories.vendor("Amazon")
    factories.event(sheriff, vendors=[amazon], title="Rekognition in use")
    page = html(client, "/timeline/?state=OR&vendor=amazon&kind=deployment")
    chips = {
        label: href.replace("&amp;", "&")
        for href, label in re.findall(r'<a class="remove-chip" href="([^"]+)"[^>]*>([^<]+) <span', page)
    }
    assert chips == {
        "State: Oregon": "/timeline/?vendor=amazon&kind=deployment",
        "Vendor: Amazon": "/timeline/?state=OR&kind=deployment",
        "Kind of entry: Deployment or use": "/timeline/?state=OR&vendor=amazon",
    }
    assert "(3 in use)" in page


def test_a_chip_of_a_technology_names_it(client, sheriff):
    factories.event(sheriff, technologies=[factories.technology("face-recognition")])
    page = html(client, "/agencies/?technology=face-recognition")
    assert re.search(r'class="remove-chip" href="/agencies/"[^>]*>Technology: Face Recognition', page)


# Tables, maps, charts


@pytest.mark.parametrize("url", ["/agencies/", "/procurements/", "/requests/", "/documents/", "/vendors/"])
def test_list_tables_stack_and_each_cell_says_what_it_is(client, sheriff, url):
    vendor = factories.vendor("Flock Safety")
    factories.procurement(sheriff, vendor, title="Cameras")
    factories.records_request(sheriff, subject="Flock contracts", status="filed")
    factories.document(sheriff, title="A contract", visibility="public")
    factories.event(sheriff, vendors=[vendor])
    page = html(client, url)
    table = page[page.index("<table") : page.index("</table>")]
    assert table.startswith('<table class="stacked">')
    cells = re.findall(r"<td\b[^>]*>", table)
    assert cells and all("data-label=" in cell for cell in cells)


def test_the_agency_list_shows_its_map_first_with_a_legend(client, sheriff):
    factories.event(sheriff)
    page = html(client, "/agencies/")
    assert page.index('class="state-map"') < page.index('<table class="stacked">')
    legend = page[page.index('class="map-legend"') :]
    assert "Agencies in each state" in legend[: legend.index("</ul>")]
    assert legend.count("<rect") >= 2


@pytest.mark.parametrize("kind", ["vendor", "technology"])
def test_vendor_and_technology_pages_show_the_map_before_the_timeline(client, sheriff, kind):
    face = factories.technology("face-recognition")
    amazon = factories.vendor("Amazon")
    factories.event(sheriff, vendors=[amazon], technologies=[face])
    page = html(client, "/vendors/amazon/" if kind == "vendor" else "/technologies/face-recognition/")
    assert page.index('class="state-map"') < page.index('id="timeline-heading"')
    assert 'class="map-legend"' in page


def test_state_facet_is_in_order_of_state_names(client):
    for code in ("AR", "AZ", "AK", "AL"):
        factories.event(factories.agency(code=code))
    page = html(client, "/agencies/")
    facet = page[page.index("<h3>State</h3>") :]
    facet = facet[: facet.index("</ul>")]
    assert re.findall(r">(A[a-z]+)</a>", facet) == ["Alabama", "Alaska", "Arizona", "Arkansas"]


# The home page


def test_the_home_page_is_a_front_door(client, sheriff):
    amazon = factories.vendor("Amazon")
    factories.event(
        sheriff, date=datetime.date(2017, 6, 1), kind="procurement", vendors=[amazon], title="Bought Rekognition"
    )
    factories.event(sheriff, date=datetime.date(2018, 1, 1), kind="reporting", title="Reported on")
    factories.event(sheriff, date=datetime.date(2019, 1, 1), kind="deployment", url="", title="Uncited use")
    factories.document(sheriff, title="Only one", visibility="public")
    page = html(client, "/")
    # What it holds, in numbers that read right ("1 document", not "1 documents").
    assert re.search(r"<strong>3</strong> timeline entries", page)
    assert re.search(r"<strong>1</strong> document</a>", page)
    assert re.search(r"<strong>1</strong> agency</a>", page)
    # The ways in: an agency, vendors and technologies, staff sign-in.
    assert f'href="{sheriff.get_absolute_url()}"' in page
    assert 'href="/vendors/amazon/"' in page and 'href="/technologies/face-recognition/"' in page
    assert 'href="/accounts/login/"' in page
    # The map of where it has entries, with its legend.
    assert 'class="state-map"' in page and 'class="map-legend"' in page
    assert 'href="/agencies/?state=OR"' in page
    # The latest documented acquisitions, with their sources: not news reports, not uncited entries.
    latest = page[page.index('id="acquisitions-heading"') :]
    assert "Bought Rekognition" in latest and "Example source" in latest
    assert "Reported on" not in latest and "Uncited use" not in latest


def test_the_home_page_counts_only_what_the_reader_may_see(client, sheriff):
    factories.procurement(sheriff, title="Secret contract", visibility="private")
    factories.records_request(sheriff, subject="Private request", visibility="private")
    page = html(client, "/")
    assert re.search(r"<strong>0</strong> procurements", page)
    assert re.search(r"<strong>0</strong> records requests", page)
    client.force_login(user("staff"))
    page = html(client, "/")
    assert re.search(r"<strong>1</strong> procurement</a>", page)


# Entries say each thing once


@pytest.mark.parametrize(
    ("title", "summary", "adds"),
    [
        ("Sacramento obtained ShotSpotter.", "Sacramento obtained ShotSpotter.", False),
        ("Sacramento obtained ShotSpotter.", "  sacramento obtained shotspotter ", False),
        ("Sacramento obtained ShotSpotter in 2015. It renewed in 2020.", "Sacramento obtained ShotSpotter", False),
        ("Sacramento obtained ShotSpotter", "Sacramento obtained ShotSpotter. It renewed in 2020.", True),
        ("Contract signed", "For five years, $2m.", True),
        ("Contract signed", "", False),
    ],
)
def test_a_summary_is_shown_only_where_it_adds_to_the_title(title, summary, adds):
    assert summary_adds(title, summary) is adds


def test_a_timeline_prints_an_atlas_sentence_once_and_a_year_once(client, sheriff):
    sentence = "The Washington County Sheriff used face recognition in 2018."
    factories.event(sheriff, date=datetime.date(2018, 1, 1), date_precision="year", title=sentence, summary=sentence)
    factories.event(sheriff, date=datetime.date(2018, 5, 1), date_precision="month", title="Renewed", summary="More")
    page = html(client, "/timeline/")
    assert page.count(sentence) == 1
    assert "<p>More</p>" in page
    # Under the 2018 heading a year-precision entry's date is for screen readers only; a month's is shown.
    assert '<time class="visually-hidden" datetime="2018-01-01">2018</time>' in page
    assert '<time datetime="2018-05-01">May 2018</time>' in page


def test_an_entry_page_does_not_repeat_its_title_as_a_link(client, sheriff):
    event = factories.event(sheriff, title="Rekognition goes live", summary="Rekognition goes live")
    page = html(client, event.get_absolute_url())
    main = page[page.index('<main id="main"') :]
    assert main.count("Rekognition goes live") == 1  # the heading (the <title> is above <main>)
    assert f'href="{event.get_absolute_url()}"' not in main


# Staff see what the public cannot


def test_staff_lists_badge_what_the_public_cannot_see(client, sheriff):
    until = datetime.date.today() + datetime.timedelta(days=40)
    factories.records_request(sheriff, subject="Embargoed request", status="filed", visibility="embargoed",
                              embargo_until=until, filed_on=datetime.date.today())  # fmt: skip
    client.force_login(user("editor"))
    label = f"Embargoed until {until:%b} {until.day}, {until.year}"
    assert f'<span class="tag tag-hidden">{label}</span>' in html(client, "/staff/")
    assert f'<span class="tag tag-hidden">{label}</span>' in html(client, "/requests/")


def test_a_request_page_says_embargoed_until_once(client, sheriff):
    until = datetime.date(2027, 1, 15)
    request = factories.records_request(sheriff, visibility="embargoed", embargo_until=until)
    client.force_login(user("editor"))
    page = html(client, f"/staff/requests/{request.pk}/")
    assert "Embargoed until Jan 15, 2027" in page
    assert "until a date" not in page
    assert "Embargoed until Jan 15, 2027 until" not in page


def test_one_message_for_one_missing_embargo_date(client, sheriff):
    client.force_login(user("editor"))
    response = client.post("/staff/requests/new/", {
        "agency": sheriff.slug, "subject": "Rekognition", "text": "All contracts.", "requester_organization": "ACLU",
        "status": "filed", "filed_on": "", "visibility": "embargoed", "embargo_until": "",
    })  # fmt: skip
    page = response.content.decode()
    assert page.count("An embargo needs the date it ends.") == 1
    assert "An embargoed record needs the date its embargo ends." not in page


def test_an_upload_says_what_became_of_its_text_in_a_sentence(client, sheriff):
    assert set(UPLOAD_OUTCOMES) == set(ExtractionStatus)
    client.force_login(user("editor"))
    scan = SimpleUploadedFile("scan.pdf", pdfs.image_pdf(), content_type="application/pdf")
    response = client.post(
        "/staff/documents/upload/",
        {"files": [scan], "agency": sheriff.slug, "kind": "other", "title": "", "date": "", "visibility": "private"},
        follow=True,
    )
    document = Document.objects.get()
    expected = UPLOAD_OUTCOMES[document.extraction_status]
    page = response.content.decode()
    assert f"scan: {expected}." in page
    assert "needs ocr" not in page.lower().replace("need ocr", "")


def test_a_timeline_can_be_read_oldest_first_without_opening_the_filters(client, sheriff):
    factories.event(sheriff, date=datetime.date(2017, 1, 1), title="First")
    factories.event(sheriff, date=datetime.date(2019, 1, 1), title="Last")
    page = html(client, f"{sheriff.get_absolute_url()}?kind=deployment")
    links = page[page.index('class="sort-links"') :]
    links = links[: links.index("</p>")]
    assert '<strong aria-current="true">Newest first</strong>' in links
    assert 'href="?kind=deployment&amp;sort=date">Oldest first</a>' in links
    oldest = html(client, f"{sheriff.get_absolute_url()}?kind=deployment&sort=date")
    assert oldest.index("First") < oldest.index("Last")
    assert '<strong aria-current="true">Oldest first</strong>' in oldest


def test_staff_see_a_badge_wherever_a_hidden_record_is_listed(client, sheriff):
    amazon = factories.vendor("Amazon")
    factories.event(sheriff, vendors=[amazon], title="Public use")
    request = factories.records_request(sheriff, subject="Quiet request", visibility="private")
    factories.document(sheriff, title="Quiet letter", visibility="private", request=request)
    procurement = factories.procurement(sheriff, amazon, title="Quiet contract", visibility="private")
    client.force_login(user("editor"))
    badge = '<span class="tag tag-hidden">Private</span>'
    for url, near in [
        (sheriff.get_absolute_url(), "Quiet request"),
        (sheriff.get_absolute_url(), "Quiet letter"),
        (sheriff.get_absolute_url(), "Quiet contract"),
        (request.get_absolute_url(), "Quiet letter"),
        ("/search/?q=quiet", "Quiet request"),
        (procurement.get_absolute_url(), "Quiet contract"),
    ]:
        page = html(client, url)
        after = page[page.index(f">{near}<") :]
        assert badge in after[:300], (url, near)
    client.logout()
    assert "Quiet" not in html(client, sheriff.get_absolute_url())


def test_the_home_pages_figures_are_kept_for_the_public(client, sheriff, settings):
    """Its counts and groupings read every row of the largest tables: the public's are kept with the other
    aggregates (records/web/public_cache.py), so a second visit reads only the latest acquisitions."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    factories.event(sheriff, kind="procurement", vendors=[factories.vendor("Amazon")])
    settings.PUBLIC_CACHE_SECONDS = 600

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    first = queries()
    assert queries() == first - 10  # six counts, agencies, vendors, technologies, agencies by state
