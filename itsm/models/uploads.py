"""Files an agent chose on a form that came back with errors, kept on the
server for a short while so they need not be chosen again."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.common.fields import created_field, user_key
from itsm.common.rows import NamedRow
from itsm.storage import private_storage


class HeldUpload(NamedRow):
    """A file waiting for its form to be sent again. Known to the page only
    by its unguessable ``token``, and only to the user who uploaded it;
    ``held_uploads_purge`` deletes what was never used."""

    token = models.CharField(_("token"), max_length=64, unique=True)
    user = user_key(_("user"), on_delete=models.CASCADE)
    file = models.FileField(_("file"), storage=private_storage, upload_to="held/%Y/%m/%d/")
    name = models.CharField(_("name"), max_length=255)
    created_at = created_field()

    class Meta:
        verbose_name = _("held upload")
        verbose_name_plural = _("held uploads")
        indexes = [
            # The purge: created_at < now - ITSM_HELD_UPLOAD_HOURS.
            models.Index(fields=["created_at"], name="heldupload_created_idx"),
        ]
