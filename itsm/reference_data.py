"""Reference data of the Libros/Cuentas campaign: roles, support groups,
status reasons, numbering sequences and the campaign templates. Admins edit
all of it afterwards; rows are matched by name so the migration never
duplicates what is already there.

The core seeds what is not a kind's (``load_core``); each kind's app seeds
its own reasons and templates, written in its ``reference_data.json``,
through ``load_kind`` from its own data migration (``kind_file_loader``
reads the file), and registers the same loader with its ``Kind`` for
``load``."""

import json
from collections.abc import Callable
from pathlib import Path

from django.apps import apps as global_apps
from django.apps.registry import Apps

from itsm.kinds import all_kinds
from itsm.models.reference import APPLIES_TO_ALL

ROLES = ("Agentes", "Coordinadores", "Protección de datos")

GROUPS = [
    # name, agents' default, coordination, specialists
    ("L1 CAMPAÑA LIBROS/CUENTAS", True, False, False),
    ("L1 COORDINACIÓN CAMPAÑA LIBROS/CUENTAS", False, True, False),
    ("L2 ESPECIALISTAS", False, False, True),
]

L1 = "L1 CAMPAÑA LIBROS/CUENTAS"
COORD = "L1 COORDINACIÓN CAMPAÑA LIBROS/CUENTAS"


def read_rows(path: Path) -> tuple[str, list[tuple], list[tuple]]:
    """(kind, reasons, templates) of a reference data file, as ``load_kind``
    takes them. The file reads ``{"reasons": [{status, name, code,
    description}], "templates": [{name, summary, operational_tiers,
    product_tiers, service, impact, urgency, group}]}``, and a kind's also
    its ``"kind"`` code (empty for the core's)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    reasons = [
        (row["status"], row["name"], row["code"], row["description"]) for row in data["reasons"]
    ]
    templates = [
        (
            row["name"],
            row["summary"],
            tuple(row["operational_tiers"]),
            tuple(row["product_tiers"]),
            row["service"],
            row["impact"],
            row["urgency"],
            row["group"],
        )
        for row in data["templates"]
    ]
    return data.get("kind", ""), reasons, templates


# The reasons every kind gets, each kind its own row (a reason belongs to a
# kind and a status), and the templates of every kind; a kind's own are in
# its app's reference_data.json.
COMMON_REASONS, TEMPLATES = read_rows(Path(__file__).with_name("reference_data.json"))[1:]

# ERROR 23 packets name the Registro Mercantil affected: one per province.
REGISTRO_PROVINCES = (
    "A Coruña", "Álava", "Albacete", "Alicante", "Almería", "Asturias", "Ávila", "Badajoz",
    "Barcelona", "Bizkaia", "Burgos", "Cáceres", "Cádiz", "Cantabria", "Castellón", "Ceuta",
    "Ciudad Real", "Córdoba", "Cuenca", "Gipuzkoa", "Girona", "Granada", "Guadalajara",
    "Huelva", "Huesca", "Illes Balears", "Jaén", "La Rioja", "Las Palmas", "León", "Lleida",
    "Lugo", "Madrid", "Málaga", "Melilla", "Murcia", "Navarra", "Ourense", "Palencia",
    "Pontevedra", "Salamanca", "Santa Cruz de Tenerife", "Segovia", "Sevilla", "Soria",
    "Tarragona", "Teruel", "Toledo", "Valencia", "Valladolid", "Zamora", "Zaragoza",
)  # fmt: skip


def load_core(apps=global_apps) -> None:
    """Create whatever core row is missing (roles, groups, the templates of
    every kind); never touch existing ones."""
    Group = apps.get_model("auth", "Group")
    SupportGroup = apps.get_model("itsm", "SupportGroup")

    for role in ROLES:
        Group.objects.get_or_create(name=role)
    for name, default, coordination, specialists in GROUPS:
        SupportGroup.objects.get_or_create(
            name=name,
            defaults={
                "is_agent_default": default,
                "is_coordination": coordination,
                "is_specialists": specialists,
            },
        )
    _load_templates(apps, TEMPLATES, applies_to=APPLIES_TO_ALL)


def load_kind(apps=global_apps, *, kind: str, reasons=(), templates=()) -> None:
    """A kind's rows: the reasons every kind gets and its own ``reasons``
    (status, name, code, description), its ``templates`` (as ``TEMPLATES``)
    and its number sequence. A kind's data migration calls it with fixed
    rows, after the core's groups exist."""
    StatusReason = apps.get_model("itsm", "StatusReason")
    TicketSequence = apps.get_model("itsm", "TicketSequence")
    for status, name, code, description in [*COMMON_REASONS, *reasons]:
        StatusReason.objects.get_or_create(
            kind=kind,
            status=status,
            name=name,
            defaults={"code": code, "description": description},
        )
    _load_templates(apps, templates, applies_to=kind)
    TicketSequence.objects.get_or_create(kind=kind)


def kind_file_loader(module_file: str) -> Callable[..., None]:
    """The ``load`` of a kind's ``reference_data`` module: ``load_kind`` with
    the rows of the ``reference_data.json`` beside it (``read_rows``)."""
    path = Path(module_file).with_name("reference_data.json")

    def load(apps: Apps = global_apps) -> None:
        kind, reasons, templates = read_rows(path)
        load_kind(apps, kind=kind, reasons=reasons, templates=templates)

    return load


def _load_templates(apps, rows, *, applies_to: str) -> None:
    TicketTemplate = apps.get_model("itsm", "TicketTemplate")
    groups = dict(apps.get_model("itsm", "SupportGroup").objects.values_list("name", "pk"))
    for name, summary, op, prod, service, impact, urgency, group in rows:
        TicketTemplate.objects.get_or_create(
            name=name,
            defaults={
                "applies_to": applies_to,
                "summary": summary,
                "operational_tier_1": op[0],
                "operational_tier_2": op[1],
                "operational_tier_3": op[2],
                "product_tier_1": prod[0],
                "product_tier_2": prod[1],
                "product_tier_3": prod[2],
                "service": service,
                "impact": impact,
                "urgency": urgency,
                "default_group_id": groups.get(group),
            },
        )


def load() -> None:
    """Everything the migrations seed, for a database a test or a command
    emptied: the core's rows and each registered kind's. Migrations call
    ``load_core`` and ``load_kind`` with fixed rows instead: what they seed
    must not depend on which kinds are installed when they run."""
    load_core()
    for kind in all_kinds():
        if kind.load_reference_data is not None:
            kind.load_reference_data(global_apps)


def load_registros_mercantiles(apps=global_apps) -> None:
    """The Registros Mercantiles list (its own migration: the table came later)."""
    RegistroMercantil = apps.get_model("itsm", "RegistroMercantil")
    for province in REGISTRO_PROVINCES:
        RegistroMercantil.objects.get_or_create(
            name=f"Registro Mercantil de {province}", defaults={"province": province}
        )


# Working minutes: 1 working day is the 9 h of the seeded calendar.
WORKING_DAY = 9 * 60
SLA_TARGETS = [
    # priority, first response, resolution
    ("critical", 60, 4 * 60),
    ("high", 4 * 60, WORKING_DAY),
    ("medium", WORKING_DAY, 3 * WORKING_DAY),
    ("low", 2 * WORKING_DAY, 5 * WORKING_DAY),
]
# The desk's hours in Madrid, Monday to Friday.
WORKING_HOURS = [(weekday, "09:00", "18:00") for weekday in range(5)]
# National holidays (Spain) of the campaign years.
HOLIDAYS = [
    ("2026-01-01", "Año Nuevo"),
    ("2026-01-06", "Epifanía del Señor"),
    ("2026-04-03", "Viernes Santo"),
    ("2026-05-01", "Fiesta del Trabajo"),
    ("2026-08-15", "Asunción de la Virgen"),
    ("2026-10-12", "Fiesta Nacional de España"),
    ("2026-12-08", "Inmaculada Concepción"),
    ("2026-12-25", "Natividad del Señor"),
    ("2027-01-01", "Año Nuevo"),
    ("2027-01-06", "Epifanía del Señor"),
    ("2027-03-26", "Viernes Santo"),
    ("2027-05-01", "Fiesta del Trabajo"),
    ("2027-08-16", "Lunes siguiente a la Asunción"),
    ("2027-10-12", "Fiesta Nacional de España"),
    ("2027-11-01", "Todos los Santos"),
    ("2027-12-06", "Día de la Constitución Española"),
    ("2027-12-08", "Inmaculada Concepción"),
    ("2027-12-25", "Natividad del Señor"),
]


def load_sla(apps=global_apps) -> None:
    """SLA targets, the desk's hours and holidays (their own migration)."""
    SlaTarget = apps.get_model("itsm", "SlaTarget")
    WorkingHours = apps.get_model("itsm", "WorkingHours")
    Holiday = apps.get_model("itsm", "Holiday")
    for priority, response, resolution in SLA_TARGETS:
        SlaTarget.objects.get_or_create(
            priority=priority,
            defaults={"response_minutes": response, "resolution_minutes": resolution},
        )
    for weekday, opens, closes in WORKING_HOURS:
        WorkingHours.objects.get_or_create(
            weekday=weekday, defaults={"opens_at": opens, "closes_at": closes}
        )
    for day, name in HOLIDAYS:
        Holiday.objects.get_or_create(day=day, defaults={"name": name})
