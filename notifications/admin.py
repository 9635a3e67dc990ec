from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from itsm.admin import ReadOnlyAdminMixin, file_links
from notifications.forms import ResponseTemplateAdminForm, ResponseTemplateDocumentForm
from notifications.models import OutgoingEmail, ResponseTemplate, ResponseTemplateDocument


class ResponseTemplateDocumentInline(admin.TabularInline):
    model = ResponseTemplateDocument
    form = ResponseTemplateDocumentForm
    fields = ("name", "file")
    extra = 0


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin):
    form = ResponseTemplateAdminForm
    list_display = (
        "title",
        "applies_to",
        "coordinators_only",
        "asks_amount",
        "subject_suffix",
        "active",
        "updated_at",
    )
    list_filter = ("applies_to", "coordinators_only", "asks_amount", "active")
    search_fields = ("title", "body")
    ordering = ("title",)
    inlines = [ResponseTemplateDocumentInline]


@admin.register(ResponseTemplateDocument)
class ResponseTemplateDocumentAdmin(admin.ModelAdmin):
    form = ResponseTemplateDocumentForm
    list_display = ("name", "template")
    list_filter = ("template",)
    search_fields = ("name", "template__title")
    autocomplete_fields = ("template",)
    list_select_related = ("template",)


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The outbox, for looking into a delivery; messages are written and
    re-sent from the ticket page."""

    list_display = (
        "subject",
        "ticket_number",
        "to_email",
        "template",
        "status",
        "attempts",
        "queued_at",
        "sent_at",
    )
    list_filter = ("status", "template")
    search_fields = ("ticket_number", "subject", "to_email", "message_id")
    raw_id_fields = ("template", "created_by", "queued_by")
    list_select_related = ("template",)
    ordering = ("-created_at",)
    readonly_fields = [
        *(f.name for f in OutgoingEmail._meta.fields if not f.name.startswith("attachment_")),
        "files",
    ]
    fields = readonly_fields

    @admin.display(description=_("files"))
    def files(self, email: OutgoingEmail):
        ticket = email.ticket
        return file_links(
            [
                (
                    reverse(
                        f"{ticket._meta.app_label}:email_attachment",
                        args=[ticket.number, email.pk, position],
                    ),
                    name,
                )
                for position, name in email.attachment_names
            ]
        )
