# One document per file content and attachment point (agency, request), enforced by the database.
#
# Uploads that raced before this constraint may have left twins. They are merged, not kept: the oldest of
# each group stays and takes over what pointed at the others (timeline entries, citations, procurements,
# mentions a staff member decided on); its visibility becomes the strictest of the group, so that a twin an
# editor had hidden does not come back into view through the one kept. The twins share one stored file
# (files are stored by hash), so no file is removed.

import datetime

from django.conf import settings
from django.db import migrations, models
from django.db.models import Count

STRICTNESS = {"private": 2, "embargoed": 1, "public": 0}


def merge_twins(apps, schema_editor):
    Document = apps.get_model("records", "Document")
    DocumentMention = apps.get_model("records", "DocumentMention")
    groups = (
        Document.objects.exclude(sha256="")
        .values("sha256", "agency_id", "request_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    for group in groups:
        twins = list(
            Document.objects.filter(
                sha256=group["sha256"], agency_id=group["agency_id"], request_id=group["request_id"]
            ).order_by("pk")
        )
        kept, removed = twins[0], twins[1:]
        strictest = max(twins, key=lambda d: (STRICTNESS.get(d.visibility, 2), d.embargo_until or datetime.date.min))
        if (strictest.visibility, strictest.embargo_until) != (kept.visibility, kept.embargo_until):
            kept.visibility, kept.embargo_until = strictest.visibility, strictest.embargo_until
            kept.save(update_fields=["visibility", "embargo_until"])
        for twin in removed:
            for relation in Document._meta.related_objects:
                model = relation.related_model
                if model._meta.model_name.startswith("historical") or relation.get_accessor_name() in ("pages", "mentions"):
                    continue
                if relation.many_to_many:
                    through = relation.through
                    source = relation.field.m2m_field_name()
                    target = relation.field.m2m_reverse_field_name()
                    already = through.objects.filter(**{target: kept}).values(source)
                    through.objects.filter(**{target: twin, f"{source}__in": already}).delete()
                    through.objects.filter(**{target: twin}).update(**{target: kept})
                elif relation.field.concrete:
                    model._base_manager.filter(**{relation.field.name: twin}).update(**{relation.field.name: kept})
            held = {(m.vendor_id, m.product_id): m for m in DocumentMention.objects.filter(document=kept)}
            for mention in DocumentMention.objects.filter(document=twin):
                mine = held.get((mention.vendor_id, mention.product_id))
                if mine is None:
                    mention.document = kept
                    mention.save(update_fields=["document"])
                elif mine.status == "found" and mention.status != "found":
                    mine.status = mention.status
                    mine.save(update_fields=["status"])
            twin.delete()
    if schema_editor.connection.vendor == "postgresql":
        # The deferred foreign-key checks of these changes must run before the indexes are built, in this
        # same transaction ("pending trigger events" otherwise).
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ('records', '0015_proposed_revisions_and_held_correspondence'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(merge_twins, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='document',
            constraint=models.UniqueConstraint(condition=models.Q(models.Q(('sha256', ''), _negated=True), ('agency__isnull', False), ('request__isnull', False)), fields=('sha256', 'agency', 'request'), name='document_one_per_content_agency_request', violation_error_message='This file is already uploaded there.'),
        ),
        migrations.AddConstraint(
            model_name='document',
            constraint=models.UniqueConstraint(condition=models.Q(models.Q(('sha256', ''), _negated=True), ('agency__isnull', False), ('request__isnull', True)), fields=('sha256', 'agency'), name='document_one_per_content_agency', violation_error_message='This file is already uploaded there.'),
        ),
        migrations.AddConstraint(
            model_name='document',
            constraint=models.UniqueConstraint(condition=models.Q(models.Q(('sha256', ''), _negated=True), ('agency__isnull', True), ('request__isnull', False)), fields=('sha256', 'request'), name='document_one_per_content_request', violation_error_message='This file is already uploaded there.'),
        ),
        migrations.AddConstraint(
            model_name='document',
            constraint=models.UniqueConstraint(condition=models.Q(models.Q(('sha256', ''), _negated=True), ('agency__isnull', True), ('request__isnull', True)), fields=('sha256',), name='document_one_per_content_standalone', violation_error_message='This file is already uploaded there.'),
        ),
    ]
