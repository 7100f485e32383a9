"""Following a page by email: the form, the confirmation link, and unsubscribing (one follow, or everything).

None of these pages shows an address. The unsubscribe addresses take a POST without a CSRF token: mail
programs send RFC 8058's one-click POST from outside any session, and the secret key in the address is what
authorises it."""

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db.models import Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from records.models import Cadence, Follow, Subscriber
from records.services import follows as follow_services
from records.web import digests
from records.web.follow_forms import FollowForm
from records.web.ratelimit import rate_limited

# Confirmation emails one address may be sent a day (one per page it asks to follow, up to this many).
CONFIRMATIONS_PER_ADDRESS = 5


def _page(request, heading: str, lines: list[str], status: int = 200, **context):
    return render(request, "follows/message.html", {"heading": heading, "lines": lines} | context, status=status)


def _unavailable(request):
    return _page(
        request, "Email alerts are not set up", ["This site has no address for its emails yet (SITE_URL)."], 503
    )


@rate_limited("follow", "FOLLOW_RATE_LIMIT", what="follow requests")
def _submit(request):
    form = FollowForm(request.POST)
    if not form.is_valid():
        followed = getattr(form, "followed", None)
        context = {"form": form, "followed": followed, "preview": _preview(followed)}
        return render(request, "follows/follow.html", context, status=400)
    follow = follow_services.follow_request(
        email=form.cleaned_data["email"],
        url=form.followed.url,
        label=form.followed.label,
        cadence=form.cleaned_data["cadence"],
    )
    if not _confirmation_allowed(follow.subscriber.email):
        # Someone is typing this address again and again: the page says what it always says, and nothing is sent.
        return _sent_page(request, form.followed)
    try:
        digests.send_confirmation(follow, form.cleaned_data["cadence"])
    except Exception as error:  # noqa: BLE001 -- whatever the mail server says, the person gets a page, not a 500
        # A refusal names the address, which no log is to hold.
        reason = f"{type(error).__name__}: {error}".replace(follow.subscriber.email, "<address>")
        digests.logger.warning("The confirmation email for follow %s could not be sent: %s", follow.pk, reason)
        return _page(
            request, "The email could not be sent", ["Please try again in a few minutes."], 503, followed=form.followed
        )
    return _sent_page(request, form.followed)


def _sent_page(request, followed):
    # The same answer whether the address was known or not: the page tells nobody who follows what.
    return _page(
        request,
        "Check your inbox",
        [
            "We have sent a confirmation link to the address you gave. Nothing about this follow will be sent to it "
            f"until the link is followed (it works for {digests.CONFIRM_DAYS} days)."
        ],
        followed=followed,
    )


def _confirmation_allowed(email: str) -> bool:
    """At most CONFIRMATIONS_PER_ADDRESS confirmation emails to one address a day, from whatever client addresses
    ask: the form must not become a way to flood someone's inbox. Counted in the cache under a keyed hash of the
    address (no address is kept there)."""
    key = "follow-confirmations:" + salted_hmac("follow-confirmations", email, algorithm="sha256").hexdigest()
    cache.add(key, 0, timeout=24 * 3600)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=24 * 3600)
        count = 1
    return count <= CONFIRMATIONS_PER_ADDRESS


def _preview(followed):
    return digests.preview_count(followed) if followed else None


@never_cache
@require_http_methods(["GET", "POST"])
# Its preview runs the followed page's query (a search's full-text match): limited as searches are.
@rate_limited("follow-preview", "SEARCH_RATE_LIMIT")
def follow_page(request):
    if not settings.SITE_URL:
        return _unavailable(request)
    if request.method == "POST":
        return _submit(request)
    url = request.GET.get("url", "")
    form = FollowForm(initial={"url": url, "cadence": Cadence.WEEKLY})
    followed, url_error = None, ""
    if url:
        try:
            followed = digests.describe(url)
        except digests.NotFollowable as error:
            url_error = str(error)
    context = {"form": form, "followed": followed, "preview": _preview(followed), "url_error": url_error}
    return render(request, "follows/follow.html", context, status=400 if url_error else 200)


def _invalid_link(request, heading: str, why: str):
    return _page(request, heading, [why, "To follow the page again, use its “Follow” link."], 404)


@never_cache
@require_http_methods(["GET", "POST"])
def follow_confirm(request, token):
    try:
        key, cadence = digests.read_confirm_token(token)
    except signing.SignatureExpired:
        return _invalid_link(request, "This link has expired", f"Confirmation links work {digests.CONFIRM_DAYS} days.")
    except signing.BadSignature:
        return _invalid_link(request, "This link is not valid", "It may have been cut short in the email.")
    follow = Follow.objects.select_related("subscriber").filter(key=key).first()
    if follow is None:
        return _invalid_link(request, "This follow no longer exists", "It was unsubscribed, or never confirmed.")
    followed = _followed_or_none(follow)
    context = {"follow": follow, "cadence": Cadence(cadence).label.lower(), "preview": _preview(followed)}
    if request.method == "GET":
        return render(request, "follows/confirm.html", context)
    # What the page shows public now and no digest run has noted: its baseline, which the follow never brings.
    unnoted = digests.matching_ids(followed, Q(publication__isnull=True)) if followed else ({}, {})
    follow_services.follow_confirm(
        follow=follow, cadence=cadence, now=timezone.now(), event_ids=unnoted[0], document_ids=unnoted[1]
    )
    context["unsubscribe_url"] = digests.unsubscribe_url(follow)
    return render(request, "follows/confirmed.html", context)


def _followed_or_none(follow):
    try:
        return digests.describe(follow.url)
    except digests.NotFollowable:
        return None


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def follow_unsubscribe(request, key):
    follow = Follow.objects.select_related("subscriber").filter(key=key).first()
    if follow is None:
        return _invalid_link(request, "Nothing to unsubscribe", "This follow was unsubscribed already.")
    if request.method == "GET":
        return render(request, "follows/unsubscribe.html", {"follow": follow, "everything": False})
    subscriber_key = follow.subscriber.key
    follow_services.follow_delete(follow=follow)
    remaining = Subscriber.objects.filter(key=subscriber_key).exists()
    lines = [f"You no longer follow {follow.label}."]
    if not remaining:
        lines.append("It was your last follow: your address has been deleted.")
    everything = reverse("follow-unsubscribe-all", args=[subscriber_key]) if remaining else None
    return _page(request, "Unsubscribed", lines, unsubscribe_all=everything)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def follow_unsubscribe_all(request, key):
    subscriber = Subscriber.objects.filter(key=key).first()
    if subscriber is None:
        return _invalid_link(request, "Nothing to unsubscribe", "This address was unsubscribed already.")
    if request.method == "GET":
        follows = list(subscriber.follows.order_by("label"))
        return render(request, "follows/unsubscribe.html", {"follows": follows, "everything": True})
    follow_services.subscriber_delete(subscriber=subscriber)
    return _page(
        request,
        "Unsubscribed from everything",
        ["Your address, everything it followed and the record of what was sent to it have been deleted."],
    )
