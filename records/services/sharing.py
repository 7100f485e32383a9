"""Writes to sharing links that span records: re-pointing an agency's or an organisation's links at the record it
is merged into, and an organisation found to be a directory agency."""

from django.db import transaction

from records.models import Agency, AgencyAlias, MergeRecord, Organisation, SharingLink


def _side_fields(party) -> str:
    return "agency" if isinstance(party, Agency) else "organisation"


def sharing_links_repoint(*, old, new) -> int:
    """Point every link naming `old` (an Agency or an Organisation) at `new`, keeping one link per pair and source:
    a link `new` already has from that source takes the other's dates (the earliest first seen, the latest last
    seen); a link that would join `new` to itself goes. Returns how many links were re-pointed or merged."""
    old_kind, new_kind = _side_fields(old), _side_fields(new)
    moved = 0
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
