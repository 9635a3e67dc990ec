"""A third kind of ticket is one app that registers itself: the core serves
it (consoles, new ticket, ticket page, search, relations, coordination, menu)
without an edit in ``itsm/``. Shown with a throwaway *Problema* kind whose
tables exist only for this test."""

import importlib
from functools import partial

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, models, transaction
from django.db.migrations.state import ProjectState
from django.urls import clear_url_caches, reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm import kinds
from itsm.filters import TicketFilterSet
from itsm.forms import status_reasons
from itsm.migration_ops import kind_operations
from itsm.models import (
    APPLIES_TO_ALL,
    Relation,
    SlaTarget,
    Status,
    StatusReason,
    SupportGroup,
    Ticket,
    TicketSequence,
    WorkInfo,
    applies_to_choices,
    ticket_status_field,
)
from itsm.reference_data import COMMON_REASONS, L1, load_kind
from itsm.selectors import ticket_numbers
from itsm.tests.factories import make_incident, make_ticket
from itsm.tests.journal import assert_journal_is_append_only, assert_search_is_indexed
from workorders.models import WorkOrder

PROBLEM_STATUSES = (Status.ASSIGNED, Status.PENDING, Status.RESOLVED, Status.CLOSED)
PROBLEM_REASONS = [(Status.RESOLVED, "Causa raíz corregida", "", "Se corrigió la causa raíz.")]
PROBLEM_TEMPLATES = [
    (
        "CAMPAÑA PROBLEMAS - CAUSA RAÍZ",
        "Análisis de causa raíz",
        ("Problema", "Portal", "Causa raíz"),
        ("Portal Registradores", "Trámites web", "Envío"),
        "Portal Registradores",
        3,
        2,
        L1,
    )
]


def _define_problem_models() -> tuple[type, type, type]:
    """The throwaway kind's models, registered with Django only while a test
    uses them: left in the registry, they would show as reverse relations of
    customers and groups to every other test."""

    class Problem(Ticket):
        KIND = "PRB"
        PREFIX = "PRB"
        STATUSES = PROBLEM_STATUSES
        RESOLVED_STATUS = Status.RESOLVED
        GROUP_LABEL = _("Assigned group")

        status = ticket_status_field(PROBLEM_STATUSES)

        class Meta:
            app_label = "itsm"
            db_table = "test_throwaway_problem"
            verbose_name = "problema"
            verbose_name_plural = "problemas"

    class ProblemWorkInfo(WorkInfo):
        ticket = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="work_info")

        class Meta:
            app_label = "itsm"
            db_table = "test_throwaway_problem_workinfo"

    class ProblemFilterSet(TicketFilterSet):
        class Meta(TicketFilterSet.Meta):
            model = Problem

    return Problem, ProblemWorkInfo, ProblemFilterSet


def _reload_urls() -> None:
    import itsm.urls

    importlib.reload(itsm.urls)
    clear_url_caches()


@pytest.fixture
def problem_kind(transactional_db, reference):
    problem, journal, filterset = _define_problem_models()
    # What the kind's migrations would do: its tables, then what
    # kind_operations adds to them, then its reference rows.
    operations = kind_operations(
        ticket_table=problem._meta.db_table,
        journal_table=journal._meta.db_table,
        index_prefix="test_throwaway_problem",
    )
    state = ProjectState()
    with connection.schema_editor() as editor:
        editor.create_model(problem)
        editor.create_model(journal)
        for operation in operations:
            operation.database_forwards("itsm", editor, state, state)
    kind = kinds.Kind(
        code="PRB",
        model=problem,
        journal_model=journal,
        filterset=filterset,
        namespace="problems",
        new_label="Nuevo problema",
        resolve_label="Resolver problema",
        resolved_message="%(number)s resuelto",
        load_reference_data=partial(
            load_kind, kind="PRB", reasons=PROBLEM_REASONS, templates=PROBLEM_TEMPLATES
        ),
    )
    kind.load_reference_data(apps)
    kinds.register(kind)
    _reload_urls()
    yield kind
    kinds.unregister("PRB")
    _reload_urls()
    with connection.schema_editor() as editor:
        for operation in reversed(operations):
            operation.database_backwards("itsm", editor, state, state)
        editor.delete_model(journal)
        editor.delete_model(problem)
    for model in (journal, problem):
        del apps.all_models["itsm"][model._meta.model_name]
    apps.clear_cache()


def test_a_registered_kind_is_served_by_the_core_without_an_edit(client, agent, problem_kind):
    client.force_login(agent)
    customer = CustomerFactory()
    group = SupportGroup.objects.get(is_agent_default=True)

    console = client.get(reverse("problems:console"))
    assert console.status_code == 200
    assert "Problemas" in console.content.decode()
    assert reverse("problems:console") in client.get(reverse("incidents:console")).content.decode()

    new_page = client.get(reverse("problems:new"))
    assert "Nuevo problema" in new_page.content.decode()
    created = client.post(
        reverse("problems:new"),
        {
            "customer": customer.pk,
            "summary": "Caída del portal en varias notarías",
            "reported_source": "phone",
            "assigned_group": group.pk,
            "status": Status.ASSIGNED,
        },
    )
    problem = problem_kind.model.objects.get()
    assert problem.number == "PRB000000000001"
    assert created.url == reverse("problems:detail", args=[problem.number])
    assert problem.get_absolute_url() == created.url
    assert TicketSequence.objects.get(kind="PRB").last_value == 1
    assert problem.work_info.count() == 1

    page = client.get(created.url).content.decode()
    assert "Resolver problema" in page and problem.number in page

    assert [number for _kind, number in ticket_numbers("prb 1")] == [problem.number]
    found = client.get(reverse("search"), {"q": "prb 1"})
    assert found.url == created.url

    incident = make_incident(user=agent, customer=customer)
    client.post(
        reverse("problems:relation_add", args=[problem.number]),
        {"rel-other_number": incident.number, "rel-relation_type": "related"},
    )
    assert Relation.objects.filter(source_number=problem.number).exists()
    incident_page = client.get(incident.get_absolute_url()).content.decode()
    assert created.url in incident_page

    client.post(
        reverse("problems:escalate", args=[problem.number]),
        {
            "escalate-version": problem.version,
            "escalate-case": "other",
            "escalate-description": "Afecta a todo el Registro",
        },
    )
    queue = client.get(reverse("coordination"))
    assert [row.ticket.number for row in queue.context["rows"]] == [problem.number]


def test_a_registered_kind_has_its_guards_reference_data_and_sla(client, agent, problem_kind):
    assert_journal_is_append_only(problem_kind, user=agent)
    if connection.vendor == "postgresql":
        assert_search_is_indexed(problem_kind)

    # Templates: its own and those of every kind, not another kind's.
    client.force_login(agent)
    new_page = client.get(reverse("problems:new")).content.decode()
    assert "CAMPAÑA PROBLEMAS - CAUSA RAÍZ" in new_page
    assert "CAMPAÑA CERTIFICADO - FIRMA ELECTRÓNICA" in new_page
    assert "CAMPAÑA PORTAL - ERROR DE ENVÍO" not in new_page
    with translation.override("es"):
        every_kind = dict(applies_to_choices())[APPLIES_TO_ALL]
        assert every_kind == "Incidencias, órdenes de trabajo y problemas"

    # Status reasons: those every kind gets and its own, not another kind's.
    assert [reason.name for reason in status_reasons("PRB", Status.RESOLVED)] == [
        "Causa raíz corregida"
    ]
    assert StatusReason.objects.get(kind="PRB", code="reopened").status == Status.ASSIGNED
    assert {name for (name,) in StatusReason.objects.filter(kind="PRB").values_list("name")} == {
        name for _status, name, _code, _description in [*COMMON_REASONS, *PROBLEM_REASONS]
    }

    # The SLA: the targets of its priority, the clock running from creation.
    problem = make_ticket(problem_kind.model, user=agent)
    target = SlaTarget.objects.get(priority=problem.priority)
    assert problem.sla_target_minutes == target.resolution_minutes
    assert problem.sla_running_since is not None
    assert problem.resolution_due_at > problem.created_at


def test_a_kind_code_cannot_be_registered_twice(problem_kind):
    other = kinds.Kind(**{**problem_kind.__dict__, "namespace": "other", "_url_parts": []})
    with pytest.raises(kinds.AlreadyRegistered):
        kinds.register(other)


@pytest.mark.parametrize(
    ("model", "statuses", "resolved", "group_label", "plural"),
    [
        (
            Incident,
            ["Nuevo", "Asignado", "En curso", "Pendiente", "Resuelto", "Cerrado", "Cancelado"],
            Status.RESOLVED,
            "Grupo asignado",
            "Incidencias",
        ),
        (
            WorkOrder,
            ["Asignado", "Pendiente", "En curso", "Terminado", "Cerrado", "Cancelado", "Rechazado"],
            Status.COMPLETED,
            "Nombre de grupo de soporte",
            "Órdenes de trabajo",
        ),
    ],
)
def test_each_kind_has_remedys_statuses_and_labels(model, statuses, resolved, group_label, plural):
    kind = kinds.kind_of(model)
    with translation.override("es"):
        assert [str(label) for _, label in model._meta.get_field("status").choices] == statuses
        assert str(kind.group_label) == group_label
        assert str(kind.plural).capitalize() == plural
    assert kind.resolved_status == resolved


@pytest.mark.parametrize(
    ("model", "other_kinds_status"), [(Incident, Status.COMPLETED), (WorkOrder, Status.RESOLVED)]
)
def test_the_database_refuses_another_kinds_status(agent, model, other_kinds_status):
    ticket = make_ticket(model, user=agent)

    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=ticket.pk).update(status=other_kinds_status)
