"""Seeds the surveillance-oversight laws of records/rules/oversight_laws.py, and their places where the tracker
has none."""

from django.apps import apps as global_apps
from django.utils.text import slugify

from records.rules.oversight_laws import OVERSIGHT_LAWS


def seed_oversight_laws(apps=global_apps) -> int:
    """Create the seeded laws that are missing (and their city where the tracker has none); returns how many."""
    Jurisdiction = apps.get_model("records", "Jurisdiction")
    OversightLaw = apps.get_model("records", "OversightLaw")
    created = 0
    Technology = apps.get_model("records", "Technology")
    for (level, state, name), fields, *covers in OVERSIGHT_LAWS:
        jurisdiction = Jurisdiction.objects.filter(level=level, state=state, name__iexact=name).first()
        if jurisdiction is None:
            parent = Jurisdiction.objects.filter(level="state", state=state).first()
            if parent is None:
                continue
            slug = slugify(f"{name} {state}")
            if Jurisdiction.objects.filter(slug=slug).exists():
                slug = f"{slug}-{level}"
            jurisdiction = Jurisdiction.objects.create(name=name, slug=slug, level=level, state=state, parent=parent)
        law, made = OversightLaw.objects.get_or_create(
            jurisdiction=jurisdiction, citation=fields["citation"], defaults=fields
        )
        if made and covers:
            law.technologies.set(Technology.objects.filter(slug__in=covers[0]))
        created += made
    return created
