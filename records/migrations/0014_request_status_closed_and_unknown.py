# Two statuses for what an agency's own FOIA log can tell: "closed, outcome not recorded" and "status unknown".

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('records', '0013_duplicate_pairs_alias_match_case'),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalrecordsrequest',
            name='status',
            field=models.CharField(choices=[('draft', 'Draft'), ('filed', 'Filed'), ('acknowledged', 'Acknowledged'), ('processing', 'Processing'), ('fix_required', 'Fix required'), ('payment_required', 'Payment required'), ('partially_fulfilled', 'Partially fulfilled'), ('fulfilled', 'Fulfilled'), ('no_records', 'No responsive records'), ('rejected', 'Rejected'), ('appealed', 'Appealed'), ('withdrawn', 'Withdrawn'), ('closed', 'Closed, outcome not recorded'), ('unknown', 'Status unknown')], default='draft', max_length=20),
        ),
        migrations.AlterField(
            model_name='recordsrequest',
            name='status',
            field=models.CharField(choices=[('draft', 'Draft'), ('filed', 'Filed'), ('acknowledged', 'Acknowledged'), ('processing', 'Processing'), ('fix_required', 'Fix required'), ('payment_required', 'Payment required'), ('partially_fulfilled', 'Partially fulfilled'), ('fulfilled', 'Fulfilled'), ('no_records', 'No responsive records'), ('rejected', 'Rejected'), ('appealed', 'Appealed'), ('withdrawn', 'Withdrawn'), ('closed', 'Closed, outcome not recorded'), ('unknown', 'Status unknown')], default='draft', max_length=20),
        ),
        migrations.AlterField(
            model_name='requeststatuschange',
            name='status',
            field=models.CharField(choices=[('draft', 'Draft'), ('filed', 'Filed'), ('acknowledged', 'Acknowledged'), ('processing', 'Processing'), ('fix_required', 'Fix required'), ('payment_required', 'Payment required'), ('partially_fulfilled', 'Partially fulfilled'), ('fulfilled', 'Fulfilled'), ('no_records', 'No responsive records'), ('rejected', 'Rejected'), ('appealed', 'Appealed'), ('withdrawn', 'Withdrawn'), ('closed', 'Closed, outcome not recorded'), ('unknown', 'Status unknown')], max_length=20),
        ),
    ]
