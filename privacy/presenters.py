"""What the privacy pages and the dashboard show, prepared once."""

from django.urls import reverse
from django.utils.translation import gettext as _

from itsm.charts import Bar, BarChart
from itsm.common.permissions import is_data_protection
from privacy.selectors import requests_due_counts


def requests_due_chart(user, *, mine: bool) -> BarChart | None:
    """The dashboard's data-protection requests overdue, due within a week and
    pending, each a link to the list filtered to them; for the role only."""
    if not is_data_protection(user):
        return None
    counts = requests_due_counts()
    url = reverse("privacy:list")
    bars = [
        Bar(_("Overdue"), counts["overdue"], f"{url}?due=overdue"),
        Bar(_("Due within 7 days"), counts["soon"], f"{url}?due=soon"),
        Bar(_("Pending requests"), counts["pending"], f"{url}?due=pending"),
    ]
    return BarChart("privacy-due", _("Data-protection requests"), bars)
