"""Work orders' own reference rows: the reasons of their completed status and
their campaign templates. The reasons every kind gets and the templates of
every kind are the core's (``itsm.reference_data``)."""

from django.apps import apps as global_apps

from itsm.reference_data import L1, load_kind
from workorders.models import WorkOrder

REASONS = [
    # status, name, code, description
    ("completed", "Con éxito", "", "Resuelta durante la llamada."),
    ("completed", "Éxito con problemas", "", "Resuelta, pero necesita seguimiento."),
]

TEMPLATES = [
    # name, summary, op tiers, product tiers, service, impact, urgency, group
    (
        "CAMPAÑA LIBROS - LEGALIZACIÓN DE LIBROS",
        "Consulta legalización de libros",
        ("Consulta", "Libros", "Legalización"),
        ("Portal Registradores", "Libros", "Legalización telemática"),
        "Legalización de libros",
        4,
        3,
        L1,
    ),
    (
        "CAMPAÑA CUENTAS - DEPÓSITO DE CUENTAS",
        "Consulta depósito de cuentas anuales",
        ("Consulta", "Cuentas", "Depósito"),
        ("Portal Registradores", "Cuentas", "Depósito telemático"),
        "Depósito de cuentas",
        4,
        3,
        L1,
    ),
    (
        "CAMPAÑA CUENTAS - SUBSANACIÓN DE DEFECTOS",
        "Subsanación de defectos en cuentas",
        ("Consulta", "Cuentas", "Defectos"),
        ("Portal Registradores", "Cuentas", "Calificación"),
        "Depósito de cuentas",
        4,
        3,
        L1,
    ),
    (
        "CAMPAÑA FLEI - PAGOS/DEUDA PENDIENTE",
        "Incidencia de pago o deuda en FLEI",
        ("Consulta", "Facturación", "FLEI"),
        ("FLEI", "Facturación", "Pagos"),
        "Facturación de abonados",
        4,
        2,
        L1,
    ),
    (
        "CAMPAÑA FLEI - PAGO NO CONFIRMADO",
        "Pago realizado no confirmado en FLEI",
        ("Solicitud", "Facturación", "FLEI"),
        ("FLEI", "Facturación", "Confirmación de pago"),
        "Facturación de abonados",
        4,
        2,
        L1,
    ),
    (
        "CAMPAÑA DATOS - ALTA/BAJA/MODIFICACIÓN DE DATOS",
        "Alta, baja o modificación de datos de usuario",
        ("Solicitud", "Usuarios", "Datos"),
        ("Portal Registradores", "Abonados", "Datos de usuario"),
        "Gestión de abonados",
        4,
        3,
        L1,
    ),
    (
        "CAMPAÑA EQUIPO - NAVEGADOR/CONFIGURACIÓN",
        "Configuración del navegador o del equipo",
        ("Consulta", "Equipo usuario", "Navegador"),
        ("Equipo usuario", "Navegador", "Configuración"),
        "Soporte a usuario",
        4,
        4,
        L1,
    ),
]


def load(apps=global_apps) -> None:
    load_kind(apps, kind=WorkOrder.KIND, reasons=REASONS, templates=TEMPLATES)
