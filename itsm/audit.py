"""The audit trail: who logged in, failed, was locked out or changed
something in the admin — when and from which address. Stored as codes and
ids (the admin lists them); the address comes from the request being served.
"""

from contextvars import ContextVar

from axes.signals import user_locked_out
from django.contrib.admin.models import LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.http import HttpRequest

from itsm.middleware import client_ip
from itsm.models import AuditEvent, AuditEventKind

_current_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)


class AuditRequestMiddleware:
    """Makes the request being served known to the audit receivers, which
    Django's admin log does not pass the request to."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def _address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return client_ip(request) or None


def audit_record(
    *, kind: str, request: HttpRequest | None, user=None, username: str = "", detail: str = ""
) -> AuditEvent:
    request = request if request is not None else _current_request.get()
    if user is not None and not user.is_authenticated:
        user = None
    return AuditEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or (user.get_username() if user else ""))[:150],
        address=_address(request),
        path=(request.path if request is not None else "")[:255],
        detail=detail[:500],
    )


def _logged_in(sender, request, user, **kwargs) -> None:
    audit_record(kind=AuditEventKind.LOGIN, request=request, user=user)


def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(kind=AuditEventKind.LOGOUT, request=request, user=user)


def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    audit_record(
        kind=AuditEventKind.LOGIN_FAILED,
        request=request,
        username=str(credentials.get("username") or ""),
    )


def _locked_out(sender, request, username, ip_address, **kwargs) -> None:
    audit_record(kind=AuditEventKind.LOCKED_OUT, request=request, username=str(username or ""))


def _admin_change(sender, instance: LogEntry, created: bool, **kwargs) -> None:
    if created:
        audit_record(
            kind=AuditEventKind.ADMIN_CHANGE,
            request=None,
            user=instance.user,
            detail=f"{instance.get_action_flag_display()} {instance.content_type.app_label}."
            f"{instance.content_type.model} #{instance.object_id}: {instance.object_repr}",
        )


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="itsm.audit.login")
    user_logged_out.connect(_logged_out, dispatch_uid="itsm.audit.logout")
    user_login_failed.connect(_login_failed, dispatch_uid="itsm.audit.failed")
    user_locked_out.connect(_locked_out, dispatch_uid="itsm.audit.locked")
    post_save.connect(_admin_change, sender=LogEntry, dispatch_uid="itsm.audit.admin")
