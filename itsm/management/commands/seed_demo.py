"""A small, realistic demo desk: users of every role, customers of the three
kinds and about a hundred tickets in every status. Running it again changes
nothing."""

import random
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from stdnum.es import cif, dni

from customers.models import Customer, CustomerKind, PhoneKind
from customers.services import customer_create
from itsm import reference_data
from itsm.common.permissions import AGENTS_GROUP, COORDINATORS_GROUP
from itsm.demo import demo_loaders
from itsm.kinds import all_kinds
from itsm.models import Status, StatusReason, SupportGroup, Ticket, TicketTemplate
from itsm.services.escalation import ticket_escalate
from itsm.services.journal import work_info_add
from itsm.services.relations import ticket_relate
from itsm.services.sla import SLA_FIELDS, sla_start
from itsm.services.ticket_create import ticket_create
from itsm.services.ticket_update import ticket_resolve, ticket_set_pending

# username, password, first name, last name, role, support group, staff
DEMO_USERS = [
    (
        "agente",
        "agente-demo",
        "Lucía",
        "Martín Ortega",
        AGENTS_GROUP,
        "L1 CAMPAÑA LIBROS/CUENTAS",
        False,
    ),
    (
        "agente2",
        "agente-demo",
        "Javier",
        "Ruiz Soto",
        AGENTS_GROUP,
        "L1 CAMPAÑA LIBROS/CUENTAS",
        False,
    ),
    (
        "coordinador",
        "coordinador-demo",
        "Marta",
        "Iglesias Prieto",
        COORDINATORS_GROUP,
        "L1 COORDINACIÓN CAMPAÑA LIBROS/CUENTAS",
        False,
    ),
    (
        "especialista",
        "especialista-demo",
        "Andrés",
        "Vidal Campos",
        AGENTS_GROUP,
        "L2 ESPECIALISTAS",
        False,
    ),
    ("admin", "admin-demo", "Administración", "", None, None, True),
]

FIRST_NAMES = [
    "Ana",
    "José",
    "María",
    "Antonio",
    "Carmen",
    "Manuel",
    "Isabel",
    "Francisco",
    "Pilar",
    "Ángel",
    "Rosa",
    "Jesús",
    "Begoña",
    "Íñigo",
    "Nuria",
    "Álvaro",
]
SURNAMES = [
    "García",
    "Gómez",
    "Fernández",
    "López",
    "Martínez",
    "Sánchez",
    "Pérez",
    "Muñoz",
    "Álvarez",
    "Jiménez",
    "Romero",
    "Núñez",
    "Ibáñez",
    "Castaño",
    "Peña",
    "Domínguez",
]
COMPANIES = [
    "Construcciones Ebro",
    "Asesoría Cantábrico",
    "Transportes Duero",
    "Gestoría Turia",
    "Bodegas Miño",
    "Consultores Segura",
    "Talleres Guadiana",
    "Inversiones Júcar",
]
# The first registry's switchboard, shared by its two demo customers.
DEMO_SWITCHBOARD = "91 555 01 00"
# The ways people write a phone, so the demo shows that all are one number.
PHONE_SPELLINGS = (
    "6{0}{1} {2}{3} {4}{5} {6}{7}",
    "+34 6{0}{1}{2}{3}{4}{5}{6}{7}",
    "0034 6{0}{1} {2}{3}{4} {5}{6}{7}",
    "6{0}{1}/{2}{3}.{4}{5}.{6}{7}",
    "6{0}{1}-{2}{3}{4}-{5}{6}{7}",
)


def _demo_phones(index: int, digits: int) -> list[tuple[str, str]]:
    """A mobile in one of the usual spellings; every fourth customer also a
    landline; the first registry's switchboard for its two people."""
    mobile = PHONE_SPELLINGS[index % len(PHONE_SPELLINGS)].format(*f"{digits:08d}")
    phones = [("", mobile)]
    if index in (0, 1):
        phones.append((PhoneKind.SWITCHBOARD, DEMO_SWITCHBOARD))
    elif index % 4 == 0:
        phones.append((PhoneKind.LANDLINE, f"91 {digits % 1000:03d} {index:02d} {index:02d}"))
    return phones


REGISTRIES = [
    "Registro Mercantil de Madrid",
    "Registro Mercantil de Barcelona",
    "Registro Mercantil de Valencia",
    "Registro Mercantil de Sevilla",
    "Registro Mercantil de Zaragoza",
    "CORPME - Servicios Centrales",
]

NOTES = [
    "El usuario llama porque no puede firmar el envío del libro de actas.",
    "Indica que el portal devuelve ERROR 23 al enviar el depósito. Se toma captura.",
    "Se le explica el procedimiento de legalización telemática paso a paso.",
    "Solicita la desvinculación de un usuario que ya no trabaja en la gestoría.",
    "Ha pagado la deuda pero FLEI no muestra el pago confirmado.",
    "Se revisa la configuración del navegador: certificado no instalado en el almacén.",
    "Consulta el estado de la calificación de sus cuentas anuales.",
    "Se le envía el cuadro de vinculación y el formulario LOPD para que los cumplimente.",
]


def _dni(rng: random.Random) -> str:
    number = f"{rng.randrange(10_000_000, 99_999_999):08d}"
    return number + dni.calc_check_digit(number)


def _cif(rng: random.Random) -> str:
    body = rng.choice("ABG") + f"{rng.randrange(10_000_000):07d}"
    return body + cif.calc_check_digits(body)[0]


class Command(BaseCommand):
    help = "Load demo users, customers and tickets (development only; idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. Demo passwords are public: never on a real desk.",
        )

    def handle(self, *args, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: refusing to create demo users with public passwords. "
                "Use --force only on a throwaway installation."
            )
        reference_data.load()
        users = self._users()
        if Customer.objects.filter(email="demo.cliente0@example.com").exists():
            self.stdout.write("Demo data already loaded; nothing to do.")
            self._apps_above_the_core()
            return
        with transaction.atomic():
            rng = random.Random(2026)
            customers = self._customers(rng)
            tickets = self._tickets(rng, users, customers)
        self.stdout.write(
            f"Demo loaded: {len(users)} users, {len(customers)} customers, {len(tickets)} tickets."
        )
        self._apps_above_the_core()

    def _apps_above_the_core(self) -> None:
        # The demo's received mail is the mail app's (notifications) to load.
        call_command("seed_demo_mailbox", force=True, stdout=self.stdout)
        # Then what the other apps registered (the phone's extensions and calls).
        for command in demo_loaders():
            call_command(command, force=True, stdout=self.stdout)

    def _users(self) -> dict:
        User = get_user_model()
        users = {}
        for username, password, first, last, role, group, staff in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@registradores.example",
                    "is_staff": staff,
                    "is_superuser": staff,
                },
            )
            if created:
                user.set_password(password)
                user.save(update_fields=["password"])
            if role:
                user.groups.add(Group.objects.get(name=role))
            if group:
                SupportGroup.objects.get(name=group).members.add(user)
            users[username] = user
        return users

    def _customers(self, rng: random.Random) -> list[Customer]:
        customers = []
        kinds = (
            [CustomerKind.REGISTRY] * 6
            + [CustomerKind.SUBSCRIBER] * 14
            + [CustomerKind.CITIZEN] * 10
        )
        used_tax_ids = set()
        for index, kind in enumerate(kinds):
            first = rng.choice(FIRST_NAMES)
            surnames = f"{rng.choice(SURNAMES)} {rng.choice(SURNAMES)}"
            organisation = ""
            tax_id = _dni(rng)
            flei = ""
            if kind == CustomerKind.REGISTRY:
                # The first two work at the same registry and share its switchboard.
                organisation = REGISTRIES[max(index - 1, 0) % len(REGISTRIES)]
            elif kind == CustomerKind.SUBSCRIBER:
                flei = f"FL{rng.randrange(100000, 999999)}"
                if index % 3 == 0:
                    organisation = rng.choice(COMPANIES) + " S.L."
                    tax_id = _cif(rng)
            while tax_id in used_tax_ids:
                tax_id = _dni(rng)
            used_tax_ids.add(tax_id)
            customers.append(
                customer_create(
                    kind=kind,
                    first_name=first,
                    surnames=surnames,
                    organisation=organisation,
                    tax_id=tax_id,
                    email=f"demo.cliente{index}@example.com",
                    phones=_demo_phones(index, rng.randrange(10_000_000, 99_999_999)),
                    flei_code=flei,
                )
            )
        return customers

    def _tickets(self, rng: random.Random, users: dict, customers: list[Customer]) -> list:
        agents = [users["agente"], users["agente2"]]
        reasons = {
            (r.kind, r.status): r for r in StatusReason.objects.filter(active=True).order_by("pk")
        }
        now = timezone.now()
        models = [kind.model for kind in all_kinds()]
        tickets = []
        for index in range(100):
            model = models[index % len(models)]
            template = rng.choice(list(TicketTemplate.objects.for_agents(model.KIND)))
            agent = rng.choice(agents)
            ticket = ticket_create(
                model=model,
                user=agent,
                customer=rng.choice(customers),
                template=template,
                assignee=agent,
                description=rng.choice(NOTES),
                work_info_notes=rng.choice(NOTES),
            )
            self._work_on(ticket, index, agent=agent, users=users, reasons=reasons)
            self._backdate(ticket, rng, now=now)
            tickets.append(ticket)
        for first, second in zip(tickets[0:10], tickets[10:20], strict=True):
            ticket_relate(ticket=first, user=agents[0], other_number=second.number)
        return tickets

    def _work_on(self, ticket: Ticket, index: int, *, agent, users: dict, reasons: dict) -> None:
        """What became of the ticket: three in ten pending, four resolved, one
        escalated, the rest still assigned with a note."""
        outcome = index % 10
        if outcome in (1, 2, 3):
            ticket_set_pending(
                ticket=ticket,
                user=agent,
                expected_version=ticket.version,
                status_reason=reasons[(ticket.KIND, Status.PENDING)],
                note="Se solicita al usuario la información necesaria.",
            )
        elif outcome in (4, 5, 6, 7):
            ticket_resolve(
                ticket=ticket,
                user=agent,
                expected_version=ticket.version,
                status_reason=reasons[(ticket.KIND, ticket.RESOLVED_STATUS)],
            )
        elif outcome == 8:
            ticket_escalate(
                ticket=ticket,
                user=agent,
                expected_version=ticket.version,
                case="other",
                data={
                    "description": "El usuario no puede presentar el depósito; "
                    "el error persiste tras borrar la caché y cambiar de navegador."
                },
            )
        else:
            work_info_add(
                ticket=ticket,
                user=users["coordinador"] if index % 2 else agent,
                notes="Se contacta con el usuario para confirmar los datos.",
            )

    def _backdate(self, ticket: Ticket, rng: random.Random, *, now) -> None:
        """Spread the desk over the last two months; resolved tickets older
        than the auto-close period close on the next beat."""
        created = now - timedelta(days=rng.randrange(0, 60), minutes=rng.randrange(0, 600))
        changes = {"created_at": created}
        # Each its own *Actualizada*: worked on some hours or days after it came in.
        updated = min(
            now,
            created + timedelta(hours=rng.randrange(0, 24 * 6), minutes=rng.randrange(1, 60)),
        )
        if ticket.resolved_at:
            changes["resolved_at"] = min(now, created + timedelta(hours=rng.randrange(1, 48)))
            updated = max(updated, changes["resolved_at"])
        changes["updated_at"] = min(now, updated)
        # Its SLA clock as if it had started when the ticket came in, so the
        # *Vence* column and the dashboard show late tickets as a desk has them.
        ticket.created_at = created
        sla_start(ticket, now=created)
        changes.update({name: getattr(ticket, name) for name in SLA_FIELDS})
        type(ticket).objects.filter(pk=ticket.pk).update(**changes)
