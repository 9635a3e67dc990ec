"""The dashboard's chart of mail waiting, which the e-mail app adds to the
core's charts."""

from django.urls import reverse

from notifications.models import InboundEmail, InboundStatus

DASHBOARD = reverse("dashboard")


def _message(n: int, **fields) -> InboundEmail:
    return InboundEmail.objects.create(
        raw="", size=1, sha256=f"{n:064d}", message_id=f"<{n}@example.com>", source="pipe", **fields
    )


def test_mail_waiting_is_counted_live_and_links_to_the_mailbox(client, agent, coordinator):
    _message(1)
    _message(2)
    _message(3, status=InboundStatus.IN_PROGRESS, assigned_to=agent)
    _message(4, status=InboundStatus.IN_PROGRESS, assigned_to=coordinator)
    _message(5, status=InboundStatus.DONE)
    _message(6, threaded=True)  # threaded onto its ticket by itself: not waiting
    client.force_login(coordinator)
    chart = {c.id: c for c in client.get(DASHBOARD).context["charts"]}["mail-waiting"]
    assert [(bar.label, bar.value) for bar in chart.bars] == [
        ("Nuevos, sin coger", 2),
        ("En curso", 2),
    ]
    for bar in chart.bars:
        assert len(client.get(bar.url).context["rows"]) == bar.value
    client.force_login(agent)
    chart = {c.id: c for c in client.get(DASHBOARD).context["charts"]}["mail-waiting"]
    assert [(bar.label, bar.value) for bar in chart.bars] == [
        ("Nuevos, sin coger", 2),
        ("Suyos en curso", 1),
    ]
    assert len(client.get(chart.bars[1].url).context["rows"]) == 1
