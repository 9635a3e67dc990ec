from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ItsmConfig(AppConfig):
    # This module holds django-axes's config too: this one is the app's.
    default = True
    name = "itsm"
    verbose_name = _("Service management")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from itsm.middleware import mark_session_seen

        user_logged_in.connect(mark_session_seen, dispatch_uid="itsm.mark_session_seen")

        from itsm import audit

        audit.connect()


class AxesConfig(AxesAppConfig):
    """django-axes as the admin shows it: the package names its section
    "Axes" (its label) and ships no Spanish; its models' and fields' names are
    in locale/axes."""

    verbose_name = _("Login attempts")
