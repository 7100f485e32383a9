"""django-debug-toolbar is on only in development with DEBUG and when it is installed; never in production and
never while the tests run. Its pages are served exactly when it is on."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent

# The settings and URLconf of a fresh process; HIDE makes the package unimportable, as if not installed.
PROBE = """
import json, sys
if HIDE:
    sys.modules["debug_toolbar"] = None
import django
django.setup()
from django.conf import settings
from django.urls import NoReverseMatch, reverse
try:
    reverse("djdt:render_panel")
    urls = True
except NoReverseMatch:
    urls = False
print(json.dumps({
    "setting": settings.DEBUG_TOOLBAR,
    "app": "debug_toolbar" in settings.INSTALLED_APPS,
    "middleware": "debug_toolbar.middleware.DebugToolbarMiddleware" in settings.MIDDLEWARE,
    "urls": urls,
}))
"""

PRODUCTION = {"DJANGO_ENV": "production", "SECRET_KEY": "production-key-" * 5, "ALLOWED_HOSTS": "tracker.example"}


def probe(env: dict, hide: bool = False) -> dict:
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "DJANGO_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_REPLICA_URL"}
    }
    environ |= {"DJANGO_SETTINGS_MODULE": "tracker.settings", "DATABASE_URL": "sqlite:///var/a.sqlite3", **env}
    code = f"HIDE = {hide!r}\n{PROBE}"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


ON = {"setting": True, "app": True, "middleware": True, "urls": True}
OFF = {"setting": False, "app": False, "middleware": False, "urls": False}


@pytest.mark.parametrize(
    ("env", "hide", "expected"),
    [
        ({"DEBUG": "1"}, False, ON),
        ({}, False, OFF),
        ({"DEBUG": "0"}, False, OFF),
        ({"DEBUG": "1", **PRODUCTION}, False, OFF),
        ({"DEBUG": "1"}, True, OFF),
    ],
    ids=["development-debug", "development", "debug-off", "production-debug", "not-installed"],
)
def test_it_is_installed_only_in_development_with_debug(env, hide, expected):
    assert probe(env, hide) == expected


def test_it_never_shows_while_the_tests_run(client):
    # pytest-django runs the tests with DEBUG off whatever the environment says, and the toolbar shows only
    # with DEBUG on, even to this machine's address.
    assert settings.DEBUG is False
    response = client.get("/accounts/login/", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    assert b"djDebug" not in response.content
