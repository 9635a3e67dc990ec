from datetime import timedelta

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from customers.models import Customer, CustomerKind
from customers.validators import normalise_tax_id
from incidents.models import Incident
from itsm.models import Relation, Status
from workorders.models import WorkOrder


def counts() -> dict[str, int]:
    return {
        "users": get_user_model().objects.count(),
        "customers": Customer.objects.count(),
        "incidents": Incident.objects.count(),
        "work orders": WorkOrder.objects.count(),
        "journal": sum(
            m.work_info.rel.related_model.objects.count() for m in (Incident, WorkOrder)
        ),
        "relations": Relation.objects.count(),
    }


def test_seed_demo_loads_a_realistic_desk_once(db, settings, tmp_path):
    settings.DEBUG = True
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"  # the demo mail's files

    call_command("seed_demo", verbosity=0)
    first = counts()
    call_command("seed_demo", verbosity=0)

    assert counts() == first
    assert first["users"] == 5
    assert first["customers"] == 30
    assert first["incidents"] + first["work orders"] == 100
    assert first["relations"] == 10
    kinds = set(Customer.objects.values_list("kind", flat=True))
    assert kinds == set(CustomerKind.values)
    for tax_id in Customer.objects.values_list("tax_id", flat=True):
        assert normalise_tax_id(tax_id) == tax_id
    statuses = set(Incident.objects.values_list("status", flat=True)) | set(
        WorkOrder.objects.values_list("status", flat=True)
    )
    assert {Status.ASSIGNED, Status.PENDING}.issubset(statuses)
    assert statuses & {Status.RESOLVED, Status.COMPLETED}
    request = RequestFactory().post("/login/")
    assert authenticate(request, username="agente", password="agente-demo") is not None
    assert authenticate(request, username="coordinador", password="coordinador-demo") is not None
    assert get_user_model().objects.get(username="admin").is_superuser


def test_seed_demo_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo", verbosity=0)

    assert not get_user_model().objects.filter(username="agente").exists()


def test_seed_demo_runs_with_debug_off_when_forced(db, settings):
    settings.DEBUG = False

    call_command("seed_demo", "--force", verbosity=0)

    assert Customer.objects.count() == 30


def test_demo_tickets_are_spread_over_weeks(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    tickets = list(Incident.objects.all()) + list(WorkOrder.objects.all())
    created = [t.created_at for t in tickets]
    updated = [t.updated_at for t in tickets]
    assert max(created) - min(created) > timedelta(weeks=3)
    assert len(set(updated)) > len(tickets) * 0.9  # not one shared *Actualizada*
    assert all(t.created_at <= t.updated_at for t in tickets)


def test_demo_customers_have_phones_in_several_spellings_and_a_shared_switchboard(db, settings):
    from customers.models import CustomerPhone
    from customers.selectors import customers_by_phone
    from itsm.management.commands.seed_demo import DEMO_SWITCHBOARD

    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    numbers = list(CustomerPhone.objects.values_list("number", flat=True))
    assert any(number.startswith("+34 ") for number in numbers)
    assert any(number.startswith("0034") for number in numbers)
    assert any("/" in number for number in numbers)
    assert not CustomerPhone.objects.filter(e164="").exists()
    sharing = customers_by_phone(DEMO_SWITCHBOARD)
    assert len(sharing) == 2
    assert len({customer.organisation for customer in sharing}) == 1
