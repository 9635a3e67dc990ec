from axes.apps import AppConfig as AxesAppConfig
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _

from itsm import contributions
from itsm.middleware import mark_session_seen


class ItsmConfig(contributions.ContributingConfig):
    # This module holds django-axes's config too: this one is the app's.
    default = True
    name = "itsm"
    verbose_name = _("Service management")
    # The customer page's tickets and escalations, tickets and notes in the
    # full-text index, the broker's queue and the SLA breaches in /metrics;
    # other apps add theirs.
    registers = ("customer_sources", "fulltext", "ops.figures")

    def ready(self) -> None:
        user_logged_in.connect(mark_session_seen, dispatch_uid="itsm.mark_session_seen")
        # Here, not at the top: apps.py is imported before the models are
        # ready, and the audit trail's receivers import them.
        from itsm import audit
        from itsm.common import auth_backend

        audit.connect()
        auth_backend.connect_signals()
        super().ready()


class AxesConfig(AxesAppConfig):
    """django-axes as the admin shows it: the package names its section
    "Axes" (its label) and ships no Spanish; its models' and fields' names are
    in locale/axes."""

    verbose_name = _("Login attempts")
