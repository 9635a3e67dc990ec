from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from itsm.admin import file_links
from itsm.common.admin import ReadOnlyAdminMixin
from notifications.forms import ResponseTemplateAdminForm, ResponseTemplateDocumentForm
from notifications.models import (
    ImapFolderState,
    InboundAttachment,
    InboundEmail,
    OutgoingEmail,
    OutgoingEmailDocument,
    ResponseTemplate,
    ResponseTemplateDocument,
)


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


class OutgoingEmailDocumentInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The standard documents as they were when the message was queued."""

    model = OutgoingEmailDocument
    # The file itself is private: it is what the template's document was.
    fields = ("name",)
    readonly_fields = fields
    extra = 0


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
    inlines = [OutgoingEmailDocumentInline]

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


class InboundAttachmentInline(admin.TabularInline):
    model = InboundAttachment
    fields = ("position", "name", "content_type", "size", "content_id", "inline")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(InboundEmail)
class InboundEmailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every message received, quarantined ones included (filter
    *quarantine*); they are reprocessed with ``manage.py reprocess_email``."""

    list_display = (
        "received_at",
        "from_address",
        "subject",
        "classification",
        "quarantine_reason",
        "status",
        "ticket_number",
        "assigned_to",
        "size",
    )
    list_filter = ("classification", "quarantine_reason", "status", "source", "threaded")
    search_fields = ("from_address", "subject", "message_id", "ticket_number", "sha256")
    raw_id_fields = ("assigned_to", "acted_by", "bounced_email")
    list_select_related = ("assigned_to",)
    ordering = ("-received_at",)
    show_full_result_count = False
    # The raw file is private storage: it has no URL, it downloads from the mailbox.
    exclude = ("raw",)
    readonly_fields = [
        "original",
        *(field.name for field in InboundEmail._meta.fields if field.name != "raw"),
    ]
    inlines = [InboundAttachmentInline]

    @admin.display(description=_("raw message"))
    def original(self, obj: InboundEmail) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("notifications:mailbox_raw", args=[obj.pk]), obj.sha256
        )


@admin.register(ImapFolderState)
class ImapFolderStateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "uidvalidity",
        "last_uid",
        "failures",
        "next_attempt_at",
        "last_success_at",
        "locked_until",
    )
    list_filter = ("host",)
    search_fields = ("host", "username", "folder")
    readonly_fields = [field.name for field in ImapFolderState._meta.fields]
