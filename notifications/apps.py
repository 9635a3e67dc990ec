from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("E-mail")

    def ready(self) -> None:
        # Here, not at the top: apps.py is imported before the models are ready.
        from itsm.charts import register_live_chart
        from notifications import customer_sources, figures, fulltext
        from notifications.presenters import mail_waiting_chart

        # Second on the dashboard, after the open tickets by status.
        register_live_chart(mail_waiting_chart, position=1)
        # The customer page's mail received and sent.
        customer_sources.register()
        # Received and sent mail in the full-text index.
        fulltext.register()
        # The outbox and the mailbox's lag in /metrics.
        figures.register()
