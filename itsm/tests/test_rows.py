"""What the models' shared bases give: labels of choices translated once per
language, detail pages' URLs reversed once."""

import pytest
from django.db.models import Model
from django.urls import reverse, set_script_prefix
from django.utils import translation

from customers.models import Customer, CustomerKind
from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm.models import Priority, Status
from itsm.tests.factories import make_incident
from workorders.models import WorkOrder


@pytest.mark.parametrize("language", ["es", "en"])
def test_choice_labels_read_as_djangos_in_each_language(db, agent, language):
    incident = make_incident(user=agent)
    customer = incident.customer
    with translation.override(language):
        for row, name in [
            (incident, "status"),
            (incident, "priority"),
            (incident, "impact"),
            (incident, "reported_source"),
            (customer, "kind"),
        ]:
            field = type(row)._meta.get_field(name)
            assert getattr(row, f"get_{name}_display")() == Model._get_FIELD_display(row, field)
    with translation.override("es"):
        assert incident.get_priority_display() == str(Priority(incident.priority).label)
    with translation.override("en"):
        assert Customer(kind=CustomerKind.SUBSCRIBER).get_kind_display() == "Subscriber"


def test_each_kind_reads_its_own_statuses_and_an_unknown_value_as_it_is():
    with translation.override("en"):
        assert Incident(status=Status.RESOLVED).get_status_display() == "Resolved"
        # Not a work order's status: shown as stored, as Django shows it.
        assert WorkOrder(status=Status.RESOLVED).get_status_display() == "resolved"
        assert WorkOrder(status=Status.COMPLETED).get_status_display() == "Completed"
        assert Incident(status="no-such-status").get_status_display() == "no-such-status"


def test_a_detail_page_url_is_reversed_once_and_follows_the_script_prefix(db):
    first, second = CustomerFactory(), CustomerFactory()
    assert first.get_absolute_url() == reverse("customers:detail", args=[first.pk])
    assert second.get_absolute_url() == reverse("customers:detail", args=[second.pk])
    set_script_prefix("/desk/")
    try:
        assert second.get_absolute_url() == f"/desk/customers/{second.pk}/"
    finally:
        set_script_prefix("/")
