from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        # Here, not at the top: apps.py is imported before the models are ready.
        from itsm.events import register_receiver
        from webhooks import figures
        from webhooks.outbox import event_record
        from webhooks.services import subscribers

        register_receiver(
            event_record, wants=lambda event_type: bool(subscribers().get(event_type))
        )
        # The delivery backlog in /metrics.
        figures.register()
