from django.utils.translation import gettext_lazy as _

from itsm import kinds


class WorkordersConfig(kinds.KindConfig):
    name = "workorders"
    verbose_name = _("Work orders")
    new_label = _("New work order")
    resolve_label = _("Complete")
    resolved_message = _("%(number)s completed")
    escalation_cases = ("unsolved", "linking", "flei", "other")
