"""The customer page's first page reads each kind's tickets and the mail
with SQL written once for every customer."""

import pytest

from customers.tests.factories import CustomerFactory
from itsm import customer_sources
from itsm.customer_timeline import timeline_page
from itsm.tests.factories import make_incident, make_work_order
from notifications import customer_sources as mail_sources

pytestmark = pytest.mark.django_db


def test_the_first_pages_rows_are_written_once_for_every_customer(agent, reference, monkeypatch):
    kept = customer_sources._NEWEST_TICKET_ROWS
    built = []
    monkeypatch.setattr(kept, "_kept", {})
    mail = mail_sources._NEWEST
    mail_built = []
    monkeypatch.setattr(mail, "_kept", {})
    monkeypatch.setattr(
        mail, "build", lambda *shape: mail_built.append(shape[0]) or mail_sources._newest(*shape)
    )
    monkeypatch.setattr(
        kept,
        "build",
        lambda *shape: built.append(shape[:3]) or customer_sources._newest_ticket_rows(*shape),
    )
    mine, theirs = CustomerFactory(), CustomerFactory()
    own = [make_incident(user=agent, customer=mine), make_work_order(user=agent, customer=mine)]
    other = make_incident(user=agent, customer=theirs)

    def numbers(customer) -> list[str]:
        return [item.title.split(" · ")[0] for item in timeline_page(customer).items]

    assert sorted(numbers(mine)) == sorted(t.number for t in own)
    writes = len(built)
    mail_writes = len(mail_built)
    assert numbers(theirs) == [other.number]
    # The same statements, another customer's id and address.
    assert len(built) == writes and len(mail_built) == mail_writes
    assert {shape[0] for shape in built} == {"INC", "WO"}
    assert set(mail_built) == {"threaded", "address", "sent"}
