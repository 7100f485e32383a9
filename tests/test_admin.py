"""The admin for every model, and deletes that would take evidence with them refused with a message."""

import pytest
from django.apps import apps
from django.urls import reverse

from records.models import Agency, TimelineEvent
from tests import factories

pytestmark = pytest.mark.django_db


def test_every_model_has_an_admin_list_and_add_page(admin_client):
    from django.contrib import admin

    for model in apps.get_app_config("records").get_models():
        if model._meta.model_name.startswith("historical"):
            continue
        if model not in admin.site._registry:
            continue
        info = model._meta.app_label, model._meta.model_name
        assert admin_client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200, model
        assert admin_client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 200, model


def test_evidence_models_are_all_in_the_admin():
    from django.contrib import admin

    registered = {model.__name__ for model in admin.site._registry}
    expected = {
        "Jurisdiction", "Agency", "Vendor", "VendorAlias", "Technology", "Product", "Procurement",
        "RecordsRequest", "Correspondence", "Document", "DocumentPage", "TimelineEvent", "EventSource",
    }  # fmt: skip
    assert expected <= registered


def test_deleting_an_agency_with_evidence_is_refused_with_a_clear_message(admin_client):
    agency = factories.agency("Protected Police Department", "OR")
    factories.event(agency, title="An entry that cites it")
    page = admin_client.get(reverse("admin:records_agency_delete", args=[agency.pk]))
    text = page.content.decode()
    assert "would require deleting the following protected related objects" in text
    assert "An entry that cites it" in text
    admin_client.post(reverse("admin:records_agency_delete", args=[agency.pk]), {"post": "yes"})
    assert Agency.objects.filter(pk=agency.pk).exists()
    assert TimelineEvent.objects.filter(agency=agency).exists()


def admin_staff_client():
    """A staff member (not an editor) with admin access, as the staff group gives it."""
    from django.test import Client

    from tests.accounts import user

    account = user("staff")
    account.is_staff = True
    account.save()
    client = Client()
    client.force_login(account)
    return client


def change_form_data(client, url) -> dict:
    """What the admin's change form posts as it stands (inlines left as they are: the tests' have no rows)."""
    context = client.get(url).context
    form = context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        data[name] = [getattr(v, "pk", v) for v in value] if isinstance(value, list | tuple) else value
    for inline in context.get("inline_admin_formsets", []):
        prefix = inline.formset.prefix
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data


def test_only_editors_set_visibility_in_the_admin_and_reverts_keep_it(client):
    import datetime

    agency = factories.agency("Admin Guard Sheriff", "OR")
    records_request = factories.records_request(agency, subject="Guarded request", visibility="private")
    from records.services.requests import request_update

    # Filed, with its timeline entry, then published by an editor: the history has a private version.
    records_request.status, records_request.filed_on = "filed", datetime.date(2024, 1, 2)
    records_request.save()
    factories.event(agency, title="Records request filed: Guarded request", records_request=records_request,
                    kind="request_filed", visibility="private")  # fmt: skip
    request_update(records_request=records_request, visibility="public")
    staff = admin_staff_client()
    url = f"/admin/records/recordsrequest/{records_request.pk}/change/"
    page = staff.get(url)
    assert page.status_code == 200 and 'name="visibility"' not in page.content.decode()
    data = change_form_data(staff, url) | {"subject": "Guarded request, edited", "visibility": "private"}
    assert staff.post(url, data).status_code == 302
    records_request.refresh_from_db()
    assert (records_request.subject, records_request.visibility) == ("Guarded request, edited", "public")

    # Reverting to the private version keeps the request public for a non-editor.
    oldest = records_request.history.order_by("history_date").first()
    assert oldest.visibility == "private"
    revert = f"/admin/records/recordsrequest/{records_request.pk}/history/{oldest.history_id}/"
    data = change_form_data(staff, revert)
    assert staff.post(revert, data).status_code == 302
    records_request.refresh_from_db()
    assert records_request.visibility == "public"


def test_an_editor_hiding_a_request_in_the_admin_hides_its_timeline_entries(admin_client):
    import datetime

    from records.models import TimelineEvent

    agency = factories.agency("Admin Hide Sheriff", "OR")
    records_request = factories.records_request(agency, subject="Soon hidden request", status="filed",
                                                filed_on=datetime.date(2024, 1, 2))  # fmt: skip
    factories.event(agency, title="Records request filed: Soon hidden request", records_request=records_request,
                    kind="request_filed")  # fmt: skip
    url = f"/admin/records/recordsrequest/{records_request.pk}/change/"
    data = change_form_data(admin_client, url) | {"visibility": "private"}
    assert admin_client.post(url, data).status_code == 302
    assert set(TimelineEvent.objects.filter(records_request=records_request).values_list("visibility", flat=True)) == {
        "private"
    }
    for channel in ("/timeline/", "/timeline/feed/", f"/agencies/{agency.slug}/", "/", "/timeline/?format=csv"):
        response = client_get(channel)
        assert "Soon hidden request" not in response, channel


def client_get(url) -> str:
    from django.test import Client

    response = Client().get(url)
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode()
