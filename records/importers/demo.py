"""The seed story as data: Washington County, Oregon, Amazon Rekognition and the ACLU's records requests.

Facts come from one public source (SOURCE below). Where the demo must add something the source does
not give (the requests' dates), the entry is marked illustrative and says so.
"""

import datetime
from pathlib import Path

from django.db import transaction

from records.importers.atlas import import_atlas
from records.importers.demo_oversight import load_oversight_demo
from records.importers.demo_sharing import load_sharing_demo
from records.importers.reference_data import seed_reference_data
from records.models import (
    Agency,
    Document,
    DocumentPage,
    EventSource,
    Jurisdiction,
    Procurement,
    Product,
    RecordsRequest,
    Technology,
    TimelineEvent,
    Vendor,
    VendorAlias,
)

SOURCE_URL = "https://www.zdnet.com/article/aclu-tells-aws-stop-selling-facial-recognition-tools-to-the-government/"
SOURCE_LABEL = "ZDNet, Stephanie Condon, 2018-05-22"
EMAIL_QUOTE = (
    "the perception might be that we are constantly checking faces from everything, kind of a Big Brother vibe."
)
ACLU = "American Civil Liberties Union (ACLU)"
ATLAS_SAMPLE = Path(__file__).resolve().parents[1] / "data" / "atlas-of-surveillance-sample-300.csv"
UNDATED_NOTE = "The source does not give the filing date; the date shown here is illustrative."


def _upsert(model, defaults: dict, **lookup):
    """update_or_create that saves only what changed, so loading the demo again writes no new history."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **defaults), True
    changed = [name for name, value in defaults.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, defaults[name])
        obj.save(update_fields=changed)
    return obj, False


def _jurisdiction(slug, name, level, state, parent_slug):
    parent = Jurisdiction.objects.get(slug=parent_slug)
    jurisdiction, _ = _upsert(
        Jurisdiction, slug=slug, defaults={"name": name, "level": level, "state": state, "parent": parent}
    )
    return jurisdiction


def _event(external_id, *, date, precision, kind, title, summary, agency=None, vendors=(), products=(),
           technologies=(), illustrative=False, records_request=None, sources=()):  # fmt: skip
    event, _ = _upsert(
        TimelineEvent,
        external_id=f"demo:{external_id}",
        defaults={
            "date": date,
            "date_precision": precision,
            "kind": kind,
            "title": title,
            "summary": summary,
            "agency": agency,
            "is_illustrative": illustrative,
            "records_request": records_request,
        },
    )
    event.vendors.set(vendors)
    event.products.set(products)
    event.technologies.set(technologies)
    for source in sources:
        EventSource.objects.get_or_create(event=event, **source)
    return event


@transaction.atomic
def load_demo() -> dict:
    """Create or update the demo records. Safe to run again: it changes nothing the second time."""
    seed_reference_data()
    washington_county = _jurisdiction("washington-county-or", "Washington County", "county", "OR", "oregon")
    orlando = _jurisdiction("orlando-fl", "Orlando", "city", "FL", "florida")
    california = Jurisdiction.objects.get(slug="california")

    wcso, _ = _upsert(
        Agency,
        slug="washington-county-sheriffs-office-or",
        defaults={
            "name": "Washington County Sheriff's Office",
            "kind": "sheriff",
            "jurisdiction": washington_county,
            "website": "https://www.co.washington.or.us/Sheriff/",
            "description": "Sheriff's office of Washington County, Oregon, whose partnership with Amazon on "
            "Rekognition Amazon highlighted at its re:Invent conference in November 2017.",
        },
    )
    orlando_customer, _ = _upsert(
        Agency,
        slug="city-of-orlando-fl",
        defaults={
            "name": "City of Orlando",
            "kind": "city_government",
            "jurisdiction": orlando,
            "description": "Amazon highlighted a law-enforcement customer in Orlando, Florida. The source does not "
            "name the agency, so the tracker records it under the city.",
        },
    )
    california_agencies, _ = _upsert(
        Agency,
        slug="california-law-enforcement-unnamed",
        defaults={
            "name": "California law-enforcement agencies (not named in the source)",
            "kind": "other",
            "jurisdiction": california,
            "description": "The ACLU made public-records requests in California; "
            "the source does not name the agencies.",
        },
    )

    amazon, _ = _upsert(
        Vendor,
        slug="amazon",
        defaults={
            "name": "Amazon",
            "website": "https://aws.amazon.com/",
            "description": "Amazon, through Amazon Web Services (AWS).",
        },
    )
    for alias in ("Amazon Web Services", "AWS"):
        _upsert(VendorAlias, name=alias, defaults={"vendor": amazon})
    face_recognition = Technology.objects.get(slug="face-recognition")
    rekognition, _ = _upsert(
        Product,
        slug="amazon-rekognition",
        defaults={
            "vendor": amazon,
            "name": "Amazon Rekognition",
            "description": "An image recognition and analysis service of Amazon Web Services.",
            "website": "https://aws.amazon.com/rekognition/",
        },
    )
    rekognition.technologies.set([face_recognition])

    source = {"url": SOURCE_URL, "label": SOURCE_LABEL}
    story = {"vendors": [amazon], "products": [rekognition], "technologies": [face_recognition]}

    requests = {}
    for key, agency, state_name in (
        ("or", wcso, "Oregon"),
        ("ca", california_agencies, "California"),
        ("fl", orlando_customer, "Florida"),
    ):
        requests[key], _ = _upsert(
            RecordsRequest,
            agency=agency,
            subject=f"Records about Amazon Rekognition ({state_name})",
            defaults={
                "requester_organization": ACLU,
                "text": "Records about Amazon's work helping local law enforcement deploy Rekognition, including "
                "any record showing that the public had a chance to discuss the technology before it was deployed.",
                "status": "partially_fulfilled",
                "source_url": SOURCE_URL,
            },
        )

    email, _ = _upsert(
        Document,
        title="Email from a Washington County employee (excerpt)",
        agency=wcso,
        defaults={
            "kind": "email",
            "request": requests["or"],
            "is_excerpt": True,
            "source_url": SOURCE_URL,
            "description": "Released under the ACLU's Oregon public-records request. Only the sentence quoted by the "
            "source is held here.",
            "extraction_status": "done",
        },
    )
    _upsert(DocumentPage, document=email, number=1, defaults={"text": f"“{EMAIL_QUOTE}”"})
    email_source = {"document": email, "page": 1, "label": "Released email (excerpt)"}

    reinvent = datetime.date(2017, 11, 1)
    _event(
        "reinvent-2017-partnership",
        date=reinvent, precision="month", kind="presentation", agency=wcso, sources=[source], **story,
        title="Amazon highlights its Rekognition partnership with the sheriff's office at re:Invent",
        summary="At its re:Invent conference in late November 2017, Amazon highlighted its partnership with the "
        "Washington County Sheriff's Office in Oregon.",
    )  # fmt: skip
    _event(
        "wcso-300000-mugshots",
        date=reinvent, precision="month", kind="deployment", agency=wcso, sources=[source], **story,
        title="About 300,000 mugshots uploaded to Amazon S3 and indexed with Rekognition",
        summary="The office's senior information systems analyst described uploading about 300,000 mugshot images "
        "to Amazon S3 and indexing them with Rekognition, which let the office quickly identify suspects.",
    )  # fmt: skip
    _event(
        "wcso-facebook-sketches",
        date=reinvent, precision="month", kind="deployment", agency=wcso, sources=[source], **story,
        title="Rekognition used with public Facebook images, artist sketches and shared data",
        summary="The analyst described using Rekognition with publicly available Facebook images to identify a "
        "suspected shoplifter, and broader uses such as running it on artist sketches of suspects and sharing "
        "data with other law-enforcement agencies.",
    )  # fmt: skip
    _event(
        "reinvent-2017-orlando",
        date=reinvent, precision="month", kind="presentation", agency=orlando_customer, sources=[source], **story,
        title="Amazon highlights a law-enforcement customer in Orlando, Florida",
        summary="Amazon also highlighted a law-enforcement customer in Orlando, Florida.",
    )  # fmt: skip
    for key, agency in (("or", wcso), ("ca", california_agencies), ("fl", orlando_customer)):
        state_name = agency.jurisdiction.parent.name if agency.jurisdiction.parent else agency.jurisdiction.name
        _event(
            f"aclu-request-{key}",
            date=datetime.date(2018, 1, 1), precision="year", kind="request_filed", agency=agency,
            records_request=requests[key], illustrative=True, sources=[source], **story,
            title=f"ACLU files public-records requests in {state_name}",
            summary="After re:Invent, the ACLU made public-records requests in Oregon, California and Florida about "
            f"Amazon's work helping local law enforcement deploy Rekognition. {UNDATED_NOTE}",
        )  # fmt: skip
        _event(
            f"aclu-records-released-{key}",
            date=datetime.date(2018, 1, 1), precision="year", kind="documents_released", agency=agency,
            records_request=requests[key], illustrative=True,
            sources=[source, email_source] if key == "or" else [source], **story,
            title="Released records show Amazon's product support and free consulting",
            summary="The records released showed that Amazon provided product support and offered free consulting "
            "services to the government agencies. The ACLU asked for any record showing that the public had been "
            "given a chance to discuss the technology before it was deployed; no such record was provided. "
            "The source does not give the release date; the date shown here is illustrative.",
        )  # fmt: skip
    _event(
        "wcso-big-brother-email",
        date=datetime.date(2018, 1, 1), precision="year", kind="documents_released", agency=wcso,
        records_request=requests["or"], illustrative=True, sources=[email_source, source], **story,
        title="Released email: “kind of a Big Brother vibe”",
        summary=f"One released email from a Washington County employee said: “{EMAIL_QUOTE}” "
        "The source does not date the email; the date shown here is illustrative.",
    )  # fmt: skip
    _event(
        "coalition-letter-2018-05-22",
        date=datetime.date(2018, 5, 22), precision="day", kind="advocacy", sources=[source], **story,
        title="About forty civil-rights organisations ask Amazon to stop selling Rekognition to governments",
        summary="More than three dozen civil-rights organisations, led by the ACLU and including the Electronic "
        "Frontier Foundation, Human Rights Watch and Data for Black Lives, sent a letter to Amazon's CEO asking "
        "Amazon to stop providing Rekognition to government agencies. The letter said facial recognition in "
        "American communities threatens people's freedom to walk down the street without being watched by the "
        "government.",
    )  # fmt: skip

    for agency in (wcso, orlando_customer):
        _upsert(
            Procurement,
            agency=agency,
            vendor=amazon,
            title="Amazon Rekognition with product support and free consulting",
            defaults={
                "product": rekognition,
                "kind": "other",
                "status": "unknown",
                "description": "Released records showed Amazon provided product support and offered free consulting "
                "services. No amount or dates are given by the source.",
                "source_url": SOURCE_URL,
            },
        )
    load_oversight_demo(wcso=wcso, request=requests["or"], source_url=SOURCE_URL)
    # National breadth: 300 rows of the EFF Atlas of Surveillance (CC BY 4.0), imported like any export.
    atlas = import_atlas(ATLAS_SAMPLE)
    # A data-sharing network: Waxhaw (NC) and three other agencies' Flock portals (The News & Observer, MIT).
    sharing = load_sharing_demo()
    return {
        "sharing_links": sharing,
        "atlas": atlas.rows,
        "agencies": Agency.objects.count(),
        "events": TimelineEvent.objects.filter(external_id__startswith="demo:").count(),
        "requests": len(requests),
    }
