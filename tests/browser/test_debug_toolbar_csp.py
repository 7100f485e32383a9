"""In development with DEBUG on, django-debug-toolbar works under the site's strict Content Security Policy:
its scripts run and its styles apply, and the browser reports no violation.

The live server of the other browser tests runs with the test settings (DEBUG off, no toolbar), so this one
starts the development server itself, on an empty SQLite database (the sign-in page reads none).
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def development_server(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ENV", "SECRET_KEY", "DATABASE_REPLICA_URL"}}
    env |= {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "MEDIA_ROOT": str(tmp_path)}
    command = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=2)  # noqa: S310 -- our own server
                break
            except urllib.error.HTTPError:
                break  # it answers (503: no tables in the empty database)
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the development server did not start: {server.stderr.read().decode()[-2000:]}")
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_toolbar_runs_under_the_strict_policy(page, development_server):
    console = []
    page.on("console", lambda message: console.append(message.text))
    response = page.goto(f"{development_server}/accounts/login/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    toolbar = page.locator("#djDebugToolbar")
    toolbar.wait_for(state="visible")  # its script ran: the toolbar starts hidden
    assert toolbar.evaluate("element => getComputedStyle(element).position") == "fixed"  # its stylesheet applies
    page.locator("#djDebugPanelList a.HeadersPanel").click()
    expect(page.locator("#HeadersPanel")).to_contain_text("Content-Security-Policy")
    assert not [text for text in console if "Content Security Policy" in text]
