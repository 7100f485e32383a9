"""One document per file content and attachment point, held by the database: identical uploads at the same
moment give one document, and every uploader but one is told it was there already."""

import datetime
import threading
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client

from records.models import Document
from records.services.documents import document_ingest
from tests import factories, pdfs
from tests.accounts import user

OKALOOSA = Path(pdfs.OKALOOSA)
ALREADY = "already uploaded: the existing document is kept"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def at_once(count: int, work) -> list:
    """Run work(n) in `count` threads, each with its own database connection, released together."""
    start, results, errors = threading.Barrier(count), [None] * count, []

    def run(n):
        try:
            start.wait(timeout=30)
            results[n] = work(n)
        except Exception as error:  # noqa: BLE001 - the test reports any failure of any thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_identical_uploads_at_once_through_the_page_give_one_document(media):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: uploads there cannot overlap")
    agency = factories.agency("Okaloosa County Sheriff's Office", "FL")
    editor = user("editor")
    data = OKALOOSA.read_bytes()

    def upload(n):
        client = Client()
        client.force_login(editor)
        files = [SimpleUploadedFile("okaloosa.pdf", data, content_type="application/pdf")]
        response = client.post(
            "/staff/documents/upload/",
            {"kind": "spreadsheet", "visibility": "public", "agency": agency.slug, "files": files},
            follow=True,
        )
        return response.status_code, [str(message) for message in response.context["messages"]]

    results = at_once(10, upload)
    document = Document.objects.get()
    assert [status for status, _ in results] == [200] * 10
    told = [ALREADY in " ".join(messages) for _, messages in results]
    assert told.count(False) == 1 and told.count(True) == 9
    assert [p.name for p in (media / "documents").rglob("*") if p.is_file()] == [Path(document.file.name).name]
    assert document.pages.count() == 29


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_identical_ingests_at_once_give_one_document_per_attachment_point():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: uploads there cannot overlap")
    agency = factories.agency("Race County Sheriff", "OR")
    request = factories.records_request(agency, subject="Race request")
    points = [{}, {"agency": agency}, {"request": request}]

    def ingest(n):
        file = SimpleUploadedFile("same.txt", b"the same words in every upload")
        return document_ingest(file=file, **points[n % 3]).newly_ingested

    results = at_once(12, ingest)
    assert results.count(True) == 3
    places = list(Document.objects.values_list("agency_id", "request_id"))
    assert len(places) == 3 and set(places) == {(None, None), (agency.pk, None), (agency.pk, request.pk)}


@pytest.mark.django_db
def test_the_database_refuses_a_second_document_for_the_same_content_and_place():
    agency = factories.agency("Twin Police", "WA")
    first = document_ingest(file=SimpleUploadedFile("a.txt", b"twin content"), agency=agency)
    for place in ({"agency": agency}, {"agency": None}):
        twin = Document(title="twin", sha256=first.sha256, request=None, **place)
        if place["agency"] is None:
            twin.save()  # another attachment point: allowed once
            continue
        with pytest.raises(IntegrityError), transaction.atomic():
            twin.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(title="standalone twin", sha256=first.sha256)
    # Documents without a file (text quoted from a public source) have no hash and are not held to it.
    Document.objects.create(title="quoted", source_url="https://example.org/a")
    Document.objects.create(title="quoted", source_url="https://example.org/b")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_merges_twins_left_by_earlier_races():
    """Duplicates made before the constraint: the oldest stays, takes what pointed at the others and the
    strictest visibility among them; the same content elsewhere is another document."""
    from django.db.migrations.executor import MigrationExecutor

    before, after = ("records", "0014_request_status_closed_and_unknown"), ("records", "0016_document_one_per_content")
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate([before])
        old = executor.loader.project_state([before]).apps
        Document, TimelineEvent = old.get_model("records", "Document"), old.get_model("records", "TimelineEvent")
        jurisdiction = old.get_model("records", "Jurisdiction").objects.create(
            name="Twin State", slug="twin-state", level="state", state="WA"
        )
        agency = old.get_model("records", "Agency").objects.create(
            name="Twin Sheriff", slug="twin-sheriff", jurisdiction=jurisdiction
        )
        kept = Document.objects.create(title="first", sha256="a" * 64, agency=agency, visibility="public")
        twin = Document.objects.create(title="second", sha256="a" * 64, agency=agency, visibility="private")
        other = Document.objects.create(title="elsewhere", sha256="a" * 64, visibility="public")
        event = TimelineEvent.objects.create(
            date=datetime.date(2024, 1, 1), kind="other", title="cites the twin", agency=agency, document=twin
        )
        old.get_model("records", "EventSource").objects.create(event=event, document=twin, page=1)

        executor = MigrationExecutor(connection)
        executor.migrate([after])
        new = executor.loader.project_state([after]).apps
        Document = new.get_model("records", "Document")
        assert sorted(Document.objects.values_list("pk", flat=True)) == [kept.pk, other.pk]
        assert Document.objects.get(pk=kept.pk).visibility == "private"
        assert Document.objects.get(pk=other.pk).visibility == "public"
        assert new.get_model("records", "TimelineEvent").objects.get(pk=event.pk).document_id == kept.pk
        assert new.get_model("records", "EventSource").objects.get(event=event.pk).document_id == kept.pk
    finally:
        MigrationExecutor(connection).migrate(latest)
