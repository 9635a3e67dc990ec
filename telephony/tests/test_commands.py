"""The phone's management commands: tokens, the simulator, the demo."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from telephony.models import AgentPhone, Call, CtiIntegration, hash_token
from telephony.tests.conftest import post_event

pytestmark = pytest.mark.django_db


def test_cti_token_create_prints_the_url_path_on_its_last_line():
    out = StringIO()
    call_command("cti_token", "create", "Asterisk sede", stdout=out)

    path = out.getvalue().strip().splitlines()[-1]
    assert path.startswith("/api/v1/cti/")
    token = path.rsplit("/", 1)[1]
    integration = CtiIntegration.objects.get(name="Asterisk sede")
    assert integration.token_hash == hash_token(token)
    assert token not in str(CtiIntegration.objects.values_list().get())
    response = post_event(
        Client(), path, event="newCall", from_="612345678", to="1", direction="in", callId="t"
    )
    assert response.status_code == 200


def test_cti_token_refuses_a_name_twice():
    call_command("cti_token", "create", "Uno", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("cti_token", "create", "Uno", stdout=StringIO())


@pytest.mark.django_db(transaction=True)
def test_simulate_call_posts_a_call_to_the_running_desk(live_server, reference, extensions):
    call_command(
        "simulate_call",
        "--from",
        "612/34.56.78",
        "--to",
        "101",
        "--url",
        live_server.url,
        "--ring",
        "0",
        "--talk",
        "0",
        stdout=StringIO(),
    )
    call_command(
        "simulate_call",
        "--from",
        "699 00 11 22",
        "--to",
        "102",
        "--missed",
        "--url",
        live_server.url,
        "--ring",
        "0",
        stdout=StringIO(),
    )

    answered = Call.objects.get(remote_e164="+34612345678")
    missed = Call.objects.get(remote_e164="+34699001122")
    assert answered.agent == extensions["101"] and answered.answered_at and answered.ended_at
    assert missed.missed and missed.callback_status == "open"


def test_simulate_call_says_when_the_desk_is_not_running(db):
    with pytest.raises(CommandError, match="does not answer"):
        call_command(
            "simulate_call",
            "--from",
            "612345678",
            "--to",
            "101",
            "--url",
            "http://127.0.0.1:9",
            "--ring",
            "0",
            stdout=StringIO(),
        )


def test_seed_demo_gives_the_demo_agents_extensions_and_a_day_of_calls(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # again: nothing twice

    extensions = dict(AgentPhone.objects.values_list("user__username", "extension"))
    assert extensions == {
        "agente": "101",
        "agente2": "102",
        "coordinador": "110",
        "especialista": "201",
    }
    calls = Call.objects.filter(integration__name="Centralita demo")
    assert calls.count() == 25
    assert calls.filter(missed=True).count() >= 4
    assert calls.filter(customer__isnull=False).count() >= 15
    assert calls.filter(callback_result="called_back").count() == 1
