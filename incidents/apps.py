from django.utils.translation import gettext_lazy as _

from itsm import kinds


class IncidentsConfig(kinds.KindConfig):
    name = "incidents"
    verbose_name = _("Incidents")
    labels = kinds.KindLabels(_("New incident"), _("Resolve"), _("%(number)s resolved"))
    escalation_cases = ("error23", "unsolved", "linking", "other")
