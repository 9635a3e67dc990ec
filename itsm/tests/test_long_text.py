"""A note, a packet note or an e-mail text longer than ITSM_MAX_TEXT_LENGTH is
refused in Spanish and comes back whole: the journal is append-only, so what
is accepted stays on the page forever; and no ``maxlength`` cuts a paste."""

import pytest
from django.urls import reverse

from itsm.models import EscalationPacket
from itsm.tests.escalation import unsolved_data
from itsm.tests.factories import make_incident


def url(ticket, name: str) -> str:
    return reverse(ticket.kind.url_name(name), args=[ticket.number])


@pytest.fixture
def short_limit(settings):
    settings.ITSM_MAX_TEXT_LENGTH = 100


def test_a_work_info_note_over_the_limit_is_refused_and_kept(client, agent, short_limit):
    ticket = make_incident(user=agent)
    client.force_login(agent)
    text = "Nota larga\r\n" + "x" * 120
    response = client.post(
        url(ticket, "work_info_add"),
        {"wi-type": "notes", "wi-notes": text, "wi-view_access": "internal"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Este texto tiene 131 caracteres y el máximo es 100." in page
    assert "x" * 120 in page
    assert not ticket.work_info.filter(notes__startswith="Nota larga").exists()


def test_a_note_at_the_limit_is_taken(client, agent, short_limit):
    ticket = make_incident(user=agent)
    client.force_login(agent)
    response = client.post(
        url(ticket, "work_info_add"),
        {"wi-type": "notes", "wi-notes": "y" * 100, "wi-view_access": "internal"},
    )
    assert response.status_code == 302
    assert ticket.work_info.filter(notes="y" * 100).exists()


def test_the_default_limit_is_32000_characters(settings):
    assert settings.ITSM_MAX_TEXT_LENGTH == 32_000


def test_a_packet_note_over_the_limit_is_refused_and_kept(client, agent, short_limit):
    ticket = make_incident(user=agent)
    client.force_login(agent)
    response = client.post(url(ticket, "escalate"), unsolved_data(note="z" * 150))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Este texto tiene 150 caracteres y el máximo es 100." in page
    assert "z" * 150 in page
    assert not EscalationPacket.objects.exists()


def test_the_long_text_boxes_warn_instead_of_cutting(client, agent, short_limit):
    ticket = make_incident(user=agent)
    client.force_login(agent)
    page = client.get(ticket.get_absolute_url()).content.decode()
    notes = page[page.index('name="wi-notes"') - 200 : page.index('name="wi-notes"') + 400]
    assert 'data-max-length="100"' in notes
    assert "maxlength" not in notes
    assert "acórtelo antes de guardar" in notes
    assert "data-max-bytes=" in page
