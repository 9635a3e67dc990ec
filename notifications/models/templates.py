"""Response templates: the standard answers agents send, and the documents
that go with every message of a template."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.common.fields import active_flag, foreign_key
from itsm.common.rows import NamedRow
from itsm.models import APPLIES_TO_ALL, KindTemplate, KindTemplateQuerySet, applies_to_field
from itsm.storage import private_storage

DEFAULT_SUBJECT_SUFFIX = "Colegio de Registradores"


class ResponseTemplateQuerySet(KindTemplateQuerySet):
    def usable_by(self, *, kind: str, coordinator: bool) -> "ResponseTemplateQuerySet":
        """What the "+" of the compose page offers: agents never see the
        coordinators' templates."""
        queryset = self.for_kind(kind)
        return queryset if coordinator else queryset.filter(coordinators_only=False)


class ResponseTemplate(KindTemplate):
    """A standard answer: the body is rendered in a sandbox from plain values
    (see ``notifications.rendering``), never from the ticket objects."""

    title = models.CharField(_("title"), max_length=150, unique=True)
    subject_suffix = models.CharField(
        _("subject suffix"),
        max_length=100,
        default=DEFAULT_SUBJECT_SUFFIX,
        help_text=_("The subject is the ticket number followed by this text."),
    )
    body = models.TextField(
        _("body"),
        help_text=_(
            "Plain text. Placeholders: {{ numero }}, {{ resumen }}, {{ agente }}, "
            "{{ fecha }}, {{ importe }}, {{ nota }}, {{ cliente.nombre }}, "
            "{{ cliente.apellidos }}, {{ cliente.nombre_completo }}, {{ cliente.organizacion }}, "
            "{{ cliente.nif }}, {{ cliente.email }}, {{ cliente.telefono }}, "
            "{{ cliente.codigo_flei }}. Tags: if, for; filters such as upper, lower, default."
        ),
    )
    applies_to = applies_to_field(default=APPLIES_TO_ALL)
    coordinators_only = models.BooleanField(_("coordinators only"), default=False)
    asks_amount = models.BooleanField(
        _("asks for an amount"),
        default=False,
        help_text=_("The agent must type the amount owed; the body shows it as {{ importe }}."),
    )
    active = active_flag()
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ResponseTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("response template")
        verbose_name_plural = _("response templates")

    def __str__(self) -> str:
        return self.title


def document_upload_to(instance: "ResponseTemplateDocument", filename: str) -> str:
    return f"response_templates/{filename}"


class ResponseTemplateDocument(NamedRow):
    """A standard document sent with every message of its template."""

    template = foreign_key(
        ResponseTemplate, _("response template"), on_delete=models.CASCADE, related_name="documents"
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to=document_upload_to)
    name = models.CharField(
        _("file name"),
        max_length=150,
        help_text=_("The name the customer sees, e.g. formulario_lopd.pdf."),
    )

    class Meta:
        verbose_name = _("standard document")
        verbose_name_plural = _("standard documents")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "name"], name="templatedocument_unique_name"
            )
        ]
