"""HTTP caching: validators and Cache-Control on public pages, exports and feeds, a 304 for a current copy, never a
shared copy of what staff see, and a new validator after every write the public could see, whatever its path."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from records.models import Agency, TimelineEvent, Visibility
from records.models.accounts import StaffProfile
from records.models.content import ContentVersion
from records.services.merges import agency_merge
from records.services.review import records_set_visibility
from records.services.timeline import event_update
from tests import factories
from tests.accounts import user
from tests.test_admin import change_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def committing(django_capture_on_commit_callbacks):
    """The token moves when a write commits; inside `with committing():` on-commit callbacks run at the end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def settle(seconds_ago: int = 60):
    """Date the last change back: Last-Modified is given only once the last change is two seconds old."""
    ContentVersion.objects.update(changed_at=timezone.now() - datetime.timedelta(seconds=seconds_ago))


@pytest.fixture
def agency(committing):
    with committing():
        agency = factories.agency("Springfield Police Department")
        factories.event(agency, title="Cameras bought", vendors=[factories.vendor("Axon")])
    settle()
    return agency


def public_urls(agency) -> list[str]:
    slug = agency.slug
    return [
        "/",
        "/timeline/",
        "/timeline/?format=csv",
        "/timeline/?format=json",
        f"/agencies/{slug}/",
        f"/agencies/{slug}/?format=csv",
        "/timeline/feed/",
        f"/agencies/{slug}/feed/",
        "/procurements/ocds.json",
        "/search/?q=cameras",
    ]


def etag(url, client=None) -> str:
    response = (client or Client()).get(url)
    assert response.status_code == 200, url
    return response["ETag"]


def staff_client() -> Client:
    client = Client()
    client.force_login(user("staff"))
    return client


def test_public_answers_carry_validators_and_may_be_shared_for_a_minute(agency):
    for url in public_urls(agency):
        response = Client().get(url)
        assert response.status_code == 200, url
        assert response["ETag"].startswith('"'), url
        assert response["Last-Modified"], url
        assert response["Cache-Control"] == "public, max-age=60", url
        assert "Cookie" in response["Vary"], url


def test_a_conditional_get_for_a_current_copy_is_answered_304_without_a_body(agency):
    for url in public_urls(agency):
        first = Client().get(url)
        again = Client().get(url, headers={"if-none-match": first["ETag"]})
        assert again.status_code == 304, url
        assert again.content == b""
        assert again["ETag"] == first["ETag"] and again["Cache-Control"] == "public, max-age=60"
        since = Client().get(url, headers={"if-modified-since": first["Last-Modified"]})
        assert since.status_code == 304, url
        stale = Client().get(url, headers={"if-none-match": '"something-else"'})
        assert stale.status_code == 200, url


def test_staff_answers_are_private_and_never_match_the_publics(agency):
    staff = staff_client()
    for url in public_urls(agency):
        response = staff.get(url)
        assert response.status_code == 200, url
        assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"], url
        assert "no-cache" in response["Cache-Control"]
        assert "Cookie" in response["Vary"]
        assert response["ETag"] != etag(url), url
        # The public holding staff's validator gets the whole public page, not a 304 over staff's copy.
        assert Client().get(url, headers={"if-none-match": response["ETag"]}).status_code == 200
        assert staff.get(url, headers={"if-none-match": response["ETag"]}).status_code == 304


def test_a_record_made_private_changes_every_validator_at_once(agency, committing):
    urls = public_urls(agency)
    before = {url: Client().get(url) for url in urls}
    event = TimelineEvent.objects.get(title="Cameras bought")
    with committing():
        records_set_visibility(records=[event], visibility=Visibility.PRIVATE, user=user("editor"))
    for url in urls:
        response = Client().get(url, headers={"if-none-match": before[url]["ETag"]})
        assert response.status_code == 200, url
        assert response["ETag"] != before[url]["ETag"], url
    settle(seconds_ago=5)  # after the fixture's change, which settle() dated a minute back
    for url in urls:
        # A Last-Modified time from before the change no longer answers 304 either.
        since = Client().get(url, headers={"if-modified-since": before[url]["Last-Modified"]})
        assert since.status_code == 200, url
        response = Client().get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"Cameras bought" not in body, url


def test_rotating_a_calendar_token_leaves_public_validators_alone(agency, committing):
    with committing():
        profile, _ = StaffProfile.objects.get_or_create(user=user("staff"))
    before = etag("/timeline/")
    with committing():
        profile.rotate_calendar_token()
    assert etag("/timeline/") == before


def test_reading_pages_leaves_validators_alone(agency, committing):
    """Reads never move the token, those through a server-side cursor included (a filter form's technology list
    on PostgreSQL), whose statement has no command tag."""
    before = etag(f"/agencies/{agency.slug}/")
    with committing():
        for url in [*public_urls(agency), "/agencies/?technology=face-recognition", "/sharing/", "/procurements/"]:
            assert Client().get(url).status_code == 200, url
    assert etag(f"/agencies/{agency.slug}/") == before


def test_an_update_that_changes_no_row_leaves_validators_alone(agency, committing):
    before = etag("/timeline/")
    with committing():
        TimelineEvent.objects.filter(title="Nothing of the kind").update(title="Changed")
    assert etag("/timeline/") == before


def raw(sql: str):
    with connection.cursor() as cursor:
        cursor.execute(sql)


def many(sql: str, rows: list):
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


WRITES = {
    "a queryset update": lambda: TimelineEvent.objects.update(title="Cameras leased"),
    "raw SQL WITH ... UPDATE": lambda: raw(
        "WITH chosen AS (SELECT id FROM records_timelineevent) "
        "UPDATE records_timelineevent SET title = 'Cameras leased' WHERE id IN (SELECT id FROM chosen)"
    ),
    "raw SQL after a comment": lambda: raw(
        "/* a correction */ UPDATE records_timelineevent SET title = 'Cameras leased'"
    ),
    "raw SQL in lower case": lambda: raw("update records_timelineevent set title = 'Cameras leased'"),
    "raw SQL executemany": lambda: many(
        "UPDATE records_timelineevent SET title = %s WHERE title = %s", [("Cameras leased", "Cameras bought")]
    ),
    "a model save": lambda: TimelineEvent.objects.filter(title="Cameras bought").first().save(),
    "a delete": lambda: TimelineEvent.objects.all().delete(),
}


@pytest.mark.parametrize("path", WRITES)
def test_every_write_path_changes_the_validator(agency, committing, path):
    before = etag("/timeline/")
    with committing():
        WRITES[path]()
    assert etag("/timeline/") != before


def test_a_write_through_the_admin_changes_the_validator(admin_client, agency, committing):
    event = TimelineEvent.objects.get(title="Cameras bought")
    before = etag("/timeline/")
    url = f"/admin/records/timelineevent/{event.pk}/change/"
    data = change_form_data(admin_client, url) | {"visibility": "private"}
    with committing():
        assert admin_client.post(url, data).status_code == 302
    assert etag("/timeline/") != before


def merge_a_second_agency():
    keep = TimelineEvent.objects.get(title="Cameras bought").agency
    agency_merge(keep=keep, remove=Agency.objects.get(name="Springfield Police Dept"), user=user("editor"))


SERVICES = {
    "event_update": lambda: event_update(
        event=TimelineEvent.objects.get(title="Cameras bought"), title="Cameras leased", user=user("editor")
    ),
    "records_set_visibility": lambda: records_set_visibility(
        records=[TimelineEvent.objects.get(title="Cameras bought")], visibility=Visibility.PRIVATE, user=user("editor")
    ),
    "agency_merge": merge_a_second_agency,
}


@pytest.mark.parametrize("service", SERVICES)
def test_a_write_through_a_service_changes_the_validator(agency, committing, service):
    user("editor")
    with committing():
        factories.agency("Springfield Police Dept")  # for agency_merge; made before the validator is read
    before = etag("/timeline/")
    with committing():
        SERVICES[service]()
    assert etag("/timeline/") != before
