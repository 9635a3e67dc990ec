"""The new-incident and new-work-order page: five sections, one form."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm.models import (
    APPLIES_TO_ALL,
    RequiresAttention,
    Status,
    StatusReason,
    SupportGroup,
    TicketTemplate,
    WorkInfoType,
)
from itsm.tests.factories import campaign_template, new_ticket_data, refused_ticket_fields
from workorders.models import WorkOrder

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"0" * 64


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path


def l1_group() -> SupportGroup:
    return SupportGroup.objects.get(is_agent_default=True)


def form_data(customer, template, **extra) -> dict:
    return new_ticket_data(customer, template=template, **extra)


@pytest.mark.parametrize("model", [Incident, WorkOrder])
def test_anonymous_user_is_sent_to_login(client, reference, model):
    response = client.get(reverse(f"{model._meta.app_label}:new"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("model", [Incident, WorkOrder])
def test_user_without_role_is_refused(client, outsider, model):
    client.force_login(outsider)
    url = reverse(f"{model._meta.app_label}:new")
    assert client.get(url).status_code == 403
    assert client.post(url, form_data(CustomerFactory(), None)).status_code == 403
    assert not model.objects.exists()


@pytest.mark.parametrize("user_fixture", ["agent", "coordinator", "admin_user"])
def test_agents_coordinators_and_admins_open_the_page(client, request, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    response = client.get(reverse("incidents:new"))
    assert response.status_code == 200
    assert "Nueva incidencia" in response.content.decode()


def test_page_proposes_the_agents_group_and_the_five_sections(client, agent):
    client.force_login(agent)
    response = client.get(reverse("incidents:new"))
    form = response.context["form"]
    assert form["assigned_group"].value() == l1_group().pk
    html = response.content.decode()
    for title in (
        "Consultar cliente",
        "Notas, plantilla y resumen",
        "Campos que rellena la plantilla",
        "Asignación y estado",
        "Información de trabajo",
    ):
        assert title in html
    assert "Grupo asignado" in html
    assert f'data-assign-to-me="{agent.pk}"' in html


def test_work_order_page_uses_the_work_order_group_label_and_statuses(client, agent):
    client.force_login(agent)
    response = client.get(reverse("workorders:new"))
    html = response.content.decode()
    assert "Nueva orden de trabajo" in html
    assert "Nombre de grupo de soporte" in html
    statuses = [value for value, _ in response.context["form"].fields["status"].choices]
    assert Status.COMPLETED in statuses
    assert Status.RESOLVED not in statuses
    assert Status.CLOSED not in statuses


def test_template_picker_lists_only_campaign_templates_of_the_kind(client, agent):
    TicketTemplate.objects.create(name="OTRA - NO CAMPAÑA", applies_to=APPLIES_TO_ALL, summary="x")
    TicketTemplate.objects.create(
        name="CAMPAÑA RETIRADA",
        applies_to=APPLIES_TO_ALL,
        summary="x",
        active=False,
    )
    client.force_login(agent)
    response = client.get(reverse("incidents:new"))
    listed = set(response.context["form"].fields["template"].queryset)
    assert listed == set(TicketTemplate.objects.for_agents("INC"))
    assert all(t.name.startswith("CAMPAÑA") for t in listed)
    assert not any(t.applies_to == "WO" for t in listed)
    assert "OTRA - NO CAMPAÑA" not in response.content.decode()


def test_choosing_a_template_fills_the_summary_and_section_three(client, agent):
    template = campaign_template("INC")
    client.force_login(agent)
    response = client.get(reverse("incidents:template_fields"), {"template": template.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="summary-field" hx-swap-oob="true"' in html
    assert f'value="{template.summary}"' in html
    assert template.operational_tier_1 in html
    assert template.service in html


def test_a_template_keeps_a_summary_someone_wrote_and_offers_its_own(client, agent):
    template = campaign_template("INC")
    client.force_login(agent)
    url = reverse("incidents:template_fields")
    response = client.get(url, {"template": template.pk, "summary": "No puedo legalizar"})
    html = response.content.decode()
    assert 'value="No puedo legalizar"' in html
    offer = html[html.index('id="summary-offer"') :]
    assert template.summary in offer
    assert f"?template={template.pk}&amp;summary=" in offer
    # Taking the offer (an empty summary) writes the template's.
    taken = client.get(url, {"template": template.pk, "summary": ""}).content.decode()
    assert f'value="{template.summary}"' in taken and 'id="summary-offer"' not in taken


def test_a_summary_another_template_wrote_is_replaced(client, agent):
    first, second = TicketTemplate.objects.for_agents("INC").exclude(summary="")[:2]
    assert first.summary != second.summary
    client.force_login(agent)
    response = client.get(
        reverse("incidents:template_fields"), {"template": second.pk, "summary": first.summary}
    )
    html = response.content.decode()
    assert f'value="{second.summary}"' in html and 'id="summary-offer"' not in html


def test_the_template_picker_sends_the_summary_written_so_far(client, agent):
    client.force_login(agent)
    page = client.get(reverse("incidents:new")).content.decode()
    assert 'hx-include="this, #id_summary"' in page


def test_template_of_the_other_kind_fills_nothing(client, agent):
    work_order_only = TicketTemplate.objects.for_agents("WO").exclude(applies_to="BOTH").first()
    client.force_login(agent)
    response = client.get(reverse("incidents:template_fields"), {"template": work_order_only.pk})
    assert work_order_only.summary not in response.content.decode()


def test_reason_list_follows_the_status(client, agent):
    client.force_login(agent)
    response = client.get(reverse("workorders:reasons"), {"status": Status.COMPLETED})
    html = response.content.decode()
    for reason in StatusReason.objects.filter(kind="WO", status=Status.COMPLETED):
        assert reason.name in html
    for reason in StatusReason.objects.filter(kind="WO", status=Status.PENDING):
        assert reason.name not in html
    incident_only = StatusReason.objects.get(kind="INC", name="Acción adicional innecesaria")
    assert incident_only.name not in html


def test_agent_creates_an_incident_with_an_attachment(client, agent):
    customer = CustomerFactory()
    template = campaign_template("INC")
    client.force_login(agent)
    data = form_data(
        customer,
        template,
        assignee=agent.pk,
        requires_attention=RequiresAttention.RESPONSE,
        attachment_1=SimpleUploadedFile("captura.png", PNG, content_type="image/png"),
    )
    response = client.post(reverse("incidents:new"), data, follow=True)

    ticket = Incident.objects.get()
    assert response.redirect_chain[-1][0] == reverse("incidents:detail", args=[ticket.number])
    assert f"{ticket.number} creada" in response.content.decode()
    assert ticket.customer == customer
    assert ticket.template == template
    assert ticket.summary == template.summary
    assert ticket.service == template.service
    assert ticket.assignee == agent
    assert ticket.assigned_group == l1_group()
    assert ticket.requires_attention == RequiresAttention.RESPONSE
    entry = ticket.work_info.get(type=WorkInfoType.WORK_NOTES)
    assert entry.notes == "Primera llamada del cliente."
    assert entry.requires_attention == RequiresAttention.RESPONSE
    assert entry.attachment_1.name.endswith("captura.png")


def test_agent_creates_a_pending_work_order(client, agent):
    reason = StatusReason.objects.get(kind="WO", status=Status.PENDING, name__startswith="Requiere")
    client.force_login(agent)
    data = form_data(
        CustomerFactory(),
        campaign_template("WO"),
        status=Status.PENDING,
        status_reason=reason.pk,
    )
    response = client.post(reverse("workorders:new"), data)
    ticket = WorkOrder.objects.get()
    assert response.status_code == 302
    assert ticket.status == Status.PENDING
    assert ticket.status_reason == reason
    assert ticket.requires_attention == RequiresAttention.RESPONSE


def test_summary_typed_by_the_agent_wins_over_the_template(client, agent):
    client.force_login(agent)
    client.post(
        reverse("incidents:new"),
        form_data(CustomerFactory(), campaign_template("INC"), summary="No carga el portal"),
    )
    assert Incident.objects.get().summary == "No carga el portal"


def test_bad_input_comes_back_in_spanish_with_everything_typed(client, agent):
    client.force_login(agent)
    data = form_data(
        None,
        None,
        **refused_ticket_fields("El usuario dice que el portal falla al enviar."),
        resolution="Nada aún",
        work_info_notes="Notas que no se deben perder",
        attachment_1=SimpleUploadedFile("captura.png", PNG, content_type="image/png"),
        attachment_2=SimpleUploadedFile("informe.pdf", PDF, content_type="application/pdf"),
    )
    response = client.post(reverse("incidents:new"), data)

    assert response.status_code == 200
    assert not Incident.objects.exists()
    form = response.context["form"]
    assert form.errors["customer"] == ["Busque el cliente con «Consultar cliente» o créelo."]
    assert form.errors["summary"] == ["Elija una plantilla o escriba un resumen."]
    assert form.errors["status_reason"] == ["Este motivo no corresponde al estado elegido."]
    html = response.content.decode()
    assert "Busque el cliente con «Consultar cliente» o créelo." in html
    assert "El usuario dice que el portal falla al enviar." in html
    assert "Notas que no se deben perder" in html
    assert "Nada aún" in html
    assert f'<option value="{Status.PENDING}" selected>' in html
    # The files are kept on the server and shown as already attached.
    assert [f["name"] for f in response.context["held_files"]] == ["captura.png", "informe.pdf"]
    assert "Ya adjuntos" in html
    assert "«captura.png»" in html and "«informe.pdf»" in html


def test_pending_without_reason_is_refused_next_to_the_reason(client, agent):
    client.force_login(agent)
    response = client.post(
        reverse("incidents:new"),
        form_data(CustomerFactory(), campaign_template("INC"), status=Status.PENDING),
    )
    assert response.context["form"].errors["status_reason"] == ["Elija el motivo de este estado."]
    assert not Incident.objects.exists()


def test_chosen_customer_is_kept_on_error(client, agent):
    customer = CustomerFactory(surnames="Gómez Ruiz")
    client.force_login(agent)
    response = client.post(
        reverse("incidents:new"),
        form_data(customer, campaign_template("INC"), status=Status.PENDING),
    )
    html = response.content.decode()
    assert f'name="customer" value="{customer.pk}" form="ticket-form"' in html
    assert "Gómez Ruiz" in html


def test_attachment_of_a_refused_type_is_named_in_the_error(client, agent):
    client.force_login(agent)
    data = form_data(
        CustomerFactory(),
        campaign_template("INC"),
        attachment_1=SimpleUploadedFile("virus.exe", b"MZ\x90\x00" + b"\x00" * 64),
    )
    response = client.post(reverse("incidents:new"), data)
    errors = response.context["form"].errors["attachment_1"]
    assert "«virus.exe» no es un tipo de archivo permitido" in errors[0]
    assert not Incident.objects.exists()


def test_attachment_over_the_size_limit_is_refused(client, agent, settings):
    settings.ITSM_ATTACHMENT_MAX_BYTES = 50
    client.force_login(agent)
    data = form_data(
        CustomerFactory(),
        campaign_template("INC"),
        attachment_1=SimpleUploadedFile("grande.pdf", PDF),
    )
    response = client.post(reverse("incidents:new"), data)
    assert "«grande.pdf»" in response.context["form"].errors["attachment_1"][0]
    assert not Incident.objects.exists()


@pytest.mark.parametrize(("role", "allowed"), [("agent", False), ("coordinator", True)])
def test_only_a_coordinator_sends_a_new_ticket_to_the_specialists(client, request, role, allowed):
    client.force_login(request.getfixturevalue(role))
    specialists = SupportGroup.objects.get(is_specialists=True)
    response = client.post(
        reverse("incidents:new"),
        form_data(CustomerFactory(), campaign_template("INC"), assigned_group=specialists.pk),
    )
    if allowed:
        assert response.status_code == 302
        assert Incident.objects.get().assigned_group == specialists
    else:
        assert "assigned_group" in response.context["form"].errors
        assert not Incident.objects.exists()


def test_inactive_customer_is_refused(client, agent):
    customer = CustomerFactory()
    customer.active = False
    customer.save()
    client.force_login(agent)
    response = client.post(reverse("incidents:new"), form_data(customer, campaign_template("INC")))
    assert response.context["form"].errors["customer"] == [
        "Este cliente ya no existe o está inactivo."
    ]


def test_new_page_runs_a_fixed_number_of_queries(client, agent, django_assert_max_num_queries):
    client.force_login(agent)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("incidents:new")).status_code == 200
    with django_assert_max_num_queries(4):  # the option lists now come from the cache
        assert client.get(reverse("incidents:new")).status_code == 200


def test_creating_a_ticket_runs_a_fixed_number_of_queries(
    client, agent, django_assert_max_num_queries
):
    """The form loads what the agent picked and the ticket services check the
    rules on those rows: a rule is not a second query for the same row."""
    customer = CustomerFactory()
    client.force_login(agent)
    data = form_data(customer, campaign_template("INC"))
    client.get(reverse("incidents:new"))  # the option lists into the cache
    # Who listens to the ticket's events (webhooks) into the cache too.
    client.post(reverse("incidents:new"), form_data(CustomerFactory(), campaign_template("INC")))
    with django_assert_max_num_queries(16):
        response = client.post(reverse("incidents:new"), data)
    assert response.status_code == 302, response.context["form"].errors
