"""Detail links built by string formatting equal what reverse() gives, under any script prefix."""

import pytest
from django.urls import reverse, set_script_prefix

from records.links import detail_url


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("agency-detail", "washington-county-sheriff-or"),
        ("vendor-detail", "amazon"),
        ("technology-detail", "face-recognition"),
        ("event-detail", 1),
        ("event-detail", 987),
        ("document-detail", 42),
        ("procurement-detail", 7),
        ("request-detail", 120_034),
    ],
)
def test_detail_url_equals_reverse(name, value):
    assert detail_url(name, value) == reverse(name, args=[value])


def test_detail_url_follows_the_script_prefix():
    try:
        set_script_prefix("/tracker/")
        assert detail_url("vendor-detail", "flock-safety") == "/tracker/vendors/flock-safety/"
        assert detail_url("event-detail", 5) == reverse("event-detail", args=[5])
    finally:
        set_script_prefix("/")
    assert detail_url("vendor-detail", "flock-safety") == "/vendors/flock-safety/"
