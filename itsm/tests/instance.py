"""A desk instance of its own, run through ``manage.py`` in a subprocess: its own
SQLite file, private media and mail folder below one directory, so a test can
back it up, restore it or search its files without touching the test database."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def manage(instance: Path, *args: str) -> str:
    """Run ``manage.py *args`` against the instance in ``instance``; its output."""
    environment = {
        **os.environ,
        "DATABASE_URL": "",
        "SQLITE_PATH": str(instance / "db.sqlite3"),
        "PRIVATE_MEDIA_ROOT": str(instance / "private"),
        "EMAIL_FILE_PATH": str(instance / "mail"),
        "CELERY_BROKER_URL": "",
        "LOG_LEVEL": "WARNING",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout
