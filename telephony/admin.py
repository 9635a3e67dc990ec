from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from itsm.common.admin import ReadOnlyAdminMixin
from telephony.models import AgentPhone, Call, CallEvent, CtiIntegration


@admin.register(CtiIntegration)
class CtiIntegrationAdmin(admin.ModelAdmin):
    """Tokens are made with ``manage.py cti_token create NAME`` (shown once);
    here an admin blocks numbers, sets the signature secret or deactivates."""

    list_display = ("name", "token_prefix", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("name",)
    readonly_fields = ("token_prefix", "created_at")
    fields = ("name", "token_prefix", "active", "hmac_secret", "blocked_numbers", "created_at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AgentPhone)
class AgentPhoneAdmin(admin.ModelAdmin):
    list_display = ("extension", "user", "direct_line", "queues")
    search_fields = ("extension", "user__username", "user__first_name", "user__last_name")
    autocomplete_fields = ("user",)
    list_select_related = ("user",)


class CallEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CallEvent
    fields = ("event", "payload", "received_at")
    readonly_fields = fields


@admin.register(Call)
class CallAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Calls are what the phone system said: read-only."""

    list_display = (
        "rung_at",
        "direction",
        "remote_e164",
        "agent",
        "queue",
        "missed",
        "callback_status",
        "integration",
    )
    list_filter = ("direction", "missed", "callback_status", "integration")
    search_fields = ("remote_e164", "from_number", "to_number", "call_id")
    raw_id_fields = ("agent", "customer", "callback_assignee", "callback_closed_by")
    list_select_related = ("agent", "integration")
    inlines = [CallEventInline]
    date_hierarchy = "rung_at"
    verbose_name = _("call")
