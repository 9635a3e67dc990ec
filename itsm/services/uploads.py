"""Held uploads: files of a form that came back with errors, kept so the
agent does not choose them again (``AttachmentsMixin``), and purged when
they are not used."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from itsm.models import HeldUpload


@transaction.atomic
def held_upload_create(*, user, upload: UploadedFile) -> HeldUpload:
    upload.seek(0)
    held = HeldUpload(token=secrets.token_urlsafe(32), user=user, name=upload.name[:255])
    held.file.save(upload.name, upload, save=False)
    held.save()
    return held


def held_uploads_keep(*, user, form) -> list[dict]:
    """Hold the valid files of ``form`` (which has errors) for the agent's
    next attempt: what the page shows as already attached."""
    kept = []
    for name, upload in form.uploads_to_hold().items():
        held = getattr(form, "held", {}).get(name) or held_upload_create(user=user, upload=upload)
        kept.append(
            {
                "field": name,
                "input": form.held_field_name(name),
                "token": held.token,
                "name": held.name,
            }
        )
    return kept


def held_uploads_delete(*, uploads) -> None:
    """Once their form is saved: the rows and their files."""
    for held in uploads:
        held.file.delete(save=False)
        HeldUpload.objects.filter(pk=held.pk).delete()


def held_uploads_purge(*, older_than: timedelta | None = None) -> int:
    """Delete what was held longer than ``ITSM_HELD_UPLOAD_HOURS``."""
    if older_than is None:
        older_than = timedelta(hours=settings.ITSM_HELD_UPLOAD_HOURS)
    stale = list(HeldUpload.objects.filter(created_at__lt=timezone.now() - older_than))
    held_uploads_delete(uploads=stale)
    return len(stale)
