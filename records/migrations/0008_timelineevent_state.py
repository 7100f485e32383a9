"""TimelineEvent.state: the state of the entry's agency, copied onto the entry.

The global timeline filtered by state (and vendor) went through the agency and jurisdiction joins and
walked events until a page matched, about 70 ms at national scale (a million entries, 18,000 agencies).
With the state on the entry and an index on (state, date, id) it reads the state's entries in date
order, bounded by the page. Existing rows are filled with one UPDATE before the index is built; history
rows keep the empty default (they record what was saved then).
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def fill_states(apps, schema_editor):
    """One correlated UPDATE (works on PostgreSQL and SQLite): each entry takes its agency's state."""
    TimelineEvent = apps.get_model("records", "TimelineEvent")
    Agency = apps.get_model("records", "Agency")
    state = Agency.objects.filter(pk=OuterRef("agency_id")).values("jurisdiction__state")[:1]
    TimelineEvent.objects.exclude(agency=None).update(state=Coalesce(Subquery(state), Value("")))


class Migration(migrations.Migration):

    dependencies = [
        ('records', '0007_content_version'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicaltimelineevent',
            name='state',
            field=models.CharField(blank=True, default='', editable=False, max_length=2),
        ),
        migrations.AddField(
            model_name='timelineevent',
            name='state',
            field=models.CharField(blank=True, default='', editable=False, max_length=2),
        ),
        migrations.RunPython(fill_states, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='timelineevent',
            index=models.Index(fields=['state', 'date', 'id'], name='event_state_date_id'),
        ),
    ]
