import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from itsm.models import Status
from itsm.tests.factories import make_work_order
from workorders.models import WorkOrder


def test_a_work_order_is_numbered_wo_and_thirteen_digits(agent):
    work_order = make_work_order(user=agent)

    assert work_order.number == "WO0000000000001"
    assert WorkOrder.format_number(1234) == "WO0000000001234"


def test_work_orders_use_remedys_work_order_statuses():
    with translation.override("es"):
        labels = [str(label) for _, label in WorkOrder._meta.get_field("status").choices]

    assert labels == [
        "Asignado",
        "Pendiente",
        "En curso",
        "Terminado",
        "Cerrado",
        "Cancelado",
        "Rechazado",
    ]
    assert WorkOrder.RESOLVED_STATUS == Status.COMPLETED


def test_a_work_order_labels_its_group_support_group_name():
    with translation.override("es"):
        assert str(WorkOrder.GROUP_LABEL) == "Nombre de grupo de soporte"


def test_the_database_refuses_an_incident_status_on_a_work_order(agent):
    work_order = make_work_order(user=agent)

    with pytest.raises(IntegrityError), transaction.atomic():
        WorkOrder.objects.filter(pk=work_order.pk).update(status=Status.RESOLVED)


def test_open_work_orders_exclude_the_finished_ones(agent):
    kept = make_work_order(user=agent)
    for status in (Status.CLOSED, Status.CANCELLED, Status.REJECTED):
        finished = make_work_order(user=agent)
        WorkOrder.objects.filter(pk=finished.pk).update(status=status)

    assert list(WorkOrder.objects.open()) == [kept]
