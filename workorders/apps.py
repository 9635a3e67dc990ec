from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from itsm import kinds


class WorkordersConfig(AppConfig):
    name = "workorders"
    verbose_name = _("Work orders")

    def ready(self) -> None:
        # Here, not at the top: apps.py is imported before the models are ready.
        from workorders import reference_data
        from workorders.filters import WorkOrderFilterSet
        from workorders.models import WorkOrder, WorkOrderWorkInfo

        kinds.register(
            kinds.Kind(
                code=WorkOrder.KIND,
                model=WorkOrder,
                journal_model=WorkOrderWorkInfo,
                filterset=WorkOrderFilterSet,
                namespace="workorders",
                new_label=_("New work order"),
                resolve_label=_("Complete"),
                load_reference_data=reference_data.load,
                resolved_message=_("%(number)s completed"),
                escalation_cases=("unsolved", "linking", "flei", "other"),
            )
        )
