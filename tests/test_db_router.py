"""The read-replica router, with a second alias ("replica") that mirrors the test database."""

import pytest
from django.db import connections, transaction
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext

from records.models import Vendor
from tracker.db_router import PRIMARY, REPLICA, PrimaryForStaffMiddleware, ReplicaRouter, use_primary

# The alias as settings make it from DATABASE_REPLICA_URL, pointed at the test database by TEST MIRROR.
if REPLICA not in connections.settings:
    connections.settings[REPLICA] = {**connections.settings[PRIMARY], "TEST": {"MIRROR": PRIMARY}}

ROUTED = override_settings(DATABASE_ROUTERS=["tracker.db_router.ReplicaRouter"])
# Transactional, so that the replica connection sees committed rows; serialized_rollback puts back the rows the
# migrations seed (technologies, laws, groups) after the flush, for the tests that run later.
pytestmark = pytest.mark.django_db(databases=[PRIMARY, REPLICA], transaction=True, serialized_rollback=True)


def aliases_used(action) -> dict[str, int]:
    with CaptureQueriesContext(connections[PRIMARY]) as primary, CaptureQueriesContext(connections[REPLICA]) as replica:
        action()
    return {PRIMARY: len(primary), REPLICA: len(replica)}


def test_reads_go_to_the_replica_and_writes_to_the_primary():
    with ROUTED:
        # The vendor and its history row (django-simple-history): both on the primary.
        used = aliases_used(lambda: Vendor.objects.create(name="Axon", slug="axon"))
        assert used[PRIMARY] >= 1 and used[REPLICA] == 0
        # The replica is the same database here, so the committed row is there to read.
        assert aliases_used(lambda: Vendor.objects.get(slug="axon")) == {PRIMARY: 0, REPLICA: 1}


def test_reads_inside_a_transaction_stay_on_the_primary():
    def write_then_read():
        with transaction.atomic():
            Vendor.objects.create(name="Flock Safety", slug="flock-safety")
            assert Vendor.objects.filter(slug="flock-safety").exists()

    with ROUTED:
        assert aliases_used(write_then_read)[REPLICA] == 0


def test_use_primary_pins_reads():
    with ROUTED, use_primary():
        assert aliases_used(lambda: list(Vendor.objects.all())) == {PRIMARY: 1, REPLICA: 0}


def test_staff_pages_and_writes_read_from_the_primary_public_pages_from_the_replica():
    router, seen = ReplicaRouter(), []
    middleware = PrimaryForStaffMiddleware(lambda request: seen.append(router.db_for_read(Vendor)))
    factory = RequestFactory()
    middleware(factory.get("/timeline/"))
    middleware(factory.get("/staff/requests/new/"))
    middleware(factory.get("/admin/records/vendor/"))
    middleware(factory.post("/timeline/"))
    assert seen == [REPLICA, PRIMARY, PRIMARY, PRIMARY]


def test_only_the_primary_is_migrated_and_writes_never_go_to_the_replica():
    router = ReplicaRouter()
    assert router.allow_migrate(PRIMARY, "records") and not router.allow_migrate(REPLICA, "records")
    assert router.db_for_write(Vendor) == PRIMARY
    assert router.allow_relation(Vendor(), Vendor())


def test_settings_add_the_replica_only_when_its_url_is_set():
    import os
    import subprocess
    import sys

    code = "from django.conf import settings; print(sorted(settings.DATABASES), settings.DATABASE_ROUTERS)"
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="tracker.settings", DATABASE_URL="sqlite:///var/a.sqlite3")
    run = [sys.executable, "-c", f"import django; django.setup(); {code}"]
    without = subprocess.run(run, env=env, capture_output=True, text=True, check=True).stdout
    env["DATABASE_REPLICA_URL"] = "postgres://reader@replica.internal/tracker"
    with_replica = subprocess.run(run, env=env, capture_output=True, text=True, check=True).stdout
    assert without.strip() == "['default'] []"
    assert with_replica.strip() == "['default', 'replica'] ['tracker.db_router.ReplicaRouter']"


def test_uploaded_files_go_to_object_storage_only_when_a_bucket_is_set():
    import os
    import subprocess
    import sys

    code = "from django.core.files.storage import storages; print(type(storages['default']).__name__)"
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="tracker.settings", DATABASE_URL="sqlite:///var/a.sqlite3")
    env.pop("S3_BUCKET", None)
    run = [sys.executable, "-c", f"import django; django.setup(); {code}"]
    assert subprocess.run(run, env=env, capture_output=True, text=True, check=True).stdout.strip() == (
        "FileSystemStorage"
    )
    env |= {"S3_BUCKET": "tracker-documents", "S3_ENDPOINT_URL": "http://127.0.0.1:9000", "S3_REGION": "us-east-1"}
    assert subprocess.run(run, env=env, capture_output=True, text=True, check=True).stdout.strip() == "S3Storage"
