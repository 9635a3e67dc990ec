"""Storage for attachments, raw mail and documents: never a public URL.
Files are read back only through views that check the user may see the
ticket. Which store holds them is ``STORAGES["private"]`` (``ITSM_STORAGE``):
this folder (one machine, or a volume every web and worker machine mounts)
or an S3-compatible bucket through django-storages, imported only then."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages


class PrivateStorage(FileSystemStorage):
    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property
    def base_location(self) -> str:
        # Read on every access so tests that override the setting are honoured.
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no public URL.")


def private_storage() -> Storage:
    return storages["private"]
