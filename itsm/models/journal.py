"""The journal every kind keeps (*información de trabajo*): append-only
entries, their attachments, and the model each kind builds with ``journal_model``."""

from collections.abc import Callable
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.common.fields import user_key
from itsm.common.rows import AppendOnlyError, AppendOnlyRow
from itsm.common.uploads import monthly_path
from itsm.models.choices import Channel, RequiresAttention, ViewAccess, WorkInfoType
from itsm.models.tickets import Ticket
from itsm.storage import private_storage


class WorkInfoQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Work info entries cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Work info entries cannot be deleted.")


def attachment_upload_to(instance: "WorkInfo", filename: str) -> str:
    return monthly_path(f"workinfo/{instance.ticket.KIND.lower()}", filename)


ATTACHMENT_LABELS = (_("file 1"), _("file 2"), _("file 3"))
MAX_ATTACHMENTS = len(ATTACHMENT_LABELS)


def attachment_fields(upload_to: Callable[[Any, str], str]) -> tuple[models.FileField, ...]:
    """The optional files a journal entry or an e-mail carries, in the
    private storage, each under ``upload_to``."""
    return tuple(
        models.FileField(label, storage=private_storage, upload_to=upload_to, blank=True)
        for label in ATTACHMENT_LABELS
    )


class WorkInfo(AppendOnlyRow):
    """An entry of a ticket's journal. Append-only: the ORM refuses updates
    and deletes, and database triggers refuse both from anywhere else
    (``itsm.migration_ops``)."""

    # ticket = ForeignKey(<concrete ticket>, related_name="work_info") in subclasses
    # Empty for entries the system writes by itself (auto-close).
    author = user_key(_("author"), optional=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now)
    type = models.CharField(
        _("type"),
        max_length=20,
        choices=WorkInfoType.choices,
        default=WorkInfoType.WORK_NOTES,
    )
    notes = models.TextField(_("notes"))
    # What the system recorded by itself, as facts (``itsm.journal_events``):
    # an event code and its values as codes and ids, put into words when the
    # history is read, in the reader's language. Empty for what a person typed.
    # Nullable without a default so adding them is an ALTER TABLE ADD COLUMN
    # (SQLite rebuilds the table otherwise, and the append-only trigger with it).
    event = models.CharField(_("event"), max_length=30, null=True, blank=True)
    data = models.JSONField(_("event data"), null=True, blank=True)
    # Where the change came from (``Channel``). Empty for entries written
    # before the desk recorded it; nullable for the same reason as ``event``.
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, null=True, blank=True
    )
    attachment_1, attachment_2, attachment_3 = attachment_fields(attachment_upload_to)
    requires_attention = RequiresAttention.field()
    view_access = models.CharField(
        _("view access"),
        max_length=10,
        choices=ViewAccess.choices,
        default=ViewAccess.INTERNAL,
    )

    objects = WorkInfoQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.ticket_id} · {self.get_type_display()} · {self.created_at:%Y-%m-%d %H:%M}"

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Work info entries cannot be deleted.")

    @property
    def attachments(self) -> list[tuple[int, models.fields.files.FieldFile]]:
        files = (self.attachment_1, self.attachment_2, self.attachment_3)
        return [(index, f) for index, f in enumerate(files, start=1) if f]


def journal_ticket(model: type["Ticket"], verbose_name) -> models.ForeignKey:
    """A journal's ``ticket``. PROTECT: a ticket with a journal cannot be
    deleted, so its story is never lost."""
    return models.ForeignKey(
        model, verbose_name=verbose_name, on_delete=models.PROTECT, related_name="work_info"
    )


def work_info_indexes(prefix: str) -> list[models.Index]:
    return [
        # The history panel: a ticket's entries, newest first.
        models.Index(fields=["ticket", "-created_at"], name=f"{prefix}_workinfo_ticket_idx"),
    ]


def journal_model(ticket_model: type[Ticket], verbose_name) -> type[WorkInfo]:
    """A kind's journal, ``<Ticket>WorkInfo`` in its ticket model's module:
    the ``ticket`` key and the history's index, the same for every kind.
    ``verbose_name``: "incident work info"."""
    name = f"{ticket_model.__name__}WorkInfo"
    meta = type(
        "Meta",
        (),
        {
            "verbose_name": verbose_name,
            "verbose_name_plural": verbose_name,
            "indexes": work_info_indexes(ticket_model._meta.model_name),
        },
    )
    attrs = {
        "__module__": ticket_model.__module__,
        "__qualname__": name,
        "ticket": journal_ticket(ticket_model, ticket_model._meta.verbose_name),
        "Meta": meta,
    }
    return type(WorkInfo)(name, (WorkInfo,), attrs)
