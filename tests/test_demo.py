"""The seed story as demo data: idempotent, sourced, and two clicks from the home page."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import models

from records import models as m
from records.importers.demo import SOURCE_URL

pytestmark = pytest.mark.django_db

MODELS = [m.Jurisdiction, m.Agency, m.Vendor, m.VendorAlias, m.Product, m.Procurement, m.RecordsRequest,
          m.Document, m.DocumentPage, m.TimelineEvent, m.EventSource, m.SharingLink, m.Organisation]  # fmt: skip


def snapshot():
    """Every row of every demo model, as plain values, for an exact before/after comparison."""
    rows = {}
    for model in MODELS:
        fields = [f.attname for f in model._meta.concrete_fields if not isinstance(f, models.DateTimeField)]
        rows[model.__name__] = sorted(model.objects.values_list(*fields))
    rows["history"] = sorted((model.__name__, model.history.count()) for model in MODELS if hasattr(model, "history"))
    rows["event_vendors"] = sorted(m.TimelineEvent.vendors.through.objects.values_list("timelineevent_id", "vendor_id"))
    return rows


def test_loading_twice_changes_nothing():
    call_command("load_demo", stdout=io.StringIO())
    first = snapshot()
    call_command("load_demo", stdout=io.StringIO())
    assert snapshot() == first
    assert m.TimelineEvent.objects.filter(external_id__startswith="demo:").count() == 12
    # The Atlas of Surveillance sample: one entry per row, the same ones after the second load.
    assert m.TimelineEvent.objects.filter(external_id__startswith="atlas:").count() == 300
    assert len(first["TimelineEvent"]) == 312


def test_every_demo_entry_has_a_source_and_guesses_are_labelled():
    call_command("load_demo", stdout=io.StringIO())
    for event in m.TimelineEvent.objects.prefetch_related("sources"):
        assert event.sources.exists(), event.title
        if "illustrative" in event.summary:
            assert event.is_illustrative, event.title
    email = m.Document.objects.get(title__contains="Email from a Washington County employee")
    assert email.is_excerpt
    assert "Big Brother vibe" in email.pages.get(number=1).text


def test_the_sheriffs_timeline_is_two_clicks_from_home(client):
    call_command("load_demo", stdout=io.StringIO())
    home = client.get("/").content.decode()
    agency_url = "/agencies/washington-county-sheriffs-office-or/"
    assert f'href="{agency_url}"' in home
    page = client.get(agency_url).content.decode()
    assert "Washington County Sheriff&#x27;s Office" in page
    assert "300,000 mugshots" in page
    assert "Rekognition" in page
    assert page.count(f'href="{SOURCE_URL}"') >= 5
    # The released email is cited at its page.
    email = m.Document.objects.get(is_excerpt=True)
    assert f'href="/documents/{email.pk}/#page-1"' in page
    assert re.search(r"illustrative", page)


def test_the_demo_shows_waxhaws_data_sharing_network_with_its_credit(client):
    call_command("load_demo", stdout=io.StringIO())
    waxhaw = m.Agency.objects.get(name="Waxhaw Police Department", jurisdiction__state="NC")
    response = client.get(waxhaw.get_absolute_url())
    sharing = response.context["sharing"]
    assert sharing["shares_with_count"] == 113
    assert sharing["reach"]["out_of_state"] > 0 and sharing["reach"]["within_two_hops"] > 113
    page = response.content.decode()
    assert "Shares its data with: 113" in page
    assert "The News &amp; Observer, “Private Eyes” (MIT licence)" in page


def test_the_demo_runs_without_the_shared_folder():
    """Nothing at run time reads ../shared: a user's clone does not have it."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for path in list((root / "records").rglob("*.py")) + list((root / "tracker").rglob("*.py")):
        assert "shared/data" not in path.read_text(), path
