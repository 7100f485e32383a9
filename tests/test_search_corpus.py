"""One corpus of awkward real text and one list of queries, with the (document, page) pairs each must find.

The suite runs on PostgreSQL and on SQLite, and this module expects the same answers on both: that is the
proof that both engines index a page, and read a query, as the same terms (records/rules/search_terms.py).
The text comes from shared data: the USDA APHIS FOIA logs (tracking numbers), USAspending awards (PIIDs,
amounts), Atlas of Surveillance rows, and the Okaloosa County Sheriff's Flock sharing list (agency names),
which goes in through the real upload and extraction path.
"""

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from records.documents import search
from records.models import Document
from records.services.documents import document_extract, document_ingest
from tests import factories

pytestmark = pytest.mark.django_db

OKALOOSA = Path(__file__).parent / "data" / "okaloosa-flock-sharing-agencies.pdf"

CORPUS = {
    "foia log": [
        # USDA APHIS FOIA log, June 2014 layout
        "2014-APHIS-03796-F Spencer, Lauren 2014-06-03 2014-07-01 Requesting lists of all licensed class A "
        "animal breeders and class B animal dealers in Arkansas from June 1, 2012 through June 2, 2014.\n"
        "2014-APHIS-03816-F Brackett, Laura Express Scripts, Inc. Requesting a copy of the contract resulted "
        "from Solicitation AG-3143-S-13-0008.",
        # November 2010 layout, and a later request that cites an earlier one
        "11-063 2010-11-02 2010-12-02 Fast Requesting results of complaint W10-162 in regard to Cricket Hollow "
        "Zoo in Manchester, Iowa.\nSee also 2015-APHIS-00523-F (closed 03/14/2019).",
    ],
    "awards": [
        # USAspending award search rows
        "70CMSW24FR0000066 AXON ENTERPRISE, INC. $3,762,500 2024-08-22 U.S. Immigration and Customs Enforcement "
        "EXERCISE AND FUND OPTION PERIOD 1 OF THE IDIQ. Ceiling of $3.5 million for body-worn cameras.",
        "HSHQDC17CB0011 BABEL STREET ROSETTE LTD. OPEN SOURCE DIGITAL FORENSICS SOFTWARE PROJECT. THE FUNDED VALUE "
        "OF THIS PR IS $345,044.99. Award CONT_AWD_HSSS0116P0289_7009_-NONE-_-NONE-",
    ],
    "dispatch log": [
        "Unit AC15-309 responded 10-31 FHP at 25.134692, -80.401932. Retail theft: Destin Commons ORC 11-6, "
        "case 0c8a8776-2441-4812-ba5e-fdfa89c08f56. Logged March 14, 2019 (14-Mar-2019).",
        "Camera feed shared with Winston-Salem/Forsyth County Schools PD and the Doña Ana County Sheriff’s Office; "
        "the naïve reading by Pe\u0301rez (decomposed accent) and Mu\u0308ller was 1/9/2019.",
    ],
    "atlas rows": [
        "AOS1098 In 2019, the Atlanta Police Department paid $6,000 for three one-year licenses of face "
        "recognition technology from Clearview AI. 02/27/2020",
        "AOS0501 The Osceola County Sheriff's Office received a $360,000 grant for body-worn cameras from the U.S. "
        "Department of Justice in 2019. See https://www.wkyc.com/article/news/95-24cb1a8a-1815-45b7-aa7b-d6dbc8050227",
        "AOS0196 The Cuyahoga County Sheriff operates a network of 80 automated license plate readers in "
        "partnership with 20 local law enforcement agencies. Clearview was not used. 2019-03-14",
    ],
}

# (query, {(document, page), ...}); "okaloosa" is the 29-page PDF.
QUERIES = [
    # tracking numbers, PIIDs, unit and case numbers: the whole, a part, spaced out
    ("2015-APHIS-00523-F", {("foia log", 2)}),
    ("2014-APHIS-03816-F", {("foia log", 1)}),
    ('"2014 APHIS 03816 F"', {("foia log", 1)}),
    ("APHIS-03796", {("foia log", 1)}),
    ("03816", {("foia log", 1)}),
    ("AG-3143-S-13-0008", {("foia log", 1)}),
    ("W10-162", {("foia log", 2)}),
    ("11-063", {("foia log", 2)}),
    ("70CMSW24FR0000066", {("awards", 1)}),
    ("hshqdc17cb0011", {("awards", 2)}),
    ("HSSS0116P0289", {("awards", 2)}),
    ("AC15-309", {("dispatch log", 1)}),
    ('"10-31 FHP"', {("dispatch log", 1)}),
    ('"FHP 10-31"', set()),
    ('"Destin Commons ORC 11-6"', {("dispatch log", 1)}),
    ("0c8a8776-2441-4812-ba5e-fdfa89c08f56", {("dispatch log", 1)}),
    ("95-24cb1a8a-1815-45b7-aa7b-d6dbc8050227", {("atlas rows", 2)}),
    ("AOS1098", {("atlas rows", 1)}),
    # decimals and money
    ("25.134692", {("dispatch log", 1)}),
    ("-80.401932", set()),  # a minus sign excludes: nothing left to look for
    ('"-80.401932"', {("dispatch log", 1)}),
    ("3.5 million", {("awards", 1)}),
    ('"$3.5 million"', {("awards", 1)}),
    ("$3,762,500", {("awards", 1)}),
    ("3762500", {("awards", 1)}),
    ("$345,044.99", {("awards", 2)}),
    ("345044.99", {("awards", 2)}),
    ("$6,000", {("atlas rows", 1)}),
    ("360000 grant", {("atlas rows", 2)}),
    # dates in several forms: each form finds the text written in it; leading zeros do not matter
    ("03/14/2019", {("foia log", 2)}),
    ("3/14/2019", {("foia log", 2)}),
    ("2019-03-14", {("atlas rows", 3)}),
    ('"March 14, 2019"', {("dispatch log", 1)}),
    ("14-Mar-2019", {("dispatch log", 1)}),
    ("1/9/2019", {("dispatch log", 2)}),
    ("01/09/2019", {("dispatch log", 2)}),
    ("2014-06-03", {("foia log", 1)}),
    # hyphenated and slashed names, apostrophes, accents
    ("Winston-Salem/Forsyth", {("dispatch log", 2)}),
    ('"Winston Salem"', {("dispatch log", 2)}),
    ("body-worn", {("awards", 1), ("atlas rows", 2)}),
    ('"body worn cameras"', {("awards", 1), ("atlas rows", 2)}),
    ('"one-year licenses"', {("atlas rows", 1)}),
    ("D'Iberville", {("okaloosa", 14)}),
    ("d’iberville", {("okaloosa", 14)}),
    ("Diberville", {("okaloosa", 14)}),
    ("O'Fallon", {("okaloosa", 26)}),
    ('"Peachtree Corners GA Marshal\'s Office"', {("okaloosa", 16)}),
    ('"St. Petersburg FL PD"', {("okaloosa", 13), ("okaloosa", 29)}),  # "University of South Florida at St. ..."
    ('"Port St. Lucie"', {("okaloosa", 13)}),
    ('"Parks & Rec"', {("okaloosa", 9)}),
    ('"Polk County FL SO (Tech)"', {("okaloosa", 1)}),
    ('"Sheriff\'s Office" Osceola', {("atlas rows", 2)}),
    ('"Sheriffs Office" Osceola', {("atlas rows", 2)}),
    ("Doña Ana", {("dispatch log", 2)}),
    ('"Dona Ana County Sheriff\'s Office"', {("dispatch log", 2)}),
    ("perez", {("dispatch log", 2)}),
    ("Pérez", {("dispatch log", 2)}),
    ("MÜLLER naive", {("dispatch log", 2)}),
    # words: stemming, OR, minus, every word counts (no stop words)
    ("camera", {("awards", 1), ("dispatch log", 2), ("atlas rows", 2), ("okaloosa", 7)}),  # "LPR Cameras (Q1700)"
    ("licensed", {("foia log", 1), ("atlas rows", 1), ("atlas rows", 3)}),
    ("Clearview -Atlanta", {("atlas rows", 3), ("okaloosa", 29)}),  # "Village of Clearview WV PD"
    ("Clearview OR Rosette", {("atlas rows", 1), ("atlas rows", 3), ("awards", 2), ("okaloosa", 29)}),
    ('"was not used"', {("atlas rows", 3)}),
    ("Cuyahoga -Clearview", {("okaloosa", 26)}),  # "Cuyahoga Falls OH PD"
]


def load_corpus() -> dict[str, Document]:
    documents = {
        title: factories.document(pages=pages, title=title, date=datetime.date(2024, 1, 1))
        for title, pages in CORPUS.items()
    }
    upload = SimpleUploadedFile(OKALOOSA.name, OKALOOSA.read_bytes(), content_type="application/pdf")
    documents["okaloosa"] = document_extract(
        document=document_ingest(file=upload, title="okaloosa", kind="spreadsheet")
    )
    assert documents["okaloosa"].pages.count() == 29
    return documents


def test_every_query_finds_the_same_pages_on_either_engine(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=False):  # extracted below, not by the task
        load_corpus()
    found, hits, unmarked = {}, {}, []
    for raw, _expected in QUERIES:
        query = search.parse_query(raw)
        pages = search.matching_pages(query, Document.objects.all()).select_related("document")
        found[raw] = {(page.document.title, page.number) for page in pages}
        page_hits = search.page_hits(query, Document.objects.all(), limit=50)
        hits[raw] = {(hit.document.title, hit.page) for hit in page_hits}
        # The snippet marks the match the engine found, whichever engine it was.
        unmarked += [(raw, hit.document.title, hit.page) for hit in page_hits if "<mark>" not in hit.snippet]
    expected = dict(QUERIES)
    assert found == expected
    assert hits == expected
    assert unmarked == []


def test_the_document_page_marks_an_identifier_where_it_was_found(client):
    document = factories.document(pages=CORPUS["foia log"])
    body = client.get(f"{document.get_absolute_url()}?q=2015-APHIS-00523-F").content.decode()
    assert "See also <mark>2015-APHIS-00523-F</mark> (closed 03/14/2019)." in body
    body = client.get(f"{document.get_absolute_url()}?q=%2203%2F14%2F2019%22").content.decode()
    assert "(closed <mark>03/14/2019</mark>)" in body
