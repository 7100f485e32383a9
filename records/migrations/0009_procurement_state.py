"""Procurement.state: the state of the procurement's agency, copied onto the procurement.

/procurements/?state=CT&vendor=X&amount_min=1000 went through the agency and jurisdiction joins: every
agency of the state, then each one's procurements, 11 ms at national scale (100,000 procurements, 18,000
agencies) and growing with the state's agencies. With the state on the procurement and an index on
(state, id), the list's page order, it walks one state's procurements and stops at a page. Existing rows
are filled with one UPDATE before the index is built; history rows keep the empty default (they record
what was saved then).
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def fill_states(apps, schema_editor):
    """One correlated UPDATE (works on PostgreSQL and SQLite): each procurement takes its agency's state."""
    Procurement = apps.get_model("records", "Procurement")
    Agency = apps.get_model("records", "Agency")
    state = Agency.objects.filter(pk=OuterRef("agency_id")).values("jurisdiction__state")[:1]
    Procurement.objects.update(state=Coalesce(Subquery(state), Value("")))


class Migration(migrations.Migration):

    dependencies = [
        ('records', '0008_timelineevent_state'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalprocurement',
            name='state',
            field=models.CharField(blank=True, default='', editable=False, max_length=2),
        ),
        migrations.AddField(
            model_name='procurement',
            name='state',
            field=models.CharField(blank=True, default='', editable=False, max_length=2),
        ),
        migrations.RunPython(fill_states, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='procurement',
            index=models.Index(fields=['state', 'id'], name='procurement_state_id'),
        ),
    ]
