"""Load a large, realistic desk for the benchmarks.

    python bench/generate.py --tickets 1000000

Defaults follow a large real desk: one customer per five tickets, two journal
entries per ticket on average, 5 % of tickets related, three years of dates,
15 % of tickets open. Rows are written with COPY (PostgreSQL) or batched
executemany (SQLite) — the ORM would take hours. The database is the one the
settings point at (DATABASE_URL, or SQLITE_PATH for SQLite); it must hold no
tickets yet, unless --reuse is given and it already holds enough.
"""

import argparse
import io
import json
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")

import django  # noqa: E402
from stdnum.es import dni as dni_check  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402

from customers.models import CUSTOMER_FIELDS, Customer, CustomerKind, CustomerPhone  # noqa: E402
from customers.services import customer_search_name  # noqa: E402
from incidents.models import Incident, IncidentWorkInfo  # noqa: E402
from itsm import reference_data  # noqa: E402
from itsm.common.permissions import AGENTS_GROUP, COORDINATORS_GROUP  # noqa: E402
from itsm.common.phones import display_phone  # noqa: E402
from itsm.management.commands import seed_demo as demo  # noqa: E402
from itsm.models import (  # noqa: E402
    Relation,
    RequiresAttention,
    Status,
    StatusReason,
    SupportGroup,
    TicketSequence,
    TicketTemplate,
    WorkInfoType,
    priority_for,
)
from itsm.services.rules import TEMPLATE_FIELDS  # noqa: E402
from workorders.models import WorkOrder, WorkOrderWorkInfo  # noqa: E402

# The demo's names and more, so a million customers are not a handful of names.
FIRST_NAMES = [
    *demo.FIRST_NAMES,
    "Lucía",
    "Javier",
    "Elena",
    "Sergio",
    "Marta",
    "Raúl",
    "Sofía",
    "Andrés",
    "Paula",
    "Óscar",
    "Irene",
    "Rubén",
    "Noelia",
]
SURNAMES = [
    *demo.SURNAMES,
    "Vázquez",
    "Ramos",
    "Gil",
    "Serrano",
    "Molina",
    "Blanco",
    "Suárez",
    "Ortiz",
    "Rubio",
    "Marín",
    "Sanz",
    "Iglesias",
    "Medina",
    "Garrido",
    "Cortés",
    "Castillo",
    "Santos",
    "Lozano",
    "Guerrero",
    "Cano",
    "Prieto",
    "Méndez",
    "Calvo",
    "Gallego",
    "Vidal",
    "León",
    "Herrera",
    "Márquez",
    "Peña",
    "Cabrera",
]
NOTES = [
    "El usuario llama porque no puede firmar el envío del libro de actas.",
    "Indica que el portal devuelve ERROR 23 al enviar el depósito.",
    "Se le explica el procedimiento de legalización telemática paso a paso.",
    "Solicita la desvinculación de un usuario de la gestoría.",
    "Ha pagado la deuda pero FLEI no muestra el pago confirmado.",
    "Se revisa la configuración del navegador con el usuario.",
    "Consulta el estado de la calificación de sus cuentas anuales.",
    "Se envía el cuadro de vinculación y el formulario LOPD.",
]
BATCH = 20_000
# The ticket of each kind the ticket-page bench opens: 50 journal entries, and
# open (pending), so its page carries every form an agent can use.
LONG_HISTORY = 1


class Writer:
    """Bulk inserts of plain tuples into one table, per database vendor."""

    def __init__(self, model: type[models.Model], columns: list[str]) -> None:
        self.model = model
        self.columns = columns
        self.table = model._meta.db_table
        self.fields = [model._meta.get_field(c) if c != "id" else None for c in columns]
        self.vendor = connection.vendor

    def write(self, rows: Iterable[tuple]) -> int:
        count = 0
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                count += self._flush(batch)
                batch = []
        if batch:
            count += self._flush(batch)
        return count

    def _flush(self, batch: list[tuple]) -> int:
        with transaction.atomic(), connection.cursor() as cursor:
            if self.vendor == "postgresql":
                buffer = io.StringIO()
                for row in batch:
                    buffer.write("\t".join(_copy_value(v) for v in row))
                    buffer.write("\n")
                buffer.seek(0)
                columns = ", ".join(f'"{c}"' for c in self.columns)
                cursor.cursor.copy_expert(f'COPY "{self.table}" ({columns}) FROM STDIN', buffer)
            else:
                placeholders = ", ".join("?" for _ in self.columns)
                columns = ", ".join(f'"{c}"' for c in self.columns)
                cursor.connection.executemany(
                    f'INSERT INTO "{self.table}" ({columns}) VALUES ({placeholders})',
                    [tuple(_sqlite_value(v) for v in row) for row in batch],
                )
        return len(batch)


def _copy_value(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _sqlite_value(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, bool):
        return int(value)
    return value


def columns_and_defaults(model: type[models.Model], given: list[str]) -> tuple[list[str], tuple]:
    """Columns to write: the ones we compute plus every other concrete column
    with its model default, so a column added later never breaks the loader."""
    extra = []
    defaults = []
    for field in model._meta.concrete_fields:
        if field.attname in given or field.primary_key or field.generated:
            continue  # generated columns (priority_rank) are the database's to write
        extra.append(field.column)
        default = field.get_default()
        defaults.append(default)
    return given + extra, tuple(defaults)


def dni(n: int) -> str:
    number = f"{n % 100_000_000:08d}"
    return number + dni_check.calc_check_digit(number)


def customers_rows(count: int, rng: random.Random, defaults: tuple) -> Iterator[tuple]:
    base = datetime(2023, 1, 1, tzinfo=UTC)
    kinds = [CustomerKind.CITIZEN] * 5 + [CustomerKind.SUBSCRIBER] * 4 + [CustomerKind.REGISTRY]
    for index in range(1, count + 1):
        kind = rng.choice(kinds)
        first = rng.choice(FIRST_NAMES)
        surnames = f"{rng.choice(SURNAMES)} {rng.choice(SURNAMES)}"
        organisation = f"Registro Mercantil nº {index % 300}" if kind == "registry" else ""
        flei = f"FL{index:07d}" if kind == "subscriber" else ""
        yield (
            index,
            kind,
            first,
            surnames,
            organisation,
            dni(10_000_000 + index * 37),
            f"cliente{index}@example.com",
            flei,
            True,
            display_phone(customer_phone(index)),
            customer_search_name(first_name=first, surnames=surnames, organisation=organisation),
            base + timedelta(minutes=index),
            *defaults,
        )


def customer_phone(index: int) -> str:
    return f"+346{index:08d}"


def customer_phones_rows(count: int, defaults: tuple) -> Iterator[tuple]:
    """One mobile per customer, written as agents type it."""
    for index in range(1, count + 1):
        yield (index, index, "mobile", f"6{index:08d}", customer_phone(index), *defaults)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=None, help="default: tickets / 5")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="keep an already loaded database")
    args = parser.parse_args()
    customers = args.customers or max(1, args.tickets // 5)
    rng = random.Random(args.seed)
    started = time.perf_counter()

    call_command("migrate", verbosity=0)
    reference_data.load()
    loaded = Incident.objects.count() + WorkOrder.objects.count()
    if loaded:
        if args.reuse and loaded >= args.tickets:
            print(f"database already holds {loaded} tickets; reusing it")
            open_long_history_tickets()
            # Migrations may have added indexes or rebuilt tables: without
            # fresh statistics SQLite may pick a plan that sorts every row.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            return
        sys.exit(f"the database already holds {loaded} tickets; use an empty one")

    users = bench_users()
    print(f"customers: {customers}", flush=True)
    columns, defaults = columns_and_defaults(
        Customer,
        [
            "id",
            *CUSTOMER_FIELDS,
            "active",
            "phones_summary",
            "search_name",
            "created_at",
        ],
    )
    Writer(Customer, columns).write(customers_rows(customers, rng, defaults))
    columns, defaults = columns_and_defaults(
        CustomerPhone, ["id", "customer_id", "kind", "number", "e164"]
    )
    Writer(CustomerPhone, columns).write(customer_phones_rows(customers, defaults))

    load_tickets(args.tickets, customers, users, rng)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (
                Customer,
                CustomerPhone,
                Incident,
                WorkOrder,
                IncidentWorkInfo,
                WorkOrderWorkInfo,
                Relation,
            ):
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'COALESCE((SELECT MAX(id) FROM "{table}"), 1))'
                )
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"loaded in {time.perf_counter() - started:.0f} s", flush=True)


def open_long_history_tickets() -> None:
    """Databases loaded before LONG_HISTORY was always open: open it now,
    as the loader writes it today."""
    for model in (Incident, WorkOrder):
        reason = (
            StatusReason.objects.filter(kind=model.KIND, status=Status.PENDING)
            .order_by("pk")
            .first()
        )
        model.objects.filter(pk=LONG_HISTORY).exclude(status=Status.PENDING).update(
            status=Status.PENDING,
            status_reason=reason,
            requires_attention=RequiresAttention.RESPONSE,
            resolution="",
            resolved_at=None,
            closed_at=None,
        )


def bench_users() -> list:
    User = get_user_model()
    agents_role = Group.objects.get(name=AGENTS_GROUP)
    coordinators_role = Group.objects.get(name=COORDINATORS_GROUP)
    l1 = SupportGroup.objects.get(is_agent_default=True)
    coordination = SupportGroup.objects.get(is_coordination=True)
    users = []
    for index in range(20):
        user, created = User.objects.get_or_create(username=f"bench{index:02d}")
        if created:
            user.set_password("bench-password")
            user.save()
        user.groups.add(coordinators_role if index == 0 else agents_role)
        (coordination if index == 0 else l1).members.add(user)
        users.append(user)
    return users


def load_tickets(count: int, customers: int, users: list, rng: random.Random) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(days=3 * 365)
    span = int((now - start).total_seconds())
    groups = list(SupportGroup.objects.order_by("pk"))
    l1 = next(g for g in groups if g.is_agent_default)
    coordination = next(g for g in groups if g.is_coordination)
    reasons = {}
    for reason in StatusReason.objects.order_by("pk"):
        reasons.setdefault((reason.kind, reason.status), []).append(reason.pk)
    user_ids = [u.pk for u in users]

    incident_count = count * 2 // 5
    plan = [
        (Incident, IncidentWorkInfo, incident_count),
        (WorkOrder, WorkOrderWorkInfo, count - incident_count),
    ]
    relation_rows = []
    for model, work_info_model, total in plan:
        templates = list(TicketTemplate.objects.for_agents(model.KIND).order_by("pk"))
        open_statuses = [Status.ASSIGNED, Status.PENDING, Status.IN_PROGRESS]
        given = [
            "id",
            "number",
            "customer_id",
            "template_id",
            "summary",
            "description",
            *TEMPLATE_FIELDS,
            "priority",
            "reported_source",
            "assigned_group_id",
            "assignee_id",
            "status",
            "status_reason_id",
            "resolution",
            "requires_attention",
            "created_at",
            "updated_at",
            "resolved_at",
            "closed_at",
            "created_by_id",
            "updated_by_id",
            "version",
            "resolution_due_at",
            "sla_warn_at",
        ]
        columns, defaults = columns_and_defaults(model, given)
        journal_plan: list[tuple[int, datetime, int, str, int | None]] = []

        def ticket_rows(
            model=model,
            total=total,
            templates=templates,
            open_statuses=open_statuses,
            defaults=defaults,
            journal_plan=journal_plan,
        ) -> Iterator[tuple]:
            for index in range(1, total + 1):
                # Numbers grow with time, like a real desk.
                created = start + timedelta(seconds=span * index // (total + 1))
                template = templates[index % len(templates)]
                roll = rng.random()
                resolved_at = closed_at = None
                reason_id = None
                attention = RequiresAttention.NONE
                resolution = ""
                if roll < 0.15 or index == LONG_HISTORY:
                    status = open_statuses[index % 3]
                    if status == Status.PENDING:
                        reason_id = rng.choice(reasons[(model.KIND, Status.PENDING)])
                        attention = RequiresAttention.RESPONSE
                elif roll < 0.20:
                    status = model.RESOLVED_STATUS
                    reason_id = rng.choice(reasons[(model.KIND, model.RESOLVED_STATUS)])
                    resolved_at = created + timedelta(hours=rng.randrange(1, 72))
                    resolution = "RESUELTO"
                else:
                    status = Status.CLOSED
                    reason_id = rng.choice(reasons[(model.KIND, model.RESOLVED_STATUS)])
                    resolved_at = created + timedelta(hours=rng.randrange(1, 72))
                    closed_at = resolved_at + timedelta(days=15)
                    resolution = "RESUELTO"
                # Running clocks: due from 8 days ago to 16 days ahead, amber 2 h before.
                due = warn = None
                if status in (Status.ASSIGNED, Status.IN_PROGRESS):
                    due = now + timedelta(hours=rng.randrange(-200, 400))
                    warn = due - timedelta(hours=2)
                group = coordination if index % 40 == 0 else l1
                agent = user_ids[1 + index % (len(user_ids) - 1)]
                updated = closed_at or resolved_at or created
                entries = 1 + (index % 3 == 0) + (index % 5 == 0)
                journal_plan.append((index, created, agent, status, group.pk))
                if index == LONG_HISTORY:
                    entries = 50
                for _ in range(entries - 1):
                    journal_plan.append((index, created, agent, "", None))
                yield (
                    index,
                    model.format_number(index),
                    1 + (index * 7919) % customers,
                    template.pk,
                    template.summary,
                    rng.choice(NOTES),
                    template.operational_tier_1,
                    template.operational_tier_2,
                    template.operational_tier_3,
                    template.product_tier_1,
                    template.product_tier_2,
                    template.product_tier_3,
                    template.service,
                    template.impact,
                    template.urgency,
                    priority_for(template.impact, template.urgency).value,
                    "phone",
                    group.pk,
                    agent,
                    status,
                    reason_id,
                    resolution,
                    attention,
                    created,
                    updated,
                    resolved_at,
                    closed_at,
                    agent,
                    agent,
                    1,
                    due,
                    warn,
                    *defaults,
                )

        print(f"{model._meta.verbose_name_plural}: {total}", flush=True)
        Writer(model, columns).write(ticket_rows())
        TicketSequence.objects.update_or_create(kind=model.KIND, defaults={"last_value": total})

        wi_given = [
            "ticket_id",
            "author_id",
            "created_at",
            "type",
            "notes",
            "attachment_1",
            "attachment_2",
            "attachment_3",
            "requires_attention",
            "view_access",
            "event",
            "data",
        ]
        wi_columns, wi_defaults = columns_and_defaults(work_info_model, wi_given)

        def journal_rows(journal_plan=journal_plan, wi_defaults=wi_defaults) -> Iterator[tuple]:
            for offset, (ticket_id, created, author, status, group) in enumerate(journal_plan):
                # What the system writes is stored as events (itsm.journal_events),
                # put into words when the page is read; every fourth note of a
                # long history is an assignment, which names two people.
                event = data = None
                if status:
                    kind, notes, event = WorkInfoType.STATUS_CHANGE, "", "opened"
                    data = {"status": status, "group": group, "reason": None, "assignee": author}
                elif offset % 4 == 0:
                    kind, notes, event = WorkInfoType.ASSIGNMENT, "", "assignee"
                    data = {"old": user_ids[offset % len(user_ids)], "new": author}
                else:
                    kind, notes = WorkInfoType.WORK_NOTES, NOTES[offset % len(NOTES)]
                yield (
                    ticket_id,
                    author,
                    created + timedelta(minutes=offset % 600),
                    kind,
                    notes,
                    "",
                    "",
                    "",
                    "",
                    "internal",
                    event,
                    json.dumps(data) if data is not None else None,
                    *wi_defaults,
                )

        print(f"  journal entries: {len(journal_plan)}", flush=True)
        Writer(work_info_model, wi_columns).write(journal_rows())
        journal_plan.clear()

        for index in range(1, total + 1, 20):  # 5 % of tickets are related
            relation_rows.append(model.format_number(index))

    rel_columns, rel_defaults = columns_and_defaults(
        Relation, ["source_number", "target_number", "type", "created_at", "created_by_id"]
    )
    pairs = set()
    rows = []
    for number in relation_rows:
        other = rng.choice(relation_rows)
        key = tuple(sorted((number, other)))
        if other == number or key in pairs:
            continue
        pairs.add(key)
        rows.append((number, other, "related", now, user_ids[1], *rel_defaults))
    print(f"relations: {len(rows)}", flush=True)
    Writer(Relation, rel_columns).write(rows)


if __name__ == "__main__":
    main()
