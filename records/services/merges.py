"""Merging a duplicate agency or vendor into the record kept: everything that points at the duplicate
moves over, its name becomes an alias of the kept record, a MergeRecord keeps the history, and the
duplicate is deleted, all in one transaction.

References are found through the model's relations rather than listed by hand, so a relation added
later moves too. Relations with a uniqueness rule (aliases, a vendor's products, document mentions,
many-to-many links) are merged rather than moved, so that nothing collides.
"""

from django.db import transaction
from django.db.models import Model, Q

from records.models import (
    Agency,
    AgencyAlias,
    Document,
    DuplicatePair,
    MentionStatus,
    MergeRecord,
    Product,
    Vendor,
    VendorAlias,
    Visibility,
)
from records.models.agency_state import restate
from records.services.follows import follows_repoint
from records.services.oversight import procurements_refresh_oversight
from records.services.sharing import sharing_links_repoint

STRICTNESS = {Visibility.PUBLIC: 0, Visibility.EMBARGOED: 1, Visibility.PRIVATE: 2}
# Fields a kept record takes from its duplicate when it has none of its own.
AGENCY_BLANKS = ("website", "description", "latitude", "longitude")
VENDOR_BLANKS = ("website", "description")


class MergeError(ValueError):
    """A merge that cannot be done, with a message for the editor who tried."""


def _is_history(model) -> bool:
    return hasattr(model, "instance_type") or model.__name__.startswith("Historical")


def _move_references(old: Model, new: Model, *, handled: set[str]) -> dict[str, int]:
    """Point every reference to `old` at `new`: foreign keys are updated, many-to-many links re-made
    without duplicating a link `new` already has. Returns how many rows moved, by relation."""
    moved = {}
    for relation in old._meta.related_objects:
        name = relation.get_accessor_name()
        if name in handled or _is_history(relation.related_model):
            continue
        if relation.many_to_many:
            through = relation.through
            source = relation.field.m2m_field_name()
            target = relation.field.m2m_reverse_field_name()
            moved[name] = through.objects.filter(**{target: old}).count()
            already = through.objects.filter(**{target: new}).values(source)
            through.objects.filter(**{target: old, f"{source}__in": already}).delete()
            through.objects.filter(**{target: old}).update(**{target: new})
        else:
            field = relation.field.name
            moved[name] = relation.related_model._base_manager.filter(**{field: old}).update(**{field: new})
    return {name: count for name, count in moved.items() if count}


def _fill_blanks(kept: Model, removed: Model, fields: tuple[str, ...]) -> list[str]:
    filled = []
    for name in fields:
        if getattr(kept, name) in (None, "") and getattr(removed, name) not in (None, ""):
            setattr(kept, name, getattr(removed, name))
            filled.append(name)
    return filled


def _carry_pairs(kind: str, keep: Model, remove: Model):
    """Suggested pairs with `remove` go (the next find_duplicates finds what is left); an editor's "not the
    same" about `remove` and another record now holds for `keep` and that record."""
    a, b = f"{kind}_a", f"{kind}_b"
    pairs = DuplicatePair.objects.filter(Q(**{a: remove}) | Q(**{b: remove}))
    known = set(DuplicatePair.objects.filter(Q(**{a: keep}) | Q(**{b: keep})).values_list(f"{a}_id", f"{b}_id"))
    for pair in pairs.filter(status=DuplicatePair.Status.DIFFERENT):
        other = getattr(pair, f"{b}_id") if getattr(pair, f"{a}_id") == remove.pk else getattr(pair, f"{a}_id")
        ids = (min(other, keep.pk), max(other, keep.pk))
        if other != keep.pk and ids not in known:
            DuplicatePair.objects.create(
                kind=pair.kind, state=pair.state, score=pair.score, reason=pair.reason, status=pair.status,
                decided_by_id=pair.decided_by_id, decided_at=pair.decided_at, **{f"{a}_id": ids[0], f"{b}_id": ids[1]},
            )  # fmt: skip
            known.add(ids)
    pairs.delete()


def _record(kind: str, kept: Model, removed: Model, moved: dict, user) -> MergeRecord:
    return MergeRecord.objects.create(
        kind=kind,
        kept_id=kept.pk,
        kept_name=kept.name,
        removed_id=removed.pk,
        removed_name=removed.name,
        removed_slug=removed.slug,
        moved=moved,
        merged_by=user if user and user.is_authenticated else None,
    )


@transaction.atomic
def agency_merge(*, keep: Agency, remove: Agency, user=None) -> MergeRecord:
    """Merge the agency `remove` into `keep`: timeline entries, procurements, requests, documents,
    aliases and child agencies move over; `remove`'s name becomes an alias of `keep`, and its ORI,
    website, description, coordinates and parent fill in what `keep` lacks."""
    if keep.pk == remove.pk:
        raise MergeError("An agency cannot be merged into itself.")
    if keep.parent_id == remove.pk or (keep.parent_id is None and remove.parent_id):
        # Saved now: the parent link would otherwise stop `remove` from being deleted.
        keep.parent_id = remove.parent_id if remove.parent_id != keep.pk else None
        keep.save(update_fields=["parent"])
    moved = {}
    _carry_pairs("agency", keep, remove)
    if children := remove.children.exclude(pk=keep.pk).update(parent=keep):
        moved["children"] = children
    if twins := _merge_twin_documents(keep, remove):
        moved["documents_merged"] = twins
    # Sharing links are one per pair and source, keyed by their two sides: re-pointed and merged, not moved.
    if links := sharing_links_repoint(old=remove, new=keep):
        moved["sharing_links"] = links
    moved |= _move_references(
        remove, keep, handled={"aliases", "children", "sharing_out", "sharing_in", "sharing_summary"}
    )
    # The entries and procurements moved over carry their agency's state (TimelineEvent.state,
    # Procurement.state); a duplicate filed under another state brings rows that must take the kept agency's.
    restate(keep.state, agency=keep)
    # Procurements moved over fall under the kept agency's oversight laws, and its records under theirs.
    procurements_refresh_oversight(procurements=keep.procurements.all())

    names = {keep.name, *keep.aliases.values_list("name", flat=True)}
    old_names = [*remove.aliases.values_list("name", flat=True), remove.name]
    new_aliases = list(dict.fromkeys(name for name in old_names if name not in names))
    AgencyAlias.objects.bulk_create([AgencyAlias(agency=keep, name=name) for name in new_aliases])
    moved["aliases"] = len(new_aliases)

    ori = remove.ori
    filled = _fill_blanks(keep, remove, AGENCY_BLANKS)
    record = _record(MergeRecord.Kind.AGENCY, keep, remove, moved, user)
    state = keep.jurisdiction.state
    follows_repoint(
        old_path=remove.get_absolute_url(), new_path=keep.get_absolute_url(), param="agency", old_slug=remove.slug,
        new_slug=keep.slug, label=f"{keep.name} ({state})" if state else keep.name,
    )  # fmt: skip
    remove.delete()
    if ori and not keep.ori:
        keep.ori = ori
        filled.append("ori")
    if filled:
        keep.save()
    return record


@transaction.atomic
def vendor_merge(*, keep: Vendor, remove: Vendor, user=None) -> MergeRecord:
    """Merge the vendor `remove` into `keep`: procurements, products, timeline entries, document mentions
    and aliases move over; a product both have by name becomes one."""
    if keep.pk == remove.pk:
        raise MergeError("A vendor cannot be merged into itself.")
    moved = {}
    _carry_pairs("vendor", keep, remove)
    kept_products = {p.name.casefold(): p for p in keep.products.all()}
    products = list(remove.products.all())
    for product in products:
        twin = kept_products.get(product.name.casefold())
        if twin is None:
            product.vendor = keep
            product.save(update_fields=["vendor"])
        else:
            _product_merge(keep=twin, remove=product)
    if products:
        moved["products"] = len(products)

    mentions = list(remove.document_mentions.all())
    kept_mentions = {m.document_id: m for m in keep.document_mentions.all()}
    for mention in mentions:
        _move_mention(mention, kept_mentions.get(mention.document_id), vendor=keep)
    if mentions:
        moved["document_mentions"] = len(mentions)
    moved |= _move_references(remove, keep, handled={"aliases", "products", "document_mentions"})

    moved["aliases"] = remove.aliases.update(vendor=keep) + 1
    record = _record(MergeRecord.Kind.VENDOR, keep, remove, moved, user)
    follows_repoint(
        old_path=remove.get_absolute_url(), new_path=keep.get_absolute_url(), param="vendor", old_slug=remove.slug,
        new_slug=keep.slug, label=keep.name,
    )  # fmt: skip
    name = remove.name
    filled = _fill_blanks(keep, remove, VENDOR_BLANKS)
    remove.delete()
    VendorAlias.objects.update_or_create(name=name, defaults={"vendor": keep})
    if filled:
        keep.save()
    return record


def _merge_twin_documents(keep: Agency, remove: Agency) -> int:
    """The same file attached to both agencies (and to no request, or the same one) would be two documents at
    one attachment point once the agencies are one: each of `remove`'s becomes part of `keep`'s."""
    kept = {(d.sha256, d.request_id): d for d in keep.documents.exclude(sha256="")}
    twins = [
        (kept[(d.sha256, d.request_id)], d)
        for d in remove.documents.exclude(sha256="")
        if (d.sha256, d.request_id) in kept
    ]
    for kept_document, twin in twins:
        _document_merge(keep=kept_document, remove=twin)
    return len(twins)


def _document_merge(*, keep: Document, remove: Document):
    """`remove` (the same file) folds into `keep`: what cites it, its procurements and mentions move over, and
    `keep` takes the stricter visibility of the two, so that a copy an editor had hidden does not come into
    view through the other."""
    kept_mentions = {(m.vendor_id, m.product_id): m for m in keep.mentions.all()}
    for mention in remove.mentions.all():
        twin = kept_mentions.get((mention.vendor_id, mention.product_id))
        if twin is not None and twin.status == MentionStatus.FOUND and mention.status != MentionStatus.FOUND:
            twin.status = mention.status
            twin.save(update_fields=["status"])
        _move_mention(mention, twin, document=keep)
    _move_references(remove, keep, handled={"pages", "mentions"})
    if STRICTNESS[remove.visibility] > STRICTNESS[keep.visibility] or (
        remove.visibility == keep.visibility == Visibility.EMBARGOED and remove.embargo_until > keep.embargo_until
    ):
        keep.visibility, keep.embargo_until = remove.visibility, remove.embargo_until
        keep.save(update_fields=["visibility", "embargo_until"])
    remove.delete()


def _move_mention(mention, twin, **owner):
    """Point a mention at the kept vendor or product (`owner`), or fold its pages into the kept one's mention
    of the same document (`twin`) and delete it."""
    if twin is None:
        for field, value in owner.items():
            setattr(mention, field, value)
        mention.save(update_fields=list(owner))
    else:
        twin.pages = sorted(set(twin.pages) | set(mention.pages))
        twin.save(update_fields=["pages"])
        mention.delete()


def _product_merge(*, keep: Product, remove: Product):
    """Two vendors' products of one name are one product once the vendors are one."""
    keep.technologies.add(*remove.technologies.all())
    kept_mentions = {m.document_id: m for m in keep.document_mentions.all()}
    for mention in remove.document_mentions.all():
        _move_mention(mention, kept_mentions.get(mention.document_id), product=keep)
    _move_references(remove, keep, handled={"document_mentions"})
    remove.delete()
