from collections.abc import Callable

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from itsm.common.admin import ReadOnlyAdminMixin
from itsm.kinds import all_kinds
from itsm.models import (
    AuditEvent,
    EscalationPacket,
    EscalationPacketRevision,
    HeldUpload,
    Holiday,
    RegistroMercantil,
    Relation,
    SlaTarget,
    StatusReason,
    SupportGroup,
    TicketMerge,
    TicketSequence,
    TicketTemplate,
    WorkingHours,
)
from itsm.presenters import entry_text
from itsm.reference_cache import clear_reference_choices
from itsm.services.sla import clear_business_calendar

admin.site.site_header = _("Service desk · Libros/Cuentas")
admin.site.site_title = _("Service desk administration")


class CacheClearingAdminMixin:
    """For rows a cache is built from: a change clears it (``clear_cache``),
    so the next page or due time computed sees it."""

    clear_cache: Callable[[], None]

    def save_model(self, request: HttpRequest, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        self.clear_cache()

    def delete_model(self, request: HttpRequest, obj) -> None:
        super().delete_model(request, obj)
        self.clear_cache()

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        super().delete_queryset(request, queryset)
        self.clear_cache()

    def save_related(self, request: HttpRequest, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        self.clear_cache()


class ReferenceAdminMixin(CacheClearingAdminMixin):
    """For the rows the forms' option lists show."""

    clear_cache = staticmethod(clear_reference_choices)


class CalendarAdminMixin(CacheClearingAdminMixin):
    """For the rows the business calendar and the SLA targets are built from."""

    clear_cache = staticmethod(clear_business_calendar)


@admin.register(SupportGroup)
class SupportGroupAdmin(ReferenceAdminMixin, admin.ModelAdmin):
    list_display = ("name", "is_agent_default", "is_coordination", "is_specialists", "active")
    list_filter = ("active", "is_agent_default", "is_coordination", "is_specialists")
    search_fields = ("name",)
    filter_horizontal = ("members",)


@admin.register(StatusReason)
class StatusReasonAdmin(ReferenceAdminMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "status", "code", "active")
    list_filter = ("kind", "status", "active")
    search_fields = ("name", "description")
    ordering = ("kind", "status", "name")


@admin.register(TicketTemplate)
class TicketTemplateAdmin(ReferenceAdminMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "applies_to",
        "summary",
        "service",
        "impact",
        "urgency",
        "default_group",
        "active",
    )
    list_filter = ("applies_to", "active", "service", "default_group")
    search_fields = ("name", "summary", "service", "operational_tier_1", "product_tier_1")
    autocomplete_fields = ("default_group",)
    list_select_related = ("default_group",)
    ordering = ("name",)


@admin.register(Relation)
class RelationAdmin(admin.ModelAdmin):
    list_display = ("source_number", "type", "target_number", "created_at", "created_by")
    list_filter = ("type",)
    search_fields = ("source_number", "target_number")
    raw_id_fields = ("created_by",)
    list_select_related = ("created_by",)
    ordering = ("-created_at",)


@admin.register(SlaTarget)
class SlaTargetAdmin(CalendarAdminMixin, admin.ModelAdmin):
    list_display = ("priority", "response_minutes", "resolution_minutes")
    search_fields = ("priority",)


@admin.register(WorkingHours)
class WorkingHoursAdmin(CalendarAdminMixin, admin.ModelAdmin):
    list_display = ("weekday", "opens_at", "closes_at")
    search_fields = ("weekday",)


@admin.register(Holiday)
class HolidayAdmin(CalendarAdminMixin, admin.ModelAdmin):
    list_display = ("day", "name")
    list_filter = ("day",)
    search_fields = ("name",)
    date_hierarchy = "day"


@admin.register(RegistroMercantil)
class RegistroMercantilAdmin(admin.ModelAdmin):
    list_display = ("name", "province", "active")
    list_filter = ("active",)
    search_fields = ("name", "province")


class EscalationPacketRevisionInline(admin.TabularInline):
    model = EscalationPacketRevision
    fields = ("version", "event", "case", "data", "missing", "note", "author", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(EscalationPacket)
class EscalationPacketAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("ticket_number", "case", "state", "complete", "escalated_at", "escalated_by")
    list_filter = ("case", "state", "complete")
    search_fields = ("ticket_number",)
    list_select_related = ("escalated_by",)
    raw_id_fields = ("escalated_by",)
    inlines = (EscalationPacketRevisionInline,)


@admin.register(TicketMerge)
class TicketMergeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Merges are made and undone on the ticket pages (itsm.services.merge)."""

    list_display = ("source_number", "target_number", "merged_at", "merged_by", "undone_at")
    list_filter = ("merged_at", "undone_at")
    search_fields = ("source_number", "target_number")
    list_select_related = ("merged_by",)
    raw_id_fields = ("merged_by", "undone_by")


@admin.register(TicketSequence)
class TicketSequenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("kind", "last_value")


def file_links(links: list[tuple[str, str]]) -> SafeString | str:
    """Private files have no public URL: the admin links to the views agents
    use, which check access like any other download."""
    return format_html_join(", ", '<a href="{}">{}</a>', links) or "—"


def work_info_files(entry) -> SafeString | str:
    ticket = entry.ticket
    return file_links(
        [
            (
                reverse(
                    f"{ticket._meta.app_label}:attachment", args=[ticket.number, entry.pk, index]
                ),
                field_file.name.rsplit("/", 1)[-1],
            )
            for index, field_file in entry.attachments
        ]
    )


class WorkInfoFilesMixin:
    @admin.display(description=_("files"))
    def files(self, entry) -> SafeString | str:
        return work_info_files(entry)


class WorkInfoTextMixin:
    @admin.display(description=_("notes"))
    def text(self, entry) -> str:
        """What the history shows: a system event in the reader's language."""
        return entry_text(entry)


# What an entry shows, in the ticket's inline and on its own page.
WORK_INFO_FIELDS = (
    "created_at",
    "author",
    "type",
    "text",
    "requires_attention",
    "view_access",
    "channel",
    "files",
)


class WorkInfoInline(
    WorkInfoTextMixin, WorkInfoFilesMixin, ReadOnlyAdminMixin, admin.TabularInline
):
    fields = WORK_INFO_FIELDS
    readonly_fields = fields
    ordering = ("-created_at",)
    extra = 0


class WorkInfoAdmin(WorkInfoTextMixin, WorkInfoFilesMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    fields = ("ticket", *WORK_INFO_FIELDS)
    readonly_fields = fields
    list_display = (
        "ticket",
        "created_at",
        "author",
        "type",
        "channel",
        "requires_attention",
        "view_access",
    )
    list_filter = ("type", "channel", "requires_attention", "view_access")
    search_fields = ("ticket__number", "notes")
    list_select_related = ("ticket", "author")
    raw_id_fields = ("ticket", "author")
    ordering = ("-created_at",)


class TicketAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Tickets are changed from the consoles, where every change is journalled;
    the admin shows them."""

    list_display = (
        "number",
        "customer",
        "summary",
        "status",
        "status_reason",
        "assigned_group",
        "assignee",
        "priority",
        "requires_attention",
        "updated_at",
    )
    list_filter = (
        "status",
        "priority",
        "requires_attention",
        "assigned_group",
        "reported_source",
        "template",
    )
    search_fields = (
        "number",
        "summary",
        "customer__surnames",
        "customer__first_name",
        "customer__tax_id",
        "customer__email",
    )
    list_select_related = ("customer", "status_reason", "assigned_group", "assignee")
    raw_id_fields = ("customer", "template", "assignee", "created_by", "updated_by")
    ordering = ("-created_at",)
    show_full_result_count = False


def _register_kinds() -> None:
    """Every registered kind gets its ticket and journal admin: the admin
    loads this module after every app's ``ready()`` has registered its kind."""
    for kind in all_kinds():
        if admin.site.is_registered(kind.model):
            continue
        inline = type(
            f"{kind.model.__name__}WorkInfoInline", (WorkInfoInline,), {"model": kind.journal_model}
        )
        admin.site.register(kind.model, TicketAdmin, inlines=(inline,))
        admin.site.register(kind.journal_model, WorkInfoAdmin)


_register_kinds()


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Logins, failures, lockouts and admin changes: who, when, from where."""

    list_display = ("created_at", "kind", "username", "user", "address", "detail")
    list_filter = ("kind",)
    search_fields = ("username", "address", "detail")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    ordering = ("-created_at",)
    show_full_result_count = False


@admin.register(HeldUpload)
class HeldUploadAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Files kept from forms with errors; purged after ITSM_HELD_UPLOAD_HOURS."""

    list_display = ("name", "user", "created_at")
    list_filter = ("created_at",)
    search_fields = ("name", "user__username")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    exclude = ("token",)
