from django.core.management.base import BaseCommand

from itsm.services.uploads import held_uploads_purge


class Command(BaseCommand):
    help = "Delete files kept from forms with errors older than ITSM_HELD_UPLOAD_HOURS."

    def handle(self, *args, **options):
        self.stdout.write(f"{held_uploads_purge()} held upload(s) deleted.")
