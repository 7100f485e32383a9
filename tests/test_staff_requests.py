"""Staff log a request, move it through its statuses, and the public pages follow."""

import datetime

import pytest
from django.utils import timezone

from records.models import Correspondence, RecordsRequest, RequestStatusChange, TimelineEvent
from tests import factories
from tests.accounts import user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def agency():
    return factories.agency("Washington County Sheriff's Office", jurisdiction=factories.county())


@pytest.fixture
def editor_client(client):
    client.force_login(user("editor"))
    return client


def file_request(client, target, **overrides):
    data = {
        "agency": target.slug, "subject": "Rekognition contracts", "text": "All contracts with Amazon.",
        "requester_organization": "ACLU of Oregon", "status": "filed", "filed_on": "",
        "visibility": "public", "embargo_until": "",
    } | overrides  # fmt: skip
    return client.post("/staff/requests/new/", data)


def test_filing_a_request_computes_its_due_date_and_puts_it_on_the_timeline(editor_client, agency):
    agency.jurisdiction.parent.law_days = 5
    agency.jurisdiction.parent.law_day_type = "business"
    agency.jurisdiction.parent.save()
    response = file_request(editor_client, agency, filed_on="2024-03-04")
    records_request = RecordsRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/requests/{records_request.pk}/"
    assert records_request.due_on == datetime.date(2024, 3, 11)
    event = TimelineEvent.objects.get(records_request=records_request)
    assert (event.kind, event.date, event.agency) == ("request_filed", datetime.date(2024, 3, 4), agency)
    public = editor_client.get(f"/agencies/{agency.slug}/").content.decode()
    assert "Records request filed: Rekognition contracts" in public


def test_moving_through_statuses_logs_correspondence_and_pauses_the_clock(editor_client, agency):
    state = agency.jurisdiction.parent
    state.law_days, state.law_day_type = 10, "business"
    state.save()
    file_request(editor_client, agency, filed_on="2024-03-04")
    records_request = RecordsRequest.objects.get()
    assert records_request.due_on == datetime.date(2024, 3, 18)

    def move(status, date, summary="", direction="in", channel="email"):
        return editor_client.post(
            f"/staff/requests/{records_request.pk}/status/",
            {"status": status, "date": date, "summary": summary, "direction": direction, "channel": channel},
        )

    assert move("acknowledged", "2024-03-05", "Agency acknowledged by email.").status_code == 302
    move("fix_required", "2024-03-06", "Agency asks us to narrow the dates.")
    records_request.refresh_from_db()
    assert records_request.due_on is None  # the clock is paused
    move("processing", "2024-03-13", "We narrowed it to 2017-2018.", direction="out")
    records_request.refresh_from_db()
    assert records_request.due_on == datetime.date(2024, 3, 25)
    move("partially_fulfilled", "2024-04-02", "Some records released.")
    records_request.refresh_from_db()
    assert records_request.closed_on == datetime.date(2024, 4, 2)
    assert records_request.is_terminal
    assert Correspondence.objects.filter(request=records_request).count() == 4
    statuses = list(RequestStatusChange.objects.filter(request=records_request).values_list("status", flat=True))
    assert statuses == ["filed", "acknowledged", "fix_required", "processing", "partially_fulfilled"]
    titles = list(TimelineEvent.objects.filter(records_request=records_request).values_list("title", flat=True))
    assert "Partially fulfilled: Rekognition contracts" in titles
    public = editor_client.get(f"/requests/{records_request.pk}/").content.decode()
    assert "Some records released." in public


def test_a_status_form_with_errors_keeps_what_was_typed(editor_client, agency):
    file_request(editor_client, agency)
    records_request = RecordsRequest.objects.get()
    future = (TODAY + datetime.timedelta(days=3)).isoformat()
    response = editor_client.post(
        f"/staff/requests/{records_request.pk}/status/",
        {"status": "processing", "date": future, "summary": "They called back", "direction": "", "channel": "phone"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The date cannot be in the future." in page
    assert "Say this for the correspondence entry." in page
    assert "They called back" in page
    assert RequestStatusChange.objects.filter(request=records_request).count() == 1


def test_a_file_form_with_errors_says_what_is_wrong_at_each_field(editor_client, agency):
    response = file_request(editor_client, agency, agency="no-such-agency", subject="", visibility="embargoed")
    assert response.status_code == 200
    page = response.content.decode()
    assert "No agency is called" in page
    assert "This field is required." in page
    assert "An embargo needs the date it ends." in page
    assert 'value="no-such-agency"' in page
    assert RecordsRequest.objects.count() == 0


def test_staff_cannot_publish_their_requests_stay_private_until_an_editor_does(client, agency):
    client.force_login(user("staff"))
    file_request(client, agency)
    records_request = RecordsRequest.objects.get()
    assert records_request.visibility == "private"
    assert TimelineEvent.objects.get(records_request=records_request).visibility == "private"
    client.logout()
    assert client.get(f"/requests/{records_request.pk}/").status_code == 404


def test_an_editor_publishing_a_request_publishes_its_timeline_entries(editor_client, agency):
    file_request(editor_client, agency, visibility="private")
    records_request = RecordsRequest.objects.get()
    today = timezone.localdate()
    data = {"subject": records_request.subject, "visibility": "embargoed", "embargo_until": today.isoformat(),
            "text": "", "requester_organization": "", "requester_person": "", "tracking_number": "", "filed_on": "",
            "source_url": ""}  # fmt: skip
    assert editor_client.post(f"/staff/requests/{records_request.pk}/edit/", data).status_code == 302
    event = TimelineEvent.objects.get(records_request=records_request)
    assert (event.visibility, event.embargo_until) == ("embargoed", today)
    editor_client.logout()
    assert editor_client.get(f"/requests/{records_request.pk}/").status_code == 200  # an embargo ending today


def test_dashboard_lists_overdue_and_due_soon(editor_client, agency):
    overdue = factories.records_request(
        agency, subject="Overdue one", status="filed", due_on=TODAY - datetime.timedelta(days=2)
    )
    factories.records_request(agency, subject="Due soon one", status="filed", due_on=TODAY + datetime.timedelta(days=3))
    factories.records_request(
        agency, subject="Closed one", status="fulfilled", due_on=TODAY - datetime.timedelta(days=9)
    )
    response = editor_client.get("/staff/")
    assert [r.subject for r in response.context["overdue"]] == ["Overdue one"]
    assert [r.subject for r in response.context["due_soon"]] == ["Due soon one"]
    assert overdue.is_overdue


def test_history_records_who_changed_what(editor_client, agency):
    file_request(editor_client, agency)
    records_request = RecordsRequest.objects.get()
    editor_client.post(
        f"/staff/requests/{records_request.pk}/status/",
        {"status": "acknowledged", "date": TODAY.isoformat(), "summary": "", "direction": "", "channel": ""},
    )
    history = records_request.history.order_by("history_date")
    assert history.first().history_type == "+"
    assert history.first().history_user.username == "editor-user"
    page = editor_client.get(f"/staff/requests/{records_request.pk}/history/").content.decode()
    assert "editor-user" in page
    assert "status" in page and "acknowledged" in page


def test_changing_a_law_recomputes_stored_due_dates(admin_client, agency):
    records_request = factories.records_request(agency, status="filed", filed_on=datetime.date(2024, 3, 4))
    RequestStatusChange.objects.create(request=records_request, status="filed", changed_on=records_request.filed_on)
    oregon = agency.jurisdiction.parent
    data = {
        "name": oregon.name, "slug": oregon.slug, "level": "state", "state": "OR", "law_name": oregon.law_name,
        "law_citation": oregon.law_citation, "law_days": "5", "law_day_type": "calendar", "law_source_url": "",
    }  # fmt: skip
    response = admin_client.post(f"/admin/records/jurisdiction/{oregon.pk}/change/", data)
    assert response.status_code == 302
    records_request.refresh_from_db()
    assert records_request.due_on == datetime.date(2024, 3, 11)  # Sat 9 March moves to Monday


def test_agency_statistics_appear_from_five_closed_requests(client, agency):
    for i in range(4):
        factories.records_request(
            agency, status="fulfilled", filed_on=datetime.date(2024, 1, 1),
            closed_on=datetime.date(2024, 1, 11 + i), due_on=datetime.date(2024, 1, 12),
        )  # fmt: skip
    assert "not enough data yet" in client.get(f"/agencies/{agency.slug}/").content.decode()
    factories.records_request(agency, status="rejected", filed_on=datetime.date(2024, 1, 1),
                              closed_on=datetime.date(2024, 2, 1), due_on=datetime.date(2024, 1, 12))  # fmt: skip
    stats = client.get(f"/agencies/{agency.slug}/").context["request_stats"]
    assert stats["days_to_close"] == {"n": 5, "median": 12, "mean": 15.4}
    assert (stats["success"].count, stats["success"].n) == (4, 5)
    assert (stats["late"].count, stats["late"].n) == (3, 5)


def test_attachments_become_documents_released_on_the_timeline(
    editor_client, agency, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from records.models import Document

    file_request(editor_client, agency, filed_on="2024-03-04")
    records_request = RecordsRequest.objects.get()
    letter = SimpleUploadedFile("response letter.txt", b"Enclosed are the Rekognition invoices.", "text/plain")
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
        f"/staff/requests/{records_request.pk}/status/",
            {"status": "partially_fulfilled", "date": "2024-03-20", "summary": "Records released by email.",
             "direction": "in", "channel": "email", "attachments": [letter]},
        )  # fmt: skip
    assert response.status_code == 302
    document = Document.objects.get(request=records_request)
    assert document.original_filename == "response letter.txt"
    assert document.correspondence.summary == "Records released by email."
    assert document.pages.get(number=1).text.startswith("Enclosed are the Rekognition invoices.")
    event = TimelineEvent.objects.get(records_request=records_request, kind="documents_released")
    assert event.title == "1 document released: Rekognition contracts"
    assert [source.document for source in event.sources.all()] == [document]
    page = editor_client.get(f"/agencies/{agency.slug}/").content.decode()
    assert "1 document released: Rekognition contracts" in page
    assert f'href="/documents/{document.pk}/"' in page


def test_an_attachment_of_the_wrong_type_is_refused_and_nothing_is_saved(editor_client, agency):
    from django.core.files.uploadedfile import SimpleUploadedFile

    file_request(editor_client, agency, filed_on="2024-03-04")
    records_request = RecordsRequest.objects.get()
    fake = SimpleUploadedFile("invoice.pdf", b"<!doctype html><html><body>not a pdf</body></html>", "application/pdf")
    response = editor_client.post(
        f"/staff/requests/{records_request.pk}/status/",
        {"status": "fulfilled", "date": "2024-03-20", "summary": "Released.", "direction": "in", "channel": "email",
         "attachments": [fake]},
    )  # fmt: skip
    assert response.status_code == 400
    assert "is an HTML page, not PDF" in response.content.decode()
    records_request.refresh_from_db()
    assert records_request.status == "filed"
    assert not Correspondence.objects.filter(request=records_request).exists()


def public_text(client, url) -> str:
    response = client.get(url)
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode()


def test_what_a_non_editor_logs_on_a_public_request_stays_private_until_an_editor_publishes_it(
    editor_client, agency, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from records.models import Document

    settings.MEDIA_ROOT = tmp_path / "media"
    file_request(editor_client, agency, filed_on="2024-03-04")
    records_request = RecordsRequest.objects.get()
    assert records_request.visibility == "public"
    staff = Client()
    staff.force_login(user("staff"))
    letter = SimpleUploadedFile("release.txt", b"Invoices for the zebrafinch camera network.", "text/plain")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            f"/staff/requests/{records_request.pk}/status/",
            {"status": "partially_fulfilled", "date": "2024-03-20", "summary": "Quolltrack letter and invoices.",
             "direction": "in", "channel": "email", "attachments": [letter]},
        )  # fmt: skip
    assert response.status_code == 302
    correspondence = Correspondence.objects.get(request=records_request)
    document = Document.objects.get(request=records_request)
    assert document.pages.get(number=1).text.startswith("Invoices for the zebrafinch")
    held = TimelineEvent.objects.filter(records_request=records_request, correspondence=correspondence)
    assert set(held.values_list("kind", flat=True)) == {"request_update", "documents_released"}
    for record in (correspondence, document, *held):
        assert (record.visibility, record.added_by) == ("private", user("staff")), record

    # An editor saving the request (publishing it again) publishes none of it: they follow what they come from.
    edit = {"subject": records_request.subject, "text": records_request.text, "visibility": "public",
            "requester_organization": "ACLU of Oregon", "requester_person": "", "tracking_number": "",
            "filed_on": "2024-03-04", "source_url": "", "embargo_until": ""}  # fmt: skip
    assert editor_client.post(f"/staff/requests/{records_request.pk}/edit/", edit).status_code == 302
    assert set(held.values_list("visibility", flat=True)) == {"private"}

    public = Client()
    channels = [
        f"/requests/{records_request.pk}/", "/requests/?format=csv", "/documents/", "/documents/?format=csv",
        "/search/?q=camera", "/search/?q=invoices", "/timeline/",
        "/timeline/?format=csv", "/timeline/feed/", f"/agencies/{agency.slug}/", f"/agencies/{agency.slug}/feed/",
        "/sitemap.xml", "/sitemap-documents.xml", "/sitemap-requests.xml", "/sitemap-events.xml",
    ]  # fmt: skip
    # The status itself changes at once (it drives the deadline); its timeline entry carries the correspondence.
    secrets = ["zebrafinch", "quolltrack", "document released", "partially fulfilled: rekognition",
               f"/documents/{document.pk}/"]  # fmt: skip

    def seen() -> set[str]:
        found = {secret for url in channels for secret in secrets if secret in public_text(public, url).lower()}
        for word in ("zebrafinch", "quolltrack"):  # a search page repeats its query: its results are what count
            if public.get(f"/search/?q={word}&format=json").json()["results"]:
                found.add(word)
        return found

    assert seen() == set()
    assert public.get(document.get_absolute_url()).status_code == 404
    assert public.get(f"/documents/{document.pk}/download").status_code == 404
    assert "Rekognition contracts" in public_text(public, f"/requests/{records_request.pk}/")

    # The queue lists the correspondence and the document; their timeline entries follow them.
    items = {item.key for item in editor_client.get("/staff/review/").context["items"]}
    assert {f"correspondence:{correspondence.pk}", f"document:{document.pk}"} <= items
    assert not any(key.startswith("event:") for key in items)
    publish = {"items": [f"correspondence:{correspondence.pk}"], "action": "publish"}
    assert editor_client.post("/staff/review/", publish).status_code == 302
    assert dict(held.values_list("kind", "visibility")) == {"request_update": "public", "documents_released": "private"}
    assert seen() == {"quolltrack", "partially fulfilled: rekognition"}
    publish = {"items": [f"document:{document.pk}"], "action": "publish"}
    assert editor_client.post("/staff/review/", publish).status_code == 302
    assert set(held.values_list("visibility", flat=True)) == {"public"}
    assert seen() == set(secrets)
    assert public.get(document.get_absolute_url()).status_code == 200
    download = public.get(f"/documents/{document.pk}/download")
    assert download.status_code == 200 and b"zebrafinch" in b"".join(download.streaming_content)


def test_an_editors_status_change_is_public_with_its_request(editor_client, agency):
    file_request(editor_client, agency, filed_on="2024-03-04", visibility="private")
    records_request = RecordsRequest.objects.get()
    editor_client.post(
        f"/staff/requests/{records_request.pk}/status/",
        {"status": "acknowledged", "date": "2024-03-05", "summary": "Acknowledged.", "direction": "in",
         "channel": "email"},
    )  # fmt: skip
    events = TimelineEvent.objects.filter(records_request=records_request)
    assert set(events.values_list("visibility", flat=True)) == {"private"}
    publish = {"items": [f"request:{records_request.pk}"], "action": "publish"}
    assert editor_client.post("/staff/review/", publish).status_code == 302
    assert set(events.values_list("visibility", flat=True)) == {"public"}
    assert "Acknowledged." in public_text(type(editor_client)(), f"/requests/{records_request.pk}/")


def test_a_request_entry_takes_the_most_restrictive_of_its_request_correspondence_and_documents(
    agency, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from records.models import Document
    from records.services.requests import request_set_status, request_update
    from records.services.review import records_set_visibility

    settings.MEDIA_ROOT = tmp_path / "media"
    records_request = factories.records_request(agency, subject="Drones", status="filed", filed_on=TODAY)
    request_set_status(
        records_request=records_request, status="fulfilled", on=TODAY, direction="in", channel="email",
        summary="Released.", attachments=[SimpleUploadedFile("a.txt", b"Drone logs.", "text/plain")],
        user=user("staff"),
    )  # fmt: skip
    correspondence, document = Correspondence.objects.get(), Document.objects.get()
    events = TimelineEvent.objects.filter(records_request=records_request)

    def states():
        return dict(events.values_list("kind", "visibility")), dict(events.values_list("kind", "embargo_until"))

    soon, later = TODAY + datetime.timedelta(days=5), TODAY + datetime.timedelta(days=9)
    records_set_visibility(records=[correspondence], visibility="public", user=user("editor"))
    records_set_visibility(records=[document], visibility="embargoed", embargo_until=later, user=user("editor"))
    assert states() == (
        {"request_update": "public", "documents_released": "embargoed"},
        {"request_update": None, "documents_released": later},
    )
    request_update(records_request=records_request, visibility="embargoed", embargo_until=soon)
    assert states() == (
        {"request_update": "embargoed", "documents_released": "embargoed"},
        {"request_update": soon, "documents_released": later},
    )
    records_set_visibility(records=[correspondence], visibility="private", user=user("editor"))
    assert states()[0] == {"request_update": "private", "documents_released": "private"}
