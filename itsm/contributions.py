"""The ``AppConfig`` base of the apps that add to what the core shows: a
dashboard chart, pieces found by convention in the app's own modules (the
customer page's source, full-text texts, /metrics figures: each module's
``register()``) and a ``seed_demo`` loader. The app declares them; ``ready()``
registers them once the models are ready.

Subclass it as ``contributions.ContributingConfig`` (``from itsm import
contributions``): a second AppConfig name in the app's ``apps`` module would
make Django pick neither."""

from importlib import import_module

from django.apps import AppConfig
from django.utils.module_loading import import_string


class ContributingConfig(AppConfig):
    # (dotted path of the chart's builder, its place on the dashboard).
    live_chart: tuple[str, int] | None = None
    # The app's modules whose ``register()`` adds its pieces, in this order.
    registers: tuple[str, ...] = ()
    # The management command ``seed_demo`` runs after the core's demo.
    demo_loader: str | None = None

    def ready(self) -> None:
        # Here, not at the top: apps.py is imported before the models are ready.
        from itsm.charts import register_live_chart
        from itsm.demo import register_demo_loader

        if self.live_chart is not None:
            build, position = self.live_chart
            register_live_chart(import_string(build), position=position)
        for module in self.registers:
            import_module(f"{self.name}.{module}").register()
        if self.demo_loader is not None:
            register_demo_loader(self.demo_loader)
