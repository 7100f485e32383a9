"""generate_synthetic at a tiny scale: counts, the synthetic markers, the model rules, search, and --replace."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from bench.synthetic import RARE_PHRASES, counts_for
from records.documents import search
from records.models import (
    Agency,
    Correspondence,
    Document,
    DocumentPage,
    Jurisdiction,
    Procurement,
    Product,
    RecordsRequest,
    TimelineEvent,
    Vendor,
    Visibility,
)

pytestmark = [pytest.mark.django_db, pytest.mark.bench]
SCALE = 0.0005


def generate(*args) -> str:
    out = StringIO()
    call_command("generate_synthetic", "--scale", str(SCALE), *args, verbosity=0, stdout=out)
    return out.getvalue()


def test_it_makes_the_counts_of_its_scale_all_marked_synthetic():
    # `migrate` seeds the states and the places with oversight laws; every place the generator adds is its own.
    seeded_places = list(Jurisdiction.objects.values_list("pk", flat=True))
    generate()
    counts = counts_for(SCALE)
    assert Agency.objects.count() == counts["agencies"]
    assert Vendor.objects.count() == counts["vendors"]
    assert Product.objects.count() == counts["products"]
    assert Procurement.objects.count() == counts["procurements"]
    assert RecordsRequest.objects.count() == counts["requests"]
    assert Correspondence.objects.count() == counts["correspondence"]
    assert Document.objects.count() == counts["documents"]
    assert TimelineEvent.objects.count() == counts["events"]
    pages = DocumentPage.objects.all()
    assert pages.count() >= counts["documents"]
    assert set(pages.values_list("number", flat=True)) <= set(range(1, 11))

    for model, name in ((Agency, "name"), (Vendor, "name"), (Product, "name"), (Procurement, "title")):
        assert not model.objects.exclude(**{f"{name}__endswith": "(synthetic)"}).exists(), model
    for model in (Agency, Vendor, Product):
        assert not model.objects.exclude(slug__startswith="synthetic-").exists(), model
    added_places = Jurisdiction.objects.exclude(pk__in=seeded_places)
    assert added_places.filter(level__in=["county", "city"]).exists()
    assert not added_places.exclude(slug__startswith="synthetic-").exists()
    assert not TimelineEvent.objects.exclude(external_id__startswith="synthetic:").exists()
    assert not Document.objects.exclude(title__contains="(synthetic)").exists()
    assert not RecordsRequest.objects.exclude(subject__contains="(synthetic)").exists()


def test_its_rows_keep_the_model_rules_and_some_are_not_public():
    generate()
    for model in (Agency, Vendor, Product, Procurement, RecordsRequest, Document, TimelineEvent):
        for row in model.objects.all()[:50]:
            try:
                row.full_clean(validate_unique=True)
            except ValidationError as error:
                pytest.fail(f"{model.__name__} {row.pk}: {error}")
    events = TimelineEvent.objects.all()
    assert events.filter(visibility=Visibility.PUBLIC).exists()
    assert events.exclude(visibility=Visibility.PUBLIC).exists()
    assert not events.filter(visibility=Visibility.EMBARGOED, embargo_until=None).exists()
    assert TimelineEvent.objects.visible_to(None).count() < events.count()
    assert events.filter(vendors__isnull=False).exists() and events.filter(technologies__isnull=False).exists()


def test_pages_are_searchable_after_the_bulk_load():
    generate()
    public = Document.objects.visible_to(None)
    assert search.matching_pages(search.parse_query(f'"{RARE_PHRASES[0]}"'), Document.objects.all()).exists()
    assert search.page_hits(search.parse_query("contract"), public, limit=5)


def test_it_refuses_a_second_run_unless_told_to_replace():
    generate()
    with pytest.raises(CommandError, match="--replace"):
        generate()
    generate("--replace")
    assert Agency.objects.count() == counts_for(SCALE)["agencies"]
    assert TimelineEvent.objects.count() == counts_for(SCALE)["events"]
    # Ids continue after the load: a row made the ordinary way gets a fresh one.
    Vendor.objects.create(name="Real vendor", slug="real-vendor")
