"""Archives move the tracker between databases without a difference: every row, every value, every file.

The round trip runs between this test database and a second database of the other engine, driven in a
subprocess (manage.py code against another DATABASE_URL): SQLite in a temporary file when this run is on
PostgreSQL; a throwaway PostgreSQL server (scripts/with-postgres) when this run is on SQLite. So the
PostgreSQL pass of `make test` covers both directions, and the SQLite pass covers them again where
PostgreSQL server binaries are installed.
"""

import datetime
import decimal
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from records.exports.archive import archived_models
from records.models import (
    Agency,
    DocumentMention,
    Procurement,
    RecordsRequest,
    RequestStatusChange,
    StaffProfile,
    Technology,
    Vendor,
)
from records.services.merges import agency_merge
from tests import factories

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
STORED = b"%PDF-1.4\n% a stored file, as Document.file keeps it\n" + bytes(range(256)) * 64


def build_world():
    """The demo plus one of everything the demo lacks: users, a stored file, a merge, history by a user."""
    from records.importers.demo import load_demo

    load_demo()
    editor = User.objects.create_user("editor", "editor@example.org", "a long enough password 1")
    editor.groups.add(Group.objects.get(name="editors"))
    editor.user_permissions.add(Permission.objects.get(codename="view_agency"))
    StaffProfile.objects.create(user=editor)
    document = factories.document(title="Flock sharing list", pages=("page one", "page two"))
    document.file.save("sharing-agencies.pdf", ContentFile(STORED))
    vendor = Vendor.objects.get(name="Flock Safety")  # the demo's data-sharing links name it
    DocumentMention.objects.create(document=document, vendor=vendor, pages=[1, 2])
    agency = Agency.objects.get(slug="washington-county-sheriffs-office-or")
    agency.latitude, agency.longitude = 45.553542123, -123.097615987
    agency._history_user = editor
    agency.save()
    duplicate = factories.agency("Washington County Sheriff", "OR")
    agency_merge(keep=agency, remove=duplicate, user=editor)
    Procurement.objects.create(
        agency=agency, vendor=vendor, title="Flock cameras", kind="contract", amount=decimal.Decimal("123456.78"),
        signed_on=datetime.date(2021, 3, 4), start_on=datetime.date(2021, 4, 1), end_on=datetime.date(2023, 3, 31),
    )  # fmt: skip
    request = RecordsRequest.objects.filter(agency=agency).first()
    RequestStatusChange.objects.create(request=request, status="filed", changed_on=datetime.date(2018, 6, 1),
                                       changed_by=editor)  # fmt: skip


def _value(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return value


def snapshot() -> dict:
    """Every archived row as plain values, plus many-to-many links and the stored files' hashes.

    Groups and permissions are compared by name (their ids are the target's own); everything else by id.
    """
    rows = {}
    for model in archived_models():
        fields = [f.attname for f in model._meta.concrete_fields if not (model is Group and f.primary_key)]
        ordered = model._base_manager.order_by("name" if model is Group else "pk")
        rows[model._meta.label] = [[_value(v) for v in row] for row in ordered.values_list(*fields)]
        for m2m in model._meta.many_to_many:
            through = m2m.remote_field.through
            source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
            natural = {Group: f"{target}__name", Permission: f"{target}__codename"}.get(m2m.related_model, target)
            owner = f"{source}__name" if model is Group else source
            links = through.objects.values_list(owner, natural)
            rows[f"{model._meta.label}.{m2m.name}"] = sorted(links)
    media = Path(settings.MEDIA_ROOT)
    rows["files"] = {
        path.relative_to(media).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(media.rglob("*"))
        if path.is_file()
    }
    return json.loads(json.dumps(rows, default=str))


OTHER_SIDE = """
import json, os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
django.setup()
from django.core.management import call_command
from tests.test_archive import build_world, snapshot
step, archive, result = sys.argv[1:4]
call_command("migrate", interactive=False, verbosity=0)
if step == "export":
    build_world()
    call_command("export_archive", archive, verbosity=0)
else:
    call_command("import_archive", archive, verbosity=0)
with open(result, "w") as file:
    json.dump(snapshot(), file)
"""


def other_engine(tmp_path) -> tuple[str, list[str], dict]:
    """(name, command prefix, environment) of a fresh database of the engine this run is not on."""
    env = {**os.environ, "MEDIA_ROOT": str(tmp_path / "other-media")}
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'other.sqlite3'}"
        return "SQLite", [], env
    wrapper = ROOT / "scripts" / "with-postgres"
    if subprocess.run([wrapper, "--available"], capture_output=True).returncode != 0:
        pytest.skip("no PostgreSQL server binaries here: the PostgreSQL pass covers both directions")
    return "PostgreSQL", [str(wrapper)], env


def run_other_side(tmp_path, step: str, archive: Path) -> dict:
    name, prefix, env = other_engine(tmp_path)
    result = tmp_path / f"{step}-snapshot.json"
    completed = subprocess.run(
        [*prefix, sys.executable, "-c", OTHER_SIDE, step, str(archive), str(result)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert completed.returncode == 0, f"{name} side failed:\n{completed.stdout}\n{completed.stderr}"
    return json.loads(result.read_text())


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_an_archive_from_the_other_engine_restores_here_identically(tmp_path, media):
    archive = tmp_path / "other.tar.gz"
    theirs = run_other_side(tmp_path, "export", archive)
    call_command("import_archive", str(archive), stdout=io.StringIO())
    ours = snapshot()
    assert ours.keys() == theirs.keys()
    for key in theirs:
        assert ours[key] == theirs[key], key
    assert len(ours["records.TimelineEvent"]) > 300 and len(ours["files"]) == 1


def test_an_archive_from_here_restores_on_the_other_engine_identically(tmp_path, media):
    build_world()
    archive = tmp_path / "here.tar.gz"
    call_command("export_archive", str(archive), stdout=io.StringIO())
    ours = snapshot()
    theirs = run_other_side(tmp_path, "import", archive)
    assert ours.keys() == theirs.keys()
    for key in ours:
        assert theirs[key] == ours[key], key
    assert list(ours["files"].values()) == [hashlib.sha256(STORED).hexdigest()]


def test_a_database_that_is_not_empty_is_refused(tmp_path, media):
    factories.agency("Existing Agency")
    archive = tmp_path / "a.tar.gz"
    call_command("export_archive", str(archive), stdout=io.StringIO())
    with pytest.raises(CommandError, match=r"not empty \(it holds 1 agency\).*freshly migrated database"):
        call_command("import_archive", str(archive), stdout=io.StringIO())


def test_a_file_that_is_not_an_archive_is_refused(tmp_path):
    not_archive = tmp_path / "notes.tar.gz"
    not_archive.write_text("hello")
    with pytest.raises(CommandError, match="not a readable tracker archive"):
        call_command("import_archive", str(not_archive))
    other_tar = tmp_path / "other.tar.gz"
    with tarfile.open(other_tar, "w:gz") as tar:
        tar.addfile(tarfile.TarInfo("file.pdf"), io.BytesIO(b""))
    with pytest.raises(CommandError, match="has no manifest.json"):
        call_command("import_archive", str(other_tar))


def test_a_damaged_file_undoes_the_whole_restore(tmp_path, media):
    (media / "documents").mkdir(parents=True)
    (media / "documents" / "stored.txt").write_bytes(b"original")
    archive = tmp_path / "a.tar.gz"
    call_command("export_archive", str(archive), stdout=io.StringIO())
    (media / "documents" / "stored.txt").unlink()
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = b"tampered" if member.name.startswith("media/") else source.extractfile(member).read()
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    technologies = list(Technology.objects.values_list("pk", "slug"))
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("import_archive", str(damaged))
    assert list(Technology.objects.values_list("pk", "slug")) == technologies
    assert not [path for path in media.rglob("*") if path.is_file()]
