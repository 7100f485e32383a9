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
