from django.utils.translation import gettext_lazy as _

from itsm import contributions


class TelephonyConfig(contributions.ContributingConfig):
    name = "telephony"
    verbose_name = _("Telephony")
    # After the mailbox's chart: what the desk owes its callers.
    live_chart = ("telephony.presenters.missed_calls_chart", 2)
    # The customer page's calls and their figures.
    registers = ("customer_sources",)
    # seed_demo: the demo agents' extensions and a day of calls.
    demo_loader = "seed_demo_calls"
