from django.urls import path

from records.web.views import documents_staff, staff

urlpatterns = [
    path("", staff.dashboard, name="staff-dashboard"),
    path("requests/new/", staff.request_new, name="staff-request-new"),
    path("requests/<int:pk>/", staff.request_detail, name="staff-request-detail"),
    path("requests/<int:pk>/edit/", staff.request_edit, name="staff-request-edit"),
    path("requests/<int:pk>/status/", staff.request_status, name="staff-request-status"),
    path("requests/<int:pk>/history/", staff.request_history, name="staff-request-history"),
    path("procurements/new/", staff.procurement_new, name="staff-procurement-new"),
    path("procurements/<int:pk>/edit/", staff.procurement_edit, name="staff-procurement-edit"),
    path("events/new/", staff.event_new, name="staff-event-new"),
    path("events/<int:pk>/edit/", staff.event_edit, name="staff-event-edit"),
    path("review/", staff.review, name="staff-review"),
    path("review/revisions/<int:pk>/", staff.revision_decide, name="staff-revision-decide"),
    path("duplicates/", staff.duplicates, name="staff-duplicates"),
    path("calendar/", staff.calendar_settings, name="staff-calendar"),
    path("calendar/rotate/", staff.calendar_rotate, name="staff-calendar-rotate"),
    path("deadlines.ics", staff.deadlines_ics, name="staff-deadlines-ics"),
    path("documents/", documents_staff.document_list, name="staff-document-list"),
    path("documents/upload/", documents_staff.document_upload, name="staff-document-upload"),
    path("documents/<int:pk>/", documents_staff.document_detail, name="staff-document-detail"),
    path("documents/<int:pk>/extract/", documents_staff.document_extract_again, name="staff-document-extract"),
    path("documents/<int:pk>/mentions/<int:mention_pk>/", documents_staff.mention_update, name="staff-mention-update"),
]
