"""Forms about documents: the staff upload, a mention decision, and the search page's facets."""

from django import forms
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.template.defaultfilters import filesizeformat

from records.documents.extraction import ACCEPTED
from records.models import MentionStatus, RecordsRequest, Visibility
from records.models.documents import DocumentKind
from records.rules.states import STATE_CHOICES
from records.web.forms import DATE_INPUT, MultipleFileField, NameField, VisibilityMixin, check_uploads

MAX_RESULT_PAGES = 25


class UploadSizeLimit(FileUploadHandler):
    """Stops storing a file as soon as it passes MAX_UPLOAD_BYTES, so an oversized upload is neither held in
    memory nor written out whole; the form names it from `request.oversized_uploads`."""

    def __init__(self, request=None):
        super().__init__(request)
        request.oversized_uploads = []
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.MAX_UPLOAD_BYTES:
            self.request.oversized_uploads.append(self.file_name)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


class DocumentUploadForm(VisibilityMixin, forms.Form):
    files = MultipleFileField(
        required=False,
        help_text=f"One or more files: {ACCEPTED}. Up to {filesizeformat(settings.MAX_UPLOAD_BYTES)} each.",
    )
    request = forms.ModelChoiceField(
        RecordsRequest.objects.select_related("agency"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 1}),
        label="Records request",
        help_text="The number of the request that returned the files (as in /requests/<number>/), if any.",
        error_messages={"invalid_choice": "No request has that number."},
    )
    agency = NameField(
        "agency",
        required=False,
        help_text="Type part of its name and pick it from the suggestions; leave it empty when a request is given "
        "(its agency is used).",
    )
    kind = forms.ChoiceField(choices=DocumentKind.choices, initial=DocumentKind.OTHER)
    title = forms.CharField(
        max_length=300,
        required=False,
        help_text="For one file; leave empty to use the file's name (always, for several).",
    )
    date = forms.DateField(required=False, widget=DATE_INPUT, help_text="The document's own date, if known.")
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.PUBLIC)
    embargo_until = forms.DateField(required=False, widget=DATE_INPUT, help_text="For an embargo: when it ends.")

    def __init__(self, *args, oversized=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.oversized = list(oversized)

    def clean_files(self):
        files = self.cleaned_data["files"]
        if not files and not self.oversized:
            raise forms.ValidationError("Choose at least one file.")
        check_uploads(files, self.oversized)
        return files

    def clean(self):
        cleaned = super().clean()
        request, agency = cleaned.get("request"), cleaned.get("agency")
        if request and agency and request.agency_id != agency.pk:
            self.add_error("agency", f"Request {request.pk} was sent to {request.agency.name}; leave the agency empty.")
        return cleaned


class MentionStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(MentionStatus.CONFIRMED, "Confirm"), (MentionStatus.REMOVED, "Remove"), (MentionStatus.FOUND, "Undo")]
    )


class SearchFilterForm(forms.Form):
    """The facets that narrow document hits, and the page of hits. A bad value is reported and ignored."""

    # The facet links carry slugs; a typed name or alias is found too (NameField), never "that slug".
    agency = NameField("agency", required=False)
    vendor = NameField("vendor", required=False)
    kind = forms.ChoiceField(choices=DocumentKind.choices, required=False)
    year = forms.IntegerField(min_value=1900, max_value=2100, required=False)
    state = forms.ChoiceField(
        choices=STATE_CHOICES, required=False, error_messages={"invalid_choice": "Use a two-letter USPS state code."}
    )
    page = forms.IntegerField(
        min_value=1,
        max_value=MAX_RESULT_PAGES,
        required=False,
        error_messages={"max_value": f"Only the first {MAX_RESULT_PAGES} pages of hits are shown; narrow the search."},
    )

    def __init__(self, data, *args, **kwargs):
        data = data.copy()
        if data.get("state"):
            data["state"] = data["state"].strip().upper()
        super().__init__(data, *args, **kwargs)
