"""FilterSets for every public list. Invalid values become form errors shown at the filter, never a 500."""

import calendar
import datetime
import re

import django_filters as filters
from django import forms
from django.db.models import Q
from django.forms.renderers import Jinja2
from django.utils import timezone

from records.documents import search
from records.models import (
    Agency,
    AgencyKind,
    Document,
    EventKind,
    FundingSource,
    Level,
    Procurement,
    ProcurementKind,
    ProcurementMethod,
    ProcurementStatus,
    RecordsRequest,
    RequestStatus,
    SharingHow,
    SharingLink,
    Technology,
    TimelineEvent,
    Vendor,
)
from records.models.documents import DocumentKind
from records.rules import oversight as oversight_rules
from records.rules.requests import OUTCOME_STATUSES, OUTCOMES
from records.rules.states import STATE_CHOICES
from records.web.forms import NameField
from records.web.pagination import Sort

MAX_TEXT = 200
FILTER_FORM_RENDERER = Jinja2()


def words_in(*fields: str, codes: dict | None = None):
    """A `q` filter's method: the words, with the search syntax, start words of one of `fields` (or a term is
    the whole of one of `codes`), as on /search/ (records/documents/search.name_filter)."""

    def filter_words(queryset, name, value):
        # PostgreSQL text cannot hold NUL: a NUL in a typed value is dropped, as the search page drops it.
        value = value.replace("\x00", "")
        return queryset.filter(search.name_filter(search.parse_query(value), *fields, codes=codes))

    return filter_words


class PartialDateField(forms.Field):
    """Accepts 2017, 2017-11 or 2017-11-29; as the end of a range, 2017 means up to 31 Dec 2017."""

    widget = forms.TextInput(attrs={"placeholder": "YYYY-MM-DD", "size": 10})

    def __init__(self, *args, end_of_period=False, **kwargs):
        self.end_of_period = end_of_period
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        match = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", value)
        if not match:
            raise forms.ValidationError("Enter a date as YYYY, YYYY-MM or YYYY-MM-DD.")
        year, month, day = int(match[1]), match[2], match[3]
        try:
            if day:
                return datetime.date(year, int(month), int(day))
            if month:
                start = datetime.date(year, int(month), 1)
                if not self.end_of_period:
                    return start
                # The month's last day, without stepping past it (December 9999 has no next month to step to).
                return datetime.date(year, int(month), calendar.monthrange(year, int(month))[1])
            return datetime.date(year, 12, 31) if self.end_of_period else datetime.date(year, 1, 1)
        except ValueError:
            raise forms.ValidationError("That date does not exist.") from None


class PartialDateFilter(filters.Filter):
    field_class = PartialDateField


class NameFilter(filters.Filter):
    """An agency, vendor or product by the name a person types (or an alias, or the slug a link carries); a name
    that fits several (thirty Washington Counties) is reported at the filter, with how to tell them apart."""

    field_class = NameField

    def __init__(self, kind: str, *args, **kwargs):
        super().__init__(*args, kind=kind, **kwargs)


class TechnologyFilter(filters.ModelChoiceFilter):
    """One of the dozen technologies, from a list: links carry its slug."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Technology.objects.all())
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("label", "Technology")
        kwargs.setdefault("empty_label", "Any")
        kwargs.setdefault("error_messages", {"invalid_choice": "No such technology; pick one from the list."})
        super().__init__(*args, **kwargs)


class StateFilter(filters.ChoiceFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", STATE_CHOICES)
        kwargs.setdefault("error_messages", {"invalid_choice": "Use a two-letter USPS state code, e.g. OR."})
        super().__init__(*args, **kwargs)


class SortFilter(filters.ChoiceFilter):
    """`sort=`: one of a list's orders (BaseFilterSet.sorts), the first by default. It filters nothing: the list
    reads it to page in that order (records/web/views/listing.py)."""

    def __init__(self, sorts: dict[str, Sort], **kwargs):
        kwargs.setdefault("label", "Order")
        kwargs.setdefault("error_messages", {"invalid_choice": f"Sort by {' or '.join(sorts)}."})
        super().__init__(choices=[(name, sort.label) for name, sort in sorts.items()], empty_label=None, **kwargs)

    def filter(self, qs, value):
        return qs


def _by_year(field: str):
    """A filter method for `year=`, as a range of dates, which the date indexes answer."""

    def filter_year(self, queryset, name, value):
        year = int(value)
        return queryset.filter(
            **{f"{field}__gte": datetime.date(year, 1, 1), f"{field}__lte": datetime.date(year, 12, 31)}
        )

    return filter_year


def _year_filter(label: str):
    return filters.NumberFilter(method="filter_year", min_value=1900, max_value=2100, label=label)


class RangeCheckForm(forms.Form):
    """A filter form whose ranges (BaseFilterSet.ranges: pairs of filter names) are checked: the end of a range
    before its start is reported at the end, which the list then ignores."""

    ranges: tuple = ()

    def clean(self):
        cleaned = super().clean()
        for low, high in self.ranges:
            start, end = cleaned.get(low), cleaned.get(high)
            if start is not None and end is not None and end < start:
                typed_start, typed_end = (str(self.data.get(name, "")).strip()[:40] for name in (low, high))
                self.add_error(
                    high,
                    f"“{self.fields[high].label}” ({typed_end}) comes before “{self.fields[low].label}” "
                    f"({typed_start}): swap them to see {typed_end} to {typed_start}.",
                )
        return cleaned


class BaseFilterSet(filters.FilterSet):
    """State codes are matched case-insensitively: `state=or` means Oregon.

    `keep(key, compute)`, if given, keeps what `compute()` gives under `key` for readers who see the same (the
    public): a filter may read a costly intermediate result through it. The view decides whether and where.
    """

    def __init__(self, data=None, *args, keep=None, **kwargs):
        self.keep = keep
        if data is not None:
            data = data.copy()
            if data.get("state"):
                data["state"] = data["state"].strip().upper()
        super().__init__(data, *args, **kwargs)

    # The orders a list offers (`sort=`), its own first; and the (start, end) pairs of filters that make a range.
    sorts: dict[str, Sort] = {}
    ranges: tuple = ()

    class Meta:
        form = RangeCheckForm

    def get_form_class(self):
        form_class = super().get_form_class()
        form_class.ranges = self.ranges
        # Filter forms sit on every list page; Django's template renderer spent about 8 ms a page on their
        # widgets (the state <select> alone has 56 options), Jinja2 renders the same widget templates in 1.
        form_class.default_renderer = FILTER_FORM_RENDERER
        return form_class


TIMELINE_SORTS = {
    "-date": Sort("Newest first", "date", "date"),
    "date": Sort("Oldest first", "date", "date", descending=False),
}
PROCUREMENT_SORTS = {
    "-id": Sort("Newest recorded first", "id", "int"),
    "-amount": Sort("Largest amount first", "amount", "decimal", nullable=True),
    "amount": Sort("Smallest amount first", "amount", "decimal", descending=False, nullable=True),
    "-signed_on": Sort("Newest signed first", "signed_on", "date", nullable=True),
    "signed_on": Sort("Oldest signed first", "signed_on", "date", descending=False, nullable=True),
}
REQUEST_SORTS = {
    "-id": Sort("Newest recorded first", "id", "int"),
    "due_on": Sort("Due soonest first", "due_on", "date", descending=False, nullable=True),
    "-due_on": Sort("Due latest first", "due_on", "date", nullable=True),
}


class TimelineFilter(BaseFilterSet):
    agency = NameFilter("agency", label="Agency")
    vendor = NameFilter("vendor", field_name="vendors", label="Vendor")
    technology = TechnologyFilter(field_name="technologies")
    # The entry's own copy of its agency's state: one index in date order, not two joins (TimelineEvent.state).
    state = StateFilter(field_name="state", label="State")
    kind = filters.ChoiceFilter(choices=EventKind.choices, label="Kind of entry")
    start = PartialDateFilter(field_name="date", lookup_expr="gte", label="From")
    end = PartialDateFilter(field_name="date", lookup_expr="lte", end_of_period=True, label="To")
    year = _year_filter("Year")
    q = filters.CharFilter(method=words_in("title", "summary"), max_length=MAX_TEXT, label="Words")
    sorts = TIMELINE_SORTS
    sort = SortFilter(TIMELINE_SORTS)
    ranges = (("start", "end"),)
    filter_year = _by_year("date")

    class Meta:
        model = TimelineEvent
        form = RangeCheckForm
        fields = []


class AgencyTimelineFilter(TimelineFilter):
    """An agency's own timeline: the agency and its state are already given."""

    agency = None
    state = None


class AgencyFilter(BaseFilterSet):
    q = filters.CharFilter(
        method=words_in("name", codes={"ori": Agency.objects.all()}), max_length=MAX_TEXT, label="Name"
    )
    state = StateFilter(field_name="jurisdiction__state", label="State")
    kind = filters.ChoiceFilter(choices=AgencyKind.choices, label="Kind")
    level = filters.ChoiceFilter(field_name="jurisdiction__level", choices=Level.choices, label="Level")
    technology = TechnologyFilter(method="filter_events")
    vendor = NameFilter("vendor", method="filter_events", label="Vendor")

    class Meta:
        model = Agency
        form = RangeCheckForm
        fields = []

    def filter_events(self, queryset, name, value):
        """Agencies with a timeline entry, visible to this reader, about the technology or vendor."""
        user = self.request.user if self.request else None
        events = TimelineEvent.objects.visible_to(user).filter(
            **{"technologies" if name == "technology" else "vendors": value}
        )
        if state := self.form.cleaned_data.get("state"):
            # The agencies are of one state: only that state's entries need reading, not the country's.
            events = events.filter(state=state)
            if self.keep is not None:
                # As a subquery, PostgreSQL probes every agency of the state for such an entry (360 agencies,
                # about 5,000 index probes, 45 ms in Connecticut at national size, growing with the state). The
                # public gets the state's few hundred agency ids kept with the other aggregates instead.
                agency_ids = self.keep(
                    f"agencies-with:{name}:{value.pk}:{state}",
                    lambda: list(
                        events.filter(agency__isnull=False)
                        .order_by("agency_id")
                        .values_list("agency_id", flat=True)
                        .distinct()
                    ),
                )
                return queryset.filter(pk__in=agency_ids)
        return queryset.filter(pk__in=events.values("agency_id"))


class VendorFilter(BaseFilterSet):
    q = filters.CharFilter(method="filter_name", max_length=MAX_TEXT, label="Name")
    technology = TechnologyFilter(field_name="products__technologies", distinct=True)

    class Meta:
        model = Vendor
        form = RangeCheckForm
        fields = []

    def filter_name(self, queryset, name, value):
        return words_in("name", "aliases__name")(queryset, name, value).distinct()


OVERSIGHT_CHOICES = list(oversight_rules.STATUS_LABELS.items())


class ProcurementFilter(BaseFilterSet):
    agency = NameFilter("agency", label="Agency")
    vendor = NameFilter("vendor", label="Vendor")
    technology = TechnologyFilter(field_name="product__technologies")
    # The procurement's own copy of its agency's state: one index in page order, not two joins (Procurement.state).
    state = StateFilter(field_name="state", label="State")
    kind = filters.ChoiceFilter(choices=ProcurementKind.choices)
    status = filters.ChoiceFilter(choices=ProcurementStatus.choices)
    amount_min = filters.NumberFilter(
        field_name="amount", lookup_expr="gte", min_value=0, max_value=10**12, label="Amount from"
    )
    amount_max = filters.NumberFilter(
        field_name="amount", lookup_expr="lte", min_value=0, max_value=10**12, label="Amount up to"
    )
    year = filters.NumberFilter(field_name="signed_on__year", min_value=1900, max_value=2100, label="Year signed")
    method = filters.ChoiceFilter(choices=ProcurementMethod.choices, label="Method")
    funding_source = filters.ChoiceFilter(choices=FundingSource.choices, label="Funding")
    under = filters.NumberFilter(method="filter_under", min_value=1, label="Under contract no.")
    oversight = filters.ChoiceFilter(choices=OVERSIGHT_CHOICES, method="filter_oversight", label="Public approval")
    sorts = PROCUREMENT_SORTS
    sort = SortFilter(PROCUREMENT_SORTS)
    ranges = (("amount_min", "amount_max"),)

    class Meta:
        model = Procurement
        form = RangeCheckForm
        fields = []

    def filter_oversight(self, queryset, name, value):
        # The stored status, with "required but missing" counted from its due date on (read time).
        return queryset.oversight_is(value, timezone.localdate())

    def filter_under(self, queryset, name, value):
        """The purchases under one cooperative or master contract, if this reader may see that contract: a
        list by the number of one they may not would tell that it exists."""
        user = self.request.user if self.request else None
        return queryset.filter(parent_contract__in=Procurement.objects.visible_to(user).filter(pk=value))


class OversightFilter(BaseFilterSet):
    """The national oversight page's acquisitions with no recorded public approval, by place, technology, vendor."""

    state = StateFilter(field_name="state", label="State")
    technology = TechnologyFilter(field_name="product__technologies")
    vendor = NameFilter("vendor", label="Vendor")

    class Meta:
        model = Procurement
        form = RangeCheckForm
        fields = []


REQUEST_STATUS_CHOICES = [("overdue", "Overdue"), *RequestStatus.choices]


class RequestFilter(BaseFilterSet):
    agency = NameFilter("agency", label="Agency")
    state = StateFilter(field_name="agency__jurisdiction__state", label="State")
    status = filters.ChoiceFilter(choices=REQUEST_STATUS_CHOICES, method="filter_status", label="Status")
    requester = filters.CharFilter(
        field_name="requester_organization", lookup_expr="icontains", max_length=MAX_TEXT, label="Requester"
    )
    filed_after = PartialDateFilter(field_name="filed_on", lookup_expr="gte", label="Filed from")
    filed_before = PartialDateFilter(field_name="filed_on", lookup_expr="lte", end_of_period=True, label="Filed up to")
    year = _year_filter("Year filed")
    outcome = filters.ChoiceFilter(
        choices=[(value, label) for value, label, _statuses in OUTCOMES], method="filter_outcome", label="Outcome"
    )
    q = filters.CharFilter(method=words_in("subject", "tracking_number"), max_length=MAX_TEXT, label="Words")
    sorts = REQUEST_SORTS
    sort = SortFilter(REQUEST_SORTS)
    ranges = (("filed_after", "filed_before"),)
    filter_year = _by_year("filed_on")

    class Meta:
        model = RecordsRequest
        form = RangeCheckForm
        fields = []

    def filter_status(self, queryset, name, value):
        if value == "overdue":
            return queryset.overdue(timezone.localdate())
        return queryset.filter(status=value)

    def filter_outcome(self, queryset, name, value):
        return queryset.filter(status__in=OUTCOME_STATUSES[value])


class DocumentFilter(BaseFilterSet):
    agency = NameFilter("agency", label="Agency")
    state = StateFilter(field_name="agency__jurisdiction__state", label="State")
    kind = filters.ChoiceFilter(choices=DocumentKind.choices)
    year = filters.NumberFilter(field_name="date__year", min_value=1900, max_value=2100, label="Year")
    q = filters.CharFilter(method=words_in("title"), max_length=MAX_TEXT, label="Title")

    class Meta:
        model = Document
        form = RangeCheckForm
        fields = []


SHARING_DIRECTIONS = [("shares", "Shares its data"), ("receives", "Has access to data")]
SHARING_STATUS = [("active", "In force (no end recorded)"), ("ended", "Ended")]


class SharingFilter(BaseFilterSet):
    """Sharing links by either side's agency, state, vendor, technology, how we know, and a date they were in
    force on (first seen by then, not ended before it)."""

    agency = NameFilter("agency", label="Agency", method="filter_agency")
    direction = filters.ChoiceFilter(choices=SHARING_DIRECTIONS, method="filter_direction", label="The agency")
    state = StateFilter(method="filter_state", label="State")
    vendor = NameFilter("vendor", label="Vendor")
    technology = TechnologyFilter()
    how = filters.ChoiceFilter(choices=SharingHow.choices, label="How we know")
    on = PartialDateFilter(method="filter_on", label="In force on")
    status = filters.ChoiceFilter(choices=SHARING_STATUS, method="filter_status", label="Status")
    # A whole number the database can hold: a foreign key lookup, unlike pk, sends any number it is given.
    organisation = filters.NumberFilter(
        method="filter_organisation", min_value=1, max_value=2**63 - 1, decimal_places=0, label="Organisation no."
    )

    class Meta:
        model = SharingLink
        form = RangeCheckForm
        fields = ["agency", "direction", "state", "vendor", "technology", "how", "on", "status", "organisation"]

    def filter_agency(self, queryset, name, value):
        direction = self.form.cleaned_data.get("direction")
        if direction == "shares":
            return queryset.filter(sharer_agency=value)
        if direction == "receives":
            return queryset.filter(receiver_agency=value)
        return queryset.filter(Q(sharer_agency=value) | Q(receiver_agency=value))

    def filter_direction(self, queryset, name, value):
        return queryset  # read by filter_agency

    def filter_state(self, queryset, name, value):
        # With an agency and a direction, the state is the other side's: "whom in Georgia does it share with".
        side = {"shares": "receiver", "receives": "sharer"}.get(self.form.cleaned_data.get("direction") or "")
        if side and self.form.cleaned_data.get("agency"):
            code = value.upper()
            return queryset.filter(
                Q(**{f"{side}_agency__jurisdiction__state": code}) | Q(**{f"{side}_organisation__state": code})
            )
        return queryset.in_state(value)

    def filter_on(self, queryset, name, value):
        return queryset.filter(Q(first_seen__isnull=True) | Q(first_seen__lte=value)).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=value)
        )

    def filter_status(self, queryset, name, value):
        return queryset.filter(ended_on__isnull=value == "active")

    def filter_organisation(self, queryset, name, value):
        return queryset.filter(Q(sharer_organisation=value) | Q(receiver_organisation=value))
