from itsm.models import Status
from itsm.tests.factories import make_work_order
from workorders.models import WorkOrder


def test_a_work_order_is_numbered_wo_and_thirteen_digits(agent):
    work_order = make_work_order(user=agent)

    assert work_order.number == "WO0000000000001"
    assert WorkOrder.format_number(1234) == "WO0000000001234"


def test_open_work_orders_exclude_the_finished_ones(agent):
    kept = make_work_order(user=agent)
    for status in (Status.CLOSED, Status.CANCELLED, Status.REJECTED):
        finished = make_work_order(user=agent)
        WorkOrder.objects.filter(pk=finished.pk).update(status=status)

    assert list(WorkOrder.objects.open()) == [kept]
