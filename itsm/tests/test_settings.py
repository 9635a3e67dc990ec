"""The typed helpers that read the environment refuse bad values."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from itsm.env import database_from_url, env_bool, env_int, env_list


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), (" Yes ", True), ("on", True), ("0", False), ("off", False)],
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("ITSM_FLAG", raw)

    assert env_bool("ITSM_FLAG", not expected) is expected


def test_env_bool_falls_back_to_the_default_when_unset_or_empty(monkeypatch):
    monkeypatch.delenv("ITSM_FLAG", raising=False)
    assert env_bool("ITSM_FLAG", True) is True
    monkeypatch.setenv("ITSM_FLAG", "")
    assert env_bool("ITSM_FLAG", False) is False


def test_env_bool_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("ITSM_FLAG", "maybe")

    with pytest.raises(ImproperlyConfigured, match="ITSM_FLAG must be a boolean"):
        env_bool("ITSM_FLAG", False)


def test_env_int_reads_integers_and_refuses_the_rest(monkeypatch):
    monkeypatch.setenv("ITSM_DAYS", "21")
    assert env_int("ITSM_DAYS", 15) == 21

    monkeypatch.setenv("ITSM_DAYS", "quince")
    with pytest.raises(ImproperlyConfigured, match="ITSM_DAYS must be an integer"):
        env_int("ITSM_DAYS", 15)


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("ITSM_HOSTS", "desk.example, ,localhost ")

    assert env_list("ITSM_HOSTS", []) == ["desk.example", "localhost"]


def test_database_from_url_builds_a_postgresql_entry(monkeypatch):
    monkeypatch.delenv("DATABASE_PREPARED_STATEMENTS", raising=False)
    database = database_from_url("postgres://itsm:s%40cret@db.example:6543/itsm?sslmode=require")

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["USER"], database["PASSWORD"]) == ("itsm", "itsm", "s@cret")
    assert (database["HOST"], database["PORT"]) == ("db.example", "6543")
    assert database["OPTIONS"] == {"sslmode": "require"}
    assert database["TEST"]["NAME"].startswith("test_itsm_")
    assert database["PREPARED_STATEMENTS"] is False


def test_prepared_statements_are_asked_for_by_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "true")

    assert database_from_url("postgres://itsm@db/itsm")["PREPARED_STATEMENTS"] is True


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u:p@h/db", "must be a postgres:// URL"),
        ("postgres://u:p@h:5432/", "must name a database"),
        ("postgres://u:p@h:port/db", "invalid port"),
    ],
)
def test_database_from_url_refuses_bad_urls(url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        database_from_url(url)
