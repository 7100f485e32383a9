"""Staff pages: the dashboard, filing and moving requests, procurements and timeline entries."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseNotFound
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe

from records.documents.extraction import UnsupportedFile
from records.exports import ics as calendar
from records.models import (
    DuplicatePair,
    Procurement,
    ProposedRevision,
    RecordsRequest,
    StaffProfile,
    TimelineEvent,
    Visibility,
)
from records.rules.permissions import can_edit, can_propose, editor_required, is_editor, is_staff_member, staff_required
from records.selectors.oversight import oversight_due
from records.selectors.requests import deadlines_calendar_entries, staff_dashboard
from records.selectors.review import (
    KINDS,
    parse_review_cursor,
    pending_revisions,
    review_queue,
    review_records,
    staff_accounts,
)
from records.services.duplicates import DuplicateError, duplicate_pair_dismiss, duplicate_pair_merge
from records.services.merges import MergeError
from records.services.requests import RequestError, request_file, request_set_status, request_update
from records.services.review import (
    ReviewError,
    records_set_visibility,
    revision_accept,
    revision_propose,
    revision_reject,
)
from records.services.timeline import event_record, event_update, procurement_record, procurement_update
from records.web.document_forms import UploadSizeLimit
from records.web.forms import (
    DuplicateDecisionForm,
    ProcurementForm,
    RequestEditForm,
    RequestFileForm,
    ReviewActionForm,
    ReviewFilterForm,
    RevisionDecisionForm,
    SourceFormSet,
    StatusChangeForm,
    TimelineEventForm,
)
from records.web.pagination import BadCursor, keyset_page


@staff_required
def dashboard(request):
    today = timezone.localdate()
    context = staff_dashboard(user=request.user, today=today) | {"today": today}
    context["oversight_due"] = oversight_due(today=today)
    return render(request, "staff/dashboard.html", context)


def _apply_service_errors(form, error: Exception):
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, str(error.messages[0] if isinstance(error, ValidationError) else error))


@staff_required
def request_new(request):
    form = RequestFileForm(
        request.POST or None, can_publish=is_editor(request.user), initial={"agency": request.GET.get("agency", "")}
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v is not None and k in form.fields}
        try:
            records_request = request_file(user=request.user, **data)
        except (ValidationError, RequestError) as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, f"Request logged: {records_request.subject}.")
            return redirect("staff-request-detail", pk=records_request.pk)
    return render(request, "staff/request_form.html", {"form": form, "title": "File a records request"})


@staff_required
def request_detail(request, pk):
    records_request = get_object_or_404(RecordsRequest.objects.select_related("agency__jurisdiction__parent"), pk=pk)
    form = StatusChangeForm(records_request=records_request)
    return _render_request(request, records_request, form)


def _render_request(request, records_request, form, status=200):
    context = {
        "records_request": records_request,
        "form": form,
        "correspondence": records_request.correspondence.all(),
        "changes": records_request.status_changes.select_related("changed_by"),
        "documents": records_request.documents.all(),
    }
    return render(request, "staff/request_detail.html", context, status=status)


# The upload size limit must be in place before anything reads the body, and CsrfViewMiddleware reads
# it to find the token: so the middleware's check is skipped here and done by csrf_protect inside.
@csrf_exempt
@staff_required
@require_POST
def request_status(request, pk):
    request.upload_handlers.insert(0, UploadSizeLimit(request))
    return _request_status(request, pk)


@csrf_protect
def _request_status(request, pk):
    records_request = get_object_or_404(RecordsRequest.objects.select_related("agency__jurisdiction__parent"), pk=pk)
    form = StatusChangeForm(
        request.POST,
        request.FILES,
        records_request=records_request,
        oversized=getattr(request, "oversized_uploads", ()),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            request_set_status(
                records_request=records_request,
                status=data["status"],
                on=data["date"],
                direction=data["direction"],
                channel=data["channel"],
                summary=data["summary"],
                attachments=data["attachments"],
                user=request.user,
            )
        except (ValidationError, RequestError, UnsupportedFile) as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, "Status updated.")
            return redirect("staff-request-detail", pk=pk)
    return _render_request(request, records_request, form, status=400)


@staff_required
def request_edit(request, pk):
    """Editors, and staff on a private request they added, change it here. Other staff change a published or
    embargoed request by proposing the change: it waits in the review queue and the request stays as it is."""
    records_request = get_object_or_404(RecordsRequest, pk=pk)
    proposing = not can_edit(request.user, records_request)
    if proposing and not can_propose(request.user, records_request):
        raise PermissionDenied("Only an editor can change a private record another staff member added.")
    title = f"Edit: {records_request.subject}"  # as saved: validating the form writes what was typed onto it
    form = RequestEditForm(request.POST or None, instance=records_request, can_publish=is_editor(request.user))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.fields}
        revision = None
        try:
            if proposing:
                records_request.refresh_from_db()  # the form wrote what was typed onto it; the proposal keeps it
                revision = revision_propose(record=records_request, user=request.user, **fields)
            else:
                request_update(records_request=records_request, user=request.user, **fields)
        except (ValidationError, RequestError, ReviewError) as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _saved_message(proposing, revision, "Request saved."))
            return redirect("staff-request-detail", pk=pk)
    context = {"form": form, "title": title, "records_request": records_request, "proposing": proposing}
    return render(request, "staff/request_form.html", context)


@staff_required
def request_history(request, pk):
    records_request = get_object_or_404(RecordsRequest, pk=pk)
    history = records_request.history.select_related("history_user").order_by("-history_date")
    rows = []
    for record in history:
        previous = record.prev_record
        changes = record.diff_against(previous).changes if previous else []
        rows.append({"record": record, "changes": changes})
    return render(request, "staff/request_history.html", {"records_request": records_request, "rows": rows})


@staff_required
def procurement_new(request):
    form = ProcurementForm(
        request.POST or None, can_publish=is_editor(request.user), initial={"agency": request.GET.get("agency", "")}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if not is_editor(request.user):
            data["visibility"] = "private"
        try:
            procurement = procurement_record(user=request.user, **data)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, f"Procurement recorded: {procurement.title}.")
            return redirect(procurement.get_absolute_url())
    context = {"form": form, "title": "Add a procurement", "bulk_template": "procurements-template.csv"}
    return render(request, "staff/simple_form.html", context)


def _editable(request, record):
    """The record, if this staff member may change it; otherwise a 403 that says why."""
    if not can_edit(request.user, record):
        raise PermissionDenied("Only an editor can change a published record, or one another staff member added.")
    return record


@staff_required
def procurement_edit(request, pk):
    """Editors, and staff on a private procurement they added, change it here. Other staff change a published or
    embargoed one by proposing the change: it waits in the review queue and the procurement stays as it is."""
    procurement = get_object_or_404(Procurement, pk=pk)
    proposing = not can_edit(request.user, procurement)
    if proposing and not can_propose(request.user, procurement):
        raise PermissionDenied("Only an editor can change a private record another staff member added.")
    title = f"Edit: {procurement.title}"  # as saved: validating the form writes what was typed onto the record
    form = ProcurementForm(request.POST or None, instance=procurement, can_publish=is_editor(request.user))
    if request.method == "POST" and form.is_valid():
        revision = None
        try:
            if proposing:
                procurement.refresh_from_db()  # the form wrote what was typed onto it; the proposal keeps it
                revision = revision_propose(record=procurement, user=request.user, **form.cleaned_data)
            else:
                procurement_update(procurement=procurement, user=request.user, **form.cleaned_data)
        except (ValidationError, ReviewError) as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _saved_message(proposing, revision, "Procurement saved."))
            return redirect(procurement.get_absolute_url())
    context = {"form": form, "title": title, "record": procurement, "proposing": proposing}
    return render(request, "staff/simple_form.html", context)


def _saved_message(proposing: bool, revision, saved: str) -> str:
    if not proposing:
        return saved
    if revision is None:
        return "Nothing was changed."
    return "Your change waits for an editor; the public sees the record as it was."


def _source_rows(sources) -> list[dict]:
    return [
        {key: value for key, value in source.cleaned_data.items() if value not in (None, "")}
        for source in sources
        if source.cleaned_data
    ]


@staff_required
def event_new(request):
    form = TimelineEventForm(
        request.POST or None, can_publish=is_editor(request.user), initial={"agency": request.GET.get("agency", "")}
    )
    sources = SourceFormSet(request.POST or None, prefix="sources")
    if request.method == "POST" and form.is_valid() and sources.is_valid():
        data = dict(form.cleaned_data)
        vendors, technologies = data.pop("vendors"), data.pop("technologies")
        if not is_editor(request.user):
            data["visibility"] = Visibility.PRIVATE
        try:
            event = event_record(
                sources=_source_rows(sources), vendors=vendors, technologies=technologies, added_by=request.user, **data
            )
        except (ValidationError, ValueError) as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, "Timeline entry added.")
            return redirect(event.get_absolute_url())
    context = {"form": form, "sources": sources, "title": "Add a timeline entry"}
    return render(request, "staff/event_form.html", context)


@staff_required
def event_edit(request, pk):
    event = _editable(request, get_object_or_404(TimelineEvent, pk=pk))
    if event.procurement_id:
        messages.info(request, "This entry follows its procurement: edit the procurement.")
        return redirect("staff-procurement-edit", pk=event.procurement_id)
    if event.records_request_id:
        messages.info(request, "This entry follows its records request: edit the request.")
        return redirect("staff-request-detail", pk=event.records_request_id)
    title = f"Edit: {event.title}"  # as saved: validating the form writes what was typed onto the record
    form = TimelineEventForm(request.POST or None, instance=event, can_publish=is_editor(request.user))
    initial = [{"url": s.url, "label": s.label, "document": s.document_id, "page": s.page} for s in event.sources.all()]
    sources = SourceFormSet(request.POST or None, prefix="sources", initial=initial)
    if request.method == "POST" and form.is_valid() and sources.is_valid():
        data = dict(form.cleaned_data)
        vendors, technologies = data.pop("vendors"), data.pop("technologies")
        try:
            event_update(event=event, sources=_source_rows(sources), vendors=vendors, technologies=technologies, **data)
        except (ValidationError, ValueError) as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, "Timeline entry saved.")
            return redirect(event.get_absolute_url())
    context = {"form": form, "sources": sources, "title": title, "record": event}
    return render(request, "staff/event_form.html", context)


@staff_required
def review(request):
    """What the public cannot see yet, newest first; editors publish or embargo it in bulk."""
    filters = ReviewFilterForm(request.GET, kinds=[(kind.key, kind.label) for kind in KINDS], accounts=staff_accounts())
    chosen = filters.cleaned_data if filters.is_valid() else {}
    action = ReviewActionForm(request.POST or None)
    if request.method == "POST":
        if not is_editor(request.user):
            raise PermissionDenied("Only an editor publishes or embargoes records.")
        if action.is_valid():
            data = action.cleaned_data
            records = review_records(data["items"])
            publish = data["action"] == "publish"
            try:
                if not records:
                    raise ReviewError("None of the ticked records is one the queue publishes.")
                count = records_set_visibility(
                    records=records,
                    visibility=Visibility.PUBLIC if publish else Visibility.EMBARGOED,
                    embargo_until=None if publish else data["embargo_until"],
                    user=request.user,
                )
            except (ReviewError, ValidationError) as error:
                _apply_service_errors(action, error)
            else:
                done = "published" if publish else f"embargoed until {data['embargo_until']:%b %-d, %Y}"
                messages.success(request, f"{count} record{'s' if count != 1 else ''} {done}.")
                return redirect(request.get_full_path())
    added_by = chosen.get("added_by")
    queue = review_queue(
        today=timezone.localdate(),
        kind=chosen.get("kind") or "",
        added_by=added_by.pk if added_by else None,
        cursor=parse_review_cursor(request.GET.get("after", "")),
    )
    context = {
        "filters": filters,
        "action": action,
        "can_publish": is_editor(request.user),
        "checked": set(request.POST.getlist("items")),
        **queue,
        **pending_revisions(),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "staff/review.html", context, status=status)


@editor_required
@require_POST
def revision_decide(request, pk):
    """An editor accepts a change staff proposed (applied through the record's own service) or rejects it."""
    revision = get_object_or_404(ProposedRevision, pk=pk)
    form = RevisionDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose accept or reject.")
        return redirect("staff-review")
    accept = form.cleaned_data["decision"] == "accept"
    try:
        (revision_accept if accept else revision_reject)(revision=revision, user=request.user)
    except (ReviewError, ValidationError, RequestError) as error:
        messages.error(request, str(error.messages[0] if isinstance(error, ValidationError) else error))
    else:
        messages.success(request, "The change is applied." if accept else "The change is rejected.")
    return redirect("staff-review")


DUPLICATES_PAGE = 50


@staff_required
def duplicates(request):
    """Possible duplicate agencies and vendors, most alike first, as find_duplicates stored them after the
    last import (never computed here: that compares every agency); editors merge them or mark them apart."""
    form = DuplicateDecisionForm(request.POST or None)
    if request.method == "POST":
        if not is_editor(request.user):
            raise PermissionDenied("Only an editor merges records or marks them not the same.")
        if form.is_valid():
            pair, decision = form.cleaned_data["pair"], form.cleaned_data["decision"]
            try:
                if decision == "different":
                    duplicate_pair_dismiss(pair=pair, user=request.user)
                    done = (
                        f"“{pair.first}” and “{pair.second}” are marked not the same; they will not be suggested again."
                    )
                else:
                    record = duplicate_pair_merge(pair=pair, keep_id=form.cleaned_data["keep_id"], user=request.user)
                    done = f"Merged “{record.removed_name}” into “{record.kept_name}”; the old name is now its alias."
            except (DuplicateError, MergeError) as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, done)
                return redirect(request.get_full_path())
    pairs = DuplicatePair.objects.suggested()
    try:
        page = keyset_page(pairs, request.GET.get("after") or None, DUPLICATES_PAGE, "score", "int", descending=True)
    except BadCursor:
        page = keyset_page(pairs, None, DUPLICATES_PAGE, "score", "int", descending=True)
    context = {
        "pairs": page.items,
        "next_cursor": page.next_cursor,
        "form": form,
        "can_decide": is_editor(request.user),
    }
    return render(request, "staff/duplicates.html", context, status=400 if request.method == "POST" else 200)


@staff_required
def calendar_settings(request):
    profile, _ = StaffProfile.objects.get_or_create(user=request.user)
    feed = request.build_absolute_uri(reverse("staff-deadlines-ics") + f"?token={profile.calendar_token}")
    return render(request, "staff/calendar.html", {"feed_url": feed})


@staff_required
@require_POST
def calendar_rotate(request):
    profile, _ = StaffProfile.objects.get_or_create(user=request.user)
    profile.rotate_calendar_token()
    messages.success(request, "A new calendar address was made; the old one no longer works.")
    return redirect("staff-calendar")


@require_safe
def deadlines_ics(request):
    """Due dates of open requests and contract ends for calendar apps, which cannot sign in: a per-user secret in
    the URL."""
    token = request.GET.get("token", "")
    profile = StaffProfile.objects.select_related("user").filter(calendar_token=token).first() if token else None
    # Staff membership is checked on every read: a token outlives nobody's place on the staff.
    if profile is None or not is_staff_member(profile.user):
        return HttpResponseNotFound("Unknown calendar address.", content_type="text/plain")
    requests, contracts, stamp = deadlines_calendar_entries(today=timezone.localdate())
    body = calendar.deadlines_calendar(
        requests, contracts=contracts, oversight=oversight_due(today=timezone.localdate()),
        absolute=request.build_absolute_uri, stamp=stamp or timezone.now(),
    )  # fmt: skip
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="deadlines.ics"'
    patch_cache_control(response, private=True, no_store=True)
    return response
