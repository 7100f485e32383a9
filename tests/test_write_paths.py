"""Every path that writes a record's visibility, or derived records, keeps what is hidden out of every public
channel: staff forms, the admin's change form and its history revert, the review queue, imports (with
--visibility private, and a re-import of a record an editor hid), agency merges and archive restores. Each test
sees the record in public first, changes it through its path, then walks every channel."""

import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from records.models import Document, Procurement, RecordsRequest, TimelineEvent
from records.services.timeline import procurement_record
from tests import factories
from tests.accounts import user
from tests.test_admin import change_form_data
from tests.test_visibility import PUBLIC_CHANNELS, body

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
ATLAS = ROOT / "records" / "data" / "atlas-of-surveillance-sample-300.csv"
AWARDS = Path(__file__).parent / "data" / "usaspending-awards-sample.csv"
GENERAL_CHANNELS = [url for url in PUBLIC_CHANNELS if "quiet-police" not in url and "hushed-vendor" not in url]


def channels(*, agencies=(), vendors=(), words=()) -> list[str]:
    urls = list(GENERAL_CHANNELS)
    for agency in agencies:
        slug = agency.slug
        urls += [f"/agencies/{slug}/", f"/agencies/{slug}/?format=json", f"/agencies/{slug}/feed/",
                 f"/timeline/?agency={slug}", f"/timeline/?agency={slug}&format=csv",
                 f"/procurements/?agency={slug}&format=json", f"/requests/?agency={slug}&format=csv"]  # fmt: skip
    for vendor in vendors:
        urls += [f"/vendors/{vendor.slug}/", f"/vendors/{vendor.slug}/?format=json", f"/vendors/{vendor.slug}/feed/"]
    urls += [f"/search/?q={word}" for word in words] + [f"/search/?q={word}&format=json" for word in words]
    return urls


def seen_in_public(secret: str, urls: list[str]) -> list[str]:
    client = Client()
    return [url for url in urls if secret.casefold() in body(client.get(url)).casefold()]


def assert_hidden(secret: str, urls: list[str], records=()):
    assert seen_in_public(secret, urls) == []
    client = Client()
    for record in records:
        record.refresh_from_db()
        assert client.get(record.get_absolute_url()).status_code == 404, record


def form_data(form) -> dict:
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = [getattr(v, "pk", v) for v in value] if isinstance(value, list | tuple) else value
    return data


def formset_data(formset) -> dict:
    data = {formset.management_form.add_prefix(k): v for k, v in formset.management_form.initial.items()}
    for form in formset.forms:
        data |= {form.add_prefix(k): v for k, v in form_data(form).items()}
    return data


@pytest.fixture
def place():
    agency = factories.agency("Wombat County Sheriff", "NV")
    return agency, factories.vendor("Wombat Vision")


def public_procurement(agency, vendor, title="Wombat camera contract"):
    return procurement_record(
        agency=agency, vendor=vendor, kind="contract", title=title, amount=Decimal("123457"),
        signed_on=datetime.date(2023, 5, 1), visibility="public",
    )  # fmt: skip


def test_the_staff_procurement_form(client, place):
    agency, vendor = place
    procurement = public_procurement(agency, vendor)
    urls = channels(agencies=[agency], vendors=[vendor], words=["wombat"])
    assert seen_in_public("Wombat camera contract", urls)
    client.force_login(user("editor"))
    url = f"/staff/procurements/{procurement.pk}/edit/"
    data = form_data(client.get(url).context["form"]) | {"visibility": "private"}
    assert client.post(url, data).status_code == 302
    assert_hidden("Wombat camera contract", urls, [procurement, *procurement.timeline_events.all()])


def test_the_staff_event_form(client, place):
    agency, vendor = place
    event = factories.event(agency, title="Wombat drone flights", vendors=[vendor])
    urls = channels(agencies=[agency], vendors=[vendor], words=["wombat"])
    assert seen_in_public("Wombat drone flights", urls)
    client.force_login(user("editor"))
    url = f"/staff/events/{event.pk}/edit/"
    context = client.get(url).context
    data = form_data(context["form"]) | formset_data(context["sources"]) | {"visibility": "private"}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    assert_hidden("Wombat drone flights", urls, [event])


def test_the_admin_change_form(admin_client, place):
    agency, vendor = place
    procurement = public_procurement(agency, vendor)
    document = factories.document(agency, title="Wombat invoice scan", pages=["wombat invoice"])
    urls = channels(agencies=[agency], vendors=[vendor], words=["wombat"])
    assert seen_in_public("Wombat camera contract", urls) and seen_in_public("Wombat invoice scan", urls)
    for record in (procurement, document):
        url = f"/admin/records/{record._meta.model_name}/{record.pk}/change/"
        assert (
            admin_client.post(url, change_form_data(admin_client, url) | {"visibility": "private"}).status_code == 302
        )
    assert_hidden("Wombat camera contract", urls, [procurement, *procurement.timeline_events.all()])
    assert_hidden("Wombat invoice scan", urls, [document])


def test_a_history_revert_in_the_admin_keeps_a_record_hidden(admin_client, place):
    agency, vendor = place
    procurement = public_procurement(agency, vendor)
    public_version = procurement.history.order_by("history_date").first()
    url = f"/admin/records/procurement/{procurement.pk}/change/"
    admin_client.post(url, change_form_data(admin_client, url) | {"visibility": "private"})
    urls = channels(agencies=[agency], vendors=[vendor], words=["wombat"])
    assert_hidden("Wombat camera contract", urls)
    revert = f"/admin/records/procurement/{procurement.pk}/history/{public_version.history_id}/"
    assert admin_client.post(revert, change_form_data(admin_client, revert)).status_code == 302
    assert_hidden("Wombat camera contract", urls, [procurement, *procurement.timeline_events.all()])


def test_the_review_queue(place):
    from records.services.review import records_set_visibility

    agency, vendor = place
    procurement = public_procurement(agency, vendor)
    records_request = factories.records_request(agency, subject="Wombat retention request", status="filed",
                                                filed_on=datetime.date(2024, 1, 2))  # fmt: skip
    urls = channels(agencies=[agency], vendors=[vendor], words=["wombat"])
    assert seen_in_public("Wombat camera contract", urls) and seen_in_public("Wombat retention request", urls)
    records_set_visibility(records=[procurement, records_request], visibility="private", user=user("editor"))
    assert_hidden("Wombat camera contract", urls, [procurement, *procurement.timeline_events.all()])
    assert_hidden("Wombat retention request", urls, [records_request, *records_request.timeline_events.all()])


def award_rows() -> list[dict]:
    with AWARDS.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def run(command: str, *args):
    call_command(command, *[str(a) for a in args], stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)


def test_a_procurement_import_with_visibility_private():
    run("import_procurements", AWARDS, "--visibility", "private")
    assert Procurement.objects.exists()
    titles = {p.title for p in Procurement.objects.all()} | {e.title for e in TimelineEvent.objects.all()}
    agencies = {p.agency for p in Procurement.objects.select_related("agency")}
    urls = channels(agencies=sorted(agencies, key=lambda a: a.pk)[:3])
    client = Client()
    texts = [body(client.get(url)) for url in urls]
    for title in titles:
        assert not [url for url, text in zip(urls, texts, strict=True) if title in text], title


def test_a_procurement_re_import_keeps_what_an_editor_hid(tmp_path):
    editor = user("editor")
    run("import_procurements", AWARDS, "--visibility", "public", "--user", editor.username)
    rows = award_rows()
    hidden = Procurement.objects.get(reference_number=rows[0]["Award ID"])
    urls = channels(agencies=[hidden.agency])
    assert seen_in_public(hidden.title, urls)
    from records.services.timeline import procurement_update

    procurement_update(procurement=hidden, visibility="private", user=editor)
    rows[0]["Award Amount"] = "4000000"
    changed = tmp_path / "changed.csv"
    with changed.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    run("import_procurements", changed, "--visibility", "public", "--user", editor.username)
    hidden.refresh_from_db()
    assert (hidden.amount, hidden.visibility) == (Decimal("4000000.00"), "private")
    assert_hidden(hidden.title, urls, [hidden, *hidden.timeline_events.all()])


def test_an_atlas_re_import_keeps_an_entry_an_editor_hid():
    from records.services.timeline import event_update

    run("import_atlas", ATLAS)
    event = TimelineEvent.objects.filter(external_id__startswith="atlas:").order_by("pk").first()
    secret = event.summary[:60] or event.title
    urls = channels(agencies=[event.agency])
    assert seen_in_public(secret, urls)
    event_update(event=event, visibility="private")
    run("import_atlas", ATLAS)
    event.refresh_from_db()
    assert event.visibility == "private"
    assert_hidden(secret, urls, [event])


def test_a_foia_log_re_import_keeps_a_request_an_editor_hid():
    from records.services.requests import request_update

    logs = sorted((Path(__file__).parent / "data" / "foia-logs").glob("*.csv"))
    agency = factories.agency("Wombat Log Police", "WA")
    run("import_foia_log", logs[0], "--agency", agency.slug)
    records_request = RecordsRequest.objects.exclude(subject="").order_by("pk").first()
    secret = records_request.subject[:50]
    urls = channels(agencies=[agency])
    assert seen_in_public(secret, urls)
    request_update(records_request=records_request, visibility="private")
    run("import_foia_log", logs[0], "--agency", agency.slug)
    records_request.refresh_from_db()
    assert records_request.visibility == "private"
    assert_hidden(secret, urls, [records_request])


def test_an_agency_merge_keeps_the_removed_agencys_hidden_records_hidden(place):
    from records.services.merges import agency_merge

    agency, vendor = place
    twin = factories.agency("Wombat County Sheriffs Office", "NV")
    procurement_record(agency=twin, vendor=vendor, kind="contract", title="Wombat hidden pilot",
                       signed_on=datetime.date(2023, 1, 1), visibility="private")  # fmt: skip
    # The same file at both: public at the kept agency, hidden by an editor at the other.
    factories.document(agency, title="Wombat sharing list", sha256="b" * 64, pages=["wombat list"])
    factories.document(twin, title="Wombat sharing list (hidden copy)", sha256="b" * 64, visibility="private")
    urls = channels(agencies=[agency], vendors=[vendor], words=["wombat"])
    assert seen_in_public("Wombat sharing list", urls)
    agency_merge(keep=agency, remove=twin, user=user("editor"))
    assert Document.objects.filter(sha256="b" * 64).count() == 1
    assert_hidden("Wombat hidden pilot", urls)
    assert_hidden("Wombat sharing list", urls, list(Document.objects.filter(sha256="b" * 64)))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_archive_restore_keeps_hidden_records_hidden(tmp_path, settings, place):
    settings.MEDIA_ROOT = tmp_path / "media"
    agency, vendor = place
    procurement = public_procurement(agency, vendor)
    factories.records_request(agency, subject="Wombat hidden request", visibility="private")
    from records.services.timeline import procurement_update

    procurement_update(procurement=procurement, visibility="private")
    archive = tmp_path / "tracker.tar.gz"
    run("export_archive", archive)
    call_command("flush", interactive=False, verbosity=0)
    run("import_archive", archive)
    restored = Procurement.objects.get(title="Wombat camera contract")
    assert restored.visibility == "private"
    urls = channels(agencies=[restored.agency], vendors=[restored.vendor], words=["wombat"])
    assert_hidden("Wombat camera contract", urls, [restored, *restored.timeline_events.all()])
    assert_hidden("Wombat hidden request", urls)
