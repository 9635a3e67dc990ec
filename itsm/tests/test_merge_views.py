"""The merge from the pages: the dialog from a ticket or a console
selection, the confirmation for different customers, the merged ticket's
page and number leading to the target, and the coordinator's undo."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm.services.journal import work_info_add
from itsm.services.merge import ticket_merge
from itsm.tests.factories import PNG, make_merge_pair, make_ticket, page_url
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def merged(agent, garcia):
    """An incident merged into a work order, a note on each before."""
    source, target = make_merge_pair(user=agent, customer=garcia)
    work_info_add(ticket=source, user=agent, notes="nota de la incidencia")
    work_info_add(ticket=target, user=agent, notes="nota de la orden")
    ticket_merge(source=source, target_number=target.number, user=agent)
    return Incident.objects.get(pk=source.pk), WorkOrder.objects.get(pk=target.pk)


def merge_url(kind: str = "incidents") -> str:
    return reverse(f"{kind}:merge")


def test_the_merged_ticket_page_leads_to_the_target_saying_so(client, agent, merged):
    source, target = merged
    client.force_login(agent)
    response = client.get(page_url(source), follow=True)
    assert response.redirect_chain == [(page_url(target), 302)]
    html = response.content.decode()
    assert f"{source.number} se ha fusionado en {target.number}" in html
    assert "nota de la incidencia" in html and "nota de la orden" in html
    assert f'data-origin="{source.number}">de {source.number}</span>' in html
    assert f'data-merged="{source.number}"' in html
    # The incident's own events speak of an incident, on the work order's page too.
    assert "Incidencia abierta" in html and "Orden de trabajo abierta" in html


def test_the_magnifier_leads_a_merged_number_to_the_target(client, agent, merged):
    source, target = merged
    client.force_login(agent)
    response = client.get(reverse("search"), {"q": source.number})
    assert response.status_code == 302
    assert response["Location"] == page_url(target)


def test_only_coordinators_see_the_undo_button(client, agent, coordinator, merged):
    _source, target = merged
    client.force_login(agent)
    assert "Deshacer fusión" not in client.get(page_url(target)).content.decode()
    client.force_login(coordinator)
    assert "Deshacer fusión" in client.get(page_url(target)).content.decode()


def test_the_target_page_reads_both_journals_in_the_same_queries(
    client, agent, garcia, django_assert_max_num_queries
):
    target = make_ticket(Incident, user=agent, customer=garcia)
    for model in (Incident, WorkOrder, WorkOrder):
        source = make_ticket(model, user=agent, customer=garcia)
        for index in range(5):
            work_info_add(ticket=source, user=agent, notes=f"{source.number} nota {index}")
        ticket_merge(source=source, target_number=target.number, user=agent)
    client.force_login(agent)
    client.get(page_url(target))
    # As the ticket page without merges (test_ticket_page): the journals are one query.
    with django_assert_max_num_queries(13):
        response = client.get(page_url(target))
    assert len(response.context["merges"]) == 3
    assert len(response.context["history"]) > 15


def test_a_console_selection_merges_into_the_target(client, agent, garcia):
    target = make_ticket(WorkOrder, user=agent, customer=garcia)
    sources = [make_ticket(Incident, user=agent, customer=garcia) for _ in range(2)]
    numbers = [source.number for source in sources]
    client.force_login(agent)
    dialog = client.get(merge_url(), {"numbers": numbers})
    html = dialog.content.decode()
    assert all(number in html for number in numbers)
    assert "Las 2 gestiones que fusionar" in html

    response = client.post(merge_url(), {"numbers": numbers, "target": target.number.lower()})
    assert response.status_code == 302 and response["Location"] == page_url(target)
    assert set(
        Incident.objects.filter(merged_into=target.number).values_list("number", flat=True)
    ) == set(numbers)


def test_different_customers_take_a_confirmation_naming_both(client, agent, garcia):
    source = make_ticket(Incident, user=agent, customer=garcia)
    other = CustomerFactory(first_name="Luis", surnames="Pérez")
    target = make_ticket(Incident, user=agent, customer=other)
    client.force_login(agent)
    data = {"numbers": [source.number], "target": target.number}
    response = client.post(merge_url(), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="merge-other-customer"' in html
    assert str(garcia) in html and str(other) in html
    assert not Incident.objects.get(pk=source.pk).is_merged

    response = client.post(merge_url(), {**data, "confirm_other_customer": "on"})
    assert response.status_code == 302
    assert Incident.objects.get(pk=source.pk).merged_into == target.number


def test_a_refused_merge_says_why_and_keeps_the_selection(client, agent, garcia):
    source = make_ticket(Incident, user=agent, customer=garcia)
    client.force_login(agent)
    response = client.post(merge_url(), {"numbers": [source.number], "target": source.number})
    html = response.content.decode()
    assert "Una gestión no se puede fusionar en sí misma." in html
    assert f'name="numbers" value="{source.number}"' in html
    too_many = client.post(
        merge_url(), {"numbers": [f"INC{n:012d}" for n in range(1, 12)], "target": source.number}
    )
    assert "Fusione como máximo 10 gestiones a la vez." in too_many.content.decode()


def test_a_coordinator_undoes_from_the_target_page(client, agent, coordinator, merged):
    source, target = merged
    undo = reverse("incidents:merge_undo", args=[source.number])
    client.force_login(agent)
    assert client.post(undo).status_code == 403
    client.force_login(coordinator)
    response = client.post(undo, follow=True)
    assert response.redirect_chain[-1][0] == page_url(source)
    assert "Fusión de " in response.content.decode()
    assert not Incident.objects.get(pk=source.pk).is_merged


def test_actions_on_a_merged_ticket_are_refused(client, agent, merged):
    source, _target = merged
    client.force_login(agent)
    response = client.post(
        reverse("incidents:work_info_add", args=[source.number]), {"wi-notes": "x"}
    )
    assert response.status_code == 302 and response["Location"] == page_url(_target)
    assert not source.work_info.filter(notes="x").exists()
    shown = client.get(response["Location"]).content.decode()
    assert (
        f"{source.number} se ha fusionado en {_target.number} y ya no se puede modificar" in shown
    )


def test_the_merged_tickets_files_download_from_the_target_page(
    client, agent, garcia, private_media
):
    source = make_ticket(Incident, user=agent, customer=garcia)
    target = make_ticket(Incident, user=agent, customer=garcia)
    work_info_add(
        ticket=source,
        user=agent,
        notes="captura",
        attachments=[SimpleUploadedFile("captura.png", PNG)],
    )
    ticket_merge(source=source, target_number=target.number, user=agent)
    client.force_login(agent)
    response = client.get(page_url(target))
    (files,) = [item.files for item in response.context["history"] if item.files]
    ((name, url),) = files
    assert name == "captura.png" and source.number in url
    assert client.get(url).status_code == 200
