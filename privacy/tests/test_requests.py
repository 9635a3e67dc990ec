"""A request per person: due in a month, extended once by two with a
reason, every step journaled; the role alone reaches the pages; the due and
overdue ones on the dashboard."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from privacy.models import DataRequestStep, RequestStatus, StepAction
from privacy.services import add_months, request_close, request_extend
from privacy.tests.factories import make_request

pytestmark = pytest.mark.django_db


def test_months_end_on_the_last_day_when_the_day_is_missing():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)


def test_a_request_is_due_in_a_month_and_extends_once_by_two(data_protection, person):
    request = make_request(data_protection, person)
    assert request.due_on == date(2026, 2, 28)

    with pytest.raises(ValidationError):
        request_extend(request=request, user=data_protection, reason="  ")
    request_extend(request=request, user=data_protection, reason="Muchos expedientes")
    assert request.due_on == date(2026, 4, 30)
    assert request.status == RequestStatus.EXTENDED
    with pytest.raises(ValidationError):
        request_extend(request=request, user=data_protection, reason="Otra vez")

    request_close(request=request, user=data_protection, refused=False, note="Enviado")
    steps = list(DataRequestStep.objects.filter(request=request).values_list("action", "note"))
    assert steps == [
        (StepAction.RECEIVED, ""),
        (StepAction.EXTENDED, "Muchos expedientes"),
        (StepAction.ANSWERED, "Enviado"),
    ]


def test_steps_are_append_only(data_protection, person):
    step = make_request(data_protection, person).steps.get()
    step.note = "otra cosa"
    with pytest.raises(ValueError):
        step.save()


def test_only_the_role_records_requests(coordinator, person):
    with pytest.raises(PermissionDenied):
        make_request(coordinator, person)


@pytest.mark.parametrize("role", ["agent", "coordinator", "admin_user"])
def test_other_roles_are_refused_the_pages(client, request, role, person):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("privacy:list")).status_code == 403


def test_the_list_shows_due_dates_and_finds_the_person(client, data_protection, person):
    make_request(data_protection, person, received_on=date(2020, 1, 1))
    client.force_login(data_protection)
    page = client.get(reverse("privacy:list"), {"due": "overdue", "q": "zubizarreta"})
    content = page.content.decode()
    assert "01/02/2020" in content
    assert reverse("privacy:new", args=[person.pk]) in content


def test_a_request_is_recorded_from_its_page(client, data_protection, person):
    client.force_login(data_protection)
    url = reverse("privacy:new", args=[person.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"right": "erasure", "identity_check": "e_signature", "received_on": "2026-03-02"},
    )
    request = person.data_requests.get()
    assert response["Location"] == request.get_absolute_url()
    page = client.get(request.get_absolute_url()).content.decode()
    assert 'id="privacy-steps"' in page
    assert reverse("privacy:block", args=[request.pk]) in page


def test_the_page_extends_a_request(client, data_protection, person):
    request = make_request(data_protection, person)
    client.force_login(data_protection)
    client.post(reverse("privacy:extend", args=[request.pk]), {"reason": "Volumen"})
    request.refresh_from_db()
    assert request.extension_reason == "Volumen"


def test_the_dashboard_counts_overdue_requests_for_the_role_only(
    client, data_protection, agent, person
):
    make_request(data_protection, person, received_on=date(2020, 1, 1))
    client.force_login(data_protection)
    page = client.get(reverse("dashboard")).content.decode()
    assert f"{reverse('privacy:list')}?due=overdue" in page
    client.force_login(agent)
    assert reverse("privacy:list") not in client.get(reverse("dashboard")).content.decode()


def test_the_menu_leads_the_role_and_only_the_role_to_the_requests(
    client, data_protection, coordinator
):
    link = f'href="{reverse("privacy:list")}">Solicitudes de protección de datos</a>'
    client.force_login(coordinator)
    assert link not in client.get(reverse("dashboard")).content.decode()

    client.force_login(data_protection)
    assert link in client.get(reverse("incidents:console")).content.decode()
    listing = client.get(reverse("privacy:list")).content.decode()
    assert f'active" aria-current="page" {link}' in listing
