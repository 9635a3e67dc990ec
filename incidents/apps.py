from django.utils.translation import gettext_lazy as _

from itsm import kinds


class IncidentsConfig(kinds.KindConfig):
    name = "incidents"
    verbose_name = _("Incidents")
    new_label = _("New incident")
    resolve_label = _("Resolve")
    resolved_message = _("%(number)s resolved")
    escalation_cases = ("error23", "unsolved", "linking", "other")
