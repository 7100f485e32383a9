"""What an agency's page, the vendor and technology pages and /agencies/<slug>/sharing.json say about data
sharing: who can search the agency's data (directly, and within two hops), from how many states, how many
federal agencies, which links the released records show that the agency's own portal leaves out, and whose data
the agency can search.

Each answer is one query over the links of the agency (and, for two hops, of those it shares with), through the
(sharer, receiver) indexes: its cost grows with the agency's network, never with the number of links stored.
"""

from dataclasses import dataclass

from django.db.models import Count, Q, Value, Window
from django.db.models.functions import Coalesce, NullIf

from records.links import detail_url
from records.models import SharingHow, SharingLink
from records.models.sharing import federal_receiver_q
from records.models.visibility import VisibleQuerySet
from records.rules.states import STATE_NAMES

# An agency page lists at most this many links each way (Okaloosa County's released list has over a thousand);
# /sharing/ has them all.
LINKS_SHOWN = 400


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


def _partner(link: SharingLink, side: str) -> Partner:
    agency = getattr(link, f"{side}_agency")
    if agency is not None:
        return Partner(agency.name, agency.get_absolute_url(), agency.jurisdiction.state, agency.get_kind_display())
    organisation = getattr(link, f"{side}_organisation")
    return Partner(organisation.name, "", organisation.state, organisation.get_kind_display())


def _source(link: SharingLink) -> tuple[str, str]:
    """(label, URL) of where the link is stated; a document the reader may not see is not named or linked."""
    if link.document_id and link.document_shown:
        page = f", page {link.page}" if link.page else ""
        return f"{link.document.title}{page}", link.document.get_absolute_url() + (
            f"#page-{link.page}" if link.page else ""
        )
    if link.source_url:
        page = f" (page {link.page})" if link.page else ""
        return f"{link.get_how_display()}{page}", link.source_url
    return "A document not yet public", ""


def _row(link: SharingLink, side: str) -> LinkRow:
    label, url = _source(link)
    return LinkRow(
        partner=_partner(link, side),
        how=link.how,
        how_label=link.get_how_display(),
        first_seen=link.first_seen,
        last_seen=link.last_seen,
        ended_on=link.ended_on,
        networks=[n for n in link.networks.splitlines() if n],
        source_label=label,
        source_url=url,
        credit=link.credit,
        hidden_label=link.hidden_label,
    )


def _state_expr(side: str):
    return NullIf(Coalesce(f"{side}_agency__jurisdiction__state", f"{side}_organisation__state"), Value(""))


def _grouped(links, side: str) -> tuple[int, list[StateGroup], bool]:
    """(how many partners, the partners' links by state with each state's count, whether the list was cut)."""
    partner_count = Count(f"{side}_agency", distinct=True) + Count(f"{side}_organisation", distinct=True)
    per_state = dict(
        links.order_by()
        .annotate(partner_state=Coalesce(_state_expr(side), Value("")))
        .values_list("partner_state")
        .annotate(n=partner_count)
        .values_list("partner_state", "n")
    )
    # Not by the related names: by the link's own copy of them, indexed with the sharer; a receiver's name is
    # the source's spelling, and rows are grouped by state below.
    rows = list(
        links.for_display()
        .annotate(partner_state=Coalesce(_state_expr(side), Value("")))
        .order_by("partner_state", f"{side}_name", "id")[: LINKS_SHOWN + 1]
    )
    cut = len(rows) > LINKS_SHOWN
    groups: dict[str, list[LinkRow]] = {}
    for link in rows[:LINKS_SHOWN]:
        groups.setdefault(link.partner_state, []).append(_row(link, side))
    ordered = sorted(per_state, key=lambda code: (code == "", -per_state[code], code))
    return (
        sum(per_state.values()),
        [
            StateGroup(code, STATE_NAMES.get(code, "No state given"), per_state[code], groups.get(code, []))
            for code in ordered
        ],
        cut,
    )


def reach(*, agency, reader) -> dict:
    """The questions people ask of an agency's network, each a number (links in force only)."""
    shared = _visible(reader).active().filter(sharer_agency=agency)
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


def not_on_portal(*, agency, reader, limit: int = LINKS_SHOWN) -> tuple[int, list[LinkRow]]:
    """The agency's links that released records (or an audit) show and no portal link it may see states."""
    links = _visible(reader).active().filter(sharer_agency=agency).not_on_portal(reader)
    rows = list(links.for_display().annotate(total=Window(Count("id"))).order_by("receiver_name", "id")[:limit])
    return (rows[0].total if rows else 0), [_row(link, "receiver") for link in rows]


def agency_sharing(*, agency, reader) -> dict:
    """An agency page's two sharing sections and its answers."""
    visible = _visible(reader)
    out_count, out_groups, out_cut = _grouped(visible.filter(sharer_agency=agency), "receiver")
    in_count, in_groups, in_cut = _grouped(visible.filter(receiver_agency=agency), "sharer")
    missing_count, missing = not_on_portal(agency=agency, reader=reader)
    answers = reach(agency=agency, reader=reader)
    return {
        "shares_with": out_groups,
        "shares_with_count": out_count,
        "shares_with_cut": out_cut,
        "access_from": in_groups,
        "access_from_count": in_count,
        "access_from_cut": in_cut,
        "reach": answers,
        "not_on_portal": missing,
        "not_on_portal_count": missing_count,
        "has_portal": answers["has_portal"],
        "links_shown": LINKS_SHOWN,
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


def reach_json(*, agency, reader, absolute) -> dict:
    """/agencies/<slug>/sharing.json: the answers, and the links the portal leaves out, with their sources."""
    found = reach(agency=agency, reader=reader)
    count, missing = not_on_portal(agency=agency, reader=reader)

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
