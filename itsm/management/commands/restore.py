from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from itsm.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore an archive written by `backup` into an empty instance."

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", type=Path)

    def handle(self, *args, archive: Path, **options) -> None:
        try:
            manifest = restore(archive)
        except BackupError as error:
            raise CommandError(str(error)) from None
        what = "files" if manifest["database"] is None else "database and files"
        self.stdout.write(f"restored {what} from {archive}: {len(manifest['files'])} file(s)")
