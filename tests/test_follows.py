"""Following pages by email: double opt-in, digests of what became public (through a real SMTP server on this
machine, each message parsed as a mail program would), one-click unsubscribe, and the address deleted with it."""

import datetime
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from records.exports.archive import archived_models
from records.models import Follow, Publication, SentItem, Subscriber
from records.web import digests
from tests import factories
from tests.servers import smtp_server

pytestmark = pytest.mark.django_db
SITE = "https://tracker.test"
READER = "reader@example.org"


@pytest.fixture
def inbox(settings):
    with smtp_server() as (port, received):
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
            }
        }
        settings.SITE_URL = SITE
        settings.DEFAULT_FROM_EMAIL = "Tracker alerts <alerts@tracker.test>"
        settings.FOLLOW_RATE_LIMIT = 0
        yield received


@pytest.fixture
def flock():
    vendor = factories.vendor("Flock Safety")
    miami = factories.agency("Miami Police Department", "FL")
    atlanta = factories.agency("Atlanta Police Department", "GA")
    return vendor, miami, atlanta


def text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def ask(client, inbox, url, email=READER, cadence="daily") -> str:
    """Ask to follow `url`; the confirmation link the email brought (a path)."""
    before = len(inbox.to(email))
    response = client.post("/follow/", {"email": email, "cadence": cadence, "url": url})
    assert response.status_code == 200, response.content.decode()
    assert len(inbox.to(email)) == before + 1
    found = re.search(re.escape(SITE) + r"(/follow/confirm/[^/\s]+/)", text(inbox.to(email)[-1]))
    return found.group(1)


def follow(client, inbox, url, email=READER, cadence="daily") -> Follow:
    link = ask(client, inbox, url, email, cadence)
    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 200
    return Follow.objects.get(subscriber__email=email, url=digests.canonical_url(url))


def digests_sent(inbox, email=READER) -> list:
    """The digests (not the confirmation emails) that reached `email`."""
    return [m for m in inbox.to(email) if not m["Subject"].startswith("Confirm")]


def test_a_confirmed_follow_gets_a_new_public_entry_once_with_the_reason_and_a_working_unsubscribe(
    client, inbox, flock
):
    vendor, miami, _ = flock
    follow(client, inbox, f"/vendors/{vendor.slug}/")
    factories.event(miami, datetime.date(2026, 11, 2), [vendor], title="Miami signs a Flock Safety contract")
    call_command("send_digests", "--frequency", "daily", stdout=io.StringIO())
    call_command("send_digests", "--frequency", "daily", stdout=io.StringIO())

    [digest] = digests_sent(inbox)
    body = text(digest)
    assert "Miami signs a Flock Safety contract" in body
    assert "Because you follow Flock Safety." in body
    assert "Miami Police Department (FL)" in body
    subscriber = Subscriber.objects.get(email=READER)
    assert digest["List-Unsubscribe"] == f"<{SITE}/follow/unsubscribe-all/{subscriber.key}/>"
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert digest["To"] == READER
    # On the wire as one plain line, as mail programs read it (not folded into an RFC 2047 encoded word).
    assert f"\r\nList-Unsubscribe: <{SITE}/follow/unsubscribe-all/{subscriber.key}/>\r\n".encode() in digest.raw

    # The per-follow link: a page with a button, then the POST, with no session nor CSRF token.
    unsubscribe = re.search(re.escape(SITE) + r"(/follow/unsubscribe/[^/\s]+/)", body).group(1)
    assert client.get(unsubscribe).status_code == 200
    one_click = Client(enforce_csrf_checks=True)
    response = one_click.post(
        unsubscribe, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert not Follow.objects.exists()
    assert not Subscriber.objects.exists()  # the last follow took the address with it
    assert client.get(unsubscribe).status_code == 404


def test_the_list_unsubscribe_header_unsubscribes_everything_in_one_post_and_deletes_the_address(client, inbox, flock):
    vendor, miami, _ = flock
    follow(client, inbox, f"/vendors/{vendor.slug}/")
    follow(client, inbox, "/timeline/?state=FL")
    factories.event(miami, vendors=[vendor], title="Flock cameras in Miami")
    digests.send_digests(cadence="daily")
    assert SentItem.objects.count() == 1
    [digest] = digests_sent(inbox)
    header_url = digest["List-Unsubscribe"].strip("<>").removeprefix(SITE)
    one_click = Client(enforce_csrf_checks=True)
    response = one_click.post(header_url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert READER not in response.content.decode()
    assert not Subscriber.objects.filter(email=READER).exists()
    assert not Follow.objects.exists() and not SentItem.objects.exists()


def test_one_item_brought_by_two_follows_is_listed_once_with_both_reasons(client, inbox, flock):
    vendor, miami, _ = flock
    follow(client, inbox, f"/vendors/{vendor.slug}/")
    follow(client, inbox, "/timeline/?state=FL")
    factories.event(miami, vendors=[vendor], title="Flock cameras in Miami")
    digests.send_digests(cadence="daily")
    [digest] = digests_sent(inbox)
    body = text(digest)
    assert body.count("Flock cameras in Miami") == 1
    assert "Because you follow Flock Safety and Florida." in body


def test_a_daily_and_a_weekly_follow_never_send_the_same_item_twice(client, inbox, flock):
    vendor, miami, _ = flock
    follow(client, inbox, f"/vendors/{vendor.slug}/", cadence="daily")
    follow(client, inbox, "/timeline/?state=FL", cadence="weekly")
    factories.event(miami, vendors=[vendor], title="Flock cameras in Miami")
    digests.send_digests(cadence="daily")
    digests.send_digests(cadence="weekly")
    assert len(digests_sent(inbox)) == 1
    factories.event(miami, title="Miami council hearing")
    digests.send_digests(cadence="daily")
    digests.send_digests(cadence="weekly")
    second = digests_sent(inbox)[1]
    assert "Miami council hearing" in text(second) and "Flock cameras" not in text(second)


def test_unconfirmed_follows_get_nothing_but_the_confirmation(client, inbox, flock):
    vendor, miami, _ = flock
    ask(client, inbox, f"/vendors/{vendor.slug}/")
    factories.event(miami, vendors=[vendor], title="Flock cameras in Miami")
    run = digests.send_digests(cadence="daily")
    assert run.sent == 0
    [only] = inbox.to(READER)
    assert only["Subject"].startswith("Confirm")
    assert "Flock cameras" not in text(only)


def test_what_was_public_before_the_confirmation_is_not_sent(client, inbox, flock):
    vendor, miami, _ = flock
    factories.event(miami, vendors=[vendor], title="An old Flock contract")
    follow(client, inbox, f"/vendors/{vendor.slug}/")
    assert digests.send_digests(cadence="daily").sent == 0
    assert digests_sent(inbox) == []


def test_private_and_embargoed_entries_are_never_sent_and_an_embargo_end_sends_once(client, inbox, flock):
    vendor, miami, _ = flock
    follow(client, inbox, f"/vendors/{vendor.slug}/")
    today = timezone.localdate()
    factories.event(miami, vendors=[vendor], title="Private Flock pilot", visibility="private")
    factories.event(miami, vendors=[vendor], title="Embargoed Flock deal", visibility="embargoed",
                    embargo_until=today + datetime.timedelta(days=2))  # fmt: skip
    now = timezone.now()
    assert digests.send_digests(cadence="daily", now=now).sent == 0
    assert digests.send_digests(cadence="daily", now=now + datetime.timedelta(days=1)).sent == 0
    three_days_on = now + datetime.timedelta(days=3)
    assert digests.send_digests(cadence="daily", now=three_days_on).sent == 1
    assert digests.send_digests(cadence="daily", now=three_days_on + datetime.timedelta(days=1)).sent == 0
    [digest] = digests_sent(inbox)
    assert "Embargoed Flock deal" in text(digest)
    assert "Private Flock pilot" not in text(digest)


def test_an_entry_published_by_an_editor_later_goes_out_then(client, inbox, flock):
    vendor, miami, _ = flock
    follow(client, inbox, f"/vendors/{vendor.slug}/")
    event = factories.event(miami, vendors=[vendor], title="Draft Flock entry", visibility="private")
    digests.send_digests(cadence="daily")
    event.visibility = "public"
    event.save()
    digests.send_digests(cadence="daily")
    digests.send_digests(cadence="daily")
    [digest] = digests_sent(inbox)
    assert "Draft Flock entry" in text(digest)


def test_a_saved_search_of_the_timeline_brings_only_what_its_filters_match(client, inbox, flock):
    vendor, miami, atlanta = flock
    followed = follow(client, inbox, f"/timeline/?vendor={vendor.slug}&state=fl&after=2020-01-01:4")
    assert followed.url == f"/timeline/?state=fl&vendor={vendor.slug}"
    factories.event(miami, vendors=[vendor], title="Flock in Miami")
    factories.event(atlanta, vendors=[vendor], title="Flock in Atlanta")
    factories.event(miami, title="Miami without Flock")
    digests.send_digests(cadence="daily")
    [digest] = digests_sent(inbox)
    body = text(digest)
    assert "Flock in Miami" in body and "Atlanta" not in body and "without Flock" not in body
    assert f"Because you follow {followed.label}." in body
    assert "Flock Safety" in followed.label and "Florida" in followed.label


def test_a_followed_search_brings_new_public_documents_that_match(client, inbox, flock):
    _, miami, _ = flock
    follow(client, inbox, "/search/?q=quokka")
    factories.document(miami, title="Quokka memo", pages=["The quokka programme began in May"])
    factories.document(miami, title="Private quokka file", pages=["quokka"], visibility="private")
    factories.document(miami, title="Wallaby memo", pages=["Nothing about it"])
    digests.send_digests(cadence="daily")
    [digest] = digests_sent(inbox)
    body = text(digest)
    assert "Quokka memo" in body and "Private quokka" not in body and "Wallaby" not in body
    assert "Because you follow the search “quokka”." in body


def test_a_procurement_list_follow_brings_the_entries_of_matching_procurements(client, inbox, flock):
    vendor, miami, atlanta = flock
    follow(client, inbox, "/procurements/?state=GA")
    factories.event(atlanta, title="Atlanta buys cameras", procurement=factories.procurement(atlanta, vendor))
    factories.event(miami, title="Miami buys cameras", procurement=factories.procurement(miami, vendor))
    digests.send_digests(cadence="daily")
    [digest] = digests_sent(inbox)
    assert "Atlanta buys cameras" in text(digest) and "Miami" not in text(digest)


def test_a_failing_address_is_reported_and_keeps_its_items_while_the_others_get_theirs(client, inbox, flock):
    vendor, miami, _ = flock
    follow(client, inbox, f"/vendors/{vendor.slug}/", email="bounces@example.org")
    follow(client, inbox, f"/vendors/{vendor.slug}/", email="works@example.org")
    factories.event(miami, vendors=[vendor], title="Flock cameras in Miami")
    inbox.refuse.add("bounces@example.org")
    errors = io.StringIO()
    with pytest.raises(CommandError, match="1 digest"):
        call_command("send_digests", stdout=errors, stderr=errors)
    assert "550" in errors.getvalue() and "stay unsent" in errors.getvalue()
    assert "bounces@example.org" not in errors.getvalue()  # a log is no place for an address
    assert len(digests_sent(inbox, "works@example.org")) == 1
    assert not SentItem.objects.filter(subscriber__email="bounces@example.org").exists()
    inbox.refuse.clear()
    call_command("send_digests", stdout=errors)
    assert len(digests_sent(inbox, "bounces@example.org")) == 1
    assert len(digests_sent(inbox, "works@example.org")) == 1


def test_the_follow_form_previews_what_the_last_week_would_have_brought(client, inbox, flock):
    vendor, miami, _ = flock
    old = factories.event(miami, vendors=[vendor], title="Noticed long ago")
    Publication.objects.create(event=old, noticed_at=timezone.now() - datetime.timedelta(days=10))
    recent = factories.event(miami, vendors=[vendor], title="Noticed this week")
    Publication.objects.create(event=recent, noticed_at=timezone.now() - datetime.timedelta(days=2))
    factories.event(miami, vendors=[vendor], title="Not noticed yet")
    factories.event(miami, vendors=[vendor], title="Hidden", visibility="private")
    response = client.get(f"/follow/?url=/vendors/{vendor.slug}/")
    assert response.status_code == 200
    assert response.context["preview"] == 2
    assert "would have brought <strong>2</strong> new records" in response.content.decode()
    link = ask(client, inbox, f"/vendors/{vendor.slug}/")
    assert client.get(link).context["preview"] == 2


def test_bad_input_gets_a_clear_message_at_its_field(client, inbox):
    cases = [
        ({"email": "not an address", "cadence": "daily", "url": "/timeline/"}, "That is not an email address"),
        ({"email": READER, "cadence": "hourly", "url": "/timeline/"}, "Choose daily or weekly."),
        ({"email": READER, "cadence": "daily", "url": "/agencies/"}, "can be followed"),
        ({"email": READER, "cadence": "daily", "url": "/timeline/?state=ZZ"}, "two-letter USPS state code"),
        ({"email": READER, "cadence": "daily", "url": "/vendors/no-such-vendor/"}, "does not exist"),
        ({"email": READER, "cadence": "daily", "url": "/search/"}, "A search needs words"),
        ({"email": READER, "cadence": "daily", "url": ""}, "Say which page to follow"),
    ]
    for data, message in cases:
        response = client.post("/follow/", data)
        assert response.status_code == 400, data
        assert message in response.content.decode(), data
    assert inbox.messages == []
    assert not Subscriber.objects.exists()
    response = client.get("/follow/?url=/no/such/page/")
    assert response.status_code == 400 and "not a page of this site" in response.content.decode()
    # Not an address at all, asked for or posted; an unsubscribe key no link could hold.
    for url in ("http://[", "//[x/"):
        response = client.get("/follow/", {"url": url})
        assert response.status_code == 400 and "not the address of a page of this site" in response.content.decode()
        response = client.post("/follow/", {"email": READER, "cadence": "daily", "url": url})
        assert response.status_code == 400 and "not the address of a page of this site" in response.content.decode()
    assert client.get("/follow/unsubscribe/%00/").status_code == 404
    assert client.post("/follow/unsubscribe-all/bad%20key/").status_code == 404


def test_the_follow_pages_preview_is_limited_as_searches_are(client, inbox, settings):
    settings.SEARCH_RATE_LIMIT = 2
    for _ in range(2):
        assert client.get("/follow/", {"url": "/search/?q=contract"}).status_code == 200
    assert client.get("/follow/", {"url": "/search/?q=contract"}).status_code == 429


def test_the_follow_form_is_rate_limited_per_address(client, inbox, settings):
    settings.FOLLOW_RATE_LIMIT = 2
    for n in range(2):
        assert (
            client.post("/follow/", {"email": f"r{n}@example.org", "cadence": "daily", "url": "/timeline/"}).status_code
            == 200
        )
    response = client.post("/follow/", {"email": "r9@example.org", "cadence": "daily", "url": "/timeline/"})
    assert response.status_code == 429
    assert "Retry-After" in response
    assert len(inbox.messages) == 2


def test_a_link_that_expired_or_was_tampered_with_confirms_nothing(client, inbox, monkeypatch):
    link = ask(client, inbox, "/timeline/")
    assert client.post(link[:-3] + "xx/").status_code == 404
    real_time = digests.signing.time.time
    monkeypatch.setattr(digests.signing.time, "time", lambda: real_time() + 8 * 24 * 3600)
    response = client.post(link)
    assert response.status_code == 404 and "expired" in response.content.decode()
    assert Follow.objects.get().confirmed_at is None


def test_asking_again_with_another_cadence_changes_it_only_through_the_new_link(client, inbox):
    followed = follow(client, inbox, "/timeline/", cadence="daily")
    link = ask(client, inbox, "/timeline/", cadence="weekly")
    followed.refresh_from_db()
    assert followed.cadence == "daily"
    client.post(link)
    followed.refresh_from_db()
    assert followed.cadence == "weekly" and Follow.objects.count() == 1


def test_no_page_shows_the_address(client, inbox):
    link = ask(client, inbox, "/timeline/", email="Private.Person@Example.org")
    pages = [client.get(link), client.post(link)]
    follow_row = Follow.objects.get()
    pages.append(client.get(f"/follow/unsubscribe/{follow_row.key}/"))
    pages.append(client.get(f"/follow/unsubscribe-all/{follow_row.subscriber.key}/"))
    for response in pages:
        assert "private.person" not in response.content.decode().lower()
        assert "no-store" in response["Cache-Control"]
    assert Subscriber.objects.get().email == "private.person@example.org"


def test_unconfirmed_follows_and_their_addresses_are_deleted_after_a_week(client, inbox):
    ask(client, inbox, "/timeline/")
    digests.send_digests(cadence="daily", now=timezone.now() + datetime.timedelta(days=8))
    assert not Follow.objects.exists() and not Subscriber.objects.exists()


def test_follow_tables_are_not_archived():
    assert not {Subscriber, Follow, SentItem} & set(archived_models())
    assert Publication in archived_models()


def test_pages_offer_a_follow_link_with_their_filters(client, flock):
    vendor, miami, _ = flock
    page = client.get(f"/vendors/{vendor.slug}/").content.decode()
    assert f'href="/follow/?url=/vendors/{vendor.slug}/"' in page
    timeline = client.get("/timeline/?state=FL&after=").content.decode()
    assert 'href="/follow/?url=%2Ftimeline%2F%3Fstate%3DFL"' in timeline
    assert "Follow this search by email" in client.get("/search/?q=flock").content.decode()
    assert "/follow/" not in client.get("/agencies/").content.decode().split("<footer")[0]


def test_the_mailer_comes_from_email_url_or_the_email_host_variables():
    from django.core.exceptions import ImproperlyConfigured

    from tracker.env import email_mailer, site_url

    smtp = email_mailer({"EMAIL_URL": "smtp://alerts%40example.org:p%40ss@mail.example.org:587?tls=1"})["OPTIONS"]
    assert smtp["host"] == "mail.example.org" and smtp["port"] == 587
    assert smtp["username"] == "alerts@example.org" and smtp["password"] == "p@ss"
    assert smtp["use_tls"] and not smtp["use_ssl"]
    assert email_mailer({"EMAIL_URL": "smtps://mail.example.org"})["OPTIONS"]["port"] == 465
    assert email_mailer({"EMAIL_URL": "console://"})["BACKEND"].endswith("console.EmailBackend")
    assert email_mailer({})["BACKEND"].endswith("console.EmailBackend")
    host = email_mailer({"EMAIL_HOST": "relay", "EMAIL_USE_TLS": "1", "EMAIL_HOST_USER": "u"}, production=True)
    assert (host["OPTIONS"]["host"], host["OPTIONS"]["port"], host["OPTIONS"]["use_tls"]) == ("relay", 587, True)
    assert email_mailer({}, production=True)["BACKEND"].endswith("smtp.EmailBackend")
    for bad in ("ftp://x", "smtp://", "smtp://h:port", "smtps://h?tls=1"):
        with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
            email_mailer({"EMAIL_URL": bad})
    with pytest.raises(ImproperlyConfigured, match="EMAIL_USE_TLS"):
        email_mailer({"EMAIL_HOST": "relay", "EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"})
    assert site_url({"SITE_URL": "https://tracker.example.org/"}) == "https://tracker.example.org"
    with pytest.raises(ImproperlyConfigured, match="https"):
        site_url({"SITE_URL": "http://tracker.example.org"}, production=True)
    with pytest.raises(ImproperlyConfigured, match="SITE_URL"):
        site_url({"SITE_URL": "tracker.example.org"})


def test_a_long_digest_lists_the_newest_and_counts_the_rest_which_count_as_sent(client, inbox, flock, monkeypatch):
    vendor, miami, _ = flock
    monkeypatch.setattr(digests, "DIGEST_SHOWN", 2)
    follow(client, inbox, f"/vendors/{vendor.slug}/")
    for day in (1, 2, 3):
        factories.event(miami, datetime.date(2026, 10, day), [vendor], title=f"Flock entry of October {day}")
    digests.send_digests(cadence="daily")
    digests.send_digests(cadence="daily")
    [digest] = digests_sent(inbox)
    body = text(digest)
    assert digest["Subject"] == "3 new records on the Surveillance Procurement Tracker"
    assert "October 3" in body and "October 2" in body and "October 1" not in body
    assert "And 1 more" in body
    assert SentItem.objects.count() == 3


def test_without_site_url_nothing_is_offered_or_sent(client, inbox, settings):
    settings.SITE_URL = ""
    response = client.get("/follow/?url=/timeline/")
    assert response.status_code == 503 and "SITE_URL" in response.content.decode()
    assert client.post("/follow/", {"email": READER, "cadence": "daily", "url": "/timeline/"}).status_code == 503
    with pytest.raises(CommandError, match="SITE_URL"):
        call_command("send_digests", stdout=io.StringIO())
    assert inbox.messages == [] and not Subscriber.objects.exists()


def test_following_confirming_and_a_digest_run_leave_the_public_pages_kept(
    client, inbox, flock, django_capture_on_commit_callbacks
):
    """The follow tables are in no public page: writing them does not move the content token that keys them."""
    from records.models import ContentVersion

    vendor, miami, _ = flock
    factories.event(miami, vendors=[vendor], title="Already public")
    with django_capture_on_commit_callbacks(execute=True):
        digests.send_digests(cadence="daily")  # notes what is public, once
    before = ContentVersion.current()
    with django_capture_on_commit_callbacks(execute=True):
        follow(client, inbox, f"/vendors/{vendor.slug}/")
        digests.send_digests(cadence="daily")
        Follow.objects.get().delete()
    assert ContentVersion.current() == before


def test_the_migration_notes_what_was_public_before_alerts_existed_so_no_follow_brings_it(client, inbox, flock):
    import importlib
    from types import SimpleNamespace

    from django.db import connection

    migration = importlib.import_module("records.migrations.0024_follows")
    vendor, miami, _ = flock
    public = factories.event(miami, vendors=[vendor], title="From before alerts")
    private = factories.event(miami, vendors=[vendor], title="Private before alerts", visibility="private")
    ended = factories.event(miami, vendors=[vendor], title="Embargo ended before alerts", visibility="embargoed",
                            embargo_until=datetime.date(2020, 1, 1))  # fmt: skip
    document = factories.document(miami, title="Memo from before alerts")
    migration.note_what_is_public_already(None, SimpleNamespace(connection=connection))
    noted = {(row.event_id, row.document_id): row.noticed_at for row in Publication.objects.all()}
    assert noted == {(public.pk, None): None, (ended.pk, None): None, (None, document.pk): None}
    follow(client, inbox, f"/vendors/{vendor.slug}/")
    # Even a follow confirmed days before never brings what the migration noted: those rows have no time.
    Follow.objects.update(confirmed_at=timezone.now() - datetime.timedelta(days=3))
    assert digests.send_digests(cadence="daily").sent == 0
    private.visibility = "public"
    private.save()
    digests.send_digests(cadence="daily")
    [digest] = digests_sent(inbox)
    assert "Private before alerts" in text(digest) and "From before alerts" not in text(digest)


def test_the_digests_can_be_queued_for_the_task_worker(client, inbox, flock):
    vendor, miami, _ = flock
    follow(client, inbox, f"/vendors/{vendor.slug}/")
    factories.event(miami, vendors=[vendor], title="Flock cameras in Miami")
    out = io.StringIO()
    # The immediate backend (the default) runs the queued task at once, as a worker would.
    call_command("send_digests", "--enqueue", stdout=out)
    assert "queued for the task worker" in out.getvalue()
    [digest] = digests_sent(inbox)
    assert "Flock cameras in Miami" in text(digest)


def test_a_confirmation_the_mail_server_refuses_gets_a_page_and_no_address_in_the_log(client, inbox, caplog):
    inbox.refuse.add("nobody@example.org")
    response = client.post("/follow/", {"email": "nobody@example.org", "cadence": "daily", "url": "/timeline/"})
    assert response.status_code == 503
    assert "could not be sent" in response.content.decode()
    ours = "\n".join(record.getMessage() for record in caplog.records if record.name.startswith("records"))
    assert "550" in ours and "nobody@example.org" not in ours
    assert Follow.objects.get().confirmed_at is None  # deleted with its address after the link's week


def test_two_addresses_following_one_page_each_get_what_is_new_to_them(client, inbox, flock):
    vendor, miami, _ = flock
    url = f"/vendors/{vendor.slug}/"
    follow(client, inbox, url, email="early@example.org")
    factories.event(miami, vendors=[vendor], title="Between the two confirmations")
    follow(client, inbox, url, email="late@example.org")  # its confirmation notes the entry: not news to it
    factories.event(miami, vendors=[vendor], title="After both")
    digests.send_digests(cadence="daily")
    [early] = digests_sent(inbox, "early@example.org")
    [late] = digests_sent(inbox, "late@example.org")
    assert "Between the two confirmations" in text(early) and "After both" in text(early)
    assert "Between the two confirmations" not in text(late) and "After both" in text(late)


def test_one_address_gets_at_most_five_confirmation_emails_a_day_whoever_asks(client, inbox):
    for n in range(7):
        data = {"email": "target@example.org", "cadence": "daily", "url": f"/timeline/?year={2010 + n}"}
        response = client.post("/follow/", data, REMOTE_ADDR=f"10.0.0.{n}")
        assert response.status_code == 200
        assert "Check your inbox" in response.content.decode()
    assert len(inbox.to("target@example.org")) == 5


def test_the_follows_of_a_vendor_or_agency_merged_away_follow_the_one_kept(client, inbox, flock):
    from records.services.merges import agency_merge, vendor_merge

    vendor, miami, _ = flock
    twin = factories.vendor("Flock Safety Inc")
    agency_twin = factories.agency("Miami Police Dept", "FL")
    follow(client, inbox, f"/vendors/{twin.slug}/")
    follow(client, inbox, f"/timeline/?state=FL&vendor={twin.slug}")
    follow(client, inbox, f"/agencies/{agency_twin.slug}/")
    follow(client, inbox, f"/vendors/{vendor.slug}/", email="other@example.org")
    follow(client, inbox, f"/vendors/{twin.slug}/", email="other@example.org")  # the same page, once merged
    vendor_merge(keep=vendor, remove=twin)
    agency_merge(keep=miami, remove=agency_twin)
    mine = dict(Follow.objects.filter(subscriber__email=READER).values_list("url", "label"))
    assert mine == {
        f"/vendors/{vendor.slug}/": "Flock Safety",
        f"/timeline/?state=FL&vendor={vendor.slug}": mine[f"/timeline/?state=FL&vendor={vendor.slug}"],
        f"/agencies/{miami.slug}/": "Miami Police Department (FL)",
    }
    assert list(Follow.objects.filter(subscriber__email="other@example.org").values_list("url", flat=True)) == [
        f"/vendors/{vendor.slug}/"
    ]
    factories.event(miami, vendors=[vendor], title="After the merge")
    digests.send_digests(cadence="daily")
    [digest] = digests_sent(inbox)
    assert "After the merge" in text(digest) and "Because you follow Flock Safety, " in text(digest)


def test_a_run_that_notes_many_records_refreshes_the_planner_statistics(flock, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from records.services import follows as services

    monkeypatch.setattr(services, "ANALYZE_AFTER", 2)
    vendor, miami, _ = flock
    for _ in range(2):
        factories.event(miami, vendors=[vendor])
    with CaptureQueriesContext(connection) as queries:
        assert services.publications_note(now=timezone.now()) == 2
    analyzed = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("ANALYZE")]
    assert analyzed == (["ANALYZE records_publication"] if connection.vendor == "postgresql" else [])
