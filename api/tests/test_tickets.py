"""Tickets of every kind through the API: the same services and rules as the pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from api.tests.conftest import token_client
from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm.common import pagination
from itsm.kinds import all_kinds
from itsm.models import AuditEvent, Relation, Status, StatusReason, SupportGroup
from itsm.tests.factories import campaign_template, make_incident, make_work_order
from notifications.tests.factories import pdf_upload

pytestmark = pytest.mark.django_db


def list_url(kind) -> str:
    return reverse(f"api:{kind.namespace}-list")


def url(ticket, name: str = "detail") -> str:
    return reverse(f"api:{ticket.kind.namespace}-{name}", args=[ticket.number])


@pytest.mark.parametrize("code", ["INC", "WO"])
def test_create_then_read_a_ticket_of_each_kind(api, agent, code):
    kind = next(k for k in all_kinds() if k.code == code)
    customer = CustomerFactory()
    response = api.post(
        list_url(kind),
        {
            "customer": customer.pk,
            "template": campaign_template(code).pk,
            "work_info_notes": "Llamada",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith(kind.prefix)
    assert body["kind"] == code
    assert response["ETag"] == '"1"'
    assert response["Location"].endswith(f"/{body['number']}/")
    ticket = kind.model.objects.get(number=body["number"])
    assert ticket.created_by == agent
    entries = ticket.work_info.order_by("id")
    assert {entry.author for entry in entries} == {agent}
    detail = api.get(url(ticket))
    assert detail.status_code == 200
    assert detail.json()["customer"] == customer.pk
    assert api.get(url(ticket), HTTP_IF_NONE_MATCH='"1"').status_code == 304


def test_list_uses_the_console_filters_sort_cursor_and_fields(api, agent, other_agent):
    mine = [make_incident(user=agent, assignee=agent) for _ in range(3)]
    make_incident(user=other_agent, assignee=other_agent)
    kind = mine[0].kind
    response = api.get(list_url(kind), {"mine": "true", "page_size": 2, "o": "number"})
    assert response.status_code == 200
    page = response.json()
    assert [row["number"] for row in page["results"]] == [t.number for t in mine[:2]]
    assert page["count"] == 3 and page["count_capped"] is False
    second = api.get(page["next"]).json()
    assert [row["number"] for row in second["results"]] == [mine[2].number]
    assert second["next"] is None and second["previous"]
    columns = api.get(list_url(kind), {"fields": "number,status"}).json()["results"][0]
    assert set(columns) == {"number", "status"}


def test_an_unfiltered_lists_first_page_is_built_once_for_everyone_but_blocked_customers(
    agent, other_agent, coordinator, monkeypatch
):
    from django.contrib.auth.models import Group

    from api.views import tickets as views
    from customers.models import Customer
    from itsm.common.permissions import DATA_PROTECTION_GROUP

    incidents = [make_incident(user=agent) for _ in range(4)]
    Customer.objects.filter(pk=incidents[1].customer_id).update(blocked_at=timezone.now())
    visible = sorted((t.number for t in incidents if t != incidents[1]), reverse=True)
    built = []
    monkeypatch.setattr(
        views._FIRST_PAGE, "build", lambda *shape: built.append(shape) or views._first_page(*shape)
    )
    monkeypatch.setattr(views._FIRST_PAGE, "_kept", {})
    params = {"o": "-number", "page_size": 2}
    kind = incidents[0].kind
    clients = {user: token_client(user) for user in (agent, other_agent, coordinator)}
    for user in (agent, other_agent):
        page = clients[user].get(list_url(kind), params).json()
        assert [row["number"] for row in page["results"]] == visible[:2]
    assert set(built) == {("INC", "number", True, 2)}
    first_built = len(built)
    # After a cursor, with a filter, and for the data-protection role (who
    # sees blocked customers too), the list is written as usual.
    second = clients[agent].get(page["next"]).json()
    assert [row["number"] for row in second["results"]] == visible[2:]
    filtered = clients[agent].get(list_url(kind), {**params, "open": "true"}).json()
    assert [row["number"] for row in filtered["results"]] == visible[:2]
    coordinator.groups.add(Group.objects.get(name=DATA_PROTECTION_GROUP))
    everyone = sorted((t.number for t in incidents), reverse=True)
    page = clients[coordinator].get(list_url(kind), params).json()
    assert [row["number"] for row in page["results"]] == everyone[:2]
    assert len(built) == first_built


def test_a_list_past_the_cap_is_not_counted_again_for_a_while(api, agent, monkeypatch):
    """As on the consoles: per filters and person, whatever the sort, the
    columns or the page's size."""
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    kind = make_incident(user=agent).kind
    for _ in range(3):
        make_incident(user=agent)

    def counts(**params) -> int:
        with CaptureQueriesContext(connection) as queries:
            page = api.get(list_url(kind), {"page_size": 1, **params}).json()
        assert page["count"] == 2 and page["count_capped"] is True
        return sum("COUNT(" in query["sql"] for query in queries)

    assert counts() == 1
    assert counts(o="number", fields="number", page_size=2) == 0
    assert counts(open="true") == 1
    assert counts(open="true") == 0


@pytest.mark.parametrize(
    "params",
    [
        {"after": "not-a-cursor"},
        {"after": "WzEsMl0"},  # [1,2]: the wrong shape for the sort
        {"after": "WyIyMDI2LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwgOTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5XQ"},
        {"o": "nonsense"},
        {"fields": "number,password"},
        {"page_size": "100000"},
        {"status": "nope"},
        {"assigned_group": "99999999999999999999999"},
        {"created_after": "yesterday"},
    ],
)
def test_bad_list_input_is_a_400_problem(api, agent, params):
    make_incident(user=agent)
    response = api.get(reverse("api:incidents-list"), params)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 400


def test_patch_needs_if_match_and_a_stale_one_says_who_changed_what(api, agent, other_agent):
    ticket = make_incident(user=agent)
    no_precondition = api.patch(url(ticket), {"summary": "Otro"}, format="json")
    assert no_precondition.status_code == 428
    assert no_precondition["Content-Type"] == "application/problem+json"

    other = token_client(other_agent)
    first = other.patch(url(ticket), {"summary": "Cambiado"}, format="json", HTTP_IF_MATCH='"1"')
    assert first.status_code == 200, first.json()
    assert first["ETag"] == '"2"'

    stale = api.patch(url(ticket), {"summary": "Mío"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    problem = stale.json()
    assert problem["changed_by"] == other_agent.username
    assert problem["current"]["summary"] == "Cambiado"
    assert problem["current_version"] == 2
    assert "Agente2" in problem["detail"]
    ticket.refresh_from_db()
    assert ticket.summary == "Cambiado"


def test_field_errors_carry_the_forms_messages_in_the_requests_language(api, agent):
    ticket = make_incident(user=agent)
    coordination = SupportGroup.objects.get(is_specialists=True)
    spanish = api.patch(
        url(ticket), {"assigned_group": coordination.pk}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert spanish.status_code == 400
    assert spanish["Content-Language"] == "es"
    assert spanish.json()["errors"]["assigned_group"] == [
        "No puede asignar gestiones a este grupo: elija uno de la lista."
    ]
    english = api.patch(
        url(ticket),
        {"assigned_group": coordination.pk},
        format="json",
        HTTP_IF_MATCH='"1"',
        HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8",
    )
    assert english.json()["errors"]["assigned_group"] == [
        "You cannot assign tickets to this group: pick one from the list."
    ]


def test_quick_actions_go_through_the_services(api, agent):
    ticket = make_incident(user=agent)
    assert api.post(url(ticket, "assign-to-me")).status_code == 428
    assigned = api.post(url(ticket, "assign-to-me"), HTTP_IF_MATCH='"1"')
    assert assigned.status_code == 200 and assigned.json()["assignee"] == agent.pk
    reason = StatusReason.objects.filter(kind="INC", status=Status.PENDING).first()
    wrong = StatusReason.objects.filter(kind="INC", status=Status.RESOLVED).first()
    refused = api.post(
        url(ticket, "pending"), {"status_reason": wrong.pk}, format="json", HTTP_IF_MATCH='"2"'
    )
    assert refused.status_code == 400
    assert refused.json()["errors"]["status_reason"] == [
        "Este motivo no corresponde al estado elegido."
    ]
    pending = api.post(
        url(ticket, "pending"), {"status_reason": reason.pk}, format="json", HTTP_IF_MATCH='"2"'
    )
    assert pending.json()["status"] == Status.PENDING
    assert pending.json()["requires_attention"] == "response"
    resolved = api.post(
        url(ticket, "resolve"), {"status_reason": wrong.pk}, format="json", HTTP_IF_MATCH='"3"'
    )
    assert resolved.json()["status"] == Status.RESOLVED
    assert resolved.json()["resolution"] == "RESUELTO"
    reopened = api.post(
        url(ticket, "reopen"), {"note": "Vuelve"}, format="json", HTTP_IF_MATCH='"4"'
    )
    assert reopened.status_code == 200
    assert reopened.json()["status"] == Status.ASSIGNED
    assert ticket.work_info.filter(notes="Vuelve", author=agent).exists()


def test_journal_lists_and_appends_with_up_to_three_files_and_is_never_changed(api, agent):
    ticket = make_incident(user=agent, work_info_notes="Llamada")
    response = api.post(
        url(ticket, "journal"),
        {
            "notes": "Captura adjunta",
            "attachment_1": pdf_upload("a.pdf"),
            "attachment_2": pdf_upload("b.pdf"),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    entry = response.json()
    assert entry["author"] == agent.username
    assert [f["index"] for f in entry["attachments"]] == [1, 2]
    assert all(f["name"].endswith(".pdf") and f["size"] > 0 for f in entry["attachments"])
    listed = api.get(url(ticket, "journal")).json()["results"]
    assert listed[0]["id"] == entry["id"]
    empty = api.post(url(ticket, "journal"), {"notes": "  "}, format="multipart")
    assert empty.status_code == 400
    assert empty.json()["errors"]["notes"] == ["Escriba las notas de esta entrada."]
    for method in ("put", "patch", "delete"):
        assert getattr(api, method)(url(ticket, "journal")).status_code == 405


def test_relations_list_add_remove(api, agent):
    incident = make_incident(user=agent)
    work_order = make_work_order(user=agent)
    added = api.post(
        url(incident, "relations"), {"other_number": f"wo {work_order.number[2:]}"}, format="json"
    )
    assert added.status_code == 201, added.json()
    assert added.json()["number"] == work_order.number
    twice = api.post(url(incident, "relations"), {"other_number": work_order.number}, format="json")
    assert twice.status_code == 400 and "other_number" in twice.json()["errors"]
    from_the_other_side = api.get(url(work_order, "relations")).json()
    assert [row["number"] for row in from_the_other_side] == [incident.number]
    relation_id = added.json()["id"]
    elsewhere = make_incident(user=agent)
    foreign = reverse("api:incidents-relation", args=[elsewhere.number, relation_id])
    assert api.delete(foreign).status_code == 404
    huge = reverse("api:incidents-relation", args=[incident.number, 2**70])
    assert api.delete(huge).status_code == 404
    removed = api.delete(reverse("api:incidents-relation", args=[incident.number, relation_id]))
    assert removed.status_code == 204
    assert not Relation.objects.exists()


def test_roles_the_api_refuses_what_the_pages_refuse(agent, outsider):
    ticket = make_incident(user=agent)
    # A token made while the outsider still worked tickets: the role is gone, so is the access.
    from api.models import ApiToken
    from api.tokens import hash_token

    ApiToken.objects.create(
        user=outsider,
        name="old",
        prefix="itsm_x",
        key_hash=hash_token("itsm_outsider-token"),
        scopes="read write",
        expires_at="2999-01-01T00:00:00Z",
    )
    client = token_client(agent)
    client.credentials(HTTP_AUTHORIZATION="Bearer itsm_outsider-token")
    for path in (url(ticket), reverse("api:incidents-list"), reverse("api:groups")):
        response = client.get(path)
        assert response.status_code == 403, path
        assert response["Content-Type"] == "application/problem+json"


def test_a_read_token_cannot_write(agent):
    ticket = make_incident(user=agent)
    reader = token_client(agent, scopes=("read",))
    assert reader.get(url(ticket)).status_code == 200
    response = reader.patch(url(ticket), {"summary": "x"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 403
    assert "write" in response.json()["detail"]


def test_bad_bodies_are_4xx(api, agent):
    ticket = make_incident(user=agent)
    customer = CustomerFactory()
    cases = [
        {"customer": "uno"},
        {"customer": 2**70},
        {"customer": True},
        {"customer": customer.pk, "summary": "a\x00b"},
        {"customer": customer.pk, "summary": "x" * 5000},
        {"customer": customer.pk, "impact": 10**30},
        {"customer": customer.pk, "template": [1, 2]},
    ]
    for body in cases:
        response = api.post(reverse("api:incidents-list"), body, format="json")
        assert response.status_code == 400, (body, response.content)
    malformed = api.generic(
        "POST", reverse("api:incidents-list"), b"{not json", content_type="application/json"
    )
    assert malformed.status_code == 400
    assert api.get(reverse("api:incidents-detail", args=["INC" + "9" * 40])).status_code == 404
    assert (
        api.patch(url(ticket), {"summary": "x"}, format="json", HTTP_IF_MATCH="garbage").status_code
        == 412
    )
    assert Incident.objects.count() == 1


def test_every_use_is_audited_as_the_tokens_user(api, agent):
    api.get(reverse("api:groups"))
    event = AuditEvent.objects.get(kind="api")
    assert event.user == agent
    assert event.path == reverse("api:groups")
    assert event.detail.startswith("GET token #")
    assert event.address == "127.0.0.1"


def test_making_the_schema_leaves_the_consoles_filters_as_they_were(api, agent, client):
    client.force_login(agent)
    assert client.get(reverse("api:schema")).status_code == 200
    for kind in all_kinds():
        status = kind.statuses[-1]
        filterset = kind.filterset({"status": [status]}, queryset=kind.model.objects.all())
        assert filterset.is_valid(), (kind.code, filterset.errors)
