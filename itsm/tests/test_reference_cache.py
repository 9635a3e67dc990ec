"""The forms' option lists (groups, templates, reasons, agents) come from the
cache: the same options the querysets give, refreshed when the admin changes
them or when the copy expires, and never trusted to validate a submission."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents.filters import IncidentFilterSet
from incidents.models import Incident
from itsm.action_forms import TicketEditForm
from itsm.filters import agent_users
from itsm.forms import TicketCreateForm
from itsm.models import Status, StatusReason, SupportGroup, TicketTemplate
from itsm.people import group_assignees
from itsm.reference_cache import forget_local_lists
from itsm.selectors import agent_default_group
from itsm.tests.factories import campaign_template, make_incident

REFERENCE_TABLES = ("itsm_supportgroup", "itsm_tickettemplate", "itsm_statusreason", "auth_user")


def copies_expire() -> None:
    """What the expiry of the shared copy and of this process's copy does."""
    cache.clear()
    forget_local_lists()


def options(field) -> list[tuple[str, str]]:
    return [(str(getattr(value, "value", value)), str(label)) for value, label in field.choices]


def reference_queries(build) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        build()
    return [q["sql"] for q in captured if any(t in q["sql"] for t in REFERENCE_TABLES)]


def ticket_form(agent, **kwargs):
    if "initial" not in kwargs:
        kwargs["initial"] = {"assigned_group": agent_default_group(agent).pk}
    return TicketCreateForm(model=Incident, user=agent, **kwargs)


def test_ticket_form_options_equal_the_querysets_and_come_from_the_cache(agent):
    expected = {
        "template": [("", "(elija una plantilla)")]
        + [(str(t.pk), t.name) for t in TicketTemplate.objects.for_agents("INC").order_by("name")],
        "assigned_group": [("", "---------")]
        + [
            (str(g.pk), g.name)
            for g in SupportGroup.objects.filter(active=True, is_specialists=False).order_by("name")
        ],
        "assignee": [("", "(nadie)")]
        + [
            (str(u.pk), f"{u.get_full_name()} ({u.username})" if u.get_full_name() else u.username)
            for u in group_assignees(agent_default_group(agent).pk)
        ],
        "status_reason": [("", "(sin motivo)")]
        + [
            (str(r.pk), r.name)
            for r in StatusReason.objects.filter(
                kind="INC", status=Status.ASSIGNED, active=True
            ).order_by("name")
        ],
    }
    initial = {"assigned_group": agent_default_group(agent).pk}
    first = ticket_form(agent, initial=initial)
    assert {name: options(first.fields[name]) for name in expected} == expected
    assert (
        reference_queries(lambda: options(ticket_form(agent, initial=initial).fields["template"]))
        == []
    )
    second = ticket_form(agent, initial=initial)
    assert {name: options(second.fields[name]) for name in expected} == expected


def test_filter_options_equal_the_querysets_and_come_from_the_cache(agent, rf):
    request = rf.get("/")
    request.user = agent
    fields = IncidentFilterSet({}, request=request).form.fields
    reasons = StatusReason.objects.filter(kind="INC").order_by("status", "name")
    assert options(fields["status_reason"])[1:] == [
        (str(r.pk), f"{Status(r.status).label} · {r.name}") for r in reasons
    ]
    assert options(fields["assigned_group"])[1:] == [
        (str(g.pk), g.name) for g in SupportGroup.objects.order_by("name")
    ]
    assert options(fields["assignee"])[1:] == [
        (str(u.pk), u.get_full_name() or u.username) for u in agent_users()
    ]
    again = reference_queries(lambda: IncidentFilterSet({}, request=request).form.fields)
    assert again == []


def test_a_retired_template_is_refused_although_the_cached_list_still_shows_it(agent):
    template = campaign_template("INC")
    ticket_form(agent)  # fills the cache
    TicketTemplate.objects.filter(pk=template.pk).update(active=False)
    form = ticket_form(agent, data={"template": template.pk, "summary": "x"})
    assert (str(template.pk), template.name) in options(form.fields["template"])
    assert not form.is_valid()
    assert "template" in form.errors


def test_the_tickets_retired_group_and_reason_are_still_offered(agent):
    ticket = make_incident(user=agent)
    retired = SupportGroup.objects.create(name="ZZ Retirado", active=False)
    reason = StatusReason.objects.create(
        kind="INC", status=ticket.status, name="Motivo retirado", active=False
    )
    Incident.objects.filter(pk=ticket.pk).update(assigned_group=retired, status_reason=reason)
    ticket.refresh_from_db()
    form = TicketEditForm(model=Incident, user=agent, ticket=ticket)
    form_groups = options(form.fields["assigned_group"])
    assert form_groups[-1] == (str(retired.pk), retired.name)
    assert (str(reason.pk), reason.name) in options(form.fields["status_reason"])
    # Another ticket's form does not offer them.
    other = ticket_form(agent)
    assert (str(retired.pk), retired.name) not in options(other.fields["assigned_group"])


def test_a_change_outside_the_admin_shows_when_the_copy_expires(agent, settings):
    ticket_form(agent)
    SupportGroup.objects.create(name="Nuevo grupo")
    assert (
        "Nuevo grupo" in dict(options(ticket_form(agent).fields["assigned_group"])).values()
    ) is (False)
    copies_expire()
    assert "Nuevo grupo" in dict(options(ticket_form(agent).fields["assigned_group"])).values()
    settings.ITSM_REFERENCE_CACHE_SECONDS = 0  # each copy expires at once
    copies_expire()
    ticket_form(agent)
    SupportGroup.objects.create(name="Otro grupo")
    assert "Otro grupo" in dict(options(ticket_form(agent).fields["assigned_group"])).values()


@pytest.mark.django_db
def test_a_change_through_the_admin_shows_at_once(client, agent, admin_client):
    client.force_login(agent)
    console = reverse("incidents:console")
    reason = StatusReason.objects.filter(kind="INC", active=True).first()
    assert reason.name in client.get(console).content.decode()
    response = admin_client.post(
        reverse("admin:itsm_statusreason_change", args=[reason.pk]),
        {
            "kind": reason.kind,
            "status": reason.status,
            "name": "Motivo renombrado",
            "code": reason.code,
            "description": reason.description,
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert "Motivo renombrado" in client.get(console).content.decode()

    group = SupportGroup.objects.create(name="Grupo efímero")
    copies_expire()
    assert "Grupo efímero" in client.get(console).content.decode()
    response = admin_client.post(
        reverse("admin:itsm_supportgroup_delete", args=[group.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert "Grupo efímero" not in client.get(console).content.decode()


def test_labels_are_cached_per_language(agent, rf):
    request = rf.get("/")
    request.user = agent
    from django.utils import translation

    with translation.override("es"):
        spanish = options(IncidentFilterSet({}, request=request).form.fields["status_reason"])
    with translation.override("en"):
        english = options(IncidentFilterSet({}, request=request).form.fields["status_reason"])
    assert spanish != english
    assert any(label.startswith("Pending · ") for _value, label in english)


def test_the_console_filter_bar_is_kept_for_the_same_filters_and_cleared_with_the_lists(
    client, agent, admin_user
):
    client.force_login(agent)
    url = reverse("incidents:console")
    first = client.get(url, {"f": "1", "open": "on"}).content.decode()
    # Drawn from the cache: the ticked box stays ticked, the same bar.
    again = client.get(url, {"f": "1", "open": "on"}).content.decode()
    assert again.count('id="id_open" checked') == first.count('id="id_open" checked') == 1
    # Other filters draw their own bar.
    other = client.get(url, {"f": "1", "mine": "on"}).content.decode()
    assert 'id="id_open" checked' not in other and 'id="id_mine" checked' in other
    # A group added in the admin reaches the cached bar at once.
    client.force_login(admin_user)
    client.post(
        reverse("admin:itsm_supportgroup_add"),
        {"name": "GRUPO NUEVO", "active": "on", "members": []},
    )
    assert SupportGroup.objects.filter(name="GRUPO NUEVO").exists()
    client.force_login(agent)
    assert "GRUPO NUEVO" in client.get(url, {"f": "1", "open": "on"}).content.decode()


def test_this_process_keeps_its_lists_and_sees_another_processes_change_within_a_second(
    agent, monkeypatch
):
    from itsm import reference_cache

    ticket_form(agent)
    asked = []
    real_get = cache.get
    monkeypatch.setattr(
        cache, "get", lambda key, *a, **k: asked.append(key) or real_get(key, *a, **k)
    )
    ticket_form(agent)
    assert asked == []  # lists and generation from this process's copies
    # Another process changes a group and bumps the generation in the shared cache.
    SupportGroup.objects.create(name="Grupo de otro proceso")
    cache.incr(reference_cache.GENERATION_KEY)
    assert (
        "Grupo de otro proceso"
        not in dict(options(ticket_form(agent).fields["assigned_group"])).values()
    )
    later = reference_cache.time.monotonic() + reference_cache.LOCAL_SECONDS
    monkeypatch.setattr(reference_cache.time, "monotonic", lambda: later)  # a second on
    assert (
        "Grupo de otro proceso"
        in dict(options(ticket_form(agent).fields["assigned_group"])).values()
    )


def test_the_new_ticket_forms_default_group_comes_from_the_cache(agent):
    from itsm.reference_cache import clear_reference_choices
    from itsm.selectors import agent_default_group_id

    own = agent_default_group(agent)
    assert agent_default_group_id(agent) == own.pk
    with CaptureQueriesContext(connection) as captured:
        assert agent_default_group_id(agent) == own.pk
    assert len(captured) == 0
    SupportGroup.objects.filter(pk=own.pk).update(is_agent_default=False)
    other = SupportGroup.objects.create(name="Grupo nuevo", is_agent_default=True)
    other.members.add(agent)
    own.members.remove(agent)
    # The admin, which changes groups and their members, clears the lists.
    clear_reference_choices()
    assert agent_default_group_id(agent) == other.pk == agent_default_group(agent).pk
