"""Keyset order: the rows of a list after a (key, id) position, so that page 1,000 costs what page 1 does."""

from django.db.models import Q


def after_key(queryset, key: str, after: tuple, *, descending: bool):
    """The rows of `queryset`, ordered by (key, id), that come after `after` = (key value, id).

    The extra `key <= value` condition (`>=` ascending) lets the index scan start at the position: with the OR
    alone PostgreSQL may walk from the first row down.
    """
    value, last_id = after
    op, strict = ("lte", "lt") if descending else ("gte", "gt")
    return queryset.filter(**{f"{key}__{op}": value}).filter(
        Q(**{f"{key}__{strict}": value}) | Q(**{key: value, f"id__{strict}": last_id})
    )
