from django.contrib import admin

from itsm.admin import ReadOnlyAdminMixin
from notifications.forms import ResponseTemplateAdminForm
from notifications.models import (
    OutgoingEmail,
    OutgoingEmailDocument,
    ResponseTemplate,
    ResponseTemplateDocument,
)


class ResponseTemplateDocumentInline(admin.TabularInline):
    model = ResponseTemplateDocument
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
    list_display = ("name", "template")
    list_filter = ("template",)
    search_fields = ("name", "template__title")
    autocomplete_fields = ("template",)
    list_select_related = ("template",)


class OutgoingEmailDocumentInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The standard documents as they were when the message was queued."""

    model = OutgoingEmailDocument
    fields = ("name", "file")
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
    readonly_fields = [field.name for field in OutgoingEmail._meta.fields]
    inlines = [OutgoingEmailDocumentInline]
