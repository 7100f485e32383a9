"""Writes about documents: taking a file in, reading its text, and linking what it names."""

import datetime
import hashlib
from functools import partial
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat

from records.documents import extraction, mentions
from records.models import (
    Agency,
    Document,
    DocumentMention,
    DocumentPage,
    ExtractionStatus,
    MentionStatus,
    Product,
    RecordsRequest,
    Visibility,
)
from records.models.documents import DocumentKind


def file_sha256(file) -> str:
    """The file's SHA-256, read in chunks so a large upload never sits in memory whole."""
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def file_type(file) -> extraction.FileType:
    """The accepted type of an uploaded or opened file, judged by its first bytes; UnsupportedFile if none."""
    name = PurePath(file.name or "").name or "file"
    if file.size == 0:
        raise extraction.UnsupportedFile(f"“{name}” is empty.")
    if file.size > settings.MAX_UPLOAD_BYTES:
        size, limit = filesizeformat(file.size), filesizeformat(settings.MAX_UPLOAD_BYTES)
        raise extraction.UnsupportedFile(f"“{name}” is {size}; the limit is {limit}.")
    file.seek(0)
    head = file.read(extraction.HEAD_BYTES)
    file.seek(0)
    return extraction.detect_type(head, name)


def stored_filename(name: str) -> str:
    """The file's own name as kept (Document.original_filename): its last path part, shortened to the field's
    255 characters by cutting the stem, so that the extension stays."""
    name = PurePath(name or "").name
    limit = Document._meta.get_field("original_filename").max_length
    if len(name) <= limit:
        return name
    suffix = PurePath(name).suffix
    if len(suffix) > 16:  # not an extension, just a dot in a long name
        suffix = ""
    return name[: limit - len(suffix) - 1].rstrip() + "…" + suffix


def _storage_name(sha256: str, file_type: extraction.FileType) -> str:
    """Where the file's content is kept, built from its hash: stored once, whoever uploads it again."""
    return f"documents/{sha256[:2]}/{sha256}{file_type.extension}"


def _store(file, name: str) -> str:
    """Write the file under `name` unless that content is there already; the name it was written under."""
    if default_storage.exists(name):
        return name
    # Two uploads of the same content to different places can both get here: the storage then keeps the
    # second under a name of its own, complete, and the document points there.
    return default_storage.save(name, file)


def _attached_there(*, sha256: str, agency: Agency | None, request: RecordsRequest | None) -> Document | None:
    return Document.objects.filter(sha256=sha256, agency=agency, request=request).order_by("pk").first()


def document_ingest(
    *,
    file,
    agency: Agency | None = None,
    request: RecordsRequest | None = None,
    kind: str = DocumentKind.OTHER,
    title: str = "",
    date: datetime.date | None = None,
    visibility: str = Visibility.PUBLIC,
    embargo_until: datetime.date | None = None,
    uploaded_by=None,
) -> Document:
    """Store `file` (a Django File) and record it as a document; its text is extracted by a task after commit.

    The same content uploaded again for the same agency and request returns the existing document, with
    `newly_ingested` False (True on a new one), also when both uploads arrive at the same moment: the
    database holds one document per content and attachment point, and the upload that loses the race finds
    the winner's. Raises extraction.UnsupportedFile for a refused file and ValidationError for inconsistent
    fields.
    """
    file_kind = file_type(file)
    sha256 = file_sha256(file)
    original_filename = stored_filename(file.name)
    if request is not None:
        if agency is not None and agency.pk != request.agency_id:
            raise ValidationError({"agency": "The request was sent to another agency; leave the agency empty."})
        agency = request.agency
    existing = _attached_there(sha256=sha256, agency=agency, request=request)
    if existing is not None:
        existing.newly_ingested = False
        return existing

    document = Document(
        title=(title or PurePath(original_filename).stem or original_filename)[:300],
        kind=kind,
        date=date,
        agency=agency,
        request=request,
        original_filename=original_filename,
        content_type=file_kind.content_type,
        size=file.size,
        sha256=sha256,
        visibility=visibility,
        embargo_until=embargo_until if visibility == Visibility.EMBARGOED else None,
        extraction_status=ExtractionStatus.PENDING,
        added_by=uploaded_by,
    )
    try:
        document.full_clean(exclude=["file"])
    except ValidationError:
        # A twin committed since the look above; otherwise the error is the caller's to show.
        if (existing := _attached_there(sha256=sha256, agency=agency, request=request)) is None:
            raise
        existing.newly_ingested = False
        return existing
    document.file.name = _storage_name(sha256, file_kind)
    if uploaded_by is not None:
        document._history_user = uploaded_by
    try:
        with transaction.atomic():
            # The row first, then the file: a second upload of the same content waits at the unique index
            # until this transaction ends, so it never writes a file nobody keeps, and finds this one.
            document.save()
            stored = _store(file, document.file.name)
            if stored != document.file.name:
                document.file.name = stored
                Document.objects.filter(pk=document.pk).update(file=stored)
            transaction.on_commit(partial(_enqueue_extraction, document.pk))
    except IntegrityError:
        # The unique index let this upload wait for a twin's transaction, which committed: it is the document.
        if (existing := _attached_there(sha256=sha256, agency=agency, request=request)) is None:
            raise
        existing.newly_ingested = False
        return existing
    document.newly_ingested = True
    return document


def _enqueue_extraction(document_id: int):
    from records.documents.tasks import extract_document  # records.documents.tasks imports this module

    extract_document.enqueue(document_id)


def document_extract(*, document: Document) -> Document:
    """Read the document's text into its pages, set its extraction status and link the names it mentions.

    Whatever the file holds, the document ends as done, failed (with the reason) or needs OCR.
    """
    if not document.file:
        document.extraction_status = ExtractionStatus.FAILED
        document.extraction_error = "The document has no file to read."
        document.save(update_fields=["extraction_status", "extraction_error"])
        return document
    # Through the storage API only: a file in object storage (S3_BUCKET) has no path on this machine.
    try:
        with document.file.open("rb") as file:
            result = extraction.extract(file, document.content_type)
    except FileNotFoundError:
        result = extraction.Extraction(status=ExtractionStatus.FAILED, error="The stored file is missing.")

    index = mentions.name_index()
    found = mentions.find_mentions(result.pages, index)
    with transaction.atomic():
        document.pages.all().delete()
        DocumentPage.objects.bulk_create(
            [DocumentPage(document=document, number=n, text=text) for n, text in enumerate(result.pages, start=1)],
            batch_size=500,
        )
        document.extraction_status = result.status
        document.extraction_error = result.error
        fields = ["extraction_status", "extraction_error"]
        if result.date and document.date is None:
            document.date = result.date
            fields.append("date")
        document.save(update_fields=fields)
        _link_mentions(document, found)
    return document


def _link_mentions(document: Document, found: dict[tuple[str, int], list[int]]):
    """Keep the document's mentions in step with its text. A product named links its vendor too: naming
    Flock's "Falcon" cameras is evidence about Flock. Staff decisions (confirmed, removed) are kept."""
    product_vendors = dict(
        Product.objects.filter(pk__in=[pk for kind, pk in found if kind == "product"]).values_list("pk", "vendor_id")
    )
    vendor_pages: dict[int, set[int]] = {}
    product_pages: dict[int, list[int]] = {}
    for (kind, pk), pages in found.items():
        if kind == "vendor":
            vendor_pages.setdefault(pk, set()).update(pages)
        else:
            product_pages[pk] = pages
            vendor_pages.setdefault(product_vendors[pk], set()).update(pages)

    existing = {(m.vendor_id, m.product_id): m for m in document.mentions.all()}
    wanted = {(pk, None): sorted(pages) for pk, pages in vendor_pages.items()}
    wanted |= {(None, pk): pages for pk, pages in product_pages.items()}
    stale = [m.pk for key, m in existing.items() if key not in wanted and m.status == MentionStatus.FOUND]
    DocumentMention.objects.filter(pk__in=stale).delete()
    changed, new = [], []
    for (vendor_id, product_id), pages in wanted.items():
        mention = existing.get((vendor_id, product_id))
        if mention is None:
            new.append(DocumentMention(document=document, vendor_id=vendor_id, product_id=product_id, pages=pages))
        elif mention.pages != pages:
            mention.pages = pages
            changed.append(mention)
    DocumentMention.objects.bulk_create(new)
    DocumentMention.objects.bulk_update(changed, ["pages"])


def mention_set_status(*, mention: DocumentMention, status: str) -> DocumentMention:
    """Staff confirm a found link, or remove it: a removed link stays recorded so extraction does not restore it."""
    if status not in (MentionStatus.CONFIRMED, MentionStatus.REMOVED, MentionStatus.FOUND):
        raise ValidationError({"status": "Choose confirm or remove."})
    mention.status = status
    mention.save(update_fields=["status"])
    return mention
