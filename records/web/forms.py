"""Staff forms. They validate everything and keep what was typed when something is wrong."""

import datetime
import re

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.urls import reverse_lazy
from django.utils import timezone

from records.documents.extraction import UnsupportedFile
from records.models import (
    Agency,
    Channel,
    DuplicatePair,
    EventSource,
    Procurement,
    Product,
    RecordsRequest,
    RequestStatus,
    Technology,
    TimelineEvent,
    Vendor,
    Visibility,
)
from records.models.requests import Direction
from records.selectors import names
from records.services.documents import file_type

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


NAME_URLS = {"agency": "agency-names", "vendor": "vendor-names", "product": "product-names"}
NAME_HELP = {
    "agency": "Type part of its name and pick it from the suggestions (the state is in brackets).",
    "vendor": "Type part of its name or of another name it goes by, and pick it from the suggestions.",
    "product": "Type part of its name and pick it from the suggestions (the vendor is in brackets).",
}


class NameInput(forms.TextInput):
    """A text box for a name; static/names.js offers suggestions from the name look-up as one types."""

    def __init__(self, kind: str, attrs=None):
        base = {"autocomplete": "off", "spellcheck": "false", "data-names": reverse_lazy(NAME_URLS[kind])}
        super().__init__({**base, **(attrs or {})})


class NameField(forms.Field):
    """An agency, vendor or product by its name (with its state or vendor in brackets when the name is not
    enough), an alias or its slug; a name that fits several records asks which one is meant."""

    def __init__(self, kind: str, **kwargs):
        self.kind = kind
        kwargs.setdefault("widget", NameInput(kind))
        kwargs.setdefault("help_text", NAME_HELP[kind])
        super().__init__(**kwargs)
        self.shown: dict[str, str] = {}

    def __deepcopy__(self, memo):
        copied = super().__deepcopy__(memo)
        copied.shown = {}  # what one form read, for its own box only
        return copied

    def to_python(self, value):
        text = " ".join(str(value or "").split())
        if not text:
            return None
        if len(text) > names.MAX_NAME:
            raise forms.ValidationError(f"A name is at most {names.MAX_NAME} characters.")
        found = names.records_named(kind=self.kind, text=text)
        if not found:
            raise forms.ValidationError(
                f"No {self.kind} is called “{text}”. Type part of its name and pick one of the suggestions."
            )
        if len(found) > 1:
            raise forms.ValidationError(names.ambiguity_message(self.kind, text, found))
        self.shown[text] = names.named(self.kind, found[0]).value
        return found[0]

    def prepare_value(self, value):
        # An edit form's initial value is the record's id (model_to_dict); a slug from a link shows as its name.
        if isinstance(value, int) and not isinstance(value, bool):
            rows = {
                "agency": Agency.objects.select_related("jurisdiction"),
                "vendor": Vendor.objects.all(),
                "product": Product.objects.select_related("vendor"),
            }[self.kind]
            record = rows.filter(pk=value).first()
            return names.named(self.kind, record).value if record else ""
        if isinstance(value, str):
            return self.shown.get(" ".join(value.split()), value)
        return value


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A list of uploaded files. Each is checked by the form's clean_files, whose messages name the file."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        return list(data) if isinstance(data, list | tuple) else [data] if data else []


def check_uploads(files, oversized) -> None:
    """Refuse, with one message per file, uploads over the size limit or of a type not accepted."""
    limit = filesizeformat(settings.MAX_UPLOAD_BYTES)
    errors = [f"“{name}” is larger than the limit of {limit}; nothing of it was kept." for name in oversized]
    for upload in files:
        try:
            file_type(upload)
        except UnsupportedFile as error:
            errors.append(str(error))
    if errors:
        raise forms.ValidationError(errors)


class VisibilityMixin:
    """Only editors publish and embargo; for staff the choice is not offered and records stay private."""

    def __init__(self, *args, can_publish: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_publish:
            self.fields.pop("visibility", None)
            self.fields.pop("embargo_until", None)

    def clean(self):
        cleaned = super().clean()
        embargo_until = cleaned.get("embargo_until")
        if cleaned.get("visibility") == Visibility.EMBARGOED:
            if not embargo_until and "embargo_until" not in self.errors:
                self.add_error("embargo_until", "An embargo needs the date it ends.")
            elif embargo_until and embargo_until < timezone.localdate():
                # Today is allowed: an embargo ending today means public now.
                self.add_error("embargo_until", "That date has passed; an embargo ends today or later.")
        return cleaned

    def _update_errors(self, errors):
        # The model's clean() states the same rule (an embargo needs its end date) in its own words: a field the
        # form already reported on keeps the form's one message.
        if hasattr(errors, "error_dict"):
            errors.error_dict = {name: found for name, found in errors.error_dict.items() if name not in self.errors}
            if not errors.error_dict:
                return
        super()._update_errors(errors)


class RequestFileForm(VisibilityMixin, forms.ModelForm):
    agency = NameField("agency")
    status = forms.ChoiceField(
        choices=[(RequestStatus.FILED, "Filed"), (RequestStatus.DRAFT, "Draft (not sent yet)")],
        initial=RequestStatus.FILED,
    )

    class Meta:
        model = RecordsRequest
        fields = [
            "agency", "subject", "text", "requester_organization", "requester_person", "tracking_number",
            "status", "filed_on", "source_url", "visibility", "embargo_until",
        ]  # fmt: skip
        widgets = {"filed_on": DATE_INPUT, "embargo_until": DATE_INPUT, "text": forms.Textarea(attrs={"rows": 6})}
        labels = {"text": "What is asked for", "requester_organization": "Requesting organisation"}
        help_texts = {"filed_on": "Leave empty for today.", "requester_organization": "Shown publicly."}

    def clean_filed_on(self):
        filed_on = self.cleaned_data.get("filed_on")
        if filed_on and filed_on > timezone.localdate():
            raise forms.ValidationError("A request cannot be filed in the future.")
        return filed_on


class RequestEditForm(VisibilityMixin, forms.ModelForm):
    class Meta:
        model = RecordsRequest
        fields = [
            "subject", "text", "requester_organization", "requester_person", "tracking_number", "filed_on",
            "source_url", "visibility", "embargo_until",
        ]  # fmt: skip
        widgets = RequestFileForm.Meta.widgets
        labels = RequestFileForm.Meta.labels


class StatusChangeForm(forms.Form):
    status = forms.ChoiceField(choices=[c for c in RequestStatus.choices if c[0] != RequestStatus.DRAFT])
    date = forms.DateField(widget=DATE_INPUT, initial=timezone.localdate)
    direction = forms.ChoiceField(choices=[("", "—"), *Direction.choices], required=False)
    channel = forms.ChoiceField(choices=[("", "—"), *Channel.choices], required=False)
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="What was sent or received. Leave empty to change the status without logging correspondence.",
    )
    attachments = MultipleFileField(
        required=False,
        help_text="Files that came with it (PDF, text, email, images, CSV): they become documents of the request.",
    )

    def __init__(self, *args, records_request: RecordsRequest, oversized=(), **kwargs):
        self.records_request = records_request
        self.oversized = list(oversized)
        super().__init__(*args, **kwargs)
        self.fields["status"].initial = records_request.status

    def clean_attachments(self):
        files = self.cleaned_data["attachments"]
        check_uploads(files, self.oversized)
        return files

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        filed_on = self.records_request.filed_on
        if filed_on and date < filed_on:
            raise forms.ValidationError(f"The date cannot be before the request was filed ({filed_on:%b %-d, %Y}).")
        return date

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("attachments") and not cleaned.get("summary"):
            self.add_error("summary", "Say what came with the attachments: they are logged as correspondence.")
        if cleaned.get("summary"):
            for name in ("direction", "channel"):
                if not cleaned.get(name):
                    self.add_error(name, "Say this for the correspondence entry.")
        elif cleaned.get("status") == self.records_request.status:
            self.add_error("status", "That is already the status; log a correspondence summary or pick another.")
        return cleaned


class ProcurementNumberField(forms.IntegerField):
    """Pick a procurement by its number in a text box, as in its page address; gives the procurement."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return value.pk if isinstance(value, Procurement) else value

    def clean(self, value):
        number = super().clean(value)
        if number is None:
            return None
        procurement = Procurement.objects.filter(pk=number).first()
        if procurement is None:
            raise forms.ValidationError(f"No procurement has the number {number}.")
        return procurement


class ProcurementForm(VisibilityMixin, forms.ModelForm):
    agency = NameField("agency")
    vendor = NameField("vendor")
    product = NameField("product", required=False)
    # Whether it may be the parent (a cooperative or master contract, not this one) is the model's rule.
    parent_contract = ProcurementNumberField(
        required=False,
        label="Bought under the contract",
        help_text="For a purchase off a cooperative or master contract (Sourcewell, NASPO ValuePoint...): that "
        "contract's procurement number, as in /procurements/<number>/.",
    )

    class Meta:
        model = Procurement
        fields = [
            "agency", "vendor", "product", "title", "kind", "status", "method", "method_rationale",
            "parent_contract", "amount", "currency", "funding_source", "funding_program", "funding_award_number",
            "signed_on", "start_on", "end_on", "reference_number", "source_url", "description", "visibility",
            "embargo_until",
        ]  # fmt: skip
        widgets = {
            "signed_on": DATE_INPUT, "start_on": DATE_INPUT, "end_on": DATE_INPUT, "embargo_until": DATE_INPUT,
            "method_rationale": forms.Textarea(attrs={"rows": 3}),
        }  # fmt: skip
        help_texts = {
            "funding_program": "For a federal or state grant: the programme, e.g. Byrne JAG or a UASI grant.",
            "funding_award_number": "For a federal or state grant: its award number.",
        }

    def clean(self):
        cleaned = super().clean()
        product, vendor = cleaned.get("product"), cleaned.get("vendor")
        if product and vendor and product.vendor_id != vendor.pk:
            self.add_error("product", f"That product is not {vendor.name}'s.")
        start, end = cleaned.get("start_on"), cleaned.get("end_on")
        if start and end and end < start:
            self.add_error("end_on", "The end cannot come before the start.")
        return cleaned


class TimelineEventForm(VisibilityMixin, forms.ModelForm):
    agency = NameField("agency", required=False)
    vendors = forms.ModelMultipleChoiceField(Vendor.objects.all(), required=False, to_field_name="slug",
                                             widget=forms.CheckboxSelectMultiple)  # fmt: skip
    technologies = forms.ModelMultipleChoiceField(Technology.objects.all(), required=False, to_field_name="slug",
                                                  widget=forms.CheckboxSelectMultiple)  # fmt: skip

    class Meta:
        model = TimelineEvent
        fields = [
            "date", "date_precision", "kind", "title", "summary", "agency", "vendors", "technologies",
            "is_illustrative", "visibility", "embargo_until",
        ]  # fmt: skip
        widgets = {"date": DATE_INPUT, "embargo_until": DATE_INPUT, "summary": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"date": "For a month or a year, any day in it: it is stored as the first day."}

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate() + datetime.timedelta(days=366):
            raise forms.ValidationError("That is more than a year ahead; check the date.")
        return date


class EventSourceForm(forms.ModelForm):
    document = forms.IntegerField(required=False, min_value=1, help_text="Document number, as in /documents/<number>/.")

    class Meta:
        model = EventSource
        fields = ["url", "label", "document", "page"]

    def clean_document(self):
        from records.models import Document

        number = self.cleaned_data.get("document")
        if number is None:
            return None
        try:
            return Document.objects.get(pk=number)
        except Document.DoesNotExist:
            raise forms.ValidationError("No document has that number.") from None

    def validate_constraints(self):
        # A row left blank (or emptied when editing) is no source at all: the formset asks for at least one.
        if any(self.cleaned_data.get(name) for name in ("url", "label", "document", "page")):
            super().validate_constraints()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("url") and not cleaned.get("document") and (cleaned.get("label") or cleaned.get("page")):
            self.add_error("url", "A source needs a URL or a document.")
        if cleaned.get("page") and not cleaned.get("document"):
            self.add_error("page", "A page number needs a document.")
        return cleaned


class BaseSourceFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not any(form.cleaned_data.get("url") or form.cleaned_data.get("document") for form in self.forms):
            raise forms.ValidationError("Every timeline entry needs at least one source: a URL or a document.")


SourceFormSet = forms.formset_factory(EventSourceForm, formset=BaseSourceFormSet, extra=2, max_num=10)


class ReviewFilterForm(forms.Form):
    kind = forms.ChoiceField(required=False, label="Kind")
    added_by = forms.ModelChoiceField(queryset=None, required=False, label="Added by", empty_label="Anyone")

    def __init__(self, *args, kinds, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Every kind"), *kinds]
        self.fields["added_by"].queryset = accounts


class RecordKeysField(forms.MultipleChoiceField):
    """Records named "kind:id", as the queue's checkboxes send them; which exist is the view's to check."""

    KEY = re.compile(r"^(procurement|event|request|document|correspondence):[0-9]{1,18}$")

    def valid_value(self, value):
        return bool(self.KEY.match(str(value)))


class ReviewActionForm(forms.Form):
    """An editor's bulk action on the queue: publish the ticked records, or embargo them until a date."""

    items = RecordKeysField(error_messages={"required": "Tick the records to publish or embargo."})
    action = forms.ChoiceField(choices=[("publish", "Publish now"), ("embargo", "Embargo until")])
    embargo_until = forms.DateField(required=False, widget=DATE_INPUT, label="Embargo until")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "embargo":
            date = cleaned.get("embargo_until")
            if date is None and "embargo_until" not in self.errors:
                self.add_error("embargo_until", "An embargo needs the date it ends.")
            elif date and date < timezone.localdate():
                self.add_error("embargo_until", "That date has passed; an embargo ends today or later.")
        return cleaned


class RevisionDecisionForm(forms.Form):
    """An editor's decision on a change staff proposed to a published record."""

    decision = forms.ChoiceField(
        choices=[("accept", "Accept"), ("reject", "Reject")], error_messages={"required": "Choose accept or reject."}
    )


class DuplicateDecisionForm(forms.Form):
    """An editor's decision on one suggested pair: "keep:<id>" merges the other record into that one;
    "different" marks the two not the same."""

    pair = forms.ModelChoiceField(
        queryset=DuplicatePair.objects.suggested(),
        error_messages={"invalid_choice": "This pair was decided meanwhile or its records were merged."},
    )
    decision = forms.RegexField(regex=r"^(keep:\d{1,18}|different)$", error_messages={"invalid": "Choose an action."})

    def clean(self):
        cleaned = super().clean()
        pair, decision = cleaned.get("pair"), cleaned.get("decision", "")
        if pair and decision.startswith("keep:"):
            keep_id = int(decision.removeprefix("keep:"))
            allowed = (
                (pair.second.pk,) if pair.kind == DuplicatePair.Kind.ORGANISATION else (pair.first.pk, pair.second.pk)
            )
            if keep_id not in allowed:
                self.add_error("decision", "Choose one of the two records to keep.")
            cleaned["keep_id"] = keep_id
        return cleaned
