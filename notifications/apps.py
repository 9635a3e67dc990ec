from django.utils.translation import gettext_lazy as _

from itsm import contributions


class NotificationsConfig(contributions.ContributingConfig):
    name = "notifications"
    verbose_name = _("E-mail")
    # Second on the dashboard, after the open tickets by status.
    live_chart = ("notifications.presenters.mail_waiting_chart", 1)
    # The customer page's mail received and sent; received and sent mail in
    # the full-text index; the outbox and the mailbox's lag in /metrics.
    registers = ("customer_sources", "fulltext", "figures")
