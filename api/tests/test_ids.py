"""Ids in a body are looked up with SQL written once per model."""

import pytest

from api.serializers.tickets import kind_serializers
from customers.tests.factories import CustomerFactory
from itsm.kinds import kind_for_code
from itsm.models import SupportGroup
from itsm.tests.factories import campaign_template
from itsm.tests.sql import sql_written

pytestmark = pytest.mark.django_db


def test_ids_are_looked_up_with_sql_written_once(agent):
    create = kind_serializers(kind_for_code("INC"))["create"]
    customer, template = CustomerFactory(), campaign_template("INC")
    group = SupportGroup.objects.get(is_agent_default=True)
    body = {
        "customer": customer.pk,
        "template": template.pk,
        "assigned_group": group.pk,
        "assignee": agent.pk,
        "description": "Llama porque no puede enviar las cuentas.",
    }
    assert create(data=body).is_valid()

    again = create(data={**body, "customer": CustomerFactory().pk})
    assert sql_written(again.is_valid) == 0
    picked = again.validated_data
    assert (picked["template"], picked["assigned_group"], picked["assignee"]) == (
        template,
        group,
        agent,
    )
    unknown = create(
        data={**body, "customer": customer.pk + 1000, "assignee": str(agent.pk + 1000)}
    )
    assert not unknown.is_valid()
    assert unknown.errors["customer"][0].code == "does_not_exist"
    assert unknown.errors["assignee"][0].code == "does_not_exist"
