"""An index for the procurement list filtered by state and vendor (see Procurement.Meta.indexes)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0009_procurement_state"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="procurement",
            index=models.Index(fields=["state", "vendor", "id"], name="procurement_state_vendor_id"),
        ),
    ]
