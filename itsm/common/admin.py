from django.http import HttpRequest


class ReadOnlyAdminMixin:
    """For rows that only services may write: tickets, the journal, numbering,
    phones, deliveries. An admin may look, never add, change or delete."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
