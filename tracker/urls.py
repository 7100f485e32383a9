from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.http import require_safe

from records.web.ratelimit import rate_limited
from records.web.views.health import healthz

# Sign-in pages, per address: bounds one address's guesses across many usernames (lockouts are per username).
sign_in_limited = rate_limited("sign-in", "SIGN_IN_RATE_LIMIT", what="sign-in requests")

urlpatterns = [
    path("admin/login/", sign_in_limited(admin.site.login)),
    path("admin/", admin.site.urls),
    path("accounts/login/", sign_in_limited(auth_views.LoginView.as_view()), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("healthz", require_safe(healthz), name="healthz"),
    path("staff/", include("records.web.staff_urls")),
    path("", include("records.web.urls")),
]
# django-debug-toolbar's own pages, when settings turned it on (development with DEBUG).
if settings.DEBUG_TOOLBAR:
    from debug_toolbar.toolbar import debug_toolbar_urls

    urlpatterns += debug_toolbar_urls()
