"""Backups that restore: the database and the private files (attachments,
outgoing mail files, standard documents) in one archive, each file's SHA-256
in its manifest, checked again on restore.

SQLite is copied with its online backup API (consistent while the desk keeps
working). PostgreSQL is dumped with ``pg_dump`` (see docs/backups.md); the archive
then carries the files only (``--files-only``).
"""

import hashlib
import io
import json
import posixpath
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage
from django.db import connection

from itsm.storage import private_storage

MANIFEST = "manifest.json"
DATABASE = "db.sqlite3"
FILES = "private/"


class BackupError(Exception):
    pass


def _sha256_of_handle(handle) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: handle.read(1 << 20), b""):
        digest.update(block)
    return digest.hexdigest()


def sha256_of(path: Path) -> str:
    with open(path, "rb") as handle:
        return _sha256_of_handle(handle)


def _names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file in the store, through the storage API (a folder or a bucket)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a filesystem store nobody has written to yet
        return
    for name in files:
        yield posixpath.join(folder, name)
    for name in folders:
        yield from _names(storage, posixpath.join(folder, name))


def private_files(storage: Storage) -> dict[str, str]:
    """Every private file (name in the store → SHA-256)."""
    hashes = {}
    for name in sorted(_names(storage)):
        with storage.open(name, "rb") as handle:
            hashes[name] = _sha256_of_handle(handle)
    return hashes


def backup(archive: Path, *, files_only: bool = False) -> dict:
    """Write the archive; return its manifest."""
    storage = private_storage()
    manifest = {
        "created_at": datetime.now(UTC).isoformat(),
        "database": None,
        "files": private_files(storage),
    }
    with tempfile.TemporaryDirectory() as scratch, tarfile.open(archive, "w:gz") as tar:
        if not files_only:
            if connection.vendor != "sqlite":
                raise BackupError(
                    "This database is PostgreSQL: dump it with pg_dump and back up the files "
                    "with --files-only (see docs/backups.md)."
                )
            copy = Path(scratch) / DATABASE
            source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
            target = sqlite3.connect(copy)
            with target:
                source.backup(target)
            source.close()
            target.close()
            manifest["database"] = {"engine": "sqlite", "sha256": sha256_of(copy)}
            tar.add(copy, arcname=DATABASE)
        for name in manifest["files"]:
            info = tarfile.TarInfo(FILES + name)
            info.size = storage.size(name)
            with storage.open(name, "rb") as handle:
                tar.addfile(info, handle)
        data = json.dumps(manifest, indent=2).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return manifest


def _is_empty_database(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return True
    with sqlite3.connect(path) as db:
        tables = db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
    return tables[0] == 0


def restore(archive: Path) -> dict:
    """Restore the archive into an empty instance (no tables in the SQLite
    file, no private files); every file is checked against the manifest."""
    storage = private_storage()
    with tarfile.open(archive, "r:gz") as tar:
        manifest = json.load(tar.extractfile(MANIFEST))
        if next(_names(storage), None) is not None:
            raise BackupError("The private files are not empty: restore into an empty instance.")
        with tempfile.TemporaryDirectory() as scratch:
            tar.extractall(scratch, filter="data")
            scratch = Path(scratch)
            for name, digest in manifest["files"].items():
                if sha256_of(scratch / FILES / name) != digest:
                    raise BackupError(
                        f"{name} does not match the manifest: the archive is damaged."
                    )
            if manifest["database"] is not None:
                if connection.vendor != "sqlite":
                    raise BackupError(
                        "The archive holds a SQLite database; this instance is not SQLite."
                    )
                if sha256_of(scratch / DATABASE) != manifest["database"]["sha256"]:
                    raise BackupError(
                        "The database does not match the manifest: the archive is damaged."
                    )
                target = Path(settings.DATABASES["default"]["NAME"])
                if not _is_empty_database(target):
                    raise BackupError(
                        f"{target} already holds data: restore into an empty instance."
                    )
                connection.close()
                source = sqlite3.connect(scratch / DATABASE)
                destination = sqlite3.connect(target)
                with destination:
                    source.backup(destination)
                source.close()
                destination.close()
            for name in manifest["files"]:
                with open(scratch / FILES / name, "rb") as handle:
                    saved = storage.save(name, File(handle))
                if saved != name:
                    raise BackupError(f"{name} was stored as {saved}: the store was not empty.")
    return manifest
