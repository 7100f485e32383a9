"""Merging duplicate agencies and vendors: everything moves, the old name stays as an alias, history
records it, and only editors may do it."""

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from records.models import (
    Agency,
    AgencyAlias,
    DocumentMention,
    MergeRecord,
    Procurement,
    Product,
    TimelineEvent,
    Vendor,
    VendorAlias,
)
from records.services.merges import MergeError, agency_merge, vendor_merge
from tests import factories

pytestmark = pytest.mark.django_db

ATLAS_SAMPLE = Path(__file__).resolve().parent.parent / "records" / "data" / "atlas-of-surveillance-sample-300.csv"


@pytest.fixture
def twins():
    keep = factories.agency("Erie County Sheriff's Office", "NY")
    remove = factories.agency("Erie Co. Sheriff", "NY", ori="NY0140000", website="https://example.org/erie")
    AgencyAlias.objects.create(agency=remove, name="ECSO")
    factories.agency("Erie Holding Center", "NY", parent=remove)
    events = [factories.event(remove), factories.event(remove), factories.event(keep)]
    factories.procurement(remove)
    factories.records_request(remove)
    factories.document(remove)
    return keep, remove, events


def test_an_agency_merge_moves_everything_and_keeps_the_old_name(twins):
    keep, remove, events = twins
    editor = User.objects.create_user("editor")
    record = agency_merge(keep=keep, remove=remove, user=editor)

    assert not Agency.objects.filter(pk=remove.pk).exists()
    keep.refresh_from_db()
    assert TimelineEvent.objects.filter(agency=keep).count() == 3
    assert keep.procurements.count() == keep.records_requests.count() == keep.documents.count() == 1
    assert keep.children.get().name == "Erie Holding Center"
    assert set(keep.aliases.values_list("name", flat=True)) == {"ECSO", "Erie Co. Sheriff"}
    assert (keep.ori, keep.website) == ("NY0140000", "https://example.org/erie")
    assert (record.kind, record.kept_id, record.removed_name, record.merged_by) == (
        "agency", keep.pk, "Erie Co. Sheriff", editor
    )  # fmt: skip
    assert record.moved == {
        "timeline_events": 2, "procurements": 1, "records_requests": 1, "documents": 1, "children": 1, "aliases": 2
    }  # fmt: skip


def test_a_parent_merged_into_its_child_leaves_no_loop():
    parent = factories.agency("County Police", "OR")
    child = factories.agency("County Police Department", "OR", parent=parent)
    agency_merge(keep=child, remove=parent)
    child.refresh_from_db()
    assert child.parent is None


def test_a_vendor_merge_moves_products_entries_and_mentions_without_duplicates():
    keep, remove = factories.vendor("SoundThinking"), factories.vendor("ShotSpotter Inc")
    VendorAlias.objects.create(vendor=remove, name="SST")
    both = factories.event(vendors=[keep, remove])
    only_removed = factories.event(vendors=[remove])
    shared_name = factories.product(keep, "ShotSpotter Flex")
    twin = factories.product(remove, "ShotSpotter Flex", technologies=[factories.technology("gunshot-detection")])
    factories.product(remove, "CrimeTracer")
    Procurement.objects.create(
        agency=factories.agency(), vendor=remove, product=twin, kind="contract", title="Flex subscription"
    )
    document = factories.document()
    DocumentMention.objects.create(document=document, vendor=keep, pages=[1])
    DocumentMention.objects.create(document=document, vendor=remove, pages=[2, 1])

    record = vendor_merge(keep=keep, remove=remove)

    assert not Vendor.objects.filter(pk=remove.pk).exists()
    assert list(both.vendors.all()) == [keep] and list(only_removed.vendors.all()) == [keep]
    assert sorted(keep.products.values_list("name", flat=True)) == ["CrimeTracer", "ShotSpotter Flex"]
    assert Procurement.objects.get().product == shared_name and Procurement.objects.get().vendor == keep
    assert shared_name.technologies.get().slug == "gunshot-detection"
    assert DocumentMention.objects.get().pages == [1, 2]
    assert set(keep.aliases.values_list("name", flat=True)) == {"SST", "ShotSpotter Inc"}
    assert record.moved["timeline_events"] == 2 and record.moved["procurements"] == 1
    assert not Product.objects.filter(vendor_id=remove.pk).exists()


def test_a_record_cannot_be_merged_into_itself():
    agency = factories.agency()
    with pytest.raises(MergeError):
        agency_merge(keep=agency, remove=agency)


def test_a_merged_duplicate_does_not_come_back_when_the_atlas_is_imported_again():
    call_command("import_atlas", str(ATLAS_SAMPLE), stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)
    duplicate = Agency.objects.get(name="New York Police Department")
    kept = factories.agency("New York City Police Department", "NY", ori="NY0303000")
    agency_merge(keep=kept, remove=duplicate)
    call_command("import_atlas", str(ATLAS_SAMPLE), stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)
    assert not Agency.objects.filter(name="New York Police Department").exists()
    assert TimelineEvent.objects.filter(agency=kept, external_id__startswith="atlas:").exists()


def _admin_user(username, group, client):
    user = User.objects.create_user(username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return user


def test_an_editor_picks_the_agency_to_keep_on_a_confirmation_page(client, twins):
    keep, remove, _ = twins
    _admin_user("editor", "editors", client)
    selection = {"action": "merge", "_selected_action": [keep.pk, remove.pk]}
    page = client.post("/admin/records/agency/", selection)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Choose the agency to keep" in html
    assert f'value="{keep.pk}" id="keep-{keep.pk}" checked' in html  # the lowest id is preselected
    assert "2 timeline events" in html

    done = client.post("/admin/records/agency/", {**selection, "post": "yes", "keep": remove.pk}, follow=True)
    assert "Merged “Erie County Sheriff&#x27;s Office” into “Erie Co. Sheriff”" in done.content.decode()
    assert list(Agency.objects.filter(name__startswith="Erie").exclude(name="Erie Holding Center")) == [remove]
    assert MergeRecord.objects.get().merged_by.username == "editor"


def test_staff_who_are_not_editors_cannot_merge(client):
    keep, remove = factories.vendor("Axon"), factories.vendor("Axon Enterprise")
    _admin_user("clerk", "staff", client)
    selection = {"action": "merge", "_selected_action": [keep.pk, remove.pk], "post": "yes", "keep": keep.pk}
    response = client.post("/admin/records/vendor/", selection, follow=True)
    assert "Only editors can merge vendors." in response.content.decode()
    assert Vendor.objects.count() == 2 and not MergeRecord.objects.exists()
