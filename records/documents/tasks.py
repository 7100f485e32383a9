"""Background work, run through django.tasks: at once in the upload request (the immediate backend), or by
`manage.py db_worker` when TASKS_BACKEND=database."""

import logging

from django.tasks import task

from records.models import Document, ExtractionStatus
from records.services.documents import document_extract

logger = logging.getLogger(__name__)


@task
def extract_document(document_id: int) -> str:
    """Read a document's text and link the names it mentions; returns the extraction status."""
    document = Document.objects.filter(pk=document_id).first()
    if document is None:  # deleted before the worker came to it
        return "missing"
    # Staff pages show it running while a worker reads it (a long scan takes minutes).
    Document.objects.filter(pk=document_id).update(extraction_status=ExtractionStatus.RUNNING, extraction_error="")
    try:
        document = document_extract(document=document)
    except Exception as error:
        # A worker (or the immediate backend) would only log it: the document must say it failed.
        logger.exception("Extraction of document %s failed", document_id)
        Document.objects.filter(pk=document_id).update(
            extraction_status=ExtractionStatus.FAILED, extraction_error=f"Extraction stopped: {error}"[:1000]
        )
        return ExtractionStatus.FAILED
    return document.extraction_status
