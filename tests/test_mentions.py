"""Vendors and products named in a document's text are linked to it, page by page; staff confirm or remove links."""

import datetime

import pytest
from django.test import Client

from records.documents import mentions
from records.models import DocumentMention, ExtractionStatus
from records.services.documents import _link_mentions, mention_set_status
from tests import factories
from tests.accounts import user

pytestmark = pytest.mark.django_db


@pytest.fixture
def names():
    flock = factories.vendor("Flock Safety")
    falcon = factories.product(flock, "Falcon Flex")
    axon = factories.vendor("Axon")
    shotspotter = factories.vendor("SoundThinking")
    shotspotter.aliases.create(name="ShotSpotter")
    return flock, falcon, axon, shotspotter


def link(document, pages):
    _link_mentions(document, mentions.find_mentions(pages, mentions.name_index()))


def test_names_match_as_whole_words_in_any_case(names):
    flock, falcon, axon, shotspotter = names
    pages = [
        "FLOCK SAFETY's cameras; Axonics is another company.",
        "A ShotSpotter sensor and AXON body cameras.",
        "flock safety again, and the FALCON flex camera.",
        "Flocks of birds are safety hazards; falcons fly.",
    ]
    found = mentions.find_mentions(pages, mentions.name_index())
    assert found == {
        ("vendor", flock.pk): [1, 3],
        ("vendor", axon.pk): [2],
        ("vendor", shotspotter.pk): [2],
        ("product", falcon.pk): [3],
    }


def test_a_one_word_name_that_is_also_a_word_matches_only_as_a_name():
    ring = factories.vendor("Ring")
    provision = factories.vendor("ProVision")
    digital = factories.vendor("Digital Ally")
    digital.aliases.create(name="Digital", match_case=True)
    pages = [
        "The orc ring was stolen; this provision of the contract applies; digital cameras.",
        "Ring doorbells and ProVision body cameras; PROVISION 4 and RING of steel.",
        "A Digital camera, and a DIGITAL ALLY one.",
        "provision, Provision, Ring.",
    ]
    found = mentions.find_mentions(pages, mentions.name_index())
    # "Ring" counts where capitalised, as a name is; "ProVision" only as written; the alias "Digital" is marked
    # match case, so only "Digital" counts, while the full name "Digital Ally" matches in any case.
    assert found == {("vendor", ring.pk): [2, 4], ("vendor", provision.pk): [2], ("vendor", digital.pk): [3]}


def test_a_product_named_links_its_vendor_too(names):
    flock, falcon, _, _ = names
    document = factories.document()
    link(document, ["Two Falcon Flex cameras on Main Street.", "Nothing else."])
    assert {(m.vendor, m.product, tuple(m.pages)) for m in document.mentions.all()} == {
        (flock, None, (1,)),
        (None, falcon, (1,)),
    }


def test_extraction_links_mentions_and_keeps_staff_decisions(
    names, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from records.services.documents import document_extract, document_ingest

    settings.MEDIA_ROOT = tmp_path
    flock, _, axon, _ = names
    with django_capture_on_commit_callbacks(execute=True):
        document = document_ingest(
            file=SimpleUploadedFile("memo.txt", b"Axon and Flock Safety both bid."), agency=factories.agency()
        )
    document.refresh_from_db()
    assert document.extraction_status == ExtractionStatus.DONE
    by_vendor = {m.vendor: m for m in document.mentions.all()}
    assert set(by_vendor) == {flock, axon}
    mention_set_status(mention=by_vendor[axon], status="removed")
    mention_set_status(mention=by_vendor[flock], status="confirmed")
    document_extract(document=document)
    assert {(m.vendor, m.status) for m in document.mentions.all()} == {(flock, "confirmed"), (axon, "removed")}


def test_mentions_no_longer_in_the_text_go_unless_staff_decided(names):
    flock, _, axon, _ = names
    document = factories.document()
    link(document, ["Axon and Flock Safety"])
    document.mentions.filter(vendor=flock).update(status="confirmed")
    link(document, ["Neither is named now."])
    assert [(m.vendor, m.status) for m in document.mentions.all()] == [(flock, "confirmed")]


@pytest.fixture
def linked(names):
    flock, _, axon, _ = names
    agency = factories.agency("Okaloosa County Sheriff's Office", "FL")
    document = factories.document(agency, title="Sharing list", date=datetime.date(2025, 12, 29))
    link(document, ["Flock Safety network", "Axon too"])
    return document, document.mentions.get(vendor=flock), document.mentions.get(vendor=axon)


def test_staff_confirm_or_remove_a_link_with_a_csrf_protected_post(linked):
    document, flock_mention, axon_mention = linked
    client = Client(enforce_csrf_checks=True)
    client.force_login(user("staff"))
    url = f"/staff/documents/{document.pk}/mentions/{axon_mention.pk}/"
    assert client.post(url, {"status": "removed"}).status_code == 403  # no CSRF token
    page = client.get(f"/staff/documents/{document.pk}/")
    token = page.context["csrf_token"]
    response = client.post(url, {"status": "removed", "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302 and response["Location"] == f"/staff/documents/{document.pk}/"
    axon_mention.refresh_from_db()
    assert axon_mention.status == "removed"
    client.post(
        f"/staff/documents/{document.pk}/mentions/{flock_mention.pk}/",
        {"status": "confirmed", "csrfmiddlewaretoken": str(token)},
    )
    flock_mention.refresh_from_db()
    assert flock_mention.status == "confirmed"


def test_a_mention_of_another_document_or_a_bad_status_changes_nothing(linked):
    document, flock_mention, _ = linked
    other = factories.document()
    client = Client()
    client.force_login(user("staff"))
    assert (
        client.post(f"/staff/documents/{other.pk}/mentions/{flock_mention.pk}/", {"status": "removed"}).status_code
        == 404
    )
    client.post(f"/staff/documents/{document.pk}/mentions/{flock_mention.pk}/", {"status": "deleted"})
    flock_mention.refresh_from_db()
    assert flock_mention.status == "found"
    client.force_login(user("reader"))
    assert (
        client.post(f"/staff/documents/{document.pk}/mentions/{flock_mention.pk}/", {"status": "removed"}).status_code
        == 403
    )


def test_vendor_pages_list_the_visible_documents_that_mention_them(client, linked, names):
    document, _, axon_mention = linked
    flock, _, axon, _ = names
    hidden = factories.document(title="Private memo", visibility="private")
    DocumentMention.objects.create(document=hidden, vendor=flock, pages=[1])
    page = client.get(flock.get_absolute_url()).content.decode()
    assert "Documents that mention Flock Safety" in page
    assert f'href="{document.get_absolute_url()}">Sharing list</a>' in page
    assert "Private memo" not in page
    axon_mention.status = "removed"
    axon_mention.save()
    assert "Sharing list" not in client.get(axon.get_absolute_url()).content.decode()


def test_the_document_page_shows_linked_vendors_but_not_removed_ones(client, linked):
    document, _, axon_mention = linked
    axon_mention.status = "removed"
    axon_mention.save()
    page = client.get(document.get_absolute_url()).content.decode()
    assert ">Flock Safety</a>" in page and ">Axon</a>" not in page
