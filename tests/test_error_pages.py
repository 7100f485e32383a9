"""Friendly error pages, and 503 (not 500) while the database is unreachable."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PAGE_SCRIPT = """
import django, json
django.setup()
from django.test import Client
response = Client(raise_request_exception=False).get("/agencies/")
print(json.dumps({"status": response.status_code, "retry": response.get("Retry-After"),
                  "body": response.content.decode()}))
"""


@pytest.mark.django_db
def test_404_is_friendly(client):
    response = client.get("/agencies/no-such-agency/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("what", ["fields", "files"])
def test_an_oversized_form_gets_the_sites_own_page_and_saves_nothing(client, what):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from records.models import Document
    from tests.accounts import user

    client.force_login(user("staff"))
    if what == "fields":
        data = {f"field{n}": "x" for n in range(2000)}
    else:
        data = {"files": [SimpleUploadedFile(f"{'n' * 200}-{n}.txt", b"words") for n in range(150)]}
    response = client.post("/staff/documents/upload/", data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "That request was too large or malformed" in body and "Nothing was saved" in body
    assert '<link rel="stylesheet"' in body  # the site's page, not Django's bare one
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_403_is_friendly(client):
    from tests.accounts import user

    client.force_login(user("reader"))
    response = client.get("/staff/")
    assert response.status_code == 403
    assert "This part of the tracker is for staff" in response.content.decode()


def test_pages_answer_503_while_the_database_is_down():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": f"postgres://nobody@127.0.0.1:{port}/tracker"}
    result = subprocess.run(
        [sys.executable, "-c", PAGE_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503
    assert answer["retry"] == "30"
    assert "briefly unavailable" in answer["body"]


@pytest.mark.django_db
def test_search_is_rate_limited_per_address(client, settings):
    settings.SEARCH_RATE_LIMIT = 3
    for _ in range(3):
        assert client.get("/search/?q=rekognition", REMOTE_ADDR="203.0.113.5").status_code == 200
    limited = client.get("/search/?q=rekognition", REMOTE_ADDR="203.0.113.5")
    assert limited.status_code == 429
    assert "Too many searches" in limited.content.decode()
    assert int(limited["Retry-After"]) <= 60
    assert client.get("/search/?q=rekognition", REMOTE_ADDR="203.0.113.6").status_code == 200
