"""The production set-up of README "Growing past one machine" end to end, as `make deploy-test` runs it: two
gunicorn app servers, a task worker, Redis and an S3-compatible bucket over one PostgreSQL (scripts/deploy_test.py
says each step). It runs in the PostgreSQL run of `make test`, in a database of its own on the same server."""

import os
import subprocess
import sys
import urllib.parse
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests import servers

pytestmark = pytest.mark.deploy
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def own_database():
    """A new, empty database on the suite's PostgreSQL server; its URL. Dropped afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("the deployment test needs PostgreSQL: it runs in the PostgreSQL run")
    servers.require_redis_server()
    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    name = f"deploy_test_{uuid.uuid4().hex[:8]}"
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    params["dbname"] = url.path.lstrip("/") or "postgres"  # the server's own database, not the suite's
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urllib.parse.urlunsplit(url._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_two_app_servers_a_worker_redis_and_a_bucket_work_together(own_database):
    run = subprocess.run(
        [sys.executable, "scripts/deploy_test.py"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": own_database},
        capture_output=True,
        text=True,
        timeout=600,
    )
    said = run.stdout + run.stderr
    assert run.returncode == 0, said[-4000:]
    assert "deploy-test: passed" in said
    # The outages were lived through, not skipped.
    assert "with the worker stopped for 10 s, the scan stays queued" in said
    assert "with Redis stopped for 10 s, B answered" in said
