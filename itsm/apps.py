from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ItsmConfig(AppConfig):
    name = "itsm"
    verbose_name = _("Service management")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from itsm.middleware import mark_session_seen

        user_logged_in.connect(mark_session_seen, dispatch_uid="itsm.mark_session_seen")

        from itsm import audit

        audit.connect()
