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
import sqlite3
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection

MANIFEST = "manifest.json"
DATABASE = "db.sqlite3"
FILES = "private/"


class BackupError(Exception):
    pass


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def private_files(root: Path) -> dict[str, str]:
    """Every private file under ``root`` (relative path → SHA-256)."""
    if not root.exists():
        return {}
    return {
        path.relative_to(root).as_posix(): sha256_of(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def backup(archive: Path, *, files_only: bool = False) -> dict:
    """Write the archive; return its manifest."""
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    manifest = {
        "created_at": datetime.now(UTC).isoformat(),
        "database": None,
        "files": private_files(root),
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
            tar.add(root / name, arcname=FILES + name)
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
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    with tarfile.open(archive, "r:gz") as tar:
        manifest = json.load(tar.extractfile(MANIFEST))
        if root.exists() and any(root.iterdir()):
            raise BackupError(f"{root} is not empty: restore into an empty instance.")
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
                path = root / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes((scratch / FILES / name).read_bytes())
    return manifest
