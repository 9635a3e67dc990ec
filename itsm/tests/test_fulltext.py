"""Full-text search: Spanish stems without accents or case, the same answers
on SQLite (FTS5) and PostgreSQL (tsvector), the index kept in the
transaction of the text, and rebuilt by the command."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from api.tests.conftest import token_client
from customers.selectors import customer_search
from customers.tests.factories import CustomerFactory
from itsm import fulltext
from itsm.common.fulltext import fold, highlight, query_stems, stems
from itsm.fulltext import query as plans
from itsm.models import TextIndexEntry
from itsm.services.journal import work_info_add
from itsm.services.ticket_update import ticket_update
from itsm.tests.console import INCIDENTS, numbers
from itsm.tests.factories import make_incident, make_work_order

# --- the pure engine ---------------------------------------------------------


def test_stems_ignore_case_accents_and_plural():
    assert stems("Contraseñas") == stems("contraseña") == stems("CONTRASENA")
    assert stems("legalizacion") == stems("Legalización")
    assert stems("libros") == stems("libro")


def test_stop_words_are_left_out_as_postgresql_does():
    assert stems("la de el y") == []
    assert query_stems("el libro de los libros") == stems("libro")


def test_fold_removes_accents_and_the_tilde():
    assert fold("Ñandú ÁÉÍÓÚ") == "nandu aeiou"


def test_highlight_marks_the_matched_words_and_escapes_the_rest():
    snippet = highlight(
        "<script>alert(1)</script> Olvidé mis contraseñas & la Contraseña",
        query_stems("contraseña"),
    )
    assert "<script>" not in snippet
    assert "&lt;script&gt;" in snippet
    assert "<mark>contraseñas</mark>" in snippet
    assert "<mark>Contraseña</mark>" in snippet
    assert "&amp;" in snippet


def test_highlight_keeps_a_short_window_around_the_first_match():
    text = "palabra " * 100 + "legalización " + "otra " * 100
    snippet = highlight(text, query_stems("legalizacion"))
    assert "<mark>legalización</mark>" in snippet
    assert len(snippet) < 250
    assert snippet.startswith("…") and snippet.endswith("…")


# --- the index -----------------------------------------------------------------


def hit_numbers(hits) -> list[str]:
    return [hit.ticket_number for hit in hits]


@pytest.mark.django_db
def test_ticket_creation_indexes_summary_and_description(agent):
    order = make_work_order(
        user=agent, summary="Consulta legalización de libros", description="Libro diario"
    )
    hits = fulltext.search("legalizacion", [fulltext.TICKET])
    assert hit_numbers(hits) == [order.number]
    assert "<mark>legalización</mark>" in hits[0].snippet
    assert hit_numbers(fulltext.search("LIBROS diario")) == [order.number]
    assert fulltext.search("legalizacion inexistente") == []


@pytest.mark.django_db
def test_ticket_update_indexes_the_new_summary(agent):
    incident = make_incident(user=agent, summary="Error al firmar")
    ticket_update(
        ticket=incident,
        user=agent,
        expected_version=incident.version,
        summary="No recuerda la contraseña",
    )
    assert hit_numbers(fulltext.search("contraseñas")) == [incident.number]
    assert fulltext.search("firmar") == []


@pytest.mark.django_db
def test_work_info_notes_are_indexed_with_their_ticket(agent):
    incident = make_incident(user=agent, summary="Certificado")
    work_info_add(ticket=incident, user=agent, notes="El navegador bloquea la ventana emergente")
    hits = fulltext.search("navegadores", [fulltext.WORK_INFO])
    assert hit_numbers(hits) == [incident.number]
    assert hits[0].source == fulltext.WORK_INFO


@pytest.mark.django_db
def test_the_index_rolls_back_with_the_text(agent):
    incident = make_incident(user=agent, summary="Certificado")
    with pytest.raises(RuntimeError), transaction.atomic():
        work_info_add(ticket=incident, user=agent, notes="Depósito de cuentas anuales")
        raise RuntimeError
    assert fulltext.search("deposito") == []


@pytest.mark.django_db
def test_newest_first_and_pages_by_keyset(agent):
    tickets = [make_incident(user=agent, summary=f"Firma electrónica {n}") for n in range(5)]
    first = fulltext.search("firma electronica", limit=2)
    assert hit_numbers(first) == [tickets[4].number, tickets[3].number]
    last = TextIndexEntry.objects.get(source=fulltext.TICKET, key=first[-1].key)
    rest = fulltext.search("firma electronica", limit=10, after=(last.updated_at, last.pk))
    assert hit_numbers(rest) == [t.number for t in reversed(tickets[:3])]


@pytest.mark.django_db
def test_per_ticket_keeps_the_newest_hit_of_each_ticket(agent):
    incident = make_incident(user=agent, summary="Vinculación del certificado")
    work_info_add(ticket=incident, user=agent, notes="Repite la vinculación")
    assert len(fulltext.search("vinculacion")) == 2
    hits = fulltext.search("vinculacion", per_ticket=True)
    assert [(h.ticket_number, h.source) for h in hits] == [(incident.number, fulltext.WORK_INFO)]


@pytest.mark.django_db
def test_a_query_without_words_finds_nothing(agent):
    make_incident(user=agent, summary="de la")
    assert fulltext.search("de la") == []
    assert fulltext.search('"*) OR (') == []
    assert not fulltext.matching_ticket_numbers("").exists()


@pytest.mark.django_db
def test_the_command_rebuilds_the_index(agent):
    incident = make_incident(user=agent, summary="Pagos y FLEI")
    work_info_add(ticket=incident, user=agent, notes="Pago rechazado por el banco")
    TextIndexEntry.objects.all().delete()
    assert fulltext.search("pagos") == []
    out = StringIO()
    call_command("rebuild_text_index", batch=1, stdout=out)
    assert "ticket: 1" in out.getvalue() and "work_info: " in out.getvalue()
    hits = fulltext.search("pago")
    assert sorted(h.source for h in hits) == [fulltext.TICKET, fulltext.WORK_INFO]
    assert set(hit_numbers(hits)) == {incident.number}


# --- the magnifier and the API ---------------------------------------------------

SEARCH = reverse("search")
API_SEARCH = reverse("api:search")


@pytest.mark.django_db
def test_the_magnifier_shows_tickets_by_their_text_after_numbers_and_customers(client, agent):
    order = make_work_order(user=agent, summary="Consulta legalización de libros")
    incident = make_incident(user=agent, summary="Otra cosa")
    work_info_add(ticket=incident, user=agent, notes="Pregunta por la <b>legalización</b>")
    client.force_login(agent)
    response = client.get(SEARCH, {"q": "legalizacion"})
    assert response.status_code == 200
    hits = response.context["results"].text_hits
    # Newest first: the note came after the work order.
    assert [hit.ticket for hit in hits] == [incident, order]
    page = response.content.decode()
    assert "<mark>legalización</mark>" in page
    assert "&lt;b&gt;" in page and "<b>legalización" not in page
    assert page.index('id="text-heading"') < page.index(order.number)


@pytest.mark.django_db
def test_the_api_search_returns_the_text_hits(agent):
    incident = make_incident(user=agent, summary="Caducó la contraseña del certificado")
    body = token_client(agent).get(API_SEARCH, {"q": "contraseñas"}).json()
    assert [hit["ticket"]["number"] for hit in body["text"]] == [incident.number]
    assert body["text"][0]["source"] == fulltext.TICKET
    assert "<mark>contraseña</mark>" in body["text"][0]["snippet"]


@pytest.mark.django_db
def test_a_source_hides_what_a_user_may_not_see(agent, coordinator):
    fulltext.register_source(
        fulltext.Source(
            "private_test",
            "Private",
            lambda: [],
            visible=lambda user, keys: keys if user.pk == coordinator.pk else set(),
        )
    )
    try:
        fulltext.index_text("private_test", "1", "Borrador de firma electrónica")
        assert fulltext.search("firma", user=agent) == []
        assert [h.key for h in fulltext.search("firma", user=coordinator)] == ["1"]
    finally:
        fulltext.unregister_source("private_test")


# --- the consoles' Texto filter and the customers ----------------------------


@pytest.mark.django_db
def test_the_consoles_text_filter_finds_tickets_by_their_notes(client, agent):
    found = make_incident(user=agent, summary="Certificado")
    work_info_add(ticket=found, user=agent, notes="Depósitos de cuentas rechazados")
    make_incident(user=agent, summary="Depósito sin nota")
    client.force_login(agent)
    response = client.get(INCIDENTS, {"f": "1", "words": "deposito cuentas"})
    assert numbers(response) == [found.number]
    api = token_client(agent).get(reverse("api:incidents-list"), {"words": "depositos cuenta"})
    assert [t["number"] for t in api.json()["results"]] == [found.number]


@pytest.mark.django_db
def test_part_of_an_email_or_of_a_phone_finds_the_customer(client, agent):
    customer = CustomerFactory(email="demo.cliente2@example.es", phone="612345678")
    CustomerFactory(email="otro@example.es", phone="698765432")
    client.force_login(agent)
    for query in ("demo.cliente2", "cliente2@", "cliente2@exa", "2345678"):
        hits = client.get(SEARCH, {"q": query}).context["results"].customers
        assert [hit.customer for hit in hits] == [customer], query
    assert customer_search("demo.cliente2") == [customer]


# --- both engines answer alike -------------------------------------------------

CORPUS = [
    "Consulta legalización de libros",
    "No recuerda la contraseña del certificado",
    "Olvidó sus contraseñas otra vez",
    "Depósito de cuentas anuales rechazado",
    "Los depósitos de cuentas del ejercicio",
    "ERROR 23 al firmar con el certificado",
    "Firma electrónica caducada",
    "Vinculación paso a paso del certificado",
    "Pagos con FLEI rechazados por el banco",
    "El navegador bloquea las ventanas emergentes",
    "Configuración del equipo y del navegador",
    "Legalizar libros de actas: plazos",
]
QUERIES = [
    "legalizacion",
    "Legalización libros",
    "contraseñas",
    "CONTRASENA",
    "depositos cuentas",
    "certificado",
    "firma electronica",
    "navegadores",
    "rechazado",
    "vinculacion certificado",
    "pago banco",
    "error 23",
    "libro",
    "equipos",
    "nada parecido",
]


@pytest.mark.django_db
def test_fixed_queries_find_what_the_snowball_stems_say_on_either_database(agent):
    """Each database's answer is the one the Python stems predict (a text
    matches when it has every stem of the query), newest first; so SQLite's
    FTS5 and PostgreSQL's tsvector give the same top results."""
    tickets = [make_incident(user=agent, summary=summary) for summary in CORPUS]
    for query in QUERIES:
        wanted = set(query_stems(query))
        expected = [t.number for t in reversed(tickets) if wanted <= set(stems(t.summary))]
        assert hit_numbers(fulltext.search(query, limit=5)) == expected[:5], query
    # The set is not trivial: most queries find something, some several.
    assert fulltext.search("legalizacion") and len(fulltext.search("certificado")) == 3


@pytest.mark.django_db
def test_common_words_take_the_walk_newest_first_with_the_same_answer(agent, monkeypatch):
    tickets = [make_incident(user=agent, summary=summary) for summary in CORPUS]
    rare = {query: hit_numbers(fulltext.search(query, limit=3)) for query in QUERIES}
    monkeypatch.setattr(plans, "COMMON_MATCHES", {"postgresql": 1, "sqlite": 1})
    assert plans.is_common("certificado")
    for query in QUERIES:
        assert hit_numbers(fulltext.search(query, limit=3)) == rare[query], query
    assert hit_numbers(fulltext.search("certificado", limit=1)) == [tickets[7].number]
