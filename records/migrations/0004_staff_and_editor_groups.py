from django.db import migrations

# Staff log and edit records; editors may also delete (and publish, embargo and merge, which are edits).
STAFF_ACTIONS = ("add", "change", "view")
EDITOR_ACTIONS = ("add", "change", "view", "delete")


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    records_permissions = Permission.objects.filter(content_type__app_label="records")
    for name, actions in (("staff", STAFF_ACTIONS), ("editors", EDITOR_ACTIONS)):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set([p for p in records_permissions if p.codename.split("_", 1)[0] in actions])


class Migration(migrations.Migration):
    dependencies = [("records", "0003_staff_history_mentions_merges"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
