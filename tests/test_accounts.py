"""Signing in and out, and the lockout after repeated failures."""

import pytest

from tests.accounts import PASSWORD, user

pytestmark = pytest.mark.django_db


def sign_in(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR="198.51.100.7")


def test_staff_sign_in_lands_on_the_dashboard_and_sign_out_returns_home(client):
    user("staff")
    response = sign_in(client, "staff-user", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/staff/").status_code == 302


def test_a_wrong_password_says_so(client):
    user("staff")
    response = sign_in(client, "staff-user", "wrong")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_repeated_failures_lock_the_account_out(client, settings):
    user("staff")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "staff-user", "wrong")
    response = sign_in(client, "staff-user", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert client.get("/staff/").status_code == 302
