"""Admins keep the reference data in the Django admin, in Spanish."""

import pytest
from django.urls import reverse

from customers.tests.factories import CustomerFactory
from itsm.services.relations import ticket_relate
from itsm.tests.factories import make_incident, make_work_order

CHANGELISTS = [
    (
        "itsm",
        "supportgroup",
        ["Grupos de soporte", "L1 CAMPAÑA LIBROS/CUENTAS", "Grupo de coordinación"],
    ),
    ("itsm", "statusreason", ["Motivos de estado", "Pdte comunicación con cliente", "Terminado"]),
    (
        "itsm",
        "tickettemplate",
        ["Plantillas", "CAMPAÑA LIBROS - LEGALIZACIÓN DE LIBROS", "Se aplica a", "Urgencia"],
    ),
    ("customers", "customer", ["Clientes", "Tipo de cliente", "CIF/NIF", ">Nombre<"]),
    ("incidents", "incident", ["Incidencias", "Número", "Grupo asignado", "Usuario asignado"]),
    ("workorders", "workorder", ["Órdenes de trabajo", "Motivo del estado", "Prioridad"]),
    ("incidents", "incidentworkinfo", ["Notas de trabajo", "Requiere atención"]),
    ("itsm", "relation", ["Relaciones", "Tipo de relación"]),
    ("axes", "accessattempt", ["Intentos de acceso", "Hora del intento", "Bloqueado"]),
    ("axes", "accessfailurelog", ["Accesos fallidos", "Bloqueo de acceso", "Ruta"]),
    ("axes", "accesslog", ["Registros de acceso", "Hora de salida"]),
]


@pytest.fixture
def desk(agent):
    customer = CustomerFactory(surnames="Peña Ibáñez")
    incident = make_incident(user=agent, customer=customer, work_info_notes="Notas")
    work_order = make_work_order(user=agent, customer=customer)
    ticket_relate(ticket=incident, user=agent, other_number=work_order.number)


@pytest.mark.parametrize(("app", "model", "texts"), CHANGELISTS, ids=[m for _, m, _ in CHANGELISTS])
def test_the_admin_changelists_load_in_spanish(admin_client, desk, app, model, texts):
    response = admin_client.get(reverse(f"admin:{app}_{model}_changelist"))

    assert response.status_code == 200
    content = response.content.decode()
    for text in texts:
        assert text in content, text
    assert "Centro de atención al usuario · Libros/Cuentas" in content


def test_the_admin_index_names_the_apps_in_spanish(admin_client):
    content = admin_client.get(reverse("admin:index")).content.decode()

    for text in [
        "Gestión del servicio",
        "Clientes",
        "Incidencias",
        "Órdenes de trabajo",
        "Intentos de acceso",
    ]:
        assert text in content, text
    assert ">Axes<" not in content


def test_the_kinds_are_capitalised_like_every_other_choice(admin_client):
    content = admin_client.get(reverse("admin:itsm_tickettemplate_changelist")).content.decode()

    for label in ("Incidencia", "Orden de trabajo"):
        assert f">{label}</" in content, label
    assert ">orden de trabajo</" not in content


def test_the_customer_admin_searches_by_name_without_accents(admin_client, desk):
    response = admin_client.get(reverse("admin:customers_customer_changelist"), {"q": "pena"})

    assert "Peña Ibáñez" in response.content.decode()


def test_an_agent_has_no_access_to_the_admin(client, agent):
    client.force_login(agent)

    response = client.get(reverse("admin:itsm_supportgroup_changelist"))

    assert response.status_code == 302
