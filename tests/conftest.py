import pytest


def pytest_report_header(config):
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing is slow on purpose; tests only need it to work.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_cache():
    # Rate-limit counters and cached fragments live in the cache; each test starts with none.
    from django.core.cache import caches

    for each in caches.all():
        each.clear()


@pytest.fixture(autouse=True)
def seeded_rows(request):
    """A transactional test starts with the rows the migrations seed (states and their laws, technologies,
    the staff and editors groups). serialized_rollback should bring them back after an earlier test's flush,
    but after a live-server browser test that followed ordinary tests it did not (seen on PostgreSQL), and
    later tests failed on a missing group; so they are put back here when they are missing."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("_django_db_helper")
    import importlib

    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.management import create_contenttypes

    from records.importers.reference_data import seed_reference_data
    from records.models import Technology

    if Group.objects.filter(name="editors").exists() and Technology.objects.exists():
        return
    if not Technology.objects.exists():
        seed_reference_data(apps)
    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0)
        create_permissions(app_config, verbosity=0)
    groups = importlib.import_module("records.migrations.0004_staff_and_editor_groups")
    records_permissions = Permission.objects.filter(content_type__app_label="records")
    for name, actions in (("staff", groups.STAFF_ACTIONS), ("editors", groups.EDITOR_ACTIONS)):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set([p for p in records_permissions if p.codename.split("_", 1)[0] in actions])
