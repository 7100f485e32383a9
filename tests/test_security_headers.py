"""The headers of every page type, graded by Mozilla Observatory's published scoring rules: A+ required.

Rules (observatory's scoring, as published): start at 100; a missing or unsafe Content-Security-Policy
costs 25 or 20, and one with default-src 'none' and nothing unsafe earns 10; a missing
X-Content-Type-Options costs 5; framing not prevented costs 20, prevented by CSP frame-ancestors
earns 5; a missing HSTS of at least six months costs 20, a preloadable one earns 5; a private
Referrer-Policy earns 5, an unsafe one costs 5; session cookies without Secure cost 20, cookies that
are Secure, HttpOnly (sessions) and SameSite earn 5. Bonuses count only from a base of 90. A+ is 100+.
"""

import re

import pytest

from tests import factories
from tests.accounts import user

pytestmark = pytest.mark.django_db
PRIVATE_REFERRERS = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
UNSAFE_REFERRERS = {"unsafe-url", "origin", "origin-when-cross-origin", "no-referrer-when-downgrade"}


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0].lower()] = words[1:]
    return parsed


def observatory_score(response) -> tuple[int, list[str]]:
    penalties, bonuses, notes = 0, 0, []
    csp = directives(response.get("Content-Security-Policy", ""))
    if not csp:
        penalties += 25
        notes.append("no CSP")
    else:
        scripts = csp.get("script-src", csp.get("default-src", []))
        styles = csp.get("style-src", csp.get("default-src", []))
        if "'unsafe-inline'" in scripts + styles or "'unsafe-eval'" in scripts or "*" in scripts:
            penalties += 20
            notes.append("unsafe CSP")
        elif csp.get("default-src") == ["'none'"]:
            bonuses += 10
    if response.get("X-Content-Type-Options", "").lower() != "nosniff":
        penalties += 5
        notes.append("no nosniff")
    if csp.get("frame-ancestors") in (["'none'"], ["'self'"]):
        bonuses += 5
    elif response.get("X-Frame-Options", "").upper() not in {"DENY", "SAMEORIGIN"}:
        penalties += 20
        notes.append("framing allowed")
    hsts = response.get("Strict-Transport-Security", "")
    max_age = int(re.search(r"max-age=(\d+)", hsts)[1]) if "max-age=" in hsts else 0
    if max_age < 15_768_000:
        penalties += 20
        notes.append("no HSTS of six months")
    elif "preload" in hsts and "includesubdomains" in hsts.lower():
        bonuses += 5
    referrer = response.get("Referrer-Policy", "").split(",")[-1].strip().lower()
    if referrer in PRIVATE_REFERRERS:
        bonuses += 5
    elif referrer in UNSAFE_REFERRERS:
        penalties += 5
    cookies = list(response.cookies.values())
    if cookies:
        secure = all(c["secure"] for c in cookies)
        sessions_httponly = all(c["httponly"] for c in cookies if c.key == "sessionid")
        samesite = all(c["samesite"] for c in cookies)
        if not secure:
            penalties += 20
            notes.append("cookie without Secure")
        elif sessions_httponly and samesite:
            bonuses += 5
    base = 100 - penalties
    return (base + bonuses if base >= 90 else base), notes


@pytest.fixture
def production_headers(settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True


@pytest.fixture
def world():
    from records.importers.demo import load_demo

    load_demo()
    agency = factories.agency("Header Police Department", "OR")
    return agency


def page_types(world) -> dict[str, str]:
    from records.models import Document, RecordsRequest, TimelineEvent

    return {
        "home": "/", "list": "/agencies/", "timeline": "/timeline/?vendor=amazon",
        "agency": world.get_absolute_url(),
        "vendor": "/vendors/amazon/", "technology": "/technologies/face-recognition/",
        "request": RecordsRequest.objects.first().get_absolute_url(),
        "document": Document.objects.first().get_absolute_url(),
        "event": TimelineEvent.objects.first().get_absolute_url(),
        "search": "/search/?q=rekognition", "json": "/timeline/?format=json", "csv": "/agencies/?format=csv",
        "feed": "/timeline/feed/", "sitemap": "/sitemap.xml", "ocds": "/procurements/ocds.json",
        "sign-in": "/accounts/login/",
        "not found": "/agencies/nope/", "health": "/healthz",
    }  # fmt: skip


def test_every_public_page_type_grades_a_plus(client, production_headers, world):
    grades = {}
    for name, path in page_types(world).items():
        response = client.get(path, secure=True)
        assert response.status_code in {200, 404}, (name, response.status_code)
        grades[name] = observatory_score(response)
    assert {name: score for name, (score, _notes) in grades.items() if score < 100} == {}


def test_staff_pages_and_their_cookies_grade_a_plus(client, production_headers, world):
    client.force_login(user("editor"))
    for path in ["/staff/", "/staff/requests/new/"]:
        response = client.get(path, secure=True)
        score, notes = observatory_score(response)
        assert score >= 100, (path, score, notes)
    response = client.post(
        "/accounts/login/", {"username": "editor-user", "password": "a-long-test-password-123"}, secure=True
    )
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert observatory_score(response)[0] >= 100


def test_csp_is_strict(client, world):
    policy = directives(client.get("/").get("Content-Security-Policy"))
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"] + policy["style-src"]
    assert client.get("/").get("Cross-Origin-Opener-Policy") == "same-origin"


def test_no_inline_script_or_style_in_any_page(client, world):
    for path in page_types(world).values():
        response = client.get(path)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        assert "<script" not in html.replace("<script src=", ""), path
        assert " style=" not in html and "<style" not in html, path


def test_staff_pages_and_the_staff_calendar_are_never_kept_by_a_shared_cache(client):
    from records.models import StaffProfile

    staff = user("staff")
    token = StaffProfile.objects.create(user=staff).calendar_token
    assert "no-store" in client.get(f"/staff/deadlines.ics?token={token}")["Cache-Control"]
    client.force_login(staff)
    for path in ("/staff/", "/staff/review/", "/staff/procurements/new/", "/staff/documents/"):
        cache_control = client.get(path)["Cache-Control"]
        assert "private" in cache_control and "no-store" in cache_control, path


def test_healthz_answers_plain_http_when_everything_else_redirects(client, settings):
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    # The production settings themselves, read in a process of their own.
    env = dict(os.environ, DJANGO_ENV="production", SECRET_KEY="abcdefghij" * 6, ALLOWED_HOSTS="tracker.example")
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SECURE_SSL_REDIRECT, s.SECURE_REDIRECT_EXEMPT]))"
    )
    env["DJANGO_SETTINGS_MODULE"] = "tracker.settings"
    root = Path(__file__).resolve().parent.parent
    output = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=True)
    redirect, exempt = json.loads(output.stdout.strip().splitlines()[-1])
    assert redirect is True
    settings.SECURE_SSL_REDIRECT, settings.SECURE_REDIRECT_EXEMPT = redirect, exempt
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301
