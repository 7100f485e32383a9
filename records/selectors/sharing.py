"""What an agency's page, the vendor and technology pages and /agencies/<slug>/sharing.json say about data
sharing: who can search the agency's data (directly, and within two hops), from how many states, how many
federal agencies, which links the released records show that the agency's own portal leaves out, and whose data
the agency can search.

Each answer is one query over the links of the agency (and, for two hops, of those it shares with), through the
(sharer, receiver) indexes: its cost grows with the agency's network, never with the number of links stored.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db.models import Count, F, Value, Window
from django.db.models.functions import Coalesce, RowNumber

from records.links import detail_url
from records.models import AgencyKind, OrganisationKind, SharingHow, SharingLink, SharingSummary, Visibility
from records.models.sharing import state_of
from records.models.visibility import VisibleQuerySet, can_see_everything
from records.rules.states import STATE_NAMES

# An agency page shows this many links of each state each way, and counts the rest (Okaloosa County's released list
# has over a thousand); /sharing/ has them all, and each state links to its own.
LINKS_PER_STATE = 6
# The links in records not on the portal listed on the page; sharing.json lists them all.
MISSING_SHOWN = 100
# The agency page's map draws a line to at most this many of the agencies it shares with.
MAP_LINES = 1000
REACH_KEYS = ("direct", "direct_agencies", "direct_organisations", "within_two_hops", "states", "out_of_state",
              "federal", "has_portal")  # fmt: skip


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
        host = urlsplit(source_url).netloc.removeprefix("www.") or "source"
        label, url = (f"{host}, page {page}" if page else host), source_url
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


def _links_by_state(links, side: str, per_state: dict[str, int], today) -> list[StateGroup]:
    """The partners by state, most first, with each state's count and its first links by name."""
    # Each state's first links by the source's spelling of the partner: a hub's thousand links are counted by
    # state, and a few of each shown, whatever the state's rank.
    ranked = links.annotate(partner_state=Coalesce(state_of(side), Value(""))).annotate(
        rank=Window(RowNumber(), partition_by=[F("partner_state")], order_by=[F(f"{side}_name").asc(), F("id").asc()])
    )
    rows = ranked.filter(rank__lte=LINKS_PER_STATE).order_by("partner_state", f"{side}_name", "id")
    groups: dict[str, list[LinkRow]] = {}
    for values in rows.values_list(*_fields(side)):
        groups.setdefault(values[5], []).append(_row(values, today))
    ordered = sorted(per_state, key=lambda code: (code == "", -per_state[code], code))
    return [
        StateGroup(code, STATE_NAMES.get(code, "No state given"), per_state[code], groups.get(code, []))
        for code in ordered
    ]


def reach(*, agency, reader) -> dict:
    """The questions people ask of an agency's network, each a number (links in force only)."""
    return SharingLink.objects.visible_to(reader).reach_of(agency)


def _stored(agency, reader, today) -> dict | None:
    """The public's answers as the writing services kept them (SharingSummary), when they still hold."""
    if can_see_everything(reader):
        return None
    summary = SharingSummary.objects.filter(agency=agency).first()
    return summary.answers if summary is not None and summary.is_current(today) else None


def not_on_portal(*, agency, reader, today, limit: int | None = MISSING_SHOWN) -> tuple[int, list[LinkRow]]:
    """The agency's links that released records (or an audit) show and no portal link it may see states."""
    links = (
        _visible(reader)
        .active()
        .filter(sharer_agency=agency)
        .not_on_portal(reader)
        .annotate(partner_state=Coalesce(state_of("receiver"), Value("")), total=Window(Count("id")))
        .order_by("receiver_name", "id")
        .values_list(*_fields("receiver"), "total")
    )
    rows = list(links[:limit] if limit else links)
    return (rows[0][-1] if rows else 0), [_row(values[:-1], today) for values in rows]


def agency_sharing(*, agency, reader, today) -> dict:
    """An agency page's two sharing sections and its answers: for the public, the counts the writing services
    keep (SharingSummary) when they still hold, else counted now."""
    visible = _visible(reader)
    shared, received = visible.filter(sharer_agency=agency), visible.filter(receiver_agency=agency)
    stored = _stored(agency, reader, today)
    if stored is not None:
        answers = {key: stored[key] for key in REACH_KEYS}
        out_states, in_states = stored["shares_with"], stored["access_from"]
    else:
        answers = reach(agency=agency, reader=reader)
        out_states, in_states = shared.partners_by_state("receiver"), received.partners_by_state("sharer")
    missing_count, missing = not_on_portal(agency=agency, reader=reader, today=today)
    # Where the agencies it shares with are, for the map's lines (at most MAP_LINES of them).
    points = list(
        shared.active()
        .filter(receiver_agency__latitude__isnull=False, receiver_agency__longitude__isnull=False)
        .order_by("receiver_agency_id")
        .values_list("receiver_agency__longitude", "receiver_agency__latitude")
        .distinct()[:MAP_LINES]
    )
    return {
        "map_points": points,
        "shares_with": _links_by_state(shared, "receiver", out_states, today) if out_states else [],
        "shares_with_count": sum(out_states.values()),
        "access_from": _links_by_state(received, "sharer", in_states, today) if in_states else [],
        "access_from_count": sum(in_states.values()),
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
    found = _stored(agency, reader, today) or reach(agency=agency, reader=reader)
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
