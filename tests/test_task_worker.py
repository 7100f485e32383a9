"""With TASKS_BACKEND=database the upload answers at once with the document queued, and `manage.py db_worker`
(django-tasks-db, run here in-process in its batch mode) extracts it: queued, then done."""

import signal
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from records.models import Document, ExtractionStatus, Jurisdiction
from tests import factories, pdfs
from tests.accounts import user
from tracker.env import task_backend

# A real transaction: the upload's task is queued when the document is committed, as outside tests.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def database_tasks(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": task_backend("database")}
    # The worker installs its own handlers for SIGINT and SIGTERM; the test run keeps its own.
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for number, handler in handlers.items():
        signal.signal(number, handler)


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", verbosity=0)


def test_an_upload_is_queued_and_the_worker_extracts_it(client, database_tasks):
    county, _ = Jurisdiction.objects.get_or_create(
        slug="worker-test-county-fl", defaults={"name": "Worker Test County", "level": "county", "state": "FL"}
    )
    agency = factories.agency("Worker Test Sheriff's Office", jurisdiction=county)
    client.force_login(user("editor"))
    upload = SimpleUploadedFile("okaloosa.pdf", Path(pdfs.OKALOOSA).read_bytes(), content_type="application/pdf")
    response = client.post(
        "/staff/documents/upload/",
        {"kind": "spreadsheet", "visibility": "public", "agency": agency.slug, "files": [upload]},
        follow=True,
    )
    document = Document.objects.get()
    assert document.extraction_status == ExtractionStatus.PENDING
    assert "okaloosa: queued for text extraction." in response.content.decode()
    assert "Queued" in client.get(f"/staff/documents/{document.pk}/").content.decode()
    (queued,) = DBTaskResult.objects.all()
    assert queued.task_path == "records.documents.tasks.extract_document" and queued.status == "READY"

    run_worker()

    document.refresh_from_db()
    assert document.extraction_status == ExtractionStatus.DONE, document.extraction_error
    assert document.pages.count() == 29
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL" and queued.return_value == "done"
    page = client.get("/staff/documents/?status=done").content.decode()
    assert document.title in page
    found = client.get("/search/", {"q": "Okaloosa County FL SO", "format": "json"}).json()
    assert found["count"] >= 20


def test_extracting_again_queues_it_for_the_worker(client, database_tasks):
    document = factories.document(title="Memo", pages=(), content_type="text/plain")
    document.file.save("memo.txt", ContentFile(b"Axon memo"))
    client.force_login(user("staff"))
    response = client.post(f"/staff/documents/{document.pk}/extract/", follow=True)
    assert "Extraction started again; status: Queued." in response.content.decode()
    run_worker()
    document.refresh_from_db()
    assert document.extraction_status == ExtractionStatus.DONE
    assert [page.text for page in document.pages.all()] == ["Axon memo"]
