"""Settings for the tracker, read from environment variables (README.md lists them all)."""

import datetime
import importlib.util
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from tracker.env import (
    cache_backend,
    email_mailer,
    env_bool,
    env_int,
    env_list,
    parse_database_url,
    s3_storage,
    secret_key,
    site_url,
    task_backend,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DJANGO_ENV = os.environ.get("DJANGO_ENV", "development").strip().lower()
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be 'development' or 'production'; got {DJANGO_ENV!r}.")
PRODUCTION = DJANGO_ENV == "production"

SECRET_KEY = secret_key(os.environ, PRODUCTION, VAR_DIR / "secret_key")
DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not os.environ.get("ALLOWED_HOSTS"):
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when DJANGO_ENV=production.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "simple_history",
    "axes",
    "django_tasks_db",
    "records",
]
# The benchmark tools (bench/: the synthetic generator and its generate_synthetic command) outside production.
if not PRODUCTION:
    INSTALLED_APPS.append("bench")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "records.web.middleware.DatabaseUnavailableMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]
# django-debug-toolbar in development only: outside production, with DEBUG on, and when it is installed (it is
# in requirements-dev.txt, not requirements.txt). pytest-django runs the tests with DEBUG off, so it never shows
# there. The strict policy (SECURE_CSP below) lets it run: its scripts and styles are files from this origin.
DEBUG_TOOLBAR = not PRODUCTION and DEBUG and importlib.util.find_spec("debug_toolbar") is not None
if DEBUG_TOOLBAR:
    INSTALLED_APPS.append("debug_toolbar")
    # Early, as the toolbar asks; after whitenoise, which answers static files on its own.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1,
        "debug_toolbar.middleware.DebugToolbarMiddleware",
    )
    # The toolbar shows only to requests from these addresses: this machine.
    INTERNAL_IPS = ["127.0.0.1", "::1"]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Repeated failed sign-ins lock out the username for a cool-off time, from every address: not the address, which
# behind a proxy or an office's NAT is many staff members' (SIGN_IN_RATE_LIMIT bounds one address's attempts at
# many usernames). The address axes records is the one the rate limits use.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_CLIENT_IP_CALLABLE = "records.web.ratelimit.client_address"
AXES_RESET_ON_SUCCESS = True
# axes warns that username-only lockouts let one address rotate through usernames: SIGN_IN_RATE_LIMIT bounds that.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "records.web.context_processors.roles",
            ],
            # The app's tags live with the rest of its web layer (records/web/), not in records/templatetags/.
            "libraries": {
                "kept": "records.web.templatetags.kept",
                "timeline": "records.web.templatetags.timeline",
            },
        },
    },
    # Timeline entries only (records/web/templatetags/timeline.py says why); autoescaping is on.
    {
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"autoescape": True, "trim_blocks": True, "lstrip_blocks": True},
    },
]

DATABASES = {
    "default": parse_database_url(os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'tracker.sqlite3'}")
}
if not os.environ.get("DATABASE_URL"):
    VAR_DIR.mkdir(exist_ok=True)
# Persistent connections with health checks: the app reconnects by itself after a database restart.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", default=60 if PRODUCTION else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets pages read while an import writes; a busy timeout instead of instant "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    # SQLite has no INCLUDE columns in indexes; it builds event_agency_date_id without them, which is fine.
    SILENCED_SYSTEM_CHECKS += ["models.W040"]
# A PostgreSQL read replica: public reads go to it, writes, transactions and staff pages to the primary
# (tracker/db_router.py).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = parse_database_url(os.environ["DATABASE_REPLICA_URL"], "DATABASE_REPLICA_URL") | {
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["tracker.db_router.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
        "tracker.db_router.PrimaryForStaffMiddleware",
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/staff/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or VAR_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or VAR_DIR / "media")
if not MEDIA_ROOT.is_absolute():
    raise ImproperlyConfigured(f"MEDIA_ROOT must be an absolute path; got {str(MEDIA_ROOT)!r}.")
# Outside production, whitenoise serves straight from static/ so `make demo` needs no collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION and not os.environ.get("STATIC_ROOT"):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploaded files in S3-compatible object storage (AWS S3, MinIO, Ceph, R2...) when S3_BUCKET is set, so
# that several app servers share them; otherwise the folder MEDIA_ROOT. Downloads still go through the
# app (records/web/views/public.py document_download), which checks visibility first.
if s3 := s3_storage():
    STORAGES["default"] = s3

# Searches, and sign-in pages and attempts, per minute per client address (0 turns a limit off).
SEARCH_RATE_LIMIT = env_int("SEARCH_RATE_LIMIT", default=60)
# Name look-ups (the suggestions as one types an agency, vendor or product) per minute per client address.
NAME_LOOKUP_RATE_LIMIT = env_int("NAME_LOOKUP_RATE_LIMIT", default=300)
SIGN_IN_RATE_LIMIT = env_int("SIGN_IN_RATE_LIMIT", default=30)
# The proxies in front of the app that append to X-Forwarded-For (0: none, the client is REMOTE_ADDR). The client
# is the N-th address from the right (records/web/ratelimit.py client_address), for rate limits and lockouts.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", default=0)
if os.environ.get("TRUSTED_PROXY_HEADER"):
    raise ImproperlyConfigured(
        "TRUSTED_PROXY_HEADER is no longer read (it trusted the left-most forwarded address, which a client can "
        "write): set TRUSTED_PROXY_COUNT to the number of proxies in front of the app instead."
    )

# Email (follow confirmations and digests): EMAIL_URL or EMAIL_HOST & co. (tracker/env.py email_mailer); the
# console in development when neither is set.
MAILERS = {"default": email_mailer(os.environ, PRODUCTION)}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Surveillance Procurement Tracker <alerts@localhost>").strip()
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The site's own address, for the links in emails (which have no request to take it from).
SITE_URL = site_url(os.environ, PRODUCTION)
# Follow requests (each sends a confirmation email) per minute per client address; 0 turns the limit off.
FOLLOW_RATE_LIMIT = env_int("FOLLOW_RATE_LIMIT", default=5)

# Page size of every list and timeline; the JSON and CSV exports stream past it.
PAGE_SIZE = env_int("PAGE_SIZE", default=50)
# Seconds the public's view of aggregates (counts, facets, charts, side lists) and of whole pages (every public
# page and list CSV export but search and downloads) is kept in the cache (records/web/public_cache.py); 0
# computes them on every request. Any write to the records makes kept values unreachable at once (a content
# token in the database keys them), so these only bound how long an unchanged page stays in memory.
# Staff always see everything live.
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", default=600 if PRODUCTION else 0)
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", default=300 if PRODUCTION else 0)
# How long a browser, proxy or CDN may reuse a public page without asking (records/web/http_cache.py); after that
# it revalidates with the ETag and gets a 304 while the records are unchanged. Staff answers are never shared.
HTTP_CACHE_SECONDS = env_int("HTTP_CACHE_SECONDS", default=60)
# A CSV export is kept (with the pages, once it has been sent whole) when it is at most this large; a
# 10,000-row timeline is about 4.5 MB. Exports have their own cache of a few entries, so that they neither
# push pages out nor hold much more than PUBLIC_EXPORT_CACHE_ENTRIES x PUBLIC_EXPORT_CACHE_BYTES per process
# (plus the exports being sent, each buffered up to the limit); 0 bytes keeps none.
PUBLIC_EXPORT_CACHE_BYTES = env_int("PUBLIC_EXPORT_CACHE_BYTES", default=10 * 1024 * 1024)
PUBLIC_EXPORT_CACHE_ENTRIES = env_int("PUBLIC_EXPORT_CACHE_ENTRIES", default=8)
# Redis through Django's own backend when CACHE_URL is set, so that rate limits, sign-in counters and kept pages
# are shared by every app server; else memory in each process.
CACHES = {
    "default": cache_backend(os.environ.get("CACHE_URL", "")),
    # Kept as they are, not pickled: reading a pickled 4.4 MB export back cost more than serving it.
    "exports": {
        "BACKEND": "tracker.cache.UnpickledMemoryCache",
        "LOCATION": "tracker-exports",
        "OPTIONS": {"MAX_ENTRIES": PUBLIC_EXPORT_CACHE_ENTRIES},
    },
}

# Uploaded documents: the largest file accepted (checked while it streams in), and the size above which
# an upload goes to a temporary file instead of memory.
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", default=100 * 1024 * 1024)
# Images with more pixels are not given to Tesseract, whose memory grows with them: 50 million holds a letter
# page scanned at 600 dpi (34 million) and refuses the 400-million-pixel PNG of a few hundred kilobytes.
OCR_MAX_PIXELS = env_int("OCR_MAX_PIXELS", default=50_000_000)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
# Text extraction runs as a task: at once, in the upload request, unless TASKS_BACKEND=database queues it in the
# database for `manage.py db_worker` (django-tasks-db, installed always so that its table is always migrated).
TASKS = {"default": task_backend(os.environ.get("TASKS_BACKEND", ""))}

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # Load balancers check health over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
# A strict policy on every page: our own styles and scripts only (scripts also by nonce), no plugins,
# no framing, forms post only here.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# The prefix of every ocid in the OCDS export. Register one with the Open Contracting Partnership (it
# looks like "ocds-213czf") before publishing the export for others to combine with theirs.
OCDS_OCID_PREFIX = os.environ.get("OCDS_OCID_PREFIX", "ocds-tracker").strip()
if not OCDS_OCID_PREFIX.replace("-", "").isalnum():
    raise ImproperlyConfigured(f"OCDS_OCID_PREFIX must be letters, digits and hyphens; got {OCDS_OCID_PREFIX!r}.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes logs every successful sign-in at INFO; lockouts still show at WARNING.
    "loggers": {"axes": {"level": "WARNING"}},
}
