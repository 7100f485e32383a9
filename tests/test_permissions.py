"""A permission matrix generated from the URLconf: every URL x role x method has an expectation.

A new URL without an expectation fails `test_every_url_has_an_expectation`, so nothing is left out.
Django's own admin (its own permission system) is the one namespace left out on purpose.
"""

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from records.models import DocumentMention, Follow, ProposedRevision, StaffProfile, Subscriber
from records.web import digests
from tests import factories
from tests.accounts import user

pytestmark = pytest.mark.django_db
ROLES = ("anonymous", "reader", "staff", "editor")

# Expected status per role for GET and POST. "login" = redirect to the sign-in page.
PUBLIC = {"GET": dict.fromkeys(ROLES, 200), "POST": dict.fromkeys(ROLES, 405)}
STAFF_PAGE = {
    "GET": {"anonymous": "login", "reader": 403, "staff": 200, "editor": 200},
    "POST": {"anonymous": "login", "reader": 403, "staff": "written", "editor": "written"},
}
STAFF_ACTION = {
    "GET": {"anonymous": "login", "reader": 403, "staff": 405, "editor": 405},
    "POST": {"anonymous": "login", "reader": 403, "staff": "written", "editor": "written"},
}
EDITOR_PAGE = {
    "GET": {"anonymous": "login", "reader": 403, "staff": 403, "editor": 200},
    "POST": {"anonymous": "login", "reader": 403, "staff": 403, "editor": "written"},
}

EXPECTATIONS = {
    **dict.fromkeys(
        [
            "home",
            "timeline",
            "timeline-feed",
            "agency-list",
            "agency-detail",
            "agency-feed",
            "vendor-list",
            "vendor-detail",
            "vendor-feed",
            "technology-list",
            "technology-detail",
            "technology-feed",
            "procurement-list",
            "procurement-detail",
            "oversight",
            "sharing-list",
            "agency-sharing-json",
            "request-list",
            "request-detail",
            "document-list",
            "document-detail",
            "event-detail",
            "search",
            "sitemap",
            "sitemap-section",
            "robots-txt",
            "healthz",
            "procurements-ocds",
            "agency-names",
            "vendor-names",
            "product-names",
        ],
        PUBLIC,
    ),
    "login": {"GET": dict.fromkeys(ROLES, 200), "POST": dict.fromkeys(ROLES, 200)},
    "logout": {"GET": dict.fromkeys(ROLES, 405), "POST": dict.fromkeys(ROLES, 302)},
    "password_change": {
        "GET": {"anonymous": "login", "reader": 200, "staff": 200, "editor": 200},
        "POST": {"anonymous": "login", "reader": 200, "staff": 200, "editor": 200},
    },
    "password_change_done": {
        "GET": {"anonymous": "login", "reader": 200, "staff": 200, "editor": 200},
        "POST": {"anonymous": "login", "reader": 405, "staff": 405, "editor": 405},
    },
    **dict.fromkeys(
        [
            "staff-dashboard",
            "staff-request-new",
            "staff-request-detail",
            "staff-request-edit",
            "staff-request-history",
            "staff-procurement-new",
            "staff-event-new",
            "staff-calendar",
            "staff-document-list",
            "staff-document-upload",
            "staff-document-detail",
            # A staff member's change to the world's published procurement waits for an editor (tests/test_review.py).
            "staff-procurement-edit",
        ],
        STAFF_PAGE,
    ),  # fmt: skip
    **dict.fromkeys(["staff-request-status", "staff-calendar-rotate"], STAFF_ACTION),
    # The world's entry is published: only an editor changes it (a staff member's own private ones are theirs
    # to edit: tests/test_review.py).
    "staff-event-edit": EDITOR_PAGE,
    # Every staff member sees the queue; only editors publish from it.
    "staff-review": {
        "GET": {"anonymous": "login", "reader": 403, "staff": 200, "editor": 200},
        "POST": {"anonymous": "login", "reader": 403, "staff": 403, "editor": "written"},
    },
    # Only an editor accepts or rejects a change staff proposed to a published record.
    "staff-revision-decide": {
        "GET": {"anonymous": "login", "reader": 403, "staff": 403, "editor": 405},
        "POST": {"anonymous": "login", "reader": 403, "staff": 403, "editor": "written"},
    },
    # Every staff member sees the possible duplicates; only editors merge them or mark them not the same.
    "staff-duplicates": {
        "GET": {"anonymous": "login", "reader": 403, "staff": 200, "editor": 200},
        "POST": {"anonymous": "login", "reader": 403, "staff": 403, "editor": "written"},
    },
    **dict.fromkeys(["staff-document-extract", "staff-mention-update"], STAFF_ACTION),
    # The world's document has no stored file: the download answers 404 to everyone (tests/test_documents_upload.py
    # checks a real download and its visibility).
    "document-download": {"GET": dict.fromkeys(ROLES, 404), "POST": dict.fromkeys(ROLES, 405)},
    # Anyone may follow a page with an email address: an empty form is a 400 naming what is missing.
    "follow": {"GET": dict.fromkeys(ROLES, 200), "POST": dict.fromkeys(ROLES, 400)},
    # The signed link or the secret key in the URL is the permission, for anyone who has it (tests/test_follows.py
    # checks what each does); unsubscribing takes a POST with no session or CSRF token (RFC 8058 one-click).
    **dict.fromkeys(
        ["follow-confirm", "follow-unsubscribe", "follow-unsubscribe-all"],
        {"GET": dict.fromkeys(ROLES, 200), "POST": dict.fromkeys(ROLES, 200)},
    ),
    # Calendar apps cannot sign in: the secret token in the URL is the permission. Without it: 404.
    "staff-deadlines-ics": {"GET": dict.fromkeys(ROLES, 404), "POST": dict.fromkeys(ROLES, 405)},
}


def url_names(resolver=None, namespace="") -> list[str]:
    names = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            names += url_names(pattern, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.append(pattern.name)
    return names


def test_every_url_has_an_expectation():
    missing = sorted(set(url_names()) - set(EXPECTATIONS))
    assert missing == [], f"Add permission expectations for: {missing}"


@pytest.fixture
def world():
    agency = factories.agency("Agency", "OR")
    vendor = factories.vendor("Vendor")
    event = factories.event(agency, vendors=[vendor], technologies=[factories.technology()])
    records_request = factories.records_request(agency, status="filed", filed_on=datetime.date(2024, 1, 2))
    document = factories.document(agency, request=records_request)
    mention = DocumentMention.objects.create(document=document, vendor=vendor, pages=[1])
    procurement = factories.procurement(agency, vendor)
    subscriber = Subscriber.objects.create(email="follower@example.org")
    followed = Follow.objects.create(subscriber=subscriber, url=vendor.get_absolute_url(), label=vendor.name)
    # A second follow keeps the address when the first is unsubscribed, so that "unsubscribe all" finds it.
    Follow.objects.create(subscriber=subscriber, url="/timeline/?state=OR", label="Oregon")
    revision = ProposedRevision.objects.create(
        records_request=records_request, values={"subject": "Proposed"}, base={"subject": records_request.subject}
    )
    args = {
        "agency-detail": [agency.slug], "agency-feed": [agency.slug], "agency-sharing-json": [agency.slug],
        "vendor-detail": [vendor.slug],
        "vendor-feed": [vendor.slug], "technology-detail": ["face-recognition"],
        "technology-feed": ["face-recognition"], "procurement-detail": [procurement.pk],
        "request-detail": [records_request.pk], "document-detail": [document.pk], "event-detail": [event.pk],
        "staff-request-detail": [records_request.pk], "staff-request-edit": [records_request.pk],
        "staff-request-status": [records_request.pk], "staff-request-history": [records_request.pk],
        "document-download": [document.pk], "staff-document-detail": [document.pk],
        "staff-document-extract": [document.pk], "staff-mention-update": [document.pk, mention.pk],
        "staff-procurement-edit": [procurement.pk], "staff-event-edit": [event.pk],
        "staff-revision-decide": [revision.pk], "sitemap-section": ["documents"],
        "follow-confirm": [digests.confirm_token(followed, "daily")], "follow-unsubscribe": [followed.key],
        "follow-unsubscribe-all": [subscriber.key],
    }  # fmt: skip
    return args, records_request


def login(client, role):
    if role != "anonymous":
        client.force_login(user(role))


def check(response, expected, role, name, method):
    where = f"{method} {name} as {role}"
    if expected == "login":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], where
    elif expected == "written":
        # The request reached the view: either it saved (redirect) or it reported invalid input (200/400).
        assert response.status_code in {200, 302, 400}, where
    else:
        assert response.status_code == expected, f"{where}: {response.status_code}"


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, world, role):
    from django.urls import reverse

    args, records_request = world
    login(client, role)
    for name in sorted(EXPECTATIONS):
        url = reverse(name, args=args.get(name, []))
        for method in ("GET", "POST"):
            response = client.get(url) if method == "GET" else client.post(url, {})
            check(response, EXPECTATIONS[name][method][role], role, name, method)
            if name == "logout" and method == "POST":
                login(client, role)


def test_a_reader_cannot_change_a_request(client, world):
    _, records_request = world
    client.force_login(user("reader"))
    response = client.post(
        f"/staff/requests/{records_request.pk}/status/", {"status": "rejected", "date": "2024-01-05"}
    )
    assert response.status_code == 403
    records_request.refresh_from_db()
    assert records_request.status == "filed"


def test_the_calendar_feed_answers_its_token(client, world):
    staff = user("staff")
    token = StaffProfile.objects.create(user=staff).calendar_token
    records_request = world[1]
    records_request.due_on = datetime.date(2030, 1, 15)
    records_request.save()
    response = client.get(f"/staff/deadlines.ics?token={token}")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert "DTSTART;VALUE=DATE:20300115" in body
    assert client.get("/staff/deadlines.ics?token=wrong").status_code == 404
    staff.is_active = False
    staff.save()
    assert client.get(f"/staff/deadlines.ics?token={token}").status_code == 404


def test_leaving_the_staff_ends_the_calendar_feed_and_its_token(client, world):
    from django.contrib.auth.models import Group

    staff = user("staff")
    token = StaffProfile.objects.create(user=staff).calendar_token
    assert client.get(f"/staff/deadlines.ics?token={token}").status_code == 200
    staff.groups.remove(Group.objects.get(name="staff"))
    assert client.get(f"/staff/deadlines.ics?token={token}").status_code == 404
    assert StaffProfile.objects.get(user=staff).calendar_token != token
    # Removed from the group's side too; a group that is not staff changes nothing.
    editor = user("editor")
    editor_token = StaffProfile.objects.create(user=editor).calendar_token
    Group.objects.create(name="newsletter").user_set.add(editor)
    Group.objects.get(name="newsletter").user_set.remove(editor)
    assert StaffProfile.objects.get(user=editor).calendar_token == editor_token
    Group.objects.get(name="editors").user_set.remove(editor)
    assert StaffProfile.objects.get(user=editor).calendar_token != editor_token


def test_a_carriage_return_in_a_subject_cannot_add_lines_to_the_calendar(client, world):
    staff = user("staff")
    token = StaffProfile.objects.create(user=staff).calendar_token
    records_request = world[1]
    records_request.subject = "Drones\rATTENDEE:mailto:attacker@example.org\rX"
    records_request.due_on = datetime.date(2030, 1, 15)
    records_request.save()
    body = client.get(f"/staff/deadlines.ics?token={token}").content.decode()
    lines = body.split("\r\n")
    assert not any(line.startswith("ATTENDEE") for line in lines)
    assert all("\r" not in line and "\n" not in line for line in lines)
    assert "Drones\\nATTENDEE:mailto:attacker@example.org\\nX" in body.replace("\r\n ", "")
