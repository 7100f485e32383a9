"""Staff pages for documents: upload, the list of recent files with their extraction status, one document's
extraction and mentions, and the decisions on mentions."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from records.documents.extraction import UnsupportedFile
from records.documents.tasks import extract_document
from records.models import Document, DocumentMention, ExtractionStatus, Visibility
from records.rules.permissions import is_editor, staff_required
from records.services.documents import document_ingest, mention_set_status
from records.web.document_forms import DocumentUploadForm, MentionStatusForm, UploadSizeLimit

RECENT = 100

# What an upload's message says of its text, as a sentence (not a status label lower-cased: "needs ocr").
UPLOAD_OUTCOMES = {
    ExtractionStatus.PENDING: "queued for text extraction",
    ExtractionStatus.RUNNING: "text extraction running",
    ExtractionStatus.DONE: "text extracted",
    ExtractionStatus.FAILED: "text extraction failed (the document's page says why)",
    ExtractionStatus.NEEDS_OCR: "its pages are images and need OCR",
}


# The size limit must be in place before anything reads the body, and CsrfViewMiddleware reads it to
# find the token: so the middleware's check is skipped here and done by csrf_protect inside.
@csrf_exempt
@staff_required
def document_upload(request):
    request.upload_handlers.insert(0, UploadSizeLimit(request))
    if request.method == "POST":
        try:
            request.POST  # noqa: B018 - read the body here, where a part that cannot be read gets the form back
        except MultiPartParserError as error:
            return _unreadable_upload(request, error)
    return _document_upload(request)


def _unreadable_upload(request, error: MultiPartParserError):
    """The form again with the reason. Nothing of the body could be read, its CSRF token included: so nothing
    is done, only the empty form is shown."""
    if "header size" in str(error):
        reason = (
            "A file's name is too long to be read (a name and its details may take up to 1,024 bytes, about 900"
            " plain letters): rename the file shorter and upload it again. Nothing was saved."
        )
    else:
        reason = "The upload could not be read (it was cut short or damaged on the way); try again. Nothing was saved."
    form = DocumentUploadForm(can_publish=is_editor(request.user))
    return render(request, "staff/document_upload.html", {"form": form, "upload_error": reason}, status=400)


@csrf_protect
def _document_upload(request):
    can_publish = is_editor(request.user)
    if request.method != "POST":
        form = DocumentUploadForm(
            can_publish=can_publish,
            initial={"agency": request.GET.get("agency", ""), "request": request.GET.get("request", "")},
        )
        return render(request, "staff/document_upload.html", {"form": form})
    form = DocumentUploadForm(
        request.POST, request.FILES, can_publish=can_publish, oversized=getattr(request, "oversized_uploads", ())
    )
    if form.is_valid():
        data = form.cleaned_data
        ingested = []
        try:
            for upload in data["files"]:
                ingested.append(
                    document_ingest(
                        file=upload,
                        agency=data["agency"],
                        request=data["request"],
                        kind=data["kind"],
                        title=data["title"] if len(data["files"]) == 1 else "",
                        date=data["date"],
                        visibility=data.get("visibility", Visibility.PRIVATE),
                        embargo_until=data.get("embargo_until"),
                        uploaded_by=request.user,
                    )
                )
        except (UnsupportedFile, ValidationError) as error:
            form.add_error("files" if isinstance(error, UnsupportedFile) else None, error)
        else:
            for document in ingested:
                # With the immediate task backend, extraction has already run by now.
                document.refresh_from_db(fields=["extraction_status"])
                note = "" if document.newly_ingested else " (already uploaded: the existing document is kept)"
                messages.success(request, f"{document.title}: {UPLOAD_OUTCOMES[document.extraction_status]}{note}.")
            if len(ingested) == 1:
                return redirect("staff-document-detail", pk=ingested[0].pk)
            return redirect("staff-document-list")
    return render(request, "staff/document_upload.html", {"form": form}, status=400)


@staff_required
def document_list(request):
    status = request.GET.get("status", "")
    documents = Document.objects.select_related("agency", "request").order_by("-created_at", "-id")
    if status in ExtractionStatus.values:
        documents = documents.filter(extraction_status=status)
    context = {"documents": documents[:RECENT], "status": status, "statuses": ExtractionStatus.choices}
    return render(request, "staff/document_list.html", context)


@staff_required
def document_detail(request, pk):
    document = get_object_or_404(Document.objects.with_relations(), pk=pk)
    context = {
        "document": document,
        "page_count": document.pages.count(),
        "mentions": document.mentions.select_related("vendor", "product__vendor").order_by("status", "id"),
    }
    return render(request, "staff/document_detail.html", context)


@staff_required
@require_POST
def document_extract_again(request, pk):
    document = get_object_or_404(Document, pk=pk)
    Document.objects.filter(pk=pk).update(extraction_status=ExtractionStatus.PENDING, extraction_error="")
    extract_document.enqueue(document.pk)
    document.refresh_from_db(fields=["extraction_status"])
    messages.success(request, f"Extraction started again; status: {document.get_extraction_status_display()}.")
    return redirect("staff-document-detail", pk=pk)


@staff_required
@require_POST
def mention_update(request, pk, mention_pk):
    mention = get_object_or_404(DocumentMention.objects.select_related("vendor", "product"), pk=mention_pk, document=pk)
    form = MentionStatusForm(request.POST)
    if form.is_valid():
        mention_set_status(mention=mention, status=form.cleaned_data["status"])
        messages.success(request, f"{mention.vendor or mention.product}: {mention.get_status_display().lower()}.")
    else:
        messages.error(request, "Choose confirm or remove.")
    return redirect("staff-document-detail", pk=pk)
