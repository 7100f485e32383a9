"""Follows: an email address that asked to hear of new public records about an agency, a vendor, a technology, a
state or a saved search, and what has been sent to it.

Addresses are personal data, kept for this alone: no page shows them, archives leave these tables out
(records/exports/archive.py), and unsubscribing from everything deletes the address with all it follows and
the record of what was sent.

"New" means newly public, not newly created: a record made public by an editor, or whose embargo ended, is new
on the day that happens. Visibility is judged at read time (an embargo ends by date, with no write), so
`Publication` notes, at each digest run, the records that are public and were not noted before
(records/services/follows.py publications_note); a follow brings what was noted after it was confirmed.
"""

import secrets

from django.db import models
from django.db.models import Q


def new_key() -> str:
    """The secret in a follow's or an address's unsubscribe link."""
    return secrets.token_urlsafe(24)


class Cadence(models.TextChoices):
    DAILY = "daily", "Once a day"
    WEEKLY = "weekly", "Once a week"


class Subscriber(models.Model):
    """One email address, stored in lower case so that one address is one row."""

    email = models.EmailField(max_length=254, unique=True)
    # The secret of the "unsubscribe from everything" link (RFC 8058 one-click, in every digest's headers).
    key = models.CharField(max_length=64, unique=True, default=new_key, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Subscriber {self.pk}"  # never the address: it appears in no log or page


class FollowQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def unconfirmed_before(self, moment):
        return self.filter(confirmed_at__isnull=True, created_at__lt=moment)


class Follow(models.Model):
    """What one address follows: always a page of the site (an agency's, a vendor's, a technology's, or a list
    or search with its filters), as the path and query string that page has. The digest reads what is new there
    through the page's own filters (records/web/digests.py), so an alert holds what the page would show."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="follows")
    # The page's path and query, in a canonical form (records/web/digests.py canonical_url).
    url = models.CharField(max_length=1000)
    # What the follow is called in every email ("Flock Safety", "Florida", "the timeline: vendor Flock Safety").
    label = models.CharField(max_length=300)
    cadence = models.CharField(max_length=10, choices=Cadence.choices, default=Cadence.WEEKLY)
    key = models.CharField(max_length=64, unique=True, default=new_key, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the address owner follows the confirmation link; nothing but that link is sent before.
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = FollowQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subscriber", "url"], name="follow_one_per_page")]
        indexes = [models.Index(fields=["cadence", "confirmed_at"], name="follow_cadence_confirmed")]

    def __str__(self):
        return self.label


class Publication(models.Model):
    """When a timeline entry or a document was first seen public by a digest run (`noticed_at`); null for what
    was public before alerts existed (migration 0024 notes those), which no follow brings."""

    event = models.OneToOneField(
        "records.TimelineEvent", null=True, blank=True, on_delete=models.CASCADE, related_name="publication"
    )
    document = models.OneToOneField(
        "records.Document", null=True, blank=True, on_delete=models.CASCADE, related_name="publication"
    )
    noticed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["noticed_at"], name="publication_noticed_at")]
        constraints = [
            models.CheckConstraint(
                condition=Q(event__isnull=False, document__isnull=True) | Q(event__isnull=True, document__isnull=False),
                name="publication_of_one_record",
            )
        ]

    def __str__(self):
        return f"Publication {self.pk}"


class SentItem(models.Model):
    """A record sent to an address in a digest: never sent to it again, whichever of its follows brings it."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="sent_items")
    event = models.ForeignKey(
        "records.TimelineEvent", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    document = models.ForeignKey("records.Document", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "event"], condition=Q(event__isnull=False), name="sent_event_once"
            ),
            models.UniqueConstraint(
                fields=["subscriber", "document"], condition=Q(document__isnull=False), name="sent_document_once"
            ),
            models.CheckConstraint(
                condition=Q(event__isnull=False, document__isnull=True) | Q(event__isnull=True, document__isnull=False),
                name="sent_item_of_one_record",
            ),
        ]

    def __str__(self):
        return f"Sent item {self.pk}"
