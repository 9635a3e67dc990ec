from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from itsm import kinds


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incidents")

    def ready(self) -> None:
        # Here, not at the top: apps.py is imported before the models are ready.
        from incidents import reference_data
        from incidents.filters import IncidentFilterSet
        from incidents.models import Incident, IncidentWorkInfo

        kinds.register(
            kinds.Kind(
                code=Incident.KIND,
                model=Incident,
                journal_model=IncidentWorkInfo,
                filterset=IncidentFilterSet,
                namespace="incidents",
                new_label=_("New incident"),
                resolve_label=_("Resolve"),
                load_reference_data=reference_data.load,
                resolved_message=_("%(number)s resolved"),
                escalation_cases=("error23", "unsolved", "linking", "other"),
            )
        )
