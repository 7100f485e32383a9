from django.contrib import admin
from django.urls import include, path

from records.views.health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("healthz", healthz, name="healthz"),
    path("staff/", include("records.staff_urls")),
    path("", include("records.urls")),
]
