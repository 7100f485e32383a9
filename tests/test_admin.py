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
