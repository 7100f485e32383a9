"""The agency's state, copied onto rows that lists filter by state (timeline entries, procurements).

Filtered through the agency and jurisdiction joins, a list by state walked rows until a page matched and
grew with the data (numbers at the fields). The copy is kept in step here for every write that sets or
moves a row's agency: save(), and the queryset's update(), bulk_create() and bulk_update(). Agency and
Jurisdiction saves, merges, the synthetic generator and archive restores keep it in step when the agency
or its state changes.
"""

from django.db import models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def _agencies():
    from records.models.agencies import Agency

    return Agency._base_manager


def agency_state(agency_id=None) -> Coalesce:
    """The state of an agency as an SQL expression ('' for none): by default that of the row's own agency,
    for `rows.update(state=agency_state())`."""
    agency = OuterRef("agency_id") if agency_id is None else agency_id
    return Coalesce(Subquery(_agencies().filter(pk=agency).values("jurisdiction__state")[:1]), Value(""))


def _copies():
    """The models that carry their agency's state."""
    from django.apps import apps

    return [apps.get_model("records", name) for name in ("TimelineEvent", "Procurement")]


def restate(state: str, **agencies) -> None:
    """Give the timeline entries and procurements of the agencies matching `agencies` (e.g. agency=a,
    agency__jurisdiction=j) the state `state`: one UPDATE each, of the rows that differ."""
    for model in _copies():
        model.objects.filter(**agencies).exclude(state=state).update(state=state)


def refill_agency_states() -> None:
    """Give every timeline entry and procurement its agency's current state (after a bulk load)."""
    for model in _copies():
        model.objects.update(state=agency_state())


def fill_agency_states(rows: list) -> None:
    """Set each unsaved row's state from its agency, with one query for them all."""
    ids = {row.agency_id for row in rows if row.agency_id is not None}
    states = dict(_agencies().filter(pk__in=ids).values_list("pk", "jurisdiction__state")) if ids else {}
    for row in rows:
        row.state = states.get(row.agency_id, "")


class AgencyStateQuerySet(models.QuerySet):
    """Writes that re-point rows at an agency also set their state, unless the caller sets it."""

    def update(self, **kwargs):
        if "state" not in kwargs and ({"agency", "agency_id"} & kwargs.keys()):
            agency = kwargs["agency"] if "agency" in kwargs else kwargs["agency_id"]
            kwargs["state"] = "" if agency is None else agency_state(getattr(agency, "pk", agency))
        return super().update(**kwargs)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        fill_agency_states(objs)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        if "state" not in fields and {"agency", "agency_id"} & set(fields):
            objs, fields = list(objs), [*fields, "state"]
            fill_agency_states(objs)
        return super().bulk_update(objs, fields, *args, **kwargs)


class AgencyStateModel:
    """save() sets `state` from the agency whenever the agency may have changed."""

    def save(self, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"agency", "agency_id"} & set(update_fields):
            self.state = self._agency_state()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "state"}
        super().save(**kwargs)

    def _agency_state(self) -> str:
        if self.agency_id is None:
            return ""
        if type(self).agency.is_cached(self):
            # Through the loaded agency, whose jurisdiction then stays cached for what is saved next
            # (a procurement's timeline entry): at most one query either way.
            return self.agency.jurisdiction.state
        return _agencies().filter(pk=self.agency_id).values_list("jurisdiction__state", flat=True).first() or ""
