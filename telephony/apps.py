from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelephonyConfig(AppConfig):
    name = "telephony"
    verbose_name = _("Telephony")

    def ready(self) -> None:
        # Here, not at the top: apps.py is imported before the models are ready.
        from itsm.charts import register_live_chart
        from itsm.demo import register_demo_loader
        from telephony import customer_sources
        from telephony.presenters import missed_calls_chart

        # After the mailbox's chart: what the desk owes its callers.
        register_live_chart(missed_calls_chart, position=2)
        # The customer page's calls and their figures.
        customer_sources.register()
        # seed_demo: the demo agents' extensions and a day of calls.
        register_demo_loader("seed_demo_calls")
