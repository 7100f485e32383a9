from django.urls import path

from records.views import staff

urlpatterns = [
    path("", staff.dashboard, name="staff-dashboard"),
]
