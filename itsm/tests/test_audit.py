"""The audit trail: logins, failures, lockouts and admin changes, with who,
when and from which address, listed for admins."""

import pytest
from django.urls import reverse

from itsm.models import AuditEvent, AuditEventKind, SupportGroup

PASSWORD = "test-password-123"


def log_in(client, username, password, address="10.1.2.3"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_a_login_and_a_logout_are_recorded_with_the_address(client, agent):
    log_in(client, "agente", PASSWORD)
    client.post(reverse("logout"), REMOTE_ADDR="10.1.2.3")

    events = list(AuditEvent.objects.order_by("pk").values_list("kind", "user", "address"))
    assert events == [
        (AuditEventKind.LOGIN, agent.pk, "10.1.2.3"),
        (AuditEventKind.LOGOUT, agent.pk, "10.1.2.3"),
    ]


def test_failures_and_the_lockout_are_recorded_for_any_user_name(client, agent):
    for _ in range(5):
        log_in(client, "nadie", "mal")

    failures = AuditEvent.objects.filter(kind=AuditEventKind.LOGIN_FAILED)
    assert failures.count() == 5
    assert set(failures.values_list("username", "address")) == {("nadie", "10.1.2.3")}
    lockout = AuditEvent.objects.get(kind=AuditEventKind.LOCKED_OUT)
    assert (lockout.username, lockout.address) == ("nadie", "10.1.2.3")


def test_an_admin_change_is_recorded_with_who_and_from_where(client, admin_user):
    client.force_login(admin_user)
    group = SupportGroup.objects.get(is_specialists=True)
    url = reverse("admin:itsm_supportgroup_change", args=[group.pk])

    response = client.post(
        url,
        {"name": "L2 ESPECIALISTAS", "is_specialists": "on", "active": "on"},
        REMOTE_ADDR="192.0.2.44",
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(kind=AuditEventKind.ADMIN_CHANGE)
    assert event.user == admin_user
    assert event.address == "192.0.2.44"
    assert f"itsm.supportgroup #{group.pk}" in event.detail


@pytest.mark.parametrize("role", ["agent", "coordinator", "outsider"])
def test_only_admins_see_the_trail(client, request, admin_user, role):
    log_in(client, "agente", "mal")
    client.force_login(request.getfixturevalue(role))
    url = reverse("admin:itsm_auditevent_changelist")

    assert client.get(url).status_code == 302
    client.force_login(admin_user)
    page = client.get(url)
    assert page.status_code == 200
    assert "10.1.2.3" in page.content.decode()
