"""Settings come from the environment, and a bad value stops start-up with a message naming it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tracker.env import cache_backend, env_bool, env_int, env_list, parse_database_url, secret_key, task_backend

ROOT = Path(__file__).resolve().parent.parent


def run_check(**env):
    environ = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG", "DJANGO_ENV", "SECRET_KEY"}}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60
    )


def test_postgres_url_with_socket_directory_and_port():
    config = parse_database_url("postgres://alice:s%40cret@/tracker?host=/tmp/pg&port=5433&sslmode=disable")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == ("tracker", "alice", "s@cret")
    assert (config["HOST"], config["PORT"]) == ("/tmp/pg", "5433")
    assert config["OPTIONS"] == {"sslmode": "disable"}


def test_postgres_url_with_host_and_port():
    config = parse_database_url("postgresql://u@db.internal:6543/tracker")
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", "6543", "tracker")


def test_sqlite_urls_relative_and_absolute():
    assert parse_database_url("sqlite:///var/db.sqlite3")["NAME"] == "var/db.sqlite3"
    assert parse_database_url("sqlite:////srv/db.sqlite3")["NAME"] == "/srv/db.sqlite3"


@pytest.mark.parametrize(
    "url", ["mysql://x@y/z", "postgres://x@y", "sqlite://", "postgres://u@h:notaport/db", "just-a-path"]
)
def test_bad_database_urls_name_the_variable(url):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        parse_database_url(url)


def test_booleans_integers_and_lists():
    assert env_bool("DEBUG", environ={"DEBUG": "yes"}) is True
    assert env_bool("DEBUG", environ={}) is False
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool("DEBUG", environ={"DEBUG": "maybe"})
    assert env_int("PAGE_SIZE", 50, environ={"PAGE_SIZE": "20"}) == 20
    with pytest.raises(ImproperlyConfigured, match="PAGE_SIZE"):
        env_int("PAGE_SIZE", 50, environ={"PAGE_SIZE": "twenty"})
    assert env_list("ALLOWED_HOSTS", [], environ={"ALLOWED_HOSTS": "a.org, b.org"}) == ["a.org", "b.org"]
    with pytest.raises(ImproperlyConfigured, match="ALLOWED_HOSTS"):
        env_list("ALLOWED_HOSTS", [], environ={"ALLOWED_HOSTS": " , "})


def test_cache_and_task_backends_from_their_variables():
    assert cache_backend("")["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    redis = cache_backend("redis://cache.internal:6379/1")
    assert (
        redis["BACKEND"] == "tracker.redis_cache.OutageTolerantRedisCache"
    )  # Django's RedisCache, see tracker/redis_cache.py
    assert redis["LOCATION"] == "redis://cache.internal:6379/1"
    assert task_backend("")["BACKEND"] == "django.tasks.backends.immediate.ImmediateBackend"
    assert task_backend("Database")["BACKEND"] == "django_tasks_db.DatabaseBackend"


def test_secret_key_is_generated_once_and_kept(tmp_path):
    key_file = tmp_path / "var" / "secret_key"
    first = secret_key({}, production=False, key_file=key_file)
    assert len(first) >= 50
    assert secret_key({}, production=False, key_file=key_file) == first
    assert oct(key_file.stat().st_mode)[-3:] == "600"


def test_production_requires_a_strong_secret_key(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is required"):
        secret_key({}, production=True, key_file=tmp_path / "k")
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        secret_key({"SECRET_KEY": "short"}, production=True, key_file=tmp_path / "k")


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"DATABASE_URL": "mysql://nope/db"}, "DATABASE_URL"),
        ({"DEBUG": "perhaps"}, "DEBUG"),
        ({"DJANGO_ENV": "staging"}, "DJANGO_ENV"),
        ({"DJANGO_ENV": "production", "ALLOWED_HOSTS": "tracker.example"}, "SECRET_KEY"),
        ({"MEDIA_ROOT": "relative/media"}, "MEDIA_ROOT"),
        ({"PAGE_SIZE": "-3"}, "PAGE_SIZE"),
        ({"CACHE_URL": "memcached://127.0.0.1:11211"}, "CACHE_URL"),
        ({"TASKS_BACKEND": "celery"}, "TASKS_BACKEND"),
        ({"TRUSTED_PROXY_HEADER": "HTTP_X_FORWARDED_FOR"}, "TRUSTED_PROXY_COUNT"),
    ],
)
def test_start_up_stops_with_a_message_naming_the_variable(env, variable):
    result = run_check(**env)
    assert result.returncode != 0
    assert variable in result.stderr


def test_every_environment_variable_read_is_in_the_readme_table():
    import re

    sources = [ROOT / "tracker" / "settings.py", ROOT / "tracker" / "env.py", ROOT / "gunicorn.conf.py"]
    sources += sorted((ROOT / "records").rglob("*.py"))
    pattern = re.compile(
        r"""(?:env(?:_bool|_int|_list)?\(|environ(?:\.get)?\(|environ\[|getenv\()\s*["']([A-Z][A-Z0-9_]+)["']"""
    )
    read = {name for path in sources for name in pattern.findall(path.read_text())}
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Configuration") :]
    table = table[: table.index("\n## ")]
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))
    assert {"DATABASE_URL", "BIND", "S3_BUCKET"} <= read
    assert sorted(read - documented) == []


def test_gunicorn_listens_on_this_machine_only_unless_told(monkeypatch):
    import runpy

    for name in ("BIND", "PORT"):
        monkeypatch.delenv(name, raising=False)
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["bind"] == "127.0.0.1:8000"
    monkeypatch.setenv("PORT", "9100")
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["bind"] == "127.0.0.1:9100"
    monkeypatch.setenv("BIND", "0.0.0.0:8000")
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["bind"] == "0.0.0.0:8000"
