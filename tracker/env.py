"""Reading settings from environment variables, failing loudly on bad values.

Every error names the variable, so a mistyped deployment stops at start-up with a message that
says what to fix instead of failing later somewhere unrelated.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False, environ=os.environ) -> bool:
    raw = environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}.")


def env_int(name: str, default: int, environ=os.environ) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from None
    if value < 0:
        raise ImproperlyConfigured(f"{name} must not be negative; got {raw!r}.")
    return value


def env_list(name: str, default: list[str], environ=os.environ) -> list[str]:
    raw = environ.get(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise ImproperlyConfigured(f"{name} must be a comma-separated list with at least one entry.")
    return items


def parse_database_url(url: str, name: str = "DATABASE_URL") -> dict:
    """Turn `postgres://user:pass@host:port/db?host=/socket/dir` or `sqlite:///path` into DATABASES['default']."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        # sqlite:///relative/path is relative to the working directory; sqlite:////abs/path is absolute.
        if not url.lower().startswith("sqlite:///"):
            raise ImproperlyConfigured(f"{name}: an sqlite URL looks like sqlite:///var/db.sqlite3.")
        path = unquote(url[len("sqlite:///") :].split("?", 1)[0])
        if not path:
            raise ImproperlyConfigured(f"{name}: an sqlite URL needs a file path, e.g. sqlite:///var/db.sqlite3.")
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path}
    if scheme in {"postgres", "postgresql", "pgsql"}:
        database = unquote(parts.path.lstrip("/"))
        if not database:
            raise ImproperlyConfigured(
                f"{name}: a PostgreSQL URL needs a database name, e.g. postgres://user@host/tracker."
            )
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{name}: the port must be a number.") from None
        host = unquote(parts.hostname or "") if parts.hostname else ""
        host = query.pop("host", host)
        port = query.pop("port", port)
        config = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": database,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": host,
            "PORT": str(port or ""),
        }
        if query:
            config["OPTIONS"] = query
        return config
    raise ImproperlyConfigured(
        f"{name} must start with postgres:// or sqlite:///; got {scheme + '://' if scheme else repr(url)}."
    )


def secret_key(environ, production: bool, key_file: Path) -> str:
    """The SECRET_KEY: required from the environment in production, else generated once into var/."""
    raw = environ.get("SECRET_KEY")
    if raw is not None:
        if production and (len(raw) < 50 or len(set(raw)) < 5):
            raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters with at least 5 distinct ones.")
        if not raw:
            raise ImproperlyConfigured("SECRET_KEY is set but empty.")
        return raw
    if production:
        raise ImproperlyConfigured("SECRET_KEY is required when DJANGO_ENV=production.")
    if key_file.exists():
        return key_file.read_text().strip()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    # Written whole under a temporary name, then linked into place, which fails if another process (a second
    # test run, another app server) got there first: every process then reads the one key that won.
    partial = key_file.with_name(f".{key_file.name}.{os.getpid()}")
    partial.write_text(secrets.token_urlsafe(64))
    partial.chmod(0o600)
    try:
        os.link(partial, key_file)
    except FileExistsError:
        pass
    finally:
        partial.unlink()
    return key_file.read_text().strip()


def s3_storage(environ=os.environ) -> dict | None:
    """The STORAGES["default"] entry for S3-compatible object storage when S3_BUCKET is set, else None."""
    if not environ.get("S3_BUCKET"):
        return None
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": environ["S3_BUCKET"],
            "endpoint_url": environ.get("S3_ENDPOINT_URL") or None,
            "region_name": environ.get("S3_REGION") or None,
            "access_key": environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": environ.get("S3_SECRET_ACCESS_KEY") or None,
            "location": environ.get("S3_PREFIX", ""),
            "default_acl": None,
            "querystring_auth": True,
        },
    }


def cache_backend(url: str) -> dict:
    """Django's cache: Redis at CACHE_URL (redis://, rediss:// or unix://), shared by every app server and worker;
    memory in each process when it is unset."""
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tracker"}
    if urlsplit(url).scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(f"CACHE_URL must be a redis://, rediss:// or unix:// URL; got {url!r}.")
    return {
        "BACKEND": "tracker.redis_cache.OutageTolerantRedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "tracker",
        # Short socket timeouts: while Redis is away each page answers from the database (tracker/redis_cache.py)
        # instead of waiting on the connection.
        "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
    }


TASK_BACKENDS = {
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}


def task_backend(name: str) -> dict:
    """The django.tasks backend TASKS_BACKEND names: "immediate" (tasks run at once, in the request: no worker to
    run) or "database" (django-tasks-db's queue in the database, run by `manage.py db_worker`)."""
    name = (name or "immediate").strip().lower()
    if name not in TASK_BACKENDS:
        raise ImproperlyConfigured(f"TASKS_BACKEND must be 'immediate' or 'database'; got {name!r}.")
    return {"BACKEND": TASK_BACKENDS[name]}


EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}


def _smtp(host, port, username, password, use_tls, use_ssl, timeout) -> dict:
    return {
        "BACKEND": EMAIL_BACKENDS["smtp"],
        "OPTIONS": {
            "host": host,
            "port": port or (465 if use_ssl else (587 if use_tls else 25)),
            "username": username,
            "password": password,
            "use_tls": use_tls,
            "use_ssl": use_ssl,
            "timeout": timeout,
        },
    }


def email_mailer(environ=os.environ, production: bool = False) -> dict:
    """Django's default mailer (settings.MAILERS["default"]): from EMAIL_URL (smtp://user:password@host:587?tls=1,
    smtps://... for TLS from the first byte, console://, locmem://, dummy://) or from EMAIL_HOST, EMAIL_PORT,
    EMAIL_HOST_USER, EMAIL_HOST_PASSWORD and EMAIL_USE_TLS / EMAIL_USE_SSL. With neither, email is written to the
    console in development and sent through an SMTP server on this machine (localhost:25) in production."""
    url = (environ.get("EMAIL_URL") or "").strip()
    timeout = env_int("EMAIL_TIMEOUT", default=30, environ=environ)
    if not url:
        host = (environ.get("EMAIL_HOST") or "").strip()
        if not host and not production:
            return {"BACKEND": EMAIL_BACKENDS["console"]}
        use_tls = env_bool("EMAIL_USE_TLS", default=False, environ=environ)
        use_ssl = env_bool("EMAIL_USE_SSL", default=False, environ=environ)
        if use_tls and use_ssl:
            raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on: choose one.")
        port = env_int("EMAIL_PORT", default=0, environ=environ)
        user, password = environ.get("EMAIL_HOST_USER", ""), environ.get("EMAIL_HOST_PASSWORD", "")
        return _smtp(host or "localhost", port, user, password, use_tls, use_ssl, timeout)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in EMAIL_BACKENDS:
        schemes = ", ".join(f"{name}://" for name in EMAIL_BACKENDS)
        raise ImproperlyConfigured(f"EMAIL_URL must start with {schemes}; got {url.split(':')[0]!r}.")
    if scheme not in {"smtp", "smtps"}:
        return {"BACKEND": EMAIL_BACKENDS[scheme]}
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    use_ssl = scheme == "smtps" or env_bool("EMAIL_URL ssl", environ={"EMAIL_URL ssl": query.get("ssl", "")})
    use_tls = env_bool("EMAIL_URL tls", environ={"EMAIL_URL tls": query.get("tls", "")})
    if use_tls and use_ssl:
        raise ImproperlyConfigured(
            "EMAIL_URL: tls=1 (STARTTLS) and smtps:// or ssl=1 (TLS at once) exclude each other."
        )
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL: the port must be a number.") from None
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL needs a host, e.g. smtp://user:password@mail.example.org:587?tls=1.")
    if "timeout" in query:
        timeout = env_int("EMAIL_URL timeout", default=timeout, environ={"EMAIL_URL timeout": query["timeout"]})
    user, password = unquote(parts.username or ""), unquote(parts.password or "")
    return _smtp(unquote(parts.hostname), port, user, password, use_tls, use_ssl, timeout)


def site_url(environ=os.environ, production: bool = False) -> str:
    """SITE_URL, the address of the site in links that leave it (emails): scheme and host, no trailing slash.
    Production needs https (RFC 8058 one-click unsubscribe links must be)."""
    raw = (environ.get("SITE_URL") or "").strip().rstrip("/")
    if not raw:
        return "" if production else "http://127.0.0.1:8000"
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query or parts.fragment:
        raise ImproperlyConfigured(f"SITE_URL must look like https://tracker.example.org; got {raw!r}.")
    if production and parts.scheme != "https":
        raise ImproperlyConfigured(f"SITE_URL must start with https:// in production; got {raw!r}.")
    return raw
