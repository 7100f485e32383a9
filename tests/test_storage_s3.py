"""With S3_BUCKET set, files go through the storage API alone: uploads are stored in the bucket, their text is
extracted and searchable, downloads give the same bytes back and archives hold them, against a real
S3-compatible server (moto's server mode) on this machine, configured as the README's S3 settings say."""

import hashlib
import json
import tarfile

import boto3
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from records.models import Document, ExtractionStatus
from records.services.documents import document_extract
from tests import factories, pdfs, servers
from tests.accounts import user
from tracker.env import s3_storage

pytestmark = pytest.mark.django_db
BUCKET = "tracker-documents"
TEXT_PDF = pdfs.text_pdf(["Contract for Flock Safety licence plate readers", "Second page: Okaloosa invoice"])


@pytest.fixture(scope="module")
def s3_endpoint():
    with servers.s3_server() as endpoint:
        yield endpoint


@pytest.fixture
def bucket(s3_endpoint, settings, tmp_path):
    environ = {
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "tracker-test",
        "S3_SECRET_ACCESS_KEY": "tracker-test-secret",
        "S3_PREFIX": "media",
    }
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="tracker-test",
        aws_secret_access_key="tracker-test-secret",
    )
    client.create_bucket(Bucket=BUCKET)
    # A MEDIA_ROOT that must stay empty: nothing may bypass the storage and write to disk.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage(environ)}
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def upload_pdf(client, capture) -> Document:
    client.force_login(user("editor"))
    agency = factories.agency("Okaloosa County Sheriff's Office", "FL")
    files = [SimpleUploadedFile("contract.pdf", TEXT_PDF, content_type="application/pdf")]
    data = {"kind": "contract", "visibility": "public", "agency": agency.slug, "files": files}
    with capture(execute=True):
        response = client.post("/staff/documents/upload/", data)
    assert response.status_code == 302
    return Document.objects.get()


def test_an_upload_is_stored_in_the_bucket_extracted_searched_and_downloaded(
    client, bucket, django_capture_on_commit_callbacks, settings
):
    document = upload_pdf(client, django_capture_on_commit_callbacks)
    sha = hashlib.sha256(TEXT_PDF).hexdigest()
    assert keys(bucket) == [f"media/documents/{sha[:2]}/{sha}.pdf"]
    assert not settings.MEDIA_ROOT.exists()

    assert document.extraction_status == ExtractionStatus.DONE, document.extraction_error
    assert document.pages.count() == 2
    client.logout()
    found = client.get("/search/", {"q": "licence plate readers", "format": "json"}).json()
    assert [hit["page"] for hit in found["results"] if hit.get("page")] == [1]

    response = client.get(f"/documents/{document.pk}/download")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == TEXT_PDF


def test_an_archive_holds_the_files_in_the_bucket(client, bucket, django_capture_on_commit_callbacks, tmp_path):
    document = upload_pdf(client, django_capture_on_commit_callbacks)
    archive = tmp_path / "tracker.tar.gz"
    call_command("export_archive", str(archive))
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        stored = tar.extractfile(f"media/{document.file.name}").read()
    assert stored == TEXT_PDF
    assert manifest["files"] == {document.file.name: hashlib.sha256(TEXT_PDF).hexdigest()}


def test_a_file_gone_from_the_bucket_is_reported_missing(client, bucket, django_capture_on_commit_callbacks):
    document = upload_pdf(client, django_capture_on_commit_callbacks)
    default_storage.delete(document.file.name)
    document = document_extract(document=document)
    assert document.extraction_status == ExtractionStatus.FAILED
    assert document.extraction_error == "The stored file is missing."
    assert client.get(f"/documents/{document.pk}/download").status_code == 404
