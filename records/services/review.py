"""Publishing what staff added: an editor makes records public, or embargoes them until a date."""

import datetime

from django.db import transaction
from django.utils import timezone

from records.models import Document, Procurement, RecordsRequest, TimelineEvent, Visibility
from records.services.requests import request_update
from records.services.timeline import event_update, procurement_update


class ReviewError(ValueError):
    """A publishing action that cannot be done, with a message for the editor."""


def check_embargo(visibility: str, embargo_until: datetime.date | None) -> None:
    """An embargo needs its end date, today or later (today means public now)."""
    if visibility != Visibility.EMBARGOED:
        return
    if embargo_until is None:
        raise ReviewError("An embargo needs the date it ends.")
    if embargo_until < timezone.localdate():
        raise ReviewError("That date has passed; an embargo ends today or later.")


@transaction.atomic
def records_set_visibility(
    *, records: list, visibility: str, embargo_until: datetime.date | None = None, user=None
) -> int:
    """Give each record the visibility, through the service that keeps its derived timeline entries in step."""
    if visibility not in Visibility.values:
        raise ReviewError(f"Unknown visibility {visibility!r}.")
    check_embargo(visibility, embargo_until)
    fields = {"visibility": visibility, "embargo_until": embargo_until if visibility == Visibility.EMBARGOED else None}
    for record in records:
        if isinstance(record, Procurement):
            procurement_update(procurement=record, user=user, **fields)
        elif isinstance(record, RecordsRequest):
            request_update(records_request=record, user=user, **fields)
        elif isinstance(record, TimelineEvent):
            event_update(event=record, user=user, **fields)
        elif isinstance(record, Document):
            for name, value in fields.items():
                setattr(record, name, value)
            record.full_clean(exclude=["file"])
            if user is not None:
                record._history_user = user
            record.save()
        else:
            raise ReviewError(f"{type(record).__name__} records are not published here.")
    return len(records)
