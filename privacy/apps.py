from django.utils.translation import gettext_lazy as _

from itsm import contributions


class PrivacyConfig(contributions.ContributingConfig):
    name = "privacy"
    verbose_name = _("Data protection")
    # After the phone's chart: requests due and overdue (the role only).
    live_chart = ("privacy.presenters.requests_due_chart", 3)
    # seed_demo: the coordinator and the admin handle data-protection requests.
    demo_loader = "seed_demo_privacy"
