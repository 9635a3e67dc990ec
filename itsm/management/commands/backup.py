from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from itsm.backup import BackupError, backup


class Command(BaseCommand):
    help = "Write the SQLite database and the private files to one archive (.tar.gz)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--files-only",
            action="store_true",
            help="Only the private files (on PostgreSQL, with pg_dump for the database).",
        )

    def handle(self, *args, archive: Path, files_only: bool, **options) -> None:
        try:
            manifest = backup(archive, files_only=files_only)
        except BackupError as error:
            raise CommandError(str(error)) from None
        what = "files" if manifest["database"] is None else "database and files"
        self.stdout.write(f"{archive}: {what}, {len(manifest['files'])} file(s)")
