"""Archives of the whole tracker: every record and every stored file in one .tar.gz, restored into an
empty database of either engine. This is the supported way from the embedded SQLite to PostgreSQL.

What an archive holds:
- every model of the records app, their history tables included (request histories are shown to staff);
- the users and groups they refer to, users with their password hashes (keep archives private);
- every stored file (the documents' files, in MEDIA_ROOT or object storage), with its SHA-256.
Not archived: sessions, sign-in attempts (django-axes) and the admin's own log; content types and
permissions are made by `migrate` and referred to by natural key.

Layout: data/NNN-<app>.<model>.json (Django's serialisation, one list per model, in load order, with
datetimes at full precision), media/<path>, and manifest.json (format, counts, file hashes).
"""

import datetime
import hashlib
import io
import json
import tarfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.utils import timezone

from records.models import (
    ContentVersion,
    Follow,
    Jurisdiction,
    Level,
    OversightLaw,
    SentItem,
    Subscriber,
    Technology,
    TimelineCount,
)
from records.models.agency_state import refill_agency_states
from records.models.timeline_counts import rebuild_timeline_counts
from records.rules.oversight_laws import OVERSIGHT_LAWS

FORMAT = "surveillance-tracker-archive"
VERSION = 1
# Rows `migrate` creates in every new database; an archive brings its own copy of them. Of the oversight laws
# and local jurisdictions, only the seeded ones (records/rules/oversight_laws.py) are `migrate`'s own.
SEEDED = (Technology, Jurisdiction, OversightLaw)


class ArchiveError(ValueError):
    """The archive cannot be written or restored; the message says why and what to do."""


@dataclass
class ArchiveSummary:
    counts: dict[str, int] = field(default_factory=dict)
    files: int = 0
    bytes: int = 0


class _Encoder(DjangoJSONEncoder):
    # DjangoJSONEncoder cuts times to milliseconds; a restored archive must be identical.
    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def archived_models() -> list[type[models.Model]]:
    """Users and groups first (records refer to them by natural key), then the records app's models.

    The content token (ContentVersion) is not a record: it keys this database's caches and moves on with
    every write, the restore's own included, so an archived copy would only collide with it. The timeline's
    counts (TimelineCount) are the triggers' own: the restore counts the entries it loads afresh.

    Follows are left out: their email addresses are personal data, given for alerts alone, and an archive travels
    (and holds them long after an unsubscribe deleted them). A restored tracker starts with no follows. What the
    digests noted public (Publication) is kept: without it, a restored tracker would take everything public for
    new and send it to the first follows made there."""
    left_out = {ContentVersion, TimelineCount, Subscriber, Follow, SentItem}
    records = [
        m
        for m in apps.get_app_config("records").get_models()
        if m._meta.managed and not m._meta.proxy and m not in left_out
    ]
    return [Group, get_user_model(), *records]


def _label(model) -> str:
    return model._meta.label_lower


def _stored_files(folder: str = "") -> list[str]:
    """The name of every file in the default storage, through the storage API: the same walk lists the folder
    MEDIA_ROOT or an S3 bucket."""
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:  # no MEDIA_ROOT yet: nothing was ever stored
        return []
    names = [f"{folder}{name}" for name in files]
    for sub in folders:
        names += _stored_files(f"{folder}{sub}/")
    return sorted(names)


class _Hashing:
    """A file read through once: as tarfile copies it into the archive, its SHA-256 is computed."""

    def __init__(self, file):
        self.file, self.digest = file, hashlib.sha256()

    def read(self, size=-1):
        data = self.file.read(size)
        self.digest.update(data)
        return data


def _sha256(name: str) -> str:
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


def export_archive(path: Path) -> ArchiveSummary:
    """Write the archive to `path` (a .tar.gz). Stop the app first: what changes meanwhile may be missed."""
    summary = ArchiveSummary()
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "created": timezone.now().isoformat(),
        "engine": connection.vendor,
        "models": [],
        "files": {},
    }
    try:
        with tarfile.open(path, "w:gz") as tar:
            for index, model in enumerate(archived_models(), start=1):
                rows = serializers.serialize(
                    "python",
                    model._base_manager.order_by("pk").iterator(chunk_size=2000),
                    use_natural_foreign_keys=True,
                    use_natural_primary_keys=model is Group,
                )
                member = f"data/{index:03d}-{_label(model)}.json"
                _add_bytes(tar, member, json.dumps(rows, cls=_Encoder, ensure_ascii=False).encode())
                manifest["models"].append({"model": _label(model), "member": member, "count": len(rows)})
                summary.counts[_label(model)] = len(rows)
            for name in _stored_files():
                info = tarfile.TarInfo(f"media/{name}")
                info.size = default_storage.size(name)
                info.mtime = int(timezone.now().timestamp())
                with default_storage.open(name, "rb") as file:
                    hashing = _Hashing(file)
                    tar.addfile(info, hashing)
                manifest["files"][name] = hashing.digest.hexdigest()
                summary.files += 1
                summary.bytes += info.size
            _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=2).encode())
    except OSError as error:
        raise ArchiveError(f"Cannot write {path}: {error.strerror or error}.") from None
    return summary


def _read_json(tar: tarfile.TarFile, name: str):
    try:
        member = tar.extractfile(name)
    except KeyError:
        raise ArchiveError(f"The archive has no {name}: it is incomplete or not a tracker archive.") from None
    return json.load(member)


def _not_empty() -> list[str]:
    """What the database holds beyond what `migrate` creates, largest first, e.g. ["3 agencies", "1 user"]."""
    found = []
    for model in archived_models():
        if model is Group or model in SEEDED or model.__name__.startswith("Historical"):
            continue
        if count := model._base_manager.count():
            found.append(
                (count, f"{count} {model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural}")
            )
    seeded_places = {place for place, *_ in OVERSIGHT_LAWS}
    local = sum(
        1
        for place in Jurisdiction.objects.exclude(level__in=[Level.STATE, Level.FEDERAL]).values_list(
            "level", "state", "name"
        )
        if place not in seeded_places
    )
    if local:
        found.append((local, f"{local} local jurisdiction{'s' if local != 1 else ''}"))
    seeded_citations = {fields["citation"] for _, fields, *_ in OVERSIGHT_LAWS}
    if laws := OversightLaw.objects.exclude(citation__in=seeded_citations).count():
        found.append((laws, f"{laws} oversight law{'s' if laws != 1 else ''}"))
    history = sum(m._base_manager.count() for m in archived_models() if m.__name__.startswith("Historical"))
    if history and not found:
        found.append((history, f"{history} history rows"))
    return [text for _, text in sorted(found, key=lambda item: -item[0])]


def _clear_seeded():
    """Remove the rows `migrate` seeded, so the archive's copies (with their own ids) replace them."""
    OversightLaw.objects.all().delete()  # before the jurisdictions they protect
    OversightLaw.history.all().delete()
    Technology.objects.all().delete()
    while Jurisdiction.objects.exists():
        # Children first: a jurisdiction's parent is protected while it has any.
        Jurisdiction.objects.filter(children__isnull=True).delete()
    Jurisdiction.history.all().delete()


def _has_auto_now(model) -> bool:
    return any(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) for f in model._meta.fields)


def _load(model, rows: list) -> int:
    """Insert the rows as they are. Models with natural primary keys (groups, which `migrate` made) or
    with auto_now fields are saved one by one in raw mode, as loaddata does, so that existing groups are
    updated and stored times are kept; the others are inserted in bulk."""
    objects = list(serializers.deserialize("python", rows, handle_forward_references=True))
    if model is Group or _has_auto_now(model):
        for item in objects:
            item.save()
    else:
        model._base_manager.bulk_create([item.object for item in objects], batch_size=500)
        for m2m in model._meta.many_to_many:
            through = m2m.remote_field.through
            source, target = m2m.m2m_column_name(), m2m.m2m_reverse_name()
            links = [
                through(**{source: item.object.pk, target: pk})
                for item in objects
                for pk in item.m2m_data.get(m2m.name, [])
            ]
            through.objects.bulk_create(links, batch_size=1000)
    for item in objects:
        if item.deferred_fields:
            item.save_deferred_fields()
    return len(objects)


def _restore_file(tar: tarfile.TarFile, name: str, expected: str, written: list[str]) -> int:
    relative = PurePosixPath(name)
    if relative.is_absolute() or ".." in relative.parts:
        raise ArchiveError(f"The archive holds a file outside the media folder ({name}): refusing it.")
    member = tar.getmember(f"media/{name}")
    if not member.isfile():
        raise ArchiveError(f"media/{name} in the archive is not a regular file: refusing it.")
    data = tar.extractfile(member).read()
    if hashlib.sha256(data).hexdigest() != expected:
        raise ArchiveError(f"media/{name} does not match its checksum: the archive is damaged.")
    if default_storage.exists(name):
        if _sha256(name) != expected:
            raise ArchiveError(f"{name} is already stored with other content: move it away and import again.")
        return len(data)
    stored = default_storage.save(name, ContentFile(data))
    written.append(stored)
    if stored != name:
        raise ArchiveError(f"{name} could not be stored under its own name (the storage chose {stored}).")
    return len(data)


def import_archive(path: Path) -> ArchiveSummary:
    """Restore the archive at `path` into this (freshly migrated, otherwise empty) database."""
    path = Path(path)
    if not path.is_file():
        raise ArchiveError(f"No such file: {path}")
    try:
        with tarfile.open(path, "r:*") as tar:
            return _restore(tar, path)
    except (tarfile.TarError, EOFError, zlib.error) as error:
        raise ArchiveError(f"{path} is not a readable tracker archive ({error}).") from None


def _restore(tar: tarfile.TarFile, path: Path) -> ArchiveSummary:
    manifest = _read_json(tar, "manifest.json")
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise ArchiveError(f"{path} is not a version {VERSION} tracker archive.")
    known = {_label(model): model for model in archived_models()}
    unknown = [entry["model"] for entry in manifest["models"] if entry["model"] not in known]
    if unknown:
        raise ArchiveError(
            f"The archive holds records this version does not know ({', '.join(unknown)}): "
            "import it with the code that made it, or a newer one."
        )
    if found := _not_empty():
        held = ", ".join(found[:4]) + (" and more" if len(found) > 4 else "")
        raise ArchiveError(
            f"The database is not empty (it holds {held}). An archive restores into a freshly "
            "migrated database only: create a new database, run `python manage.py migrate`, then import."
        )
    summary, written = ArchiveSummary(), []
    try:
        with transaction.atomic(), connection.constraint_checks_disabled():
            _clear_seeded()
            for entry in manifest["models"]:
                count = _load(known[entry["model"]], _read_json(tar, entry["member"]))
                if count != entry["count"]:
                    raise ArchiveError(f"{entry['member']} holds {count} rows; the manifest says {entry['count']}.")
                summary.counts[entry["model"]] = count
            # An archive made before timeline entries and procurements carried their agency's state restores
            # them without (TimelineEvent.state, Procurement.state).
            refill_agency_states()
            rebuild_timeline_counts()
            connection.check_constraints()
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), list(known.values())):
                    cursor.execute(statement)
            # Files last, inside the transaction: a damaged file undoes the whole restore.
            for name, digest in sorted(manifest["files"].items()):
                summary.bytes += _restore_file(tar, name, digest, written)
                summary.files += 1
    except BaseException as error:
        for name in written:
            default_storage.delete(name)
        if isinstance(error, IntegrityError | DatabaseError | DeserializationError):
            raise ArchiveError(f"The archive could not be restored; nothing was changed: {error}") from None
        raise
    return summary
