from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Data protection")

    def ready(self) -> None:
        # Here, not at the top: apps.py is imported before the models are ready.
        from itsm.charts import register_live_chart
        from itsm.demo import register_demo_loader
        from privacy.presenters import requests_due_chart

        # After the phone's chart: requests due and overdue (the role only).
        register_live_chart(requests_due_chart, position=3)
        # seed_demo: the coordinator and the admin handle data-protection requests.
        register_demo_loader("seed_demo_privacy")
