"""Keyset order: the rows of a list after a (key, id) position, so that page 1,000 costs what page 1 does."""

from django.db.models import F, Q


def keyset_order(key: str, *, descending: bool, nullable: bool = False) -> list:
    """The ORDER BY of a list by (key, id); rows without a value of a `nullable` key come last either way."""
    if not nullable:
        direction = "-" if descending else ""
        return [f"{direction}{key}", f"{direction}id"]
    if descending:
        return [F(key).desc(nulls_last=True), F("id").desc()]
    return [F(key).asc(nulls_last=True), F("id").asc()]


def after_key(queryset, key: str, after: tuple, *, descending: bool, nullable: bool = False):
    """The rows of `queryset`, ordered by (key, id) (keyset_order), that come after `after` = (key value, id).

    The extra `key <= value` condition (`>=` ascending) lets the index scan start at the position: with the OR
    alone PostgreSQL may walk from the first row down. With a `nullable` key the rows without a value come after
    every row with one: a position among them (value None) is followed by the rest of them only.
    """
    value, last_id = after
    op, strict = ("lte", "lt") if descending else ("gte", "gt")
    if nullable and value is None:
        return queryset.filter(**{f"{key}__isnull": True, f"id__{strict}": last_id})
    following = Q(**{f"{key}__{strict}": value}) | Q(**{key: value, f"id__{strict}": last_id})
    if nullable:
        none = Q(**{f"{key}__isnull": True})
        return queryset.filter(Q(**{f"{key}__{op}": value}) | none).filter(following | none)
    return queryset.filter(**{f"{key}__{op}": value}).filter(following)
