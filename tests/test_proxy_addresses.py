"""Behind proxies: the client address is the one the trusted proxy appended, never what the client wrote into
X-Forwarded-For; the search limit cannot be dodged by forging it; sign-in lockouts are per username, so one staff
member's failures do not lock out another behind the same address; and with CACHE_URL the counters live in one
Redis server that every app server shares."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, RequestFactory

from records.web.ratelimit import client_address
from tests import servers
from tests.accounts import PASSWORD, user
from tracker.env import cache_backend

ROOT = Path(__file__).resolve().parent.parent
PROXY = "10.0.0.2"  # the proxy's own address: REMOTE_ADDR of every request that came through it


def address(settings, proxies: int, forwarded: str | None, remote: str = PROXY) -> str:
    settings.TRUSTED_PROXY_COUNT = proxies
    meta = {"REMOTE_ADDR": remote} | ({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {})
    return client_address(RequestFactory().get("/", **meta))


def test_the_client_is_the_hop_the_trusted_proxies_appended(settings):
    # No proxy trusted: whatever the header says, the peer is the client.
    assert address(settings, 0, "198.51.100.1", remote="203.0.113.5") == "203.0.113.5"
    # One proxy: the right-most entry is the one it appended; what the client wrote stands to its left.
    assert address(settings, 1, "198.51.100.1, 203.0.113.5") == "203.0.113.5"
    assert address(settings, 1, "203.0.113.5") == "203.0.113.5"
    # Two proxies (a CDN, then nginx): nginx appended the CDN's address, the CDN the client's.
    assert address(settings, 2, "198.51.100.1, 203.0.113.5, 192.0.2.10") == "203.0.113.5"
    # A request that came past fewer proxies: the left-most hop, still written by a proxy.
    assert address(settings, 2, "203.0.113.5") == "203.0.113.5"
    # No header, or a hop that is not an address: the peer.
    assert address(settings, 1, None) == PROXY
    assert address(settings, 1, "198.51.100.1, not-an-address") == PROXY
    assert address(settings, 1, "2001:DB8::1") == "2001:db8::1"
    # No address at all (a unix socket): None, which django-axes stores as no address.
    assert address(settings, 0, None, remote="") is None


@pytest.mark.django_db
@pytest.mark.parametrize("proxies", [0, 1])
def test_a_forged_forwarded_header_does_not_get_round_the_search_limit(client, settings, proxies):
    settings.SEARCH_RATE_LIMIT = 3
    settings.TRUSTED_PROXY_COUNT = proxies

    def search(n: int):
        # The client writes a new address each time; the proxy (if any) appends the client's real one.
        forged = f"198.51.100.{n}"
        forwarded = f"{forged}, 203.0.113.5" if proxies else forged
        remote = PROXY if proxies else "203.0.113.5"
        return client.get("/search/?q=flock", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    assert [search(n).status_code for n in range(1, 4)] == [200, 200, 200]
    limited = search(4)
    assert limited.status_code == 429
    assert "Too many searches from your address" in limited.content.decode()
    if proxies:  # another client behind the same proxy is not limited with it
        other = client.get("/search/?q=flock", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.77")
        assert other.status_code == 200


def sign_in(client, username, password, client_ip):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=client_ip,
    )


@pytest.mark.django_db
def test_one_staff_members_failures_do_not_lock_out_another_behind_the_same_address(settings):
    from axes.models import AccessAttempt

    settings.TRUSTED_PROXY_COUNT = 1
    user("staff"), user("editor")
    office = "203.0.113.20"  # both work behind the office's one address
    careless, colleague = Client(), Client()
    codes = [sign_in(careless, "staff-user", "wrong", office).status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert codes == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]  # the last failure locks
    locked = sign_in(careless, "staff-user", PASSWORD, office)
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    # Locked by username: from any address.
    assert sign_in(Client(), "staff-user", PASSWORD, "198.51.100.40").status_code == 429

    response = sign_in(colleague, "editor-user", PASSWORD, office)
    assert response.status_code == 302 and response["Location"] == "/staff/"
    # Axes recorded the client behind the proxy, not the proxy.
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {office, "198.51.100.40"}


@pytest.mark.django_db
def test_one_address_trying_many_usernames_is_slowed_down(client, settings):
    settings.SIGN_IN_RATE_LIMIT = 4
    for n in range(4):
        assert sign_in(client, f"guess-{n}", "wrong", "203.0.113.9").status_code == 200
    limited = sign_in(client, "guess-5", "wrong", "203.0.113.9")
    assert limited.status_code == 429
    assert "Too many sign-in requests from your address" in limited.content.decode()


@pytest.fixture(scope="module")
def redis_url():
    with servers.redis_server() as url:
        yield url


@pytest.mark.django_db
def test_with_redis_the_search_limit_is_one_count_for_every_app_server(settings, redis_url):
    settings.CACHES = {**settings.CACHES, "default": cache_backend(redis_url)}
    settings.SEARCH_RATE_LIMIT = 3
    server_a, server_b = Client(), Client()
    for _ in range(2):
        assert server_a.get("/search/?q=flock", REMOTE_ADDR="203.0.113.5").status_code == 200

    # Another process with the same CACHE_URL (an app server elsewhere) adds its search to the same count.
    code = (
        "import django, json, time; django.setup()\n"
        "from django.core.cache import cache\n"
        "key = f'ratelimit:search:203.0.113.5:{int(time.time() // 60)}'\n"
        "print(json.dumps([cache.incr(key), cache.get(key)]))\n"
    )
    env = {**os.environ, "CACHE_URL": redis_url, "DJANGO_SETTINGS_MODULE": "tracker.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [3, 3]

    assert server_b.get("/search/?q=flock", REMOTE_ADDR="203.0.113.5").status_code == 429
    assert server_b.get("/search/?q=flock", REMOTE_ADDR="203.0.113.6").status_code == 200
