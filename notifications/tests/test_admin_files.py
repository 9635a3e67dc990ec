"""Admins see every object that holds a private file; the file opens through
the access-checked view agents use, never through a storage URL."""

import pytest
from django.urls import reverse

from incidents.models import IncidentWorkInfo
from itsm.services.journal import work_info_add
from itsm.tests.factories import make_incident, make_work_order
from notifications.services.compose import email_save_draft
from notifications.tests.factories import pdf_upload
from workorders.models import WorkOrderWorkInfo


@pytest.fixture
def stored_files(agent, customer, linking):
    incident = make_incident(user=agent, customer=customer)
    work_order = make_work_order(user=agent, customer=customer)
    for ticket in (incident, work_order):
        work_info_add(
            ticket=ticket, user=agent, notes="Captura", attachments=[pdf_upload("captura.pdf")]
        )
    email = email_save_draft(
        ticket=incident, user=agent, template=linking, attachment=pdf_upload("anexo.pdf")
    )
    return {
        "incident": incident,
        "work_order": work_order,
        "email": email,
        "template": linking,
        "document": linking.documents.order_by("pk").first(),
        "entry": IncidentWorkInfo.objects.filter(ticket=incident).exclude(attachment_1="").get(),
        "wo_entry": WorkOrderWorkInfo.objects.filter(ticket=work_order)
        .exclude(attachment_1="")
        .get(),
    }


def change_pages(files) -> list[tuple[str, str]]:
    incident, work_order, entry = files["incident"], files["work_order"], files["entry"]
    email, document = files["email"], files["document"]
    return [
        (
            reverse("admin:incidents_incident_change", args=[incident.pk]),
            reverse("incidents:attachment", args=[incident.number, entry.pk, 1]),
        ),
        (
            reverse("admin:workorders_workorder_change", args=[work_order.pk]),
            reverse("workorders:attachment", args=[work_order.number, files["wo_entry"].pk, 1]),
        ),
        (
            reverse("admin:incidents_incidentworkinfo_change", args=[entry.pk]),
            reverse("incidents:attachment", args=[incident.number, entry.pk, 1]),
        ),
        (
            reverse("admin:notifications_responsetemplate_change", args=[files["template"].pk]),
            reverse("notifications:document", args=[document.pk]),
        ),
        (
            reverse("admin:notifications_responsetemplatedocument_change", args=[document.pk]),
            reverse("notifications:document", args=[document.pk]),
        ),
        (
            reverse("admin:notifications_outgoingemail_change", args=[email.pk]),
            reverse("incidents:email_attachment", args=[incident.number, email.pk, 1]),
        ),
    ]


def test_every_change_page_with_a_stored_file_links_to_the_checked_download(
    client, admin_user, stored_files
):
    client.force_login(admin_user)
    for page, link in change_pages(stored_files):
        response = client.get(page)
        assert response.status_code == 200, page
        assert f'href="{link}"' in response.content.decode(), page
        download = client.get(link)
        assert download.status_code == 200, link
        assert download["Content-Disposition"].startswith("attachment")


def test_the_links_admins_see_are_refused_to_someone_without_a_role(client, outsider, stored_files):
    client.force_login(outsider)
    for _page, link in change_pages(stored_files):
        assert client.get(link).status_code in (403, 404), link
