"""Incidents' own reference rows: the reasons of their resolved status and
their campaign templates. The reasons every kind gets and the templates of
every kind are the core's (``itsm.reference_data``)."""

from django.apps import apps as global_apps

from incidents.models import Incident
from itsm.reference_data import L1, load_kind

REASONS = [
    # status, name, code, description
    ("resolved", "Acción adicional innecesaria", "", "Resuelta durante la llamada."),
    ("resolved", "Resolución autom. notificada", "", "Resuelta con una respuesta estándar."),
]

TEMPLATES = [
    # name, summary, op tiers, product tiers, service, impact, urgency, group
    (
        "CAMPAÑA ERROR 23 - ERROR EN TRÁMITE WEB",
        "ERROR 23 en trámite web",
        ("Fallo", "Portal", "Error 23"),
        ("Portal Registradores", "Trámites web", "Envío"),
        "Portal Registradores",
        3,
        2,
        L1,
    ),
    (
        "CAMPAÑA PORTAL - ERROR DE ENVÍO",
        "Error al enviar a través del portal",
        ("Fallo", "Portal", "Envío"),
        ("Portal Registradores", "Trámites web", "Envío"),
        "Portal Registradores",
        3,
        2,
        L1,
    ),
    (
        "CAMPAÑA PORTAL - ERROR DE CONSULTA",
        "Error al consultar en el portal",
        ("Fallo", "Portal", "Consulta"),
        ("Portal Registradores", "Trámites web", "Consulta"),
        "Portal Registradores",
        3,
        3,
        L1,
    ),
]


def load(apps=global_apps) -> None:
    load_kind(apps, kind=Incident.KIND, reasons=REASONS, templates=TEMPLATES)
