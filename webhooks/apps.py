from django.utils.translation import gettext_lazy as _

from itsm import contributions


class WebhooksConfig(contributions.ContributingConfig):
    name = "webhooks"
    verbose_name = _("Webhooks")
    # The delivery backlog in /metrics.
    registers = ("figures",)

    def ready(self) -> None:
        super().ready()
        # Here, not at the top: apps.py is imported before the models are ready.
        from itsm.events import register_receiver
        from webhooks.outbox import event_record
        from webhooks.services import subscribers

        register_receiver(
            event_record, wants=lambda event_type: bool(subscribers().get(event_type))
        )
