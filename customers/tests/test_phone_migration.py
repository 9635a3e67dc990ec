"""The move of the single phone field into CustomerPhone: every number kept
as typed, normalised when phonenumbers can read it, and back again."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("customers", "0004_email_failing")]
AFTER = [("customers", "0007_remove_customer_phone")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def every_app_migrated_after():
    """Going back to 0004 unapplies every app that depends on the later
    customers migrations (the phone's calls, say): the tests after this one
    need the whole schema again."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_old_phone_becomes_a_customer_phone_and_comes_back():
    old_apps = migrate(BEFORE)
    Customer = old_apps.get_model("customers", "Customer")
    rows = {
        "mobile": Customer.objects.create(kind="citizen", first_name="Ana", phone="612/34.56.78"),
        "landline": Customer.objects.create(kind="citizen", first_name="Luis", phone="915551234"),
        "odd": Customer.objects.create(kind="citizen", first_name="Eva", phone="12-ABC"),
        "none": Customer.objects.create(kind="citizen", first_name="Sin", phone=""),
    }

    new_apps = migrate(AFTER)
    Phone = new_apps.get_model("customers", "CustomerPhone")
    NewCustomer = new_apps.get_model("customers", "Customer")
    phones = {p.customer_id: (p.kind, p.number, p.e164) for p in Phone.objects.all()}
    assert phones == {
        rows["mobile"].pk: ("mobile", "612/34.56.78", "+34612345678"),
        rows["landline"].pk: ("landline", "915551234", "+34915551234"),
        rows["odd"].pk: ("landline", "12-ABC", ""),
    }
    summaries = dict(NewCustomer.objects.values_list("pk", "phones_summary"))
    assert summaries[rows["mobile"].pk] == "612 34 56 78"
    assert summaries[rows["odd"].pk] == "12-ABC"
    assert summaries[rows["none"].pk] == ""

    back_apps = migrate(BEFORE)
    OldCustomer = back_apps.get_model("customers", "Customer")
    assert dict(OldCustomer.objects.values_list("pk", "phone")) == {
        rows["mobile"].pk: "612/34.56.78",
        rows["landline"].pk: "915551234",
        rows["odd"].pk: "12-ABC",
        rows["none"].pk: "",
    }
    migrate(AFTER)
