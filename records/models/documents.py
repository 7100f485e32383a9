from django.db import models
from simple_history.models import HistoricalRecords

from records.links import detail_url
from records.models.agencies import Agency
from records.models.requests import Correspondence, RecordsRequest
from records.models.timeline import DatePrecision
from records.models.visibility import VisibilityFields, VisibleQuerySet, embargo_constraint
from records.rules.search_terms import page_terms


class ExtractionStatus(models.TextChoices):
    # Queued until a task worker (or, with the immediate backend, the upload itself) takes it.
    PENDING = "pending", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    NEEDS_OCR = "needs_ocr", "Needs OCR"


class DocumentKind(models.TextChoices):
    EMAIL = "email", "Email"
    CONTRACT = "contract", "Contract"
    INVOICE = "invoice", "Invoice"
    LETTER = "letter", "Letter"
    PRESENTATION = "presentation", "Presentation"
    POLICY = "policy", "Policy"
    REPORT = "report", "Report"
    ARTICLE = "article", "News article"
    SPREADSHEET = "spreadsheet", "Spreadsheet"
    OTHER = "other", "Other"


class DocumentQuerySet(VisibleQuerySet):
    def with_relations(self):
        return self.select_related("agency__jurisdiction", "request")

    def with_request_shown_to(self, user):
        """`request_shown`: whether `user` may see the request a document was released under. A public
        document can come from a request that is still private or embargoed; its subject stays hidden."""
        return self.annotate(request_shown=self.shown_to(user, "request__"))


def attachment_point_constraints() -> list[models.UniqueConstraint]:
    """One document per file content (sha256) and attachment point (agency and request, either of which may
    be empty). A unique index treats two NULLs as different on both engines, so each combination of empty
    and set has its own partial index. Documents without a file (text from a public source) have no hash
    and are not constrained."""
    with_file = ~models.Q(sha256="")
    points = {
        "agency_request": (["agency", "request"], models.Q(agency__isnull=False, request__isnull=False)),
        "agency": (["agency"], models.Q(agency__isnull=False, request__isnull=True)),
        "request": (["request"], models.Q(agency__isnull=True, request__isnull=False)),
        "standalone": ([], models.Q(agency__isnull=True, request__isnull=True)),
    }
    return [
        models.UniqueConstraint(
            fields=["sha256", *fields],
            condition=with_file & condition,
            name=f"document_one_per_content_{point}",
            violation_error_message="This file is already uploaded there.",
        )
        for point, (fields, condition) in points.items()
    ]


class Document(VisibilityFields):
    """A piece of evidence: a released file, or text from a public source (source_url)."""

    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=DocumentKind.choices, default=DocumentKind.OTHER)
    description = models.TextField(blank=True)
    date = models.DateField(null=True, blank=True)
    date_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="documents")
    request = models.ForeignKey(
        RecordsRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    correspondence = models.ForeignKey(
        Correspondence, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(upload_to="documents/", blank=True, max_length=300)
    original_filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    source_url = models.URLField(max_length=500, blank=True)
    is_excerpt = models.BooleanField(
        default=False, help_text="Holds only the part a public source quotes, not the whole record."
    )
    extraction_status = models.CharField(
        max_length=10, choices=ExtractionStatus.choices, default=ExtractionStatus.PENDING
    )
    extraction_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [embargo_constraint("document_embargo_has_date"), *attachment_point_constraints()]

    def __str__(self):
        return self.title

    @property
    def shown_request(self):
        """The request this document was released under, if with_request_shown_to() found the reader may see it."""
        return self.request if getattr(self, "request_shown", False) else None

    def get_absolute_url(self):
        return detail_url("document-detail", self.pk)


class SearchTermsField(models.TextField):
    """The page's text as both search engines index it (records/rules/search_terms.py), worked out from `text`
    on every save and bulk_create. A write that bypasses pre_save (QuerySet.update, bulk_update) must set it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        value = page_terms(model_instance.text)
        setattr(model_instance, self.attname, value)
        return value


class DocumentPage(models.Model):
    """One page of a document's text; search and timeline sources cite these by number."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    # Indexed by PostgreSQL's search_vector and SQLite's records_documentpage_fts (migration 0018).
    search_text = SearchTermsField()

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="page_unique_number"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="page_number_from_one"),
        ]

    def __str__(self):
        return f"{self.document} p. {self.number}"

    def save(self, **kwargs):
        # A save of the text alone (update_fields=["text"]) saves its search terms with it.
        fields = kwargs.get("update_fields")
        if fields is not None and "text" in fields:
            kwargs["update_fields"] = {*fields, "search_text"}
        super().save(**kwargs)


class MentionStatus(models.TextChoices):
    FOUND = "found", "Found in the text"
    CONFIRMED = "confirmed", "Confirmed by staff"
    REMOVED = "removed", "Removed by staff"


class DocumentMention(models.Model):
    """A vendor or product named in a document's text, with the pages that name it."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="mentions")
    vendor = models.ForeignKey(
        "records.Vendor", null=True, blank=True, on_delete=models.CASCADE, related_name="document_mentions"
    )
    product = models.ForeignKey(
        "records.Product", null=True, blank=True, on_delete=models.CASCADE, related_name="document_mentions"
    )
    pages = models.JSONField(default=list, help_text="Page numbers where the name occurs.")
    status = models.CharField(max_length=10, choices=MentionStatus.choices, default=MentionStatus.FOUND)

    class Meta:
        ordering = ["document", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(vendor__isnull=False, product__isnull=True)
                | models.Q(vendor__isnull=True, product__isnull=False),
                name="mention_vendor_xor_product",
            ),
            models.UniqueConstraint(fields=["document", "vendor"], name="mention_unique_vendor"),
            models.UniqueConstraint(fields=["document", "product"], name="mention_unique_product"),
        ]

    def __str__(self):
        return f"{self.vendor or self.product} in {self.document}"
