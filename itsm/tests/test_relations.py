import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from incidents.models import Incident
from itsm.models import Relation, RelationType, Status
from itsm.presenters import entry_text
from itsm.selectors import ticket_relations
from itsm.services.relations import ticket_relate, ticket_unrelate
from itsm.tests.factories import make_ticket
from workorders.models import WorkOrder

PAIRS = pytest.mark.parametrize(
    ("first_model", "second_model"),
    [(Incident, Incident), (WorkOrder, WorkOrder), (Incident, WorkOrder)],
    ids=["INC-INC", "WO-WO", "INC-WO"],
)


@PAIRS
def test_a_relation_shows_on_both_tickets(agent, first_model, second_model):
    first = make_ticket(first_model, user=agent)
    second = make_ticket(second_model, user=agent)

    relation = ticket_relate(
        ticket=first,
        user=agent,
        other_number=second.number.lower(),
        relation_type=RelationType.DUPLICATE,
    )

    assert [(r, other.number) for r, other in ticket_relations(first)] == [
        (relation, second.number)
    ]
    assert [(r, other.number) for r, other in ticket_relations(second)] == [
        (relation, first.number)
    ]
    assert relation.get_type_display() == "Duplicado de"
    assert second.number in [entry_text(e) for e in first.work_info.all()][-1]
    assert first.number in [entry_text(e) for e in second.work_info.all()][-1]


def test_relations_of_a_ticket_load_in_a_fixed_number_of_queries(
    agent, django_assert_max_num_queries
):
    ticket = make_ticket(Incident, user=agent)
    for model in (Incident, Incident, WorkOrder, WorkOrder, WorkOrder):
        ticket_relate(ticket=ticket, user=agent, other_number=make_ticket(model, user=agent).number)

    with django_assert_max_num_queries(3):
        relations = ticket_relations(ticket)

    assert len(relations) == 5


def test_a_ticket_cannot_be_related_to_itself(agent):
    ticket = make_ticket(Incident, user=agent)

    with pytest.raises(ValidationError) as error:
        ticket_relate(ticket=ticket, user=agent, other_number=ticket.number)

    assert error.value.message_dict["other_number"] == [
        "Una gestión no se puede relacionar consigo misma."
    ]


@pytest.mark.parametrize("reverse", [False, True], ids=["same-direction", "other-direction"])
def test_a_pair_can_be_related_only_once(agent, reverse):
    first = make_ticket(Incident, user=agent)
    second = make_ticket(WorkOrder, user=agent)
    ticket_relate(ticket=first, user=agent, other_number=second.number)
    source, target = (second, first) if reverse else (first, second)

    with pytest.raises(ValidationError) as error:
        ticket_relate(ticket=source, user=agent, other_number=target.number)

    assert error.value.error_dict["other_number"][0].code == "duplicate_relation"
    assert Relation.objects.count() == 1


def test_the_database_refuses_a_reversed_duplicate_and_a_self_relation(agent):
    first = make_ticket(Incident, user=agent)
    second = make_ticket(WorkOrder, user=agent)
    ticket_relate(ticket=first, user=agent, other_number=second.number)

    with pytest.raises(IntegrityError), transaction.atomic():
        Relation.objects.create(
            source_number=second.number, target_number=first.number, created_by=agent
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Relation.objects.create(
            source_number=first.number, target_number=first.number, created_by=agent
        )

    assert Relation.objects.count() == 1


def test_relating_to_an_unknown_number_is_refused(agent):
    ticket = make_ticket(Incident, user=agent)

    with pytest.raises(ValidationError) as error:
        ticket_relate(ticket=ticket, user=agent, other_number="WO0000000099999")

    assert error.value.message_dict["other_number"] == ["No existe la gestión WO0000000099999."]


def test_an_unknown_relation_type_is_refused(agent):
    first = make_ticket(Incident, user=agent)
    second = make_ticket(Incident, user=agent)

    with pytest.raises(ValidationError):
        ticket_relate(ticket=first, user=agent, other_number=second.number, relation_type="x")

    assert not Relation.objects.exists()


def test_a_closed_ticket_takes_no_new_relation_but_can_be_the_target(agent):
    closed = make_ticket(Incident, user=agent)
    Incident.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    closed.refresh_from_db()
    open_ticket = make_ticket(Incident, user=agent)

    with pytest.raises(ValidationError):
        ticket_relate(ticket=closed, user=agent, other_number=open_ticket.number)
    ticket_relate(ticket=open_ticket, user=agent, other_number=closed.number)

    assert len(ticket_relations(closed)) == 1


def test_removing_a_relation_removes_it_from_both_sides(agent):
    first = make_ticket(Incident, user=agent)
    second = make_ticket(WorkOrder, user=agent)
    relation = ticket_relate(ticket=first, user=agent, other_number=second.number)

    ticket_unrelate(relation=relation, user=agent)

    assert ticket_relations(first) == []
    assert ticket_relations(second) == []
    assert f"Relación eliminada: {second.number}" in [entry_text(e) for e in first.work_info.all()]
    assert f"Relación eliminada: {first.number}" in [entry_text(e) for e in second.work_info.all()]
