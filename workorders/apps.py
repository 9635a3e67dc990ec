from django.utils.translation import gettext_lazy as _

from itsm import kinds


class WorkordersConfig(kinds.KindConfig):
    name = "workorders"
    verbose_name = _("Work orders")
    labels = kinds.KindLabels(_("New work order"), _("Complete"), _("%(number)s completed"))
    escalation_cases = ("unsolved", "linking", "flei", "other")
