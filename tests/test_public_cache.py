"""The public's cache of aggregates and of whole pages: kept for the public, never for staff, never staff's view."""

import pytest
from django.core.cache import cache
from django.test import Client

from records.models import Visibility
from tests import factories
from tests.accounts import user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def agency():
    agency = factories.agency("Springfield Police Department")
    factories.event(agency, title="Cameras bought", vendors=[factories.vendor("Axon")])
    return agency


def staff_client():
    client = Client()
    client.force_login(user("staff"))
    return client


def test_aggregates_are_kept_for_the_public_and_live_for_staff(settings, agency):
    settings.PUBLIC_CACHE_SECONDS = 60
    url = agency.get_absolute_url()
    assert [v.name for v in Client().get(url).context["vendors"]] == ["Axon"]
    factories.event(agency, title="Drones bought", vendors=[factories.vendor("Skydio")])
    # The public sees the kept side panel until it expires; the timeline itself is live.
    response = Client().get(url)
    assert [v.name for v in response.context["vendors"]] == ["Axon"]
    assert b"Drones bought" in response.content
    assert [v.name for v in staff_client().get(url).context["vendors"]] == ["Axon", "Skydio"]


def test_what_staff_see_never_reaches_the_public(settings, agency):
    settings.PUBLIC_CACHE_SECONDS = 60
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    factories.event(agency, title="Private entry", vendors=[factories.vendor("Hushed")], visibility=Visibility.PRIVATE)
    url = agency.get_absolute_url()
    assert b"Hushed" in staff_client().get(url).content
    public = Client().get(url)
    assert b"Hushed" not in public.content and b"Private entry" not in public.content


def test_whole_pages_are_kept_for_signed_out_readers_only(settings, agency):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    assert b"Cameras bought" in Client().get("/timeline/").content
    factories.event(agency, title="Later entry")
    assert b"Later entry" not in Client().get("/timeline/").content
    assert b"Later entry" in staff_client().get("/timeline/").content
    # Another query string is another page; CSV is streamed and never kept.
    assert b"Later entry" in Client().get("/timeline/?kind=deployment").content
    assert b"Later entry" in b"".join(Client().get("/timeline/?format=csv").streaming_content)


def test_a_failed_answer_is_not_kept(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    assert Client().get("/vendors/skydio/").status_code == 404
    factories.vendor("Skydio")
    assert Client().get("/vendors/skydio/").status_code == 200


def test_nothing_is_kept_when_the_seconds_are_zero(settings, agency):
    settings.PUBLIC_CACHE_SECONDS = 0
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    Client().get(agency.get_absolute_url())
    factories.event(agency, title="Later entry", vendors=[factories.vendor("Skydio")])
    response = Client().get(agency.get_absolute_url())
    assert [v.name for v in response.context["vendors"]] == ["Axon", "Skydio"]
