"""Staff upload documents (one or many), files are stored once by hash, downloads are safe, and the bulk command."""

import datetime
import hashlib
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils.html import escape

from records.documents.extraction import UnsupportedFile
from records.models import Document, DocumentMention, ExtractionStatus, Jurisdiction
from records.services.documents import document_ingest, stored_filename
from tests import factories, pdfs
from tests.accounts import user
from tests.test_extraction import make_eml

pytestmark = pytest.mark.django_db
OKALOOSA = Path(pdfs.OKALOOSA)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def agency():
    return factories.agency("Okaloosa County Sheriff's Office", "FL")


@pytest.fixture
def vendors():
    flock = factories.vendor("Flock Safety")
    factories.product(flock, "Falcon")
    factories.product(flock, "Condor")
    return flock, factories.vendor("Axon")


@pytest.fixture
def staff_client(client):
    client.force_login(user("staff"))
    return client


@pytest.fixture
def editor_client(client):
    client.force_login(user("editor"))
    return client


def upload(client, files, capture, **fields):
    data = {"kind": "spreadsheet", "visibility": "public", **fields, "files": files}
    with capture(execute=True):
        return client.post("/staff/documents/upload/", data)


def okaloosa_file(name="okaloosa-flock-sharing-agencies.pdf"):
    return SimpleUploadedFile(name, OKALOOSA.read_bytes(), content_type="application/pdf")


def test_uploading_the_okaloosa_pdf_makes_its_29_pages_searchable_and_links_flock_and_axon(
    editor_client, agency, vendors, django_capture_on_commit_callbacks
):
    flock, axon = vendors
    response = upload(
        editor_client, [okaloosa_file()], django_capture_on_commit_callbacks, agency=agency.slug, visibility="public"
    )
    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/documents/{document.pk}/"
    assert document.extraction_status == ExtractionStatus.DONE
    assert document.pages.count() == 29
    assert document.agency == agency and document.visibility == "public"
    linked = {m.vendor.name: m for m in DocumentMention.objects.filter(document=document, vendor__isnull=False)}
    assert set(linked) == {"Flock Safety", "Axon"}
    assert linked["Axon"].pages == [1]
    assert linked["Flock Safety"].pages  # through its products Falcon and Condor

    editor_client.logout()
    found = editor_client.get("/search/", {"q": "Okaloosa County FL SO", "format": "json"}).json()
    assert found["count"] >= 20
    assert {hit["page"] for hit in found["results"]} <= set(range(1, 30))
    assert found["results"][0]["url"].split("#")[1].startswith("page-")
    assert editor_client.get("/search/", {"q": "Axon"}).context["hits"][0].page == 1


def test_several_files_at_once_attached_to_a_request(staff_client, agency, django_capture_on_commit_callbacks):
    records_request = factories.records_request(agency, subject="ALPR records")
    files = [
        SimpleUploadedFile("notes.txt", b"Notes about the ALPR contract."),
        SimpleUploadedFile("message.eml", make_eml()),
        SimpleUploadedFile("list.csv", b"agency,vendor\nOkaloosa,Flock Safety\n"),
    ]
    response = upload(staff_client, files, django_capture_on_commit_callbacks, request=records_request.pk)
    assert response.status_code == 302 and response["Location"] == "/staff/documents/"
    documents = Document.objects.order_by("title")
    assert [d.title for d in documents] == ["list", "message", "notes"]
    assert {d.agency for d in documents} == {agency}
    assert {d.request for d in documents} == {records_request}
    assert {d.extraction_status for d in documents} == {ExtractionStatus.DONE}
    # Staff who are not editors cannot publish: their uploads stay private until an editor does.
    assert {d.visibility for d in documents} == {"private"}
    email = documents.get(title="message")
    assert email.content_type == "message/rfc822" and email.date == datetime.date(2017, 11, 14)


def test_a_standalone_upload_needs_no_agency(editor_client, django_capture_on_commit_callbacks):
    files = [SimpleUploadedFile("memo.txt", b"A memo.")]
    upload(editor_client, files, django_capture_on_commit_callbacks, title="Memo on drones", visibility="public")
    document = Document.objects.get()
    assert document.title == "Memo on drones" and document.agency is None and document.request is None


def test_an_html_file_renamed_pdf_is_refused_with_a_clear_message(
    staff_client, agency, django_capture_on_commit_callbacks
):
    fake = SimpleUploadedFile("report.pdf", b"<!DOCTYPE html><html><body>Gotcha</body></html>")
    response = upload(staff_client, [fake], django_capture_on_commit_callbacks, agency=agency.slug, title="Typed title")
    assert response.status_code == 400
    errors = response.context["form"].errors["files"]
    assert errors == [
        "“report.pdf” is an HTML page, not PDF. Accepted: PDF, plain text (.txt), CSV, email (.eml), PNG or JPEG."
    ]
    page = response.content.decode()
    assert "is an HTML page, not PDF" in page
    # What was typed is kept; the agency, given by its slug, shows as its name and state.
    assert 'value="Typed title"' in page and f'value="{escape(agency.name)} ({agency.state})"' in page
    assert not Document.objects.exists()


def test_empty_and_mismatched_files_are_refused_and_nothing_is_stored(
    staff_client, media, django_capture_on_commit_callbacks
):
    files = [SimpleUploadedFile("empty.txt", b""), SimpleUploadedFile("scan.png", OKALOOSA.read_bytes())]
    response = upload(staff_client, files, django_capture_on_commit_callbacks)
    errors = response.context["form"].errors["files"]
    assert any("is empty" in e for e in errors)
    assert any("its content is PDF, not PNG image" in e for e in errors)
    assert not Document.objects.exists()
    assert not Path(media).exists() or not any(Path(media).rglob("*.*"))


def test_a_file_over_the_limit_is_refused_while_it_streams(
    staff_client, settings, media, django_capture_on_commit_callbacks
):
    settings.MAX_UPLOAD_BYTES = 10_000
    response = upload(staff_client, [okaloosa_file()], django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert response.context["form"].errors["files"] == [
        "“okaloosa-flock-sharing-agencies.pdf” is larger than the limit of 9.8\xa0KB; nothing of it was kept."
    ]
    assert not Document.objects.exists()
    assert not Path(media).exists() or not any(Path(media).rglob("*.*"))


def test_the_service_checks_the_size_before_reading(settings, agency):
    settings.MAX_UPLOAD_BYTES = 10
    with pytest.raises(UnsupportedFile, match="“big.txt” is 11\xa0bytes; the limit is 10\xa0bytes."):
        document_ingest(file=SimpleUploadedFile("big.txt", b"x" * 11), agency=agency)


def test_other_fields_are_checked_at_their_field(staff_client, agency, django_capture_on_commit_callbacks):
    other = factories.records_request(factories.agency("Elsewhere PD", "OR"))
    response = upload(
        staff_client,
        [SimpleUploadedFile("a.txt", b"text")],
        django_capture_on_commit_callbacks,
        agency=agency.slug,
        request=other.pk,
        kind="nonsense",
    )
    errors = response.context["form"].errors
    assert "was sent to Elsewhere PD" in errors["agency"][0]
    assert "kind" in errors
    response = upload(staff_client, [], django_capture_on_commit_callbacks, agency="no-such-agency")
    assert response.context["form"].errors["files"] == ["Choose at least one file."]
    assert "No agency is called" in response.context["form"].errors["agency"][0]


def test_files_are_stored_by_hash_once_however_often_they_are_uploaded(
    editor_client, agency, media, django_capture_on_commit_callbacks
):
    content = OKALOOSA.read_bytes()
    sha = hashlib.sha256(content).hexdigest()
    upload(editor_client, [okaloosa_file("first name.pdf")], django_capture_on_commit_callbacks, agency=agency.slug)
    other_agency = factories.agency("Walton County Sheriff's Office", "FL")
    upload(editor_client, [okaloosa_file("second.pdf")], django_capture_on_commit_callbacks, agency=other_agency.slug)
    first, second = Document.objects.order_by("id")
    assert first.file.name == second.file.name == f"documents/{sha[:2]}/{sha}.pdf"
    assert first.sha256 == sha and first.original_filename == "first name.pdf"
    assert [p.name for p in Path(media).rglob("*.pdf")] == [f"{sha}.pdf"]

    # The same file for the same agency again is the same document, not a duplicate.
    response = upload(
        editor_client, [okaloosa_file("again.pdf")], django_capture_on_commit_callbacks, agency=agency.slug
    )
    assert response["Location"] == f"/staff/documents/{first.pk}/"
    assert Document.objects.count() == 2


def named_file(name: str) -> io.BytesIO:
    """The Okaloosa PDF under any name: Django's own upload classes would cut a long name before it is sent."""
    file = io.BytesIO(OKALOOSA.read_bytes())
    file.name = name
    return file


@pytest.mark.parametrize("name", ["x" * 996 + ".pdf", "é" * 500 + ".pdf"])
def test_a_file_name_too_long_to_read_gets_the_form_back_with_the_reason(
    editor_client, agency, media, name, django_capture_on_commit_callbacks
):
    response = upload(editor_client, [named_file(name)], django_capture_on_commit_callbacks, agency=agency.slug)
    assert response.status_code == 400
    page = response.content.decode()
    assert "name is too long to be read" in page and "Nothing was saved" in page
    assert 'enctype="multipart/form-data"' in page  # the upload form again, not an error page
    assert not Document.objects.exists() and not Path(media).exists()


def test_a_long_file_name_that_can_be_read_is_shortened_keeping_its_extension(
    client, editor_client, agency, media, django_capture_on_commit_callbacks
):
    name = "Contrat signé " + "très long " * 80 + ".pdf"
    response = upload(editor_client, [named_file(name)], django_capture_on_commit_callbacks, agency=agency.slug)
    document = Document.objects.get()
    assert response.status_code == 302
    assert len(document.original_filename) <= 255 and document.original_filename.endswith(".pdf")
    assert document.original_filename.startswith("Contrat signé très long")
    assert document.file.name == f"documents/{document.sha256[:2]}/{document.sha256}.pdf"
    assert len(document.title) <= 300
    editor_client.logout()
    download = client.get(f"/documents/{document.pk}/download")
    assert download.status_code == 200 and download["Content-Disposition"].startswith('attachment; filename="Contrat')


def test_the_service_shortens_a_long_name_it_is_given_keeping_the_extension():
    long_name = "y" * 400 + ".txt"
    assert stored_filename(long_name) == "y" * 250 + "….txt" and len(stored_filename(long_name)) == 255
    assert stored_filename("folder/" + "z" * 300 + "." + "w" * 40) == "z" * 254 + "…"


def test_upload_is_for_staff_only(client, django_capture_on_commit_callbacks):
    assert client.get("/staff/documents/upload/")["Location"].startswith("/accounts/login/")
    client.force_login(user("reader"))
    assert upload(client, [okaloosa_file()], django_capture_on_commit_callbacks).status_code == 403
    assert not Document.objects.exists()


def test_the_upload_form_checks_csrf(agency, django_capture_on_commit_callbacks):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user("staff"))
    response = upload(client, [okaloosa_file()], django_capture_on_commit_callbacks, agency=agency.slug)
    assert response.status_code == 403
    assert not Document.objects.exists()


# Downloads


@pytest.fixture
def stored(editor_client, agency, django_capture_on_commit_callbacks):
    name = 'Contrat signé "final".pdf'
    upload(editor_client, [okaloosa_file(name)], django_capture_on_commit_callbacks, agency=agency.slug)
    editor_client.logout()
    return Document.objects.get()


def test_a_download_is_an_attachment_under_its_original_name_and_cannot_run_as_a_page(client, stored):
    response = client.get(f"/documents/{stored.pk}/download")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == OKALOOSA.read_bytes()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"Contrat sign_ _final_.pdf\"; filename*=UTF-8''Contrat%20sign%C3%A9%20%22final%22.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"


def test_private_and_embargoed_downloads_are_404_for_the_public(client, stored):
    stored.visibility = "private"
    stored.save()
    assert client.get(f"/documents/{stored.pk}/download").status_code == 404
    stored.visibility, stored.embargo_until = "embargoed", datetime.date(2999, 1, 1)
    stored.save()
    assert client.get(f"/documents/{stored.pk}/download").status_code == 404
    client.force_login(user("staff"))
    assert client.get(f"/documents/{stored.pk}/download").status_code == 200


def test_the_document_page_links_the_download_and_the_public_request_only(client, agency, stored):
    page = client.get(stored.get_absolute_url()).content.decode()
    assert f'href="/documents/{stored.pk}/download"' in page
    records_request = factories.records_request(agency, subject="Hidden request", visibility="private")
    stored.request = records_request
    stored.save()
    assert "Hidden request" not in client.get(stored.get_absolute_url()).content.decode()
    client.force_login(user("staff"))
    assert "Hidden request" in client.get(stored.get_absolute_url()).content.decode()


# The bulk command


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ingest_documents_loads_a_folder_with_a_summary(tmp_path, vendors, capsys):
    # Its own place: a transactional test may start after another one emptied the seeded tables.
    county, _ = Jurisdiction.objects.get_or_create(
        slug="ingest-test-county-fl", defaults={"name": "Ingest Test County", "level": "county", "state": "FL"}
    )
    agency = factories.agency("Ingest Test Sheriff's Office", jurisdiction=county)
    folder = tmp_path / "batch"
    (folder / "sub").mkdir(parents=True)
    (folder / "okaloosa.pdf").write_bytes(OKALOOSA.read_bytes())
    (folder / "sub" / "notes.txt").write_text("Axon body cameras were discussed.")
    (folder / "sub" / "fake.pdf").write_text("<html>not a pdf</html>")
    # A real transaction: extraction runs when each document is committed, as it does outside tests.
    call_command("ingest_documents", str(folder), "--agency", agency.slug, "--kind", "spreadsheet")
    out, err = capsys.readouterr()
    assert "3 file(s): 2 done, 1 refused; 30 page(s) of text." in out
    assert "fake.pdf" in err and "is an HTML page" in err
    assert Document.objects.filter(agency=agency, kind="spreadsheet").count() == 2


def test_ingest_documents_refuses_an_unknown_agency_clearly(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(CommandError, match="No agency has the slug 'nowhere'"):
        call_command("ingest_documents", str(tmp_path), "--agency", "nowhere")
