"""The Relations tab: find a ticket by "inc 1234" / "wo 1234" / its number,
see it before linking, link with a type, unlink; shown on both tickets."""

import pytest
from django.urls import reverse

from incidents.models import Incident
from itsm.models import Relation, RelationType, Status
from itsm.services.relations import ticket_relate
from itsm.tests.factories import make_incident, make_work_order


def url(ticket, name: str, *args) -> str:
    return reverse(f"{ticket._meta.app_label}:{name}", args=[ticket.number, *args])


def digits(number: str) -> str:
    return str(int(number.lstrip("INCWO")))


def test_anonymous_user_is_sent_to_login(client, agent):
    ticket = make_incident(user=agent)
    other = make_work_order(user=agent)
    relation = ticket_relate(ticket=ticket, user=agent, other_number=other.number)
    client.logout()
    for response in (
        client.get(url(ticket, "relation_search"), {"relation_q": "wo 1"}),
        client.post(url(ticket, "relation_add"), {"rel-other_number": other.number}),
        client.post(url(ticket, "relation_remove", relation.pk)),
    ):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_user_without_role_is_refused(client, agent, outsider):
    ticket = make_incident(user=agent)
    other = make_work_order(user=agent)
    relation = ticket_relate(ticket=ticket, user=agent, other_number=other.number)
    client.force_login(outsider)
    assert client.get(url(ticket, "relation_search"), {"relation_q": "wo 1"}).status_code == 403
    assert client.post(url(ticket, "relation_add"), {}).status_code == 403
    assert client.post(url(ticket, "relation_remove", relation.pk)).status_code == 403
    assert Relation.objects.count() == 1


def test_add_and_remove_accept_post_only(client, agent):
    ticket = make_incident(user=agent)
    client.force_login(agent)
    assert client.get(url(ticket, "relation_add")).status_code == 405
    assert client.get(url(ticket, "relation_remove", 1)).status_code == 405


@pytest.mark.parametrize("typed", ["wo {digits}", "WO {digits}", "{number}", "wo-{digits}"])
def test_search_shows_the_hit_before_linking(client, agent, typed):
    ticket = make_incident(user=agent)
    other = make_work_order(user=agent)
    client.force_login(agent)
    query = typed.format(digits=digits(other.number), number=other.number)
    response = client.get(url(ticket, "relation_search"), {"relation_q": query})
    html = response.content.decode()
    assert response.status_code == 200
    assert other.number in html
    assert other.summary in html
    assert f'value="{other.number}"' in html
    assert "Relacionado con" in html and "Duplicado de" in html
    assert not Relation.objects.exists()


def test_bare_digits_find_both_kinds(client, agent):
    ticket = make_incident(user=agent)
    incident = make_incident(user=agent)
    work_order = make_work_order(user=agent)
    while digits(work_order.number) != digits(incident.number):
        work_order = make_work_order(user=agent)
    client.force_login(agent)
    query = digits(incident.number)
    html = client.get(url(ticket, "relation_search"), {"relation_q": query}).content.decode()
    assert incident.number in html
    assert work_order.number in html


def test_search_without_hit_says_so_in_spanish(client, agent):
    ticket = make_incident(user=agent)
    client.force_login(agent)
    html = client.get(url(ticket, "relation_search"), {"relation_q": "inc 99999"}).content.decode()
    assert "Ninguna gestión coincide con «inc 99999»" in html


def test_search_from_the_ticket_page_without_javascript(client, agent):
    ticket = make_incident(user=agent)
    other = make_incident(user=agent)
    client.force_login(agent)
    response = client.get(url(ticket, "detail"), {"relation_q": f"inc {digits(other.number)}"})
    assert response.context["open_panel"] == "relations"
    assert response.context["relation_hits"] == [other]


def test_link_with_a_type_shows_on_both_tickets(client, agent):
    ticket = make_incident(user=agent)
    other = make_work_order(user=agent)
    client.force_login(agent)
    data = {"rel-other_number": other.number, "rel-relation_type": RelationType.DUPLICATE}
    response = client.post(url(ticket, "relation_add"), data, follow=True)
    assert f"{ticket.number} relacionada con {other.number}" in response.content.decode()
    relation = Relation.objects.get()
    assert relation.type == RelationType.DUPLICATE

    for page, shown in ((ticket, other), (other, ticket)):
        response = client.get(url(page, "detail"))
        assert [o for _r, o in response.context["relations"]] == [shown]
        assert "Duplicado de" in response.content.decode()


def test_link_accepts_the_short_form(client, agent):
    ticket = make_incident(user=agent)
    other = make_incident(user=agent)
    client.force_login(agent)
    data = {"rel-other_number": f"inc {digits(other.number)}", "rel-relation_type": "related"}
    assert client.post(url(ticket, "relation_add"), data).status_code == 302
    assert Relation.objects.get().target_number == other.number


def test_bad_link_is_refused_in_spanish_with_the_input_kept(client, agent):
    ticket = make_incident(user=agent)
    client.force_login(agent)
    data = {"rel-other_number": "inc 424242", "rel-relation_type": "related"}
    response = client.post(url(ticket, "relation_add"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "No existe la gestión INC000000424242." in html
    assert 'value="inc 424242"' in html
    assert not Relation.objects.exists()

    data = {"rel-other_number": "hola", "rel-relation_type": "related"}
    response = client.post(url(ticket, "relation_add"), data)
    assert response.context["forms"]["relation"].errors["other_number"] == [
        "Escriba inc 1234, wo 1234 o el número completo."
    ]


def test_a_ticket_cannot_be_related_twice(client, agent):
    ticket = make_incident(user=agent)
    other = make_work_order(user=agent)
    ticket_relate(ticket=ticket, user=agent, other_number=other.number)
    client.force_login(agent)
    data = {"rel-other_number": other.number, "rel-relation_type": "related"}
    response = client.post(url(other, "relation_add"), {**data, "rel-other_number": ticket.number})
    assert "other_number" in response.context["forms"]["relation"].errors
    assert Relation.objects.count() == 1


def test_unlink_from_either_side(client, agent):
    ticket = make_incident(user=agent)
    other = make_work_order(user=agent)
    relation = ticket_relate(ticket=ticket, user=agent, other_number=other.number)
    client.force_login(agent)
    response = client.post(url(other, "relation_remove", relation.pk), follow=True)
    assert "eliminada" in response.content.decode()
    assert not Relation.objects.exists()


def test_unlink_of_a_relation_of_another_ticket_is_not_found(client, agent):
    ticket = make_incident(user=agent)
    a, b = make_work_order(user=agent), make_work_order(user=agent)
    relation = ticket_relate(ticket=a, user=agent, other_number=b.number)
    client.force_login(agent)
    assert client.post(url(ticket, "relation_remove", relation.pk)).status_code == 404
    assert Relation.objects.count() == 1


def test_closed_ticket_shows_relations_without_forms(client, agent):
    ticket = make_incident(user=agent)
    other = make_work_order(user=agent)
    ticket_relate(ticket=ticket, user=agent, other_number=other.number)
    Incident.objects.filter(pk=ticket.pk).update(status=Status.CLOSED)
    client.force_login(agent)
    html = client.get(url(ticket, "detail")).content.decode()
    assert other.number in html
    assert "Desvincular" not in html
    assert 'id="relation-q"' not in html
