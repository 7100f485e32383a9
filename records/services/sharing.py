"""Writes to sharing links that span records: re-pointing an agency's or an organisation's links at the record it
is merged into, and an organisation found to be a directory agency."""

import datetime

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from records.models import Agency, AgencyAlias, MergeRecord, Organisation, SharingLink, SharingSummary, Visibility
from records.models.sharing import NO_REACH

# Agencies summarised per query of partners: the IN lists stay short of SQLite's parameter limit.
SUMMARY_CHUNK = 500


def affected_by(agency_ids) -> set[int]:
    """The agencies whose summary changes when the links of `agency_ids` (as sharer or receiver) change: those
    agencies, and whoever shares with them (their two-hop count goes through them)."""
    ids = set(agency_ids)
    found = set(ids)
    listed = list(ids)
    for start in range(0, len(listed), SUMMARY_CHUNK):
        chunk = listed[start : start + SUMMARY_CHUNK]
        found |= set(
            SharingLink.objects.filter(receiver_agency_id__in=chunk, sharer_agency__isnull=False)
            .values_list("sharer_agency_id", flat=True)
            .distinct()
        )
    return found


def sharing_summaries_refresh(*, agency_ids=None, today: datetime.date | None = None) -> int:
    """Recompute the public summary (SharingSummary) of each agency in `agency_ids` (all agencies with links when
    None): what SharingLinkQuerySet.reach_of and partners_by_state give for the public. Returns how many."""
    today = today or timezone.localdate()
    public = SharingLink.objects.visible_to(AnonymousUser(), today)
    if agency_ids is None:
        agency_ids = set(SharingLink.objects.exclude(sharer_agency=None).values_list("sharer_agency_id", flat=True))
        agency_ids |= set(
            SharingLink.objects.exclude(receiver_agency=None).values_list("receiver_agency_id", flat=True)
        )
    ids = sorted(set(agency_ids))
    # The first embargo to end from today on: after it the summaries may undercount (SharingSummary.valid_until).
    valid_until = SharingLink.objects.filter(visibility=Visibility.EMBARGOED, embargo_until__gt=today).aggregate(
        first=Min("embargo_until")
    )["first"]
    summaries = []
    anonymous = AnonymousUser()
    for start in range(0, len(ids), SUMMARY_CHUNK):
        chunk = ids[start : start + SUMMARY_CHUNK]
        # Grouped over the chunk: the direct answers, partners by state each way, links not on the portal.
        direct = public.direct_answers(chunk)
        out_states = public.partners_by_state_of("receiver", chunk)
        in_states = public.partners_by_state_of("sharer", chunk)
        missing = dict(
            public.active()
            .filter(sharer_agency_id__in=chunk)
            .not_on_portal(anonymous)
            .order_by()
            .values_list("sharer_agency_id")
            .annotate(n=Count("id"))
            .values_list("sharer_agency_id", "n")
        )
        for agency in Agency.objects.filter(pk__in=chunk).only("pk"):
            answers = direct.get(agency.pk) or dict(NO_REACH)
            # Only two hops is counted an agency at a time: it reads the agency's partners' links.
            answers["within_two_hops"] = public.within_two_hops(agency) if answers["direct"] else 0
            answers["shares_with"] = out_states.get(agency.pk, {})
            answers["access_from"] = in_states.get(agency.pk, {})
            answers["not_on_portal"] = missing.get(agency.pk, 0)
            summaries.append(SharingSummary(agency=agency, answers=answers, valid_until=valid_until))
    for start in range(0, len(ids), SUMMARY_CHUNK):
        SharingSummary.objects.filter(agency_id__in=ids[start : start + SUMMARY_CHUNK]).delete()
    SharingSummary.objects.bulk_create(summaries, batch_size=SUMMARY_CHUNK)
    return len(summaries)


def sharing_links_changed(*, links) -> int:
    """Keep the summaries in step after `links` (SharingLink instances) were written or removed."""
    ids = set()
    for link in links:
        ids |= {pk for pk in (link.sharer_agency_id, link.receiver_agency_id) if pk}
    return sharing_summaries_refresh(agency_ids=affected_by(ids)) if ids else 0


def _side_fields(party) -> str:
    return "agency" if isinstance(party, Agency) else "organisation"


def sharing_links_repoint(*, old, new) -> int:
    """Point every link naming `old` (an Agency or an Organisation) at `new`, keeping one link per pair and source:
    a link `new` already has from that source takes the other's dates (the earliest first seen, the latest last
    seen); a link that would join `new` to itself goes. Returns how many links were re-pointed or merged."""
    old_kind, new_kind = _side_fields(old), _side_fields(new)
    moved = 0
    touched = list(SharingLink.objects.filter(Q(**{f"sharer_{old_kind}": old}) | Q(**{f"receiver_{old_kind}": old})))
    for side in ("sharer", "receiver"):
        links = SharingLink.objects.filter(**{f"{side}_{old_kind}": old}).order_by("pk")
        for link in links:
            setattr(link, f"{side}_{old_kind}", None)
            setattr(link, f"{side}_{new_kind}", new)
            link.set_keys()
            other = "receiver" if side == "sharer" else "sharer"
            if getattr(link, f"{other}_{new_kind}_id") == new.pk:
                link.delete()
                moved += 1
                continue
            twin = SharingLink.objects.filter(source_key=link.source_key, pair_key=link.pair_key).first()
            if twin is not None:
                firsts = [d for d in (twin.first_seen, link.first_seen) if d]
                lasts = [d for d in (twin.last_seen, link.last_seen) if d]
                twin.first_seen, twin.last_seen = min(firsts, default=None), max(lasts, default=None)
                twin.save()
                link.delete()
            else:
                link.save()
            moved += 1
    if moved:
        # `old` goes: its partners, and `new`, count again (an organisation's own summary there is none).
        sharing_links_changed(links=[*touched, *SharingLink.objects.filter(**{f"sharer_{new_kind}": new})])
    return moved


@transaction.atomic
def organisation_merge_into_agency(*, organisation: Organisation, agency: Agency, user=None) -> MergeRecord:
    """An organisation a sharing list named is the directory agency `agency`: its links move there, its name
    becomes the agency's alias (so the next import matches it), and the organisation goes."""
    moved = sharing_links_repoint(old=organisation, new=agency)
    if not agency.aliases.filter(name=organisation.name).exists() and organisation.name != agency.name:
        AgencyAlias.objects.create(agency=agency, name=organisation.name[:200])
    record = MergeRecord.objects.create(
        kind=MergeRecord.Kind.ORGANISATION,
        kept_id=agency.pk,
        kept_name=agency.name,
        removed_id=organisation.pk,
        removed_name=organisation.name,
        removed_slug="",
        moved={"sharing_links": moved} if moved else {},
        merged_by=user if user and user.is_authenticated else None,
    )
    organisation.delete()
    return record
