"""What an agency's page, the vendor and technology pages and /agencies/<slug>/sharing.json say about data
sharing: who can search the agency's data (directly, and within two hops), from how many states, how many
federal agencies, which links the released records show that the agency's own portal leaves out, and whose data
the agency can search.

Each answer is one query over the links of the agency (and, for two hops, of those it shares with), through the
(sharer, receiver) indexes: its cost grows with the agency's network, never with the number of links stored.
"""

from dataclasses import dataclass

from django.db.models import Count, F, Q, Value, Window
from django.db.models.functions import Coalesce, NullIf, RowNumber

from records.links import detail_url
from records.models import AgencyKind, OrganisationKind, SharingHow, SharingLink, Visibility
from records.models.sharing import federal_receiver_q
from records.models.visibility import VisibleQuerySet
from records.rules.states import STATE_NAMES

# An agency page shows this many links of each state each way, and counts the rest (Okaloosa County's released list
# has over a thousand); /sharing/ has them all, and each state links to its own.
LINKS_PER_STATE = 6
# The links in records not on the portal listed on the page; sharing.json lists them all.
MISSING_SHOWN = 100


@dataclass(frozen=True)
class Partner:
    name: str
    url: str  # "" for an organisation: it has no page
    state: str
    kind: str


@dataclass(frozen=True)
class LinkRow:
    partner: Partner
    how: str
    how_label: str
    first_seen: object
    last_seen: object
    ended_on: object
    networks: list[str]
    source_label: str
    source_url: str
    credit: str
    hidden_label: str


@dataclass(frozen=True)
class StateGroup:
    state: str
    name: str
    count: int
    links: list[LinkRow]


def _visible(reader):
    return SharingLink.objects.visible_to(reader).annotate(
        document_shown=VisibleQuerySet.shown_to(reader, "document__")
    )


def _fields(side: str) -> tuple[str, ...]:
    """What a shown link is read as: plain values, not model instances (a hub has thousands of links)."""
    return (
        f"{side}_agency__name", f"{side}_agency__slug", f"{side}_agency__kind", f"{side}_organisation__name",
        f"{side}_organisation__kind", "partner_state", "how", "first_seen", "last_seen", "ended_on", "networks",
        "document_id", "document__title", "document_shown", "page", "source_url", "credit", "visibility",
        "embargo_until",
    )  # fmt: skip


AGENCY_KINDS = dict(AgencyKind.choices)
ORGANISATION_KINDS = dict(OrganisationKind.choices)
HOW = dict(SharingHow.choices)


def _row(values: tuple, today) -> LinkRow:
    (agency_name, agency_slug, agency_kind, organisation_name, organisation_kind, state, how, first_seen, last_seen,
     ended_on, networks, document_id, document_title, document_shown, page, source_url, credit, visibility,
     embargo_until) = values  # fmt: skip
    if agency_slug is not None:
        partner = Partner(
            agency_name, detail_url("agency-detail", agency_slug), state, AGENCY_KINDS.get(agency_kind, "")
        )
    else:
        partner = Partner(organisation_name, "", state, ORGANISATION_KINDS.get(organisation_kind, ""))
    # A document the reader may not see is neither named nor linked: even its address says it exists.
    if document_id and document_shown:
        label = f"{document_title}, page {page}" if page else document_title
        url = detail_url("document-detail", document_id) + (f"#page-{page}" if page else "")
    elif source_url:
        label, url = (f"{HOW[how]} (page {page})" if page else HOW[how]), source_url
    else:
        label, url = "A document not yet public", ""
    hidden = ""
    if visibility == Visibility.PRIVATE:
        hidden = "Private"
    elif visibility == Visibility.EMBARGOED and not (embargo_until and embargo_until <= today):
        hidden = f"Embargoed until {embargo_until:%b} {embargo_until.day}, {embargo_until.year}"
    return LinkRow(
        partner=partner,
        how=how,
        how_label=HOW[how],
        first_seen=first_seen,
        last_seen=last_seen,
        ended_on=ended_on,
        networks=[n for n in networks.splitlines() if n],
        source_label=label,
        source_url=url,
        credit=credit,
        hidden_label=hidden,
    )


def _state_expr(side: str):
    return NullIf(Coalesce(f"{side}_agency__jurisdiction__state", f"{side}_organisation__state"), Value(""))


def _grouped(links, side: str, today) -> tuple[int, list[StateGroup]]:
    """(how many partners, the partners by state with each state's count and its first links by name)."""
    partner_count = Count(f"{side}_agency", distinct=True) + Count(f"{side}_organisation", distinct=True)
    with_state = links.annotate(partner_state=Coalesce(_state_expr(side), Value("")))
    per_state = dict(
        with_state.order_by().values_list("partner_state").annotate(n=partner_count).values_list("partner_state", "n")
    )
    # Each state's first links by the source's spelling of the partner: a hub's thousand links are counted by
    # state, and a few of each shown, whatever the state's rank.
    ranked = with_state.annotate(
        rank=Window(RowNumber(), partition_by=[F("partner_state")], order_by=[F(f"{side}_name").asc(), F("id").asc()])
    )
    rows = ranked.filter(rank__lte=LINKS_PER_STATE).order_by("partner_state", f"{side}_name", "id")
    groups: dict[str, list[LinkRow]] = {}
    for values in rows.values_list(*_fields(side)):
        groups.setdefault(values[5], []).append(_row(values, today))
    ordered = sorted(per_state, key=lambda code: (code == "", -per_state[code], code))
    return (
        sum(per_state.values()),
        [
            StateGroup(code, STATE_NAMES.get(code, "No state given"), per_state[code], groups.get(code, []))
            for code in ordered
        ],
    )


def reach(*, agency, reader) -> dict:
    """The questions people ask of an agency's network, each a number (links in force only)."""
    shared = SharingLink.objects.visible_to(reader).active().filter(sharer_agency=agency)
    direct = shared.aggregate(
        agencies=Count("receiver_agency", distinct=True),
        organisations=Count("receiver_organisation", distinct=True),
        states=Count(_state_expr("receiver"), distinct=True),
        out_of_state=Count(
            _state_expr("receiver"),
            distinct=True,
            filter=~Q(receiver_agency__jurisdiction__state=agency.state)
            & ~Q(receiver_organisation__state=agency.state),
        ),
        federal_agencies=Count("receiver_agency", distinct=True, filter=federal_receiver_q()),
        federal_organisations=Count("receiver_organisation", distinct=True, filter=federal_receiver_q()),
        portal_links=Count("id", filter=Q(how=SharingHow.PORTAL)),
    )
    # Within two hops: whoever this agency shares with, and whoever they share with (not the agency itself).
    first_agencies = shared.filter(receiver_agency__isnull=False).values("receiver_agency")
    first_organisations = shared.filter(receiver_organisation__isnull=False).values("receiver_organisation")
    two = (
        SharingLink.objects.visible_to(reader)
        .active()
        .filter(
            Q(sharer_agency=agency)
            | Q(sharer_agency__in=first_agencies)
            | Q(sharer_organisation__in=first_organisations)
        )
        .exclude(receiver_agency=agency)
        .aggregate(
            agencies=Count("receiver_agency", distinct=True),
            organisations=Count("receiver_organisation", distinct=True),
        )
    )
    return {
        "direct": direct["agencies"] + direct["organisations"],
        "direct_agencies": direct["agencies"],
        "direct_organisations": direct["organisations"],
        "within_two_hops": two["agencies"] + two["organisations"],
        "states": direct["states"],
        "out_of_state": direct["out_of_state"],
        "federal": direct["federal_agencies"] + direct["federal_organisations"],
        "has_portal": direct["portal_links"] > 0,
    }


def not_on_portal(*, agency, reader, today, limit: int | None = MISSING_SHOWN) -> tuple[int, list[LinkRow]]:
    """The agency's links that released records (or an audit) show and no portal link it may see states."""
    links = (
        _visible(reader)
        .active()
        .filter(sharer_agency=agency)
        .not_on_portal(reader)
        .annotate(partner_state=Coalesce(_state_expr("receiver"), Value("")), total=Window(Count("id")))
        .order_by("receiver_name", "id")
        .values_list(*_fields("receiver"), "total")
    )
    rows = list(links[:limit] if limit else links)
    return (rows[0][-1] if rows else 0), [_row(values[:-1], today) for values in rows]


def agency_sharing(*, agency, reader, today) -> dict:
    """An agency page's two sharing sections and its answers."""
    visible = _visible(reader)
    out_count, out_groups = _grouped(visible.filter(sharer_agency=agency), "receiver", today)
    in_count, in_groups = _grouped(visible.filter(receiver_agency=agency), "sharer", today)
    missing_count, missing = not_on_portal(agency=agency, reader=reader, today=today)
    answers = reach(agency=agency, reader=reader)
    return {
        "shares_with": out_groups,
        "shares_with_count": out_count,
        "access_from": in_groups,
        "access_from_count": in_count,
        "reach": answers,
        "not_on_portal": missing,
        "not_on_portal_count": missing_count,
        "has_portal": answers["has_portal"],
        "links_per_state": LINKS_PER_STATE,
    }


def network_size(*, reader, vendor=None, technology=None) -> dict:
    """How many links, and between how many agencies and organisations, a vendor's or technology's network has
    (links in force): one aggregate over that vendor's or technology's links."""
    links = SharingLink.objects.visible_to(reader).active()
    links = links.filter(vendor=vendor) if vendor is not None else links.filter(technology=technology)
    found = links.aggregate(
        links=Count("id"),
        sharers=Count("sharer_agency", distinct=True) + Count("sharer_organisation", distinct=True),
        receivers=Count("receiver_agency", distinct=True) + Count("receiver_organisation", distinct=True),
    )
    return found


def reach_json(*, agency, reader, absolute, today) -> dict:
    """/agencies/<slug>/sharing.json: the answers, and the links the portal leaves out, with their sources."""
    found = reach(agency=agency, reader=reader)
    count, missing = not_on_portal(agency=agency, reader=reader, today=today, limit=None)

    def link(row: LinkRow) -> dict:
        return {
            "receiver": {"name": row.partner.name, "url": absolute(row.partner.url) if row.partner.url else None,
                         "state": row.partner.state or None, "kind": row.partner.kind},
            "how": row.how,
            "first_seen": row.first_seen.isoformat() if row.first_seen else None,
            "last_seen": row.last_seen.isoformat() if row.last_seen else None,
            "source": {"label": row.source_label, "url": absolute(row.source_url) if row.source_url else None},
            "credit": row.credit or None,
        }  # fmt: skip

    return {
        "agency": {
            "name": agency.name,
            "url": absolute(detail_url("agency-detail", agency.slug)),
            "state": agency.state,
        },
        "can_search_its_data": {
            "direct": found["direct"],
            "direct_agencies": found["direct_agencies"],
            "direct_organisations": found["direct_organisations"],
            "within_two_hops": found["within_two_hops"],
            "states": found["states"],
            "out_of_state": found["out_of_state"],
            "federal": found["federal"],
        },
        "in_records_not_on_portal": {"count": count, "links": [link(row) for row in missing]},
    }
