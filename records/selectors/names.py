"""Agencies, vendors and products by the name a person types: suggestions as they type, and the record a typed
name, alias or slug stands for.

The same name occurs in many states (thirty Washington Counties), so an agency's name is written with its state,
"Washington County Sheriff's Office (OR)", and a product's with its vendor, "Rekognition (Amazon)": the form a
suggestion fills in, and a form the look-up reads back. Prefix look-ups run on indexes of the upper-cased names
(PostgreSQL) or of the names without case (SQLite): migration 0019.
"""

import re
from dataclasses import dataclass

from django.db.models import Q
from django.db.models.functions import Upper

from records.models import Agency, AgencyAlias, Product, Vendor, VendorAlias

SUGGESTIONS = 20
# A typed name that names more records than this is reported by count; these few are named in the message.
AMBIGUOUS_SHOWN = 8
MAX_NAME = 200
QUALIFIED = re.compile(r"(?P<name>.+?)\s*\((?P<qualifier>[^()]+)\)\s*")
NOUNS = {"agency": ("agency", "agencies"), "vendor": ("vendor", "vendors"), "product": ("product", "products")}


@dataclass(frozen=True)
class Named:
    """A record as a person picks it: `value` is what its text box holds once picked."""

    pk: int
    name: str
    slug: str
    value: str
    detail: str = ""  # the state of an agency, the vendor of a product
    alias: str = ""  # the alias that matched, when the name did not


def _agency(agency: Agency, alias: str = "") -> Named:
    state = agency.jurisdiction.state
    value = f"{agency.name} ({state})" if state else agency.name
    return Named(agency.pk, agency.name, agency.slug, value, state, alias)


def _vendor(vendor: Vendor, alias: str = "") -> Named:
    return Named(vendor.pk, vendor.name, vendor.slug, vendor.name, "", alias)


def _product(product: Product, alias: str = "") -> Named:
    vendor = product.vendor.name
    return Named(product.pk, product.name, product.slug, f"{product.name} ({vendor})", vendor, alias)


def _unique_values(found: list[Named]) -> list[Named]:
    """Two records written alike (one name in one state, in two jurisdictions) are told apart by their slug."""
    counts: dict[str, int] = {}
    for named in found:
        counts[named.value.lower()] = counts.get(named.value.lower(), 0) + 1
    return [
        named if counts[named.value.lower()] == 1 else Named(**{**named.__dict__, "value": named.slug})
        for named in found
    ]


def name_suggestions(*, kind: str, text: str, limit: int = SUGGESTIONS) -> list[Named]:
    """At most `limit` records of `kind` ("agency", "vendor" or "product") whose name, or one of whose aliases,
    starts with `text`, in name order: two indexed queries at most, whatever the number of records."""
    text = text.replace("\x00", "").strip()[:MAX_NAME]  # PostgreSQL text cannot hold NUL
    if not text:
        return []
    if kind == "agency":
        rows = Agency.objects.select_related("jurisdiction").filter(name__istartswith=text)
        found = [_agency(a) for a in rows.order_by(Upper("name"), "id")[:limit]]
        if len(found) < limit:
            aliases = (
                AgencyAlias.objects.filter(name__istartswith=text)
                .exclude(agency__name__istartswith=text)
                .select_related("agency__jurisdiction")
                .order_by(Upper("name"), "id")[: limit - len(found)]
            )
            found += [_agency(alias.agency, alias.name) for alias in aliases]
    elif kind == "vendor":
        found = [_vendor(v) for v in Vendor.objects.filter(name__istartswith=text).order_by(Upper("name"))[:limit]]
        if len(found) < limit:
            aliases = (
                VendorAlias.objects.filter(name__istartswith=text, confirmed=True)
                .exclude(vendor__name__istartswith=text)
                .select_related("vendor")
                .order_by(Upper("name"))[: limit - len(found)]
            )
            found += [_vendor(alias.vendor, alias.name) for alias in aliases]
    elif kind == "product":
        rows = Product.objects.select_related("vendor").filter(name__istartswith=text)
        found = [_product(p) for p in rows.order_by(Upper("name"), "id")[:limit]]
    else:
        raise ValueError(f"Unknown kind of name: {kind!r}")
    return _unique_values(found)


def records_named(*, kind: str, text: str) -> list:
    """The records of `kind` that `text` stands for: its slug, its name (any case), its name with the state or
    vendor in brackets as a suggestion writes it, or an alias. One query when the name or slug is known.

    Returns at most AMBIGUOUS_SHOWN + 1 records, the exact slug alone when it is one: more than one means the
    name is ambiguous and the caller asks which is meant."""
    text = " ".join(text.replace("\x00", "").split())[:MAX_NAME]  # PostgreSQL text cannot hold NUL
    if not text:
        return []
    qualified = QUALIFIED.fullmatch(text)
    if kind == "agency":
        rows = Agency.objects.select_related("jurisdiction")
        wanted = Q(slug=text) | Q(name__iexact=text)
        if qualified:
            wanted |= Q(name__iexact=qualified["name"], jurisdiction__state=qualified["qualifier"].strip().upper())
        aliases = AgencyAlias.objects.filter(name__iexact=text).values("agency_id")
    elif kind == "vendor":
        rows = Vendor.objects.all()
        wanted = Q(slug=text) | Q(name__iexact=text)
        aliases = VendorAlias.objects.filter(name__iexact=text, confirmed=True).values("vendor_id")
    elif kind == "product":
        rows = Product.objects.select_related("vendor")
        wanted = Q(slug=text) | Q(name__iexact=text)
        if qualified:
            wanted |= Q(name__iexact=qualified["name"], vendor__name__iexact=qualified["qualifier"].strip())
        aliases = None
    else:
        raise ValueError(f"Unknown kind of name: {kind!r}")
    found = list(rows.filter(wanted).order_by("pk")[: AMBIGUOUS_SHOWN + 1])
    exact = [record for record in found if record.slug == text]
    if exact:
        return exact
    if qualified and len(found) > 1:
        # "Name (OR)" picks the Oregon one even when another agency is called "Name (OR)" outright.
        narrowed = [record for record in found if record.name.lower() != text.lower()]
        found = narrowed or found
    if not found and aliases is not None:
        found = list(rows.filter(pk__in=aliases).order_by("pk")[: AMBIGUOUS_SHOWN + 1])
    return found


def named(kind: str, record) -> Named:
    """How `record` of `kind` is written in a text box."""
    return {"agency": _agency, "vendor": _vendor, "product": _product}[kind](record)


def ambiguity_message(kind: str, text: str, found: list) -> str:
    """What to say when `text` names several records: how many, and how to write the one meant."""
    singular, plural = NOUNS[kind]
    shown = [named(kind, record).value for record in found[:AMBIGUOUS_SHOWN]]
    more = "" if len(found) <= AMBIGUOUS_SHOWN else ", and more"
    how = "the state" if kind == "agency" else "the vendor" if kind == "product" else "more of the name"
    many = f"{len(found)}" if len(found) <= AMBIGUOUS_SHOWN else f"More than {AMBIGUOUS_SHOWN}"
    return f"{many} {plural} are called “{text}”: add {how} in brackets, e.g. {'; '.join(shown)}{more}."
