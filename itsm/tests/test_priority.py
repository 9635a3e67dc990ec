import pytest

from itsm.models import Impact, Priority, Urgency, priority_for
from itsm.services.ticket_update import ticket_update
from itsm.tests.factories import make_incident

# Remedy's default priority matrix, as the agents' training module shows it.
Imp, U, P = Impact, Urgency, Priority
REMEDY_MATRIX = [
    (Imp.EXTENSIVE, U.CRITICAL, P.CRITICAL),
    (Imp.EXTENSIVE, U.HIGH, P.CRITICAL),
    (Imp.EXTENSIVE, U.MEDIUM, P.HIGH),
    (Imp.EXTENSIVE, U.LOW, P.LOW),
    (Imp.SIGNIFICANT, U.CRITICAL, P.CRITICAL),
    (Imp.SIGNIFICANT, U.HIGH, P.HIGH),
    (Imp.SIGNIFICANT, U.MEDIUM, P.MEDIUM),
    (Imp.SIGNIFICANT, U.LOW, P.LOW),
    (Imp.MODERATE, U.CRITICAL, P.HIGH),
    (Imp.MODERATE, U.HIGH, P.HIGH),
    (Imp.MODERATE, U.MEDIUM, P.MEDIUM),
    (Imp.MODERATE, U.LOW, P.LOW),
    (Imp.MINOR, U.CRITICAL, P.HIGH),
    (Imp.MINOR, U.HIGH, P.MEDIUM),
    (Imp.MINOR, U.MEDIUM, P.MEDIUM),
    (Imp.MINOR, U.LOW, P.LOW),
]


def test_the_matrix_covers_every_impact_and_urgency():
    assert {(i, u) for i, u, _ in REMEDY_MATRIX} == {(i, u) for i in Impact for u in Urgency}


@pytest.mark.parametrize(("impact", "urgency", "priority"), REMEDY_MATRIX)
def test_priority_follows_remedys_matrix(impact, urgency, priority):
    assert priority_for(impact, urgency) == priority


def test_a_new_ticket_takes_its_priority_from_impact_and_urgency(agent):
    ticket = make_incident(user=agent, impact=Impact.EXTENSIVE, urgency=Urgency.HIGH)

    ticket.refresh_from_db()
    assert ticket.priority == Priority.CRITICAL


def test_changing_urgency_recomputes_the_priority(agent):
    ticket = make_incident(user=agent, impact=Impact.MINOR, urgency=Urgency.LOW)
    assert ticket.priority == Priority.LOW

    ticket_update(
        ticket=ticket, user=agent, expected_version=ticket.version, urgency=Urgency.CRITICAL
    )

    ticket.refresh_from_db()
    assert ticket.priority == Priority.HIGH
