"""Finding customers by name: a common name walks the name index in order,
a rare one fetches its few matches and sorts them; both list the same
customers in the same order (SQLite; PostgreSQL always walks the index)."""

import pytest
from django.db import connection

from customers import selectors
from customers.selectors import customer_search, customers_matching
from customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def garcias():
    names = ["Ana", "Luis", "Eva", "Raúl", "Marta", "Íñigo", "Pilar"]
    made = [
        CustomerFactory(first_name=name, surnames=f"García {index:02d}")
        for index, name in enumerate(names * 2)
    ]
    CustomerFactory(first_name="Zoe", surnames="Núñez")
    return made


@pytest.mark.parametrize("query", ["garcia", "GARCÍA ana", "raul garcia", "nunez", "xyz"])
def test_a_common_name_lists_what_a_rare_one_would(monkeypatch, garcias, query):
    rare = [c.pk for c in customer_search(query, limit=5)]
    monkeypatch.setattr(selectors, "MANY_NAME_MATCHES", 2)
    common = [c.pk for c in customer_search(query, limit=5)]
    assert common == rare
    if query == "garcia":
        assert len(common) == 5
        if connection.vendor == "sqlite":  # the walk, not the fetch
            assert '"id" + 0' in str(customers_matching(query, listed_by_name=True).query)


def test_a_console_filter_keeps_the_plain_subquery(monkeypatch, garcias):
    monkeypatch.setattr(selectors, "MANY_NAME_MATCHES", 2)
    sql = str(customers_matching("garcia").values("id").query)
    if connection.vendor == "sqlite":
        assert '"id" + 0' not in sql and '"id" IN' in sql
    assert set(customers_matching("garcia").values_list("pk", flat=True)) == {c.pk for c in garcias}
