"""The archive of an access or portability request: asked for on the
request's page, built by a worker (``privacy.tasks.build_export``) into the
private storage, downloaded once by the request's handler, audited, then
deleted."""

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from itsm.audit import audit_record
from itsm.models import AuditEventKind
from itsm.storage import private_storage
from privacy.export import customer_archive
from privacy.models import DataRequest, StepAction
from privacy.services import require_data_protection, step_add

EXPORT_FOLDER = "privacy/exports"


@transaction.atomic
def export_request(*, request: DataRequest, user) -> None:
    """Queue the archive's build once the step is committed."""
    from privacy.tasks import build_export

    require_data_protection(user)
    if not request.wants_export:
        raise ValidationError(_("Only access and portability requests get an archive."))
    if request.export_downloaded_at is not None:
        raise ValidationError(_("The archive was already downloaded."), code="downloaded")
    step_add(request, user=user, action=StepAction.EXPORT_REQUESTED)
    transaction.on_commit(lambda: build_export.delay(request.pk))


@transaction.atomic
def export_build(request_id: int) -> DataRequest:
    request = DataRequest.objects.select_for_update().select_related("customer").get(pk=request_id)
    storage = private_storage()
    if request.export_name:
        storage.delete(request.export_name)
    name = f"{EXPORT_FOLDER}/{request.pk}-{secrets.token_hex(8)}.zip"
    request.export_name = storage.save(name, ContentFile(customer_archive(request.customer)))
    request.export_ready_at = timezone.now()
    request.save(update_fields=["export_name", "export_ready_at"])
    step_add(request, user=None, action=StepAction.EXPORT_READY)
    return request


@transaction.atomic
def export_take(*, request: DataRequest, user, http_request=None) -> bytes:
    """The archive's bytes, once, for the request's handler only; audited.
    The stored copy is deleted with the download."""
    request = DataRequest.objects.select_for_update().get(pk=request.pk)
    if user.pk != request.handler_id:
        raise PermissionDenied(_("Only the request's handler can download its archive."))
    if request.export_downloaded_at is not None or not request.export_name:
        raise ValidationError(_("There is no archive to download."), code="no_archive")
    storage = private_storage()
    with storage.open(request.export_name, "rb") as handle:
        data = handle.read()
    storage.delete(request.export_name)
    request.export_name = ""
    request.export_downloaded_at = timezone.now()
    request.save(update_fields=["export_name", "export_downloaded_at"])
    step_add(request, user=user, action=StepAction.EXPORT_DOWNLOADED)
    audit_record(
        kind=AuditEventKind.PERSONAL_DATA,
        request=http_request,
        user=user,
        detail=f"data-protection request {request.pk}: archive of customer "
        f"{request.customer_id} downloaded",
    )
    return data
