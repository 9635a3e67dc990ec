"""Reference data of the Libros/Cuentas campaign: roles, support groups,
status reasons, numbering sequences and the campaign templates. Admins edit
all of it afterwards; rows are matched by name so the migration never
duplicates what is already there."""

from django.apps import apps as global_apps

ROLES = ("Agentes", "Coordinadores")

GROUPS = [
    # name, agents' default, coordination, specialists
    ("L1 CAMPAÑA LIBROS/CUENTAS", True, False, False),
    ("L1 COORDINACIÓN CAMPAÑA LIBROS/CUENTAS", False, True, False),
    ("L2 ESPECIALISTAS", False, False, True),
]

REASONS = [
    # kind, status, name, code, description
    (
        "INC",
        "assigned",
        "Pdte comunicación con cliente",
        "reopened",
        "La gestión se ha reabierto y requiere actuación nuestra.",
    ),
    (
        "WO",
        "assigned",
        "Pdte comunicación con cliente",
        "reopened",
        "La gestión se ha reabierto y requiere actuación nuestra.",
    ),
    (
        "INC",
        "pending",
        "Detenido por el cliente",
        "",
        "No localizamos al cliente o no puede facilitar los datos hasta una fecha.",
    ),
    (
        "WO",
        "pending",
        "Detenido por el cliente",
        "",
        "No localizamos al cliente o no puede facilitar los datos hasta una fecha.",
    ),
    (
        "INC",
        "pending",
        "Info. adicional solicitada sobre cliente",
        "",
        "Hemos solicitado más información (captura de pantalla, cuadro de vinculación).",
    ),
    (
        "WO",
        "pending",
        "Info. adicional solicitada sobre cliente",
        "",
        "Hemos solicitado más información (captura de pantalla, cuadro de vinculación).",
    ),
    (
        "INC",
        "pending",
        "Requiere acción del cliente",
        "",
        "Esperamos a que el usuario realice alguna acción.",
    ),
    (
        "WO",
        "pending",
        "Requiere acción del cliente",
        "",
        "Esperamos a que el usuario realice alguna acción.",
    ),
    ("INC", "resolved", "Acción adicional innecesaria", "", "Resuelta durante la llamada."),
    ("INC", "resolved", "Resolución autom. notificada", "", "Resuelta con una respuesta estándar."),
    ("WO", "completed", "Con éxito", "", "Resuelta durante la llamada."),
    ("WO", "completed", "Éxito con problemas", "", "Resuelta, pero necesita seguimiento."),
]

L1 = "L1 CAMPAÑA LIBROS/CUENTAS"
COORD = "L1 COORDINACIÓN CAMPAÑA LIBROS/CUENTAS"

TEMPLATES = [
    # name, applies_to, summary, op tiers, product tiers, service, impact, urgency, group
    (
        "CAMPAÑA LIBROS - LEGALIZACIÓN DE LIBROS",
        "WO",
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
        "WO",
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
        "WO",
        "Subsanación de defectos en cuentas",
        ("Consulta", "Cuentas", "Defectos"),
        ("Portal Registradores", "Cuentas", "Calificación"),
        "Depósito de cuentas",
        4,
        3,
        L1,
    ),
    (
        "CAMPAÑA VINCULACIÓN - VINCULACIÓN/DESVINCULACIÓN",
        "BOTH",
        "Solicitud de vinculación/desvinculación de usuario",
        ("Solicitud", "Usuarios", "Vinculación"),
        ("Portal Registradores", "Abonados", "Vinculación"),
        "Gestión de abonados",
        4,
        3,
        L1,
    ),
    (
        "CAMPAÑA ERROR 23 - ERROR EN TRÁMITE WEB",
        "INC",
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
        "INC",
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
        "INC",
        "Error al consultar en el portal",
        ("Fallo", "Portal", "Consulta"),
        ("Portal Registradores", "Trámites web", "Consulta"),
        "Portal Registradores",
        3,
        3,
        L1,
    ),
    (
        "CAMPAÑA FLEI - PAGOS/DEUDA PENDIENTE",
        "WO",
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
        "WO",
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
        "WO",
        "Alta, baja o modificación de datos de usuario",
        ("Solicitud", "Usuarios", "Datos"),
        ("Portal Registradores", "Abonados", "Datos de usuario"),
        "Gestión de abonados",
        4,
        3,
        L1,
    ),
    (
        "CAMPAÑA CERTIFICADO - FIRMA ELECTRÓNICA",
        "BOTH",
        "Problema con certificado o firma electrónica",
        ("Consulta", "Certificados", "Firma"),
        ("Equipo usuario", "Certificado digital", "Firma"),
        "Firma electrónica",
        4,
        3,
        L1,
    ),
    (
        "CAMPAÑA EQUIPO - NAVEGADOR/CONFIGURACIÓN",
        "WO",
        "Configuración del navegador o del equipo",
        ("Consulta", "Equipo usuario", "Navegador"),
        ("Equipo usuario", "Navegador", "Configuración"),
        "Soporte a usuario",
        4,
        4,
        L1,
    ),
    (
        "CAMPAÑA CONTRASEÑA - ACCESO AL PORTAL",
        "BOTH",
        "Problema de acceso o contraseña",
        ("Solicitud", "Usuarios", "Acceso"),
        ("Portal Registradores", "Acceso", "Contraseña"),
        "Portal Registradores",
        4,
        3,
        L1,
    ),
    # Not a campaign template: admins keep it, agents never see it in the picker.
    (
        "INTERNA - PRUEBAS DE PLATAFORMA",
        "BOTH",
        "Prueba interna",
        ("Prueba", "", ""),
        ("", "", ""),
        "",
        4,
        4,
        None,
    ),
]


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


def load(apps=global_apps) -> None:
    """Create whatever reference row is missing; never touch existing ones."""
    Group = apps.get_model("auth", "Group")
    SupportGroup = apps.get_model("itsm", "SupportGroup")
    StatusReason = apps.get_model("itsm", "StatusReason")
    TicketTemplate = apps.get_model("itsm", "TicketTemplate")
    TicketSequence = apps.get_model("itsm", "TicketSequence")

    for role in ROLES:
        Group.objects.get_or_create(name=role)
    groups = {}
    for name, default, coordination, specialists in GROUPS:
        groups[name], _ = SupportGroup.objects.get_or_create(
            name=name,
            defaults={
                "is_agent_default": default,
                "is_coordination": coordination,
                "is_specialists": specialists,
            },
        )
    for kind, status, name, code, description in REASONS:
        StatusReason.objects.get_or_create(
            kind=kind,
            status=status,
            name=name,
            defaults={"code": code, "description": description},
        )
    for name, applies_to, summary, op, prod, service, impact, urgency, group in TEMPLATES:
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
                "default_group": groups.get(group),
            },
        )
    for kind in ("INC", "WO"):
        TicketSequence.objects.get_or_create(kind=kind)


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
