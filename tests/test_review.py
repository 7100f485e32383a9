"""Private until reviewed: what staff add waits in the review queue until an editor publishes it; staff edit
what they added while it is private, editors edit anything; staff see which records the public cannot."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from records.models import Correspondence, Procurement, ProposedRevision, RecordsRequest, TimelineEvent
from tests import factories
from tests.accounts import user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
TITLE = "Covert drone lease with Quietwing"


def body(response) -> str:
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode()


def signed_in(role: str) -> Client:
    client = Client()
    client.force_login(user(role))
    return client


@pytest.fixture
def world():
    agency = factories.agency("Harbor Police Department", "WA")
    vendor = factories.vendor("Quietwing Aerial")
    return agency, vendor


def procurement_form(agency, vendor, **overrides) -> dict:
    data = {
        "agency": agency.slug, "vendor": vendor.slug, "product": "", "title": TITLE, "kind": "contract",
        "status": "active", "amount": "48000", "currency": "USD", "signed_on": "2024-03-04", "start_on": "2024-03-04",
        "end_on": "2025-03-03", "reference_number": "HPD-24-17", "source_url": "https://example.org/council/item-9",
        "description": "Lease of two drones.",
    }  # fmt: skip
    return data | overrides


def add_procurement(client, agency, vendor, **overrides) -> Procurement:
    response = client.post("/staff/procurements/new/", procurement_form(agency, vendor, **overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Procurement.objects.get(title=overrides.get("title", TITLE))


PUBLIC_CHANNELS = [
    "/", "/timeline/", "/timeline/?format=csv", "/timeline/?format=json", "/timeline/feed/", "/procurements/",
    "/procurements/?format=csv", "/procurements/?format=json", "/procurements/ocds.json",
    "/agencies/harbor-police-department/", "/agencies/harbor-police-department/?format=json",
    "/agencies/harbor-police-department/feed/", "/vendors/quietwing-aerial/", "/vendors/quietwing-aerial/?format=json",
    "/vendors/quietwing-aerial/feed/", "/search/?q=quietwing", "/search/?q=drone", "/sitemap.xml",
    "/sitemap-events.xml", "/sitemap-procurements.xml",
]  # fmt: skip


def test_a_staff_members_procurement_is_private_in_every_channel_until_an_editor_publishes_it(client, world):
    agency, vendor = world
    procurement = add_procurement(signed_in("staff"), agency, vendor)
    assert (procurement.visibility, procurement.added_by) == ("private", user("staff"))
    event = TimelineEvent.objects.get(procurement=procurement)
    assert event.visibility == "private"
    for url in PUBLIC_CHANNELS:
        text = body(client.get(url))
        assert TITLE not in text and "48,000" not in text and "48000" not in text, url
    assert client.get(procurement.get_absolute_url()).status_code == 404
    assert client.get(event.get_absolute_url()).status_code == 404
    assert client.get("/procurements/?format=json").json()["count"] == 0

    editor = signed_in("editor")
    response = editor.post("/staff/review/", {"items": [f"procurement:{procurement.pk}"], "action": "publish"})
    assert response.status_code == 302
    procurement.refresh_from_db()
    event.refresh_from_db()
    assert (procurement.visibility, event.visibility) == ("public", "public")
    assert client.get(procurement.get_absolute_url()).status_code == 200
    assert TITLE in body(client.get("/procurements/?format=csv"))
    assert TITLE in body(client.get("/timeline/"))


def test_an_editor_may_publish_at_once_a_staff_member_may_not(world):
    agency, vendor = world
    published = add_procurement(signed_in("editor"), agency, vendor, visibility="public")
    assert published.visibility == "public"
    smuggled = add_procurement(signed_in("staff"), agency, vendor, title="Staff tries to publish", visibility="public")
    assert smuggled.visibility == "private"


def test_an_embargo_date_in_the_past_is_refused_today_means_public_now(world):
    agency, vendor = world
    editor = signed_in("editor")
    yesterday = (TODAY - datetime.timedelta(days=1)).isoformat()
    response = editor.post(
        "/staff/procurements/new/", procurement_form(agency, vendor, visibility="embargoed", embargo_until=yesterday)
    )
    assert response.status_code == 200
    assert "That date has passed; an embargo ends today or later." in response.content.decode()
    assert not Procurement.objects.exists()
    procurement = add_procurement(editor, agency, vendor, visibility="embargoed", embargo_until=TODAY.isoformat())
    assert procurement.is_public()
    assert Client().get(procurement.get_absolute_url()).status_code == 200


def queue_titles(client, query="") -> list[str]:
    return [item.title for item in client.get(f"/staff/review/{query}").context["items"]]


def test_the_queue_lists_every_kind_not_yet_public_newest_first_and_filters_by_kind_and_author(world):
    agency, vendor = world
    staff, editor = user("staff"), user("editor")
    factories.records_request(agency, subject="Old private request", visibility="private", added_by=staff)
    factories.document(agency, title="Embargoed memo", visibility="embargoed",
                       embargo_until=TODAY + datetime.timedelta(days=30), added_by=editor)  # fmt: skip
    factories.event(agency, title="Private entry", visibility="private", added_by=staff)
    add_procurement(signed_in("staff"), agency, vendor)
    factories.event(agency, title="Public entry")
    factories.document(agency, title="Embargo over", visibility="embargoed", embargo_until=TODAY)

    client = signed_in("staff")
    # The procurement's own timeline entry follows it: the procurement is what is reviewed.
    assert queue_titles(client) == [TITLE, "Private entry", "Embargoed memo", "Old private request"]
    assert queue_titles(client, "?kind=document") == ["Embargoed memo"]
    assert queue_titles(client, f"?added_by={staff.pk}") == [TITLE, "Private entry", "Old private request"]
    page = client.get("/staff/review/").content.decode()
    assert "Embargoed until" in page and 'name="items"' not in page  # staff see the queue; editors act on it
    assert 'name="items"' in signed_in("editor").get("/staff/review/").content.decode()


def test_the_queue_pages_by_a_cursor_without_losing_or_repeating_records(world, monkeypatch):
    from records.selectors import review

    agency, _ = world
    for n in range(7):
        factories.event(agency, title=f"Entry {n}", visibility="private")
        factories.records_request(agency, subject=f"Request {n}", visibility="private")
    monkeypatch.setattr(review, "REVIEW_PAGE", 5)
    client, seen, query = signed_in("staff"), [], ""
    for _ in range(5):
        response = client.get(f"/staff/review/{query}")
        seen += [item.key for item in response.context["items"]]
        if not response.context["next_cursor"]:
            break
        query = f"?after={response.context['next_cursor']}"
    assert len(seen) == len(set(seen)) == 14


def test_the_queue_issues_a_fixed_number_of_queries(world, django_assert_num_queries):
    agency, vendor = world
    client = signed_in("editor")
    client.get("/staff/review/")  # the session and groups read once

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get("/staff/review/").status_code == 200
        return len(queries)

    def propose(records_request):
        ProposedRevision.objects.create(
            records_request=records_request, values={"subject": "New"}, base={"subject": records_request.subject},
            proposed_by=user("staff"),
        )  # fmt: skip

    factories.event(agency, title="One", visibility="private")
    propose(factories.records_request(agency, subject="Published"))
    few = count()
    for n in range(12):
        factories.event(agency, title=f"More {n}", visibility="private")
        factories.records_request(agency, subject=f"Request {n}", visibility="private")
        factories.procurement(agency, vendor, title=f"Procurement {n}", visibility="private")
        propose(factories.records_request(agency, subject=f"Published {n}"))
        request = factories.records_request(agency, subject=f"With correspondence {n}")
        Correspondence.objects.create(request=request, date=TODAY, direction="in", channel="email",
                                      summary=f"Note {n}", visibility="private")  # fmt: skip
    assert count() == few


def test_bulk_embargo_until_a_date_and_its_refusals(world):
    agency, _ = world
    records_request = factories.records_request(agency, subject="Stingray request", visibility="private",
                                                status="filed", filed_on=datetime.date(2024, 1, 2))  # fmt: skip
    from records.services.requests import request_update

    request_update(records_request=records_request, subject="Stingray request")
    entry = factories.event(agency, title="Stingray entry", visibility="private")
    editor = signed_in("editor")
    items = [f"request:{records_request.pk}", f"event:{entry.pk}"]
    past = editor.post("/staff/review/", {"items": items, "action": "embargo", "embargo_until": "2020-01-01"})
    assert past.status_code == 400
    assert "That date has passed" in past.content.decode()
    missing = editor.post("/staff/review/", {"items": items, "action": "embargo", "embargo_until": ""})
    assert "An embargo needs the date it ends." in missing.content.decode()
    nothing = editor.post("/staff/review/", {"action": "publish"})
    assert "Tick the records to publish or embargo." in nothing.content.decode()
    assert signed_in("staff").post("/staff/review/", {"items": items, "action": "publish"}).status_code == 403
    entry.refresh_from_db()
    assert entry.visibility == "private"

    until = TODAY + datetime.timedelta(days=10)
    done = editor.post("/staff/review/", {"items": items, "action": "embargo", "embargo_until": until.isoformat()})
    assert done.status_code == 302
    records_request.refresh_from_db()
    entry.refresh_from_db()
    assert (records_request.visibility, records_request.embargo_until) == ("embargoed", until)
    assert (entry.visibility, entry.embargo_until) == ("embargoed", until)
    # A request's own timeline entries follow it.
    assert set(records_request.timeline_events.values_list("visibility", "embargo_until")) <= {("embargoed", until)}


def test_staff_edit_their_own_private_procurement_and_the_change_lands_in_history(world):
    agency, vendor = world
    staff = signed_in("staff")
    procurement = add_procurement(staff, agency, vendor)
    page = staff.get(procurement.get_absolute_url()).content.decode()
    assert f'href="/staff/procurements/{procurement.pk}/edit/"' in page and "Private" in page
    form = staff.get(f"/staff/procurements/{procurement.pk}/edit/")
    assert form.status_code == 200 and 'name="visibility"' not in form.content.decode()
    # The form shows the agency and vendor by name, the agency with its state, and saving them unchanged works.
    assert 'value="Harbor Police Department (WA)"' in form.content.decode()
    assert 'value="Quietwing Aerial"' in form.content.decode()
    data = procurement_form(agency, vendor, title="Drone lease, amended", amount="52000")
    data |= {"agency": "Harbor Police Department (WA)", "vendor": "Quietwing Aerial"}
    response = staff.post(f"/staff/procurements/{procurement.pk}/edit/", data)
    assert response.status_code == 302
    procurement.refresh_from_db()
    assert (procurement.title, procurement.amount, procurement.visibility) == ("Drone lease, amended", 52000, "private")
    latest = procurement.history.order_by("-history_date").first()
    assert latest.history_user == user("staff") and latest.title == "Drone lease, amended"
    assert TimelineEvent.objects.get(procurement=procurement).title == "Contract: Drone lease, amended"


def test_the_edit_form_validates_as_creation_does(world):
    agency, vendor = world
    staff = signed_in("staff")
    procurement = add_procurement(staff, agency, vendor)
    response = staff.post(
        f"/staff/procurements/{procurement.pk}/edit/", procurement_form(agency, vendor, end_on="2020-01-01")
    )
    assert response.status_code == 200
    assert "The end cannot come before the start." in response.content.decode()
    procurement.refresh_from_db()
    assert procurement.end_on == datetime.date(2025, 3, 3)


def test_only_an_editor_changes_a_published_record_or_one_another_staff_member_added(world):
    agency, vendor = world
    procurement = add_procurement(signed_in("staff"), agency, vendor)
    other = user("staff")
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    colleague = get_user_model().objects.create_user("colleague")
    colleague.groups.add(Group.objects.get(name="staff"))
    colleague_client = Client()
    colleague_client.force_login(colleague)
    assert colleague_client.get(f"/staff/procurements/{procurement.pk}/edit/").status_code == 403

    assert "Only an editor can change a private record another staff member added." in (
        colleague_client.get(f"/staff/procurements/{procurement.pk}/edit/").content.decode()
    )
    assert (
        f"/staff/procurements/{procurement.pk}/edit/"
        not in colleague_client.get(procurement.get_absolute_url()).content.decode()
    )

    editor = signed_in("editor")
    response = editor.post(
        f"/staff/procurements/{procurement.pk}/edit/", procurement_form(agency, vendor, visibility="public")
    )
    assert response.status_code == 302
    # Published, it is the editors' to change: its author's change now waits for one.
    staff = signed_in("staff")
    assert other.pk == procurement.added_by_id
    form = staff.get(f"/staff/procurements/{procurement.pk}/edit/").content.decode()
    assert "Propose the change" in form and 'name="visibility"' not in form
    assert (
        f'href="/staff/procurements/{procurement.pk}/edit/"'
        in staff.get(procurement.get_absolute_url()).content.decode()
    )
    response = staff.post(
        f"/staff/procurements/{procurement.pk}/edit/", procurement_form(agency, vendor, amount="99000")
    )
    assert response.status_code == 302
    procurement.refresh_from_db()
    assert (procurement.amount, procurement.visibility) == (48000, "public")
    assert "99,000" not in body(Client().get(procurement.get_absolute_url()))
    assert ProposedRevision.objects.get(procurement=procurement).values == {"amount": "99000.00"}
    unchanged = staff.post(f"/staff/procurements/{procurement.pk}/edit/", procurement_form(agency, vendor), follow=True)
    assert "Nothing was changed." in unchanged.content.decode()
    assert ProposedRevision.objects.filter(procurement=procurement).count() == 1


def entry_form(**overrides) -> dict:
    data = {
        "date": "2023-05-01", "date_precision": "month", "kind": "deployment", "title": "Drones flown over the march",
        "summary": "", "agency": "harbor-police-department", "sources-TOTAL_FORMS": "2", "sources-INITIAL_FORMS": "0",
        "sources-MIN_NUM_FORMS": "0", "sources-MAX_NUM_FORMS": "10", "sources-0-url": "https://example.org/news",
        "sources-0-label": "Harbor Gazette",
    }  # fmt: skip
    return data | overrides


def test_staff_edit_a_timeline_entry_with_its_sources(world):
    staff = signed_in("staff")
    assert staff.post("/staff/events/new/", entry_form()).status_code == 302
    event = TimelineEvent.objects.get(title="Drones flown over the march")
    assert (event.visibility, event.added_by, event.date) == ("private", user("staff"), datetime.date(2023, 5, 1))
    form = staff.get(f"/staff/events/{event.pk}/edit/").content.decode()
    assert "https://example.org/news" in form and 'value="Harbor Police Department (WA)"' in form
    no_source = entry_form(**{"sources-0-url": "", "sources-0-label": ""})
    refused = staff.post(f"/staff/events/{event.pk}/edit/", no_source)
    assert "Every timeline entry needs at least one source" in refused.content.decode()
    assert event.sources.count() == 1
    edited = entry_form(
        title="Drones over the May Day march",
        date_precision="day",
        **{"sources-0-url": "https://example.org/minutes", "sources-0-label": "Council minutes"},
    )
    assert staff.post(f"/staff/events/{event.pk}/edit/", edited).status_code == 302
    event.refresh_from_db()
    assert (event.title, event.date_precision) == ("Drones over the May Day march", "day")
    assert list(event.sources.values_list("url", "label")) == [("https://example.org/minutes", "Council minutes")]
    assert event.history.order_by("-history_date").first().history_user == user("staff")


def test_a_derived_entry_is_edited_through_its_procurement(world):
    agency, vendor = world
    editor = signed_in("editor")
    procurement = add_procurement(editor, agency, vendor, visibility="public")
    event = TimelineEvent.objects.get(procurement=procurement)
    response = editor.get(f"/staff/events/{event.pk}/edit/")
    assert response.status_code == 302 and response["Location"] == f"/staff/procurements/{procurement.pk}/edit/"
    assert f'href="/staff/procurements/{procurement.pk}/edit/"' in editor.get(event.get_absolute_url()).content.decode()


def test_staff_see_which_records_the_public_cannot_and_the_public_sees_no_badge(world):
    agency, _ = world
    until = TODAY + datetime.timedelta(days=20)
    factories.event(agency, title="Embargoed entry", visibility="embargoed", embargo_until=until)
    factories.records_request(agency, subject="Private request", visibility="private")
    factories.event(agency, title="Entry whose embargo ended", visibility="embargoed", embargo_until=TODAY)
    staff = signed_in("staff")
    label = f"Embargoed until {until:%b} {until.day}, {until.year}"
    assert label in staff.get("/timeline/").content.decode()
    assert "tag-hidden" in staff.get("/requests/").content.decode()
    public_timeline = Client().get("/timeline/").content.decode()
    assert "Entry whose embargo ended" in public_timeline and "tag-hidden" not in public_timeline


def test_hiding_a_procurement_in_the_admin_hides_its_timeline_entry(admin_client, world):
    agency, vendor = world
    procurement = add_procurement(signed_in("editor"), agency, vendor, visibility="public")
    change = admin_client.get(f"/admin/records/procurement/{procurement.pk}/change/")
    data = {
        name: value
        for name, value in change.context["adminform"].form.initial.items()
        if value is not None and name != "documents"
    }
    data |= {"agency": agency.pk, "vendor": vendor.pk, "visibility": "private", "signed_on": "2024-03-04",
             "start_on": "2024-03-04", "end_on": "2025-03-03"}  # fmt: skip
    response = admin_client.post(f"/admin/records/procurement/{procurement.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert TimelineEvent.objects.get(procurement=procurement).visibility == "private"
    assert TITLE not in body(Client().get("/timeline/"))


def test_agency_vendor_and_technology_pages_link_staff_with_admin_access_to_the_admin(admin_client, world):
    agency, vendor = world
    technology = factories.technology()
    for record, path in ((agency, "agency"), (vendor, "vendor"), (technology, "technology")):
        page = admin_client.get(record.get_absolute_url()).content.decode()
        assert f'href="/admin/records/{path}/{record.pk}/change/"' in page
        assert "/change/" not in Client().get(record.get_absolute_url()).content.decode()


def test_the_queue_acts_only_on_what_it_lists(world):
    agency, vendor = world
    procurement = add_procurement(signed_in("staff"), agency, vendor)
    derived = TimelineEvent.objects.get(procurement=procurement)
    editor = signed_in("editor")
    for items in ([f"event:{derived.pk}"], ["document:999999"]):
        response = editor.post("/staff/review/", {"items": items, "action": "publish"})
        assert response.status_code == 400
        assert "None of the ticked records is one the queue publishes." in response.content.decode()
    derived.refresh_from_db()
    assert derived.visibility == "private"
    page = editor.get("/staff/review/?after=%00|x|y&kind=zzz&added_by=abc")
    assert page.status_code == 200 and TITLE in page.content.decode()


LONG_TEXT = (
    "All contracts, invoices and emails about automated licence plate readers, from January 2019 to the date "
    "of this request."
)


def request_form(records_request, **overrides) -> dict:
    data = {
        "subject": records_request.subject, "text": records_request.text, "requester_organization": "ACLU",
        "requester_person": "", "tracking_number": "", "filed_on": "2024-01-02", "source_url": "",
    }  # fmt: skip
    return data | overrides


@pytest.fixture
def published(world):
    agency, _ = world
    return factories.records_request(
        agency, subject="ALPR contracts", text=LONG_TEXT, requester_organization="ACLU", status="filed",
        filed_on=datetime.date(2024, 1, 2), added_by=user("staff"),
    )  # fmt: skip


def test_a_staff_members_change_to_a_published_request_waits_for_an_editor(published):
    staff = signed_in("staff")
    form = staff.get(f"/staff/requests/{published.pk}/edit/").content.decode()
    assert "waits in the review queue until an editor accepts it" in form and "Propose the change" in form
    change = request_form(
        published, subject="ALPR and drone contracts", text=LONG_TEXT.replace("emails", "text messages <script>")
    )
    response = staff.post(f"/staff/requests/{published.pk}/edit/", change, follow=True)
    assert "Your change waits for an editor" in response.content.decode()
    published.refresh_from_db()
    assert (published.subject, published.text) == ("ALPR contracts", LONG_TEXT)
    public = Client().get(published.get_absolute_url()).content.decode()
    assert "ALPR contracts" in public and "drone" not in public and "text messages" not in public
    revision = ProposedRevision.objects.get()
    assert (revision.status, revision.proposed_by) == ("pending", user("staff"))
    assert revision.values == {"subject": "ALPR and drone contracts", "text": change["text"]}

    editor = signed_in("editor")
    page = editor.get("/staff/review/").content.decode()
    assert "<del>ALPR contracts</del>" in page and "<ins>ALPR and drone contracts</ins>" in page
    assert "<del>emails</del><ins>text messages &lt;script&gt;</ins>" in page  # a word diff, escaped
    assert "<script>" not in page
    assert f'action="/staff/review/revisions/{revision.pk}/"' in page
    assert f'action="/staff/review/revisions/{revision.pk}/"' not in staff.get("/staff/review/").content.decode()

    response = editor.post(f"/staff/review/revisions/{revision.pk}/", {"decision": "accept"}, follow=True)
    assert "The change is applied." in response.content.decode()
    published.refresh_from_db()
    assert (published.subject, published.text) == ("ALPR and drone contracts", change["text"])
    latest = published.history.order_by("-history_date").first()
    assert (latest.history_user, latest.history_change_reason) == (user("editor"), "Proposed by staff-user")
    revision.refresh_from_db()
    assert (revision.status, revision.decided_by) == ("accepted", user("editor")) and revision.decided_at
    assert "ALPR and drone contracts" in Client().get(published.get_absolute_url()).content.decode()
    again = editor.post(f"/staff/review/revisions/{revision.pk}/", {"decision": "reject"}, follow=True)
    assert "This change was already accepted." in again.content.decode()


def test_a_proposal_the_request_has_moved_past_says_so_and_is_not_applied(published):
    staff, editor = signed_in("staff"), signed_in("editor")
    staff.post(f"/staff/requests/{published.pk}/edit/", request_form(published, subject="First proposal"))
    staff.post(f"/staff/requests/{published.pk}/edit/", request_form(published, subject="Second proposal"))
    first, second = ProposedRevision.objects.order_by("id")
    editor.post(f"/staff/review/revisions/{first.pk}/", {"decision": "accept"})
    page = editor.get("/staff/review/").content.decode()
    assert "The records request changed since this was proposed" in page and "Now: First proposal" in page
    assert f'action="/staff/review/revisions/{second.pk}/"' in page and 'value="accept"' not in page
    refused = editor.post(f"/staff/review/revisions/{second.pk}/", {"decision": "accept"}, follow=True)
    assert "The records request changed since this was proposed (subject)" in refused.content.decode()
    published.refresh_from_db()
    assert published.subject == "First proposal"
    editor.post(f"/staff/review/revisions/{second.pk}/", {"decision": "reject"})
    second.refresh_from_db()
    assert second.status == "rejected"
    assert "No proposed change is waiting." in editor.get("/staff/review/").content.decode()


def test_an_embargoed_request_is_proposed_to_a_private_one_its_author_edits_directly(world, published):
    agency, _ = world
    staff = signed_in("staff")
    published.visibility, published.embargo_until = "embargoed", TODAY + datetime.timedelta(days=30)
    published.save()
    staff.post(f"/staff/requests/{published.pk}/edit/", request_form(published, subject="Embargoed change"))
    published.refresh_from_db()
    assert published.subject == "ALPR contracts" and ProposedRevision.objects.get().values == {
        "subject": "Embargoed change"
    }
    unchanged = staff.post(f"/staff/requests/{published.pk}/edit/", request_form(published), follow=True)
    assert "Nothing was changed." in unchanged.content.decode() and ProposedRevision.objects.count() == 1

    own = factories.records_request(agency, subject="Own draft", visibility="private", added_by=user("staff"))
    assert (
        staff.post(f"/staff/requests/{own.pk}/edit/", request_form(own, subject="Own draft, edited")).status_code == 302
    )
    own.refresh_from_db()
    assert own.subject == "Own draft, edited" and ProposedRevision.objects.count() == 1
    others = factories.records_request(agency, subject="Colleague's", visibility="private", added_by=user("editor"))
    assert staff.get(f"/staff/requests/{others.pk}/edit/").status_code == 403
    # An editor edits any request directly.
    editor = signed_in("editor")
    change = request_form(published, subject="By an editor", visibility="public", embargo_until="")
    response = editor.post(f"/staff/requests/{published.pk}/edit/", change)
    assert response.status_code == 302 and RecordsRequest.objects.get(pk=published.pk).subject == "By an editor"


def test_an_accepted_procurement_change_moves_its_timeline_entry_and_names_related_records(world):
    agency, vendor = world
    other_vendor = factories.vendor("Stillair Systems")
    procurement = add_procurement(signed_in("editor"), agency, vendor, visibility="public")
    staff = signed_in("staff")
    change = procurement_form(agency, other_vendor, signed_on="2024-04-01", kind="subscription")
    assert staff.post(f"/staff/procurements/{procurement.pk}/edit/", change).status_code == 302
    event = TimelineEvent.objects.get(procurement=procurement)
    assert (event.date, event.title) == (datetime.date(2024, 3, 4), f"Contract: {TITLE}")

    editor = signed_in("editor")
    page = editor.get("/staff/review/").content.decode()
    assert "<del>Quietwing Aerial</del>" in page and "<ins>Stillair Systems</ins>" in page
    assert "<del>Contract</del>" in page and "<ins>Subscription</ins>" in page
    revision = ProposedRevision.objects.get()
    editor.post(f"/staff/review/revisions/{revision.pk}/", {"decision": "accept"})
    procurement.refresh_from_db()
    event.refresh_from_db()
    assert (procurement.vendor, procurement.kind) == (other_vendor, "subscription")
    assert (event.date, event.title, list(event.vendors.all())) == (
        datetime.date(2024, 4, 1),
        f"Subscription: {TITLE}",
        [other_vendor],
    )
    latest = procurement.history.order_by("-history_date").first()
    assert (latest.history_user, latest.history_change_reason) == (user("editor"), "Proposed by staff-user")
    assert "Stillair Systems" in body(Client().get("/procurements/?format=csv"))
