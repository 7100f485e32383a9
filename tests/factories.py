"""Small factories: real rows with sensible defaults, so each test states only what it is about."""

import datetime
import itertools

from records.models import (
    Agency,
    Document,
    DocumentPage,
    EventSource,
    Jurisdiction,
    Organisation,
    Procurement,
    Product,
    RecordsRequest,
    SharingLink,
    Technology,
    TimelineEvent,
    Vendor,
)
from records.models.slugs import unique_slug

_numbers = itertools.count(1)


def state(code="OR") -> Jurisdiction:
    return Jurisdiction.objects.get(level="state", state=code)


def county(name="Washington County", code="OR") -> Jurisdiction:
    jurisdiction, _ = Jurisdiction.objects.get_or_create(
        level="county", state=code, name=name,
        defaults={"slug": unique_slug(Jurisdiction, name, code), "parent": state(code)},
    )  # fmt: skip
    return jurisdiction


def agency(name=None, code="OR", jurisdiction=None, **fields) -> Agency:
    name = name or f"Agency {next(_numbers)}"
    jurisdiction = jurisdiction or state(code)
    return Agency.objects.create(
        name=name, slug=unique_slug(Agency, name, jurisdiction.state), jurisdiction=jurisdiction, **fields
    )


def vendor(name=None, **fields) -> Vendor:
    name = name or f"Vendor {next(_numbers)}"
    return Vendor.objects.create(name=name, slug=unique_slug(Vendor, name), **fields)


def technology(slug="face-recognition") -> Technology:
    return Technology.objects.get(slug=slug)


def product(vendor_obj=None, name=None, technologies=()) -> Product:
    vendor_obj = vendor_obj or vendor()
    name = name or f"Product {next(_numbers)}"
    obj = Product.objects.create(vendor=vendor_obj, name=name, slug=unique_slug(Product, name))
    obj.technologies.set(technologies)
    return obj


def event(agency_obj=None, date=datetime.date(2020, 1, 1), vendors=(), technologies=(), url="https://example.org/source",
          **fields) -> TimelineEvent:  # fmt: skip
    fields.setdefault("kind", "deployment")
    fields.setdefault("title", f"Event {next(_numbers)}")
    obj = TimelineEvent.objects.create(agency=agency_obj, date=date, **fields)
    obj.vendors.set(vendors)
    obj.technologies.set(technologies)
    if url:
        EventSource.objects.create(event=obj, url=url, label="Example source")
    return obj


def procurement(agency_obj=None, vendor_obj=None, **fields) -> Procurement:
    fields.setdefault("kind", "contract")
    fields.setdefault("title", f"Contract {next(_numbers)}")
    return Procurement.objects.create(agency=agency_obj or agency(), vendor=vendor_obj or vendor(), **fields)


def records_request(agency_obj=None, **fields) -> RecordsRequest:
    fields.setdefault("subject", f"Request {next(_numbers)}")
    fields.setdefault("requester_organization", "Example Advocacy Group")
    return RecordsRequest.objects.create(agency=agency_obj or agency(), **fields)


def document(agency_obj=None, pages=("Page one text",), **fields) -> Document:
    fields.setdefault("title", f"Document {next(_numbers)}")
    obj = Document.objects.create(agency=agency_obj, **fields)
    for number, text in enumerate(pages, start=1):
        DocumentPage.objects.create(document=obj, number=number, text=text)
    return obj


def organisation(name=None, code="", **fields) -> Organisation:
    return Organisation.objects.create(name=name or f"Organisation {next(_numbers)}", state=code, **fields)


def sharing_link(sharer, receiver, **fields) -> SharingLink:
    """`sharer` shares its data with `receiver`; either is an Agency or an Organisation."""
    sides = {}
    for side, party in (("sharer", sharer), ("receiver", receiver)):
        sides[f"{side}_agency" if isinstance(party, Agency) else f"{side}_organisation"] = party
    fields.setdefault("how", "portal")
    fields.setdefault("source_url", "https://example.org/portal")
    fields.setdefault("first_seen", datetime.date(2024, 4, 26))
    fields.setdefault("last_seen", fields["first_seen"])
    return SharingLink.objects.create(**sides, **fields)
