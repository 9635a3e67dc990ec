"""The calls page and its missed-calls queue, a call's page and pop-up, and
the tickets made from a call."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm.tests.factories import campaign_template, make_incident, new_ticket_data
from telephony.models import Call, CallbackResult, CallbackStatus, CallTicket
from telephony.tests.conftest import post_event
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


def ring(client, url, call_id, number, *, extension="101"):
    """Post the events of one inbound call; the clock moves between them."""
    common = {"from_": number, "to": "4930123456", "direction": "in", "callId": call_id}
    assert post_event(client, url, event="newCall", user=[extension], **common).status_code == 200
    return common


@pytest.fixture
def pbx():
    return Client()


def test_the_calls_page_shows_todays_calls_and_the_missed_queue(
    client, pbx, cti_url, extensions, agent
):
    customer = CustomerFactory(first_name="Ana", surnames="Gómez", phone="612345678")
    common = ring(pbx, cti_url, "c1", "612345678")
    post_event(pbx, cti_url, event="hangup", cause="cancel", **common)
    ring(pbx, cti_url, "c2", "699111222", extension="102")
    client.force_login(agent)

    response = client.get(reverse("telephony:calls"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Ana Gómez" in page
    assert 'href="tel:+34612345678"' in page
    assert [row["call"].call_id for row in response.context["queue_rows"]] == ["c1"]
    assert {row["call"].call_id for row in response.context["rows"]} == {"c1", "c2"}
    assert customer.get_absolute_url() in page


def test_the_filters_narrow_the_list(client, pbx, cti_url, extensions, agent):
    common = ring(pbx, cti_url, "m", "612345678")
    post_event(pbx, cti_url, event="hangup", cause="noAnswer", **common)
    ring(pbx, cti_url, "mine", "699111222")
    ring(pbx, cti_url, "theirs", "699111333", extension="102")
    post_event(
        pbx,
        cti_url,
        event="newCall",
        **{"from_": "102", "to": "612000000", "direction": "out", "callId": "out"},
    )
    client.force_login(agent)

    def listed(query: str) -> set[str]:
        response = client.get(reverse("telephony:calls") + "?f=1&" + query)
        assert response.status_code == 200
        return {row["call"].call_id for row in response.context["rows"]}

    assert listed("missed=on") == {"m"}
    assert listed("mine=on") == {"m", "mine"}
    assert listed("direction=out") == {"out"}
    assert listed("to_call_back=on") == {"m"}
    assert listed("day=2020-01-01") == set()
    assert listed("") == {"m", "mine", "theirs", "out"}


def test_a_bad_filter_is_a_400_with_the_page(client, agent):
    client.force_login(agent)
    response = client.get(reverse("telephony:calls") + "?f=1&day=nunca&direction=x")
    assert response.status_code == 400
    assert "calls-table" not in response.content.decode()


def test_the_calls_page_pages_by_keyset(client, pbx, cti_url, extensions, agent):
    for index in range(55):
        ring(pbx, cti_url, f"k{index}", "612345678")
    client.force_login(agent)

    first = client.get(reverse("telephony:calls"))
    second = client.get(reverse("telephony:calls") + first.context["next_url"])

    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 5
    seen = {r["call"].pk for r in first.context["rows"]} | {
        r["call"].pk for r in second.context["rows"]
    }
    assert len(seen) == 55


def test_the_calls_page_costs_a_fixed_number_of_queries(
    client, pbx, cti_url, extensions, agent, django_assert_max_num_queries
):
    for index in range(30):
        common = ring(pbx, cti_url, f"q{index}", f"6120000{index:02d}")
        if index % 2:
            post_event(pbx, cti_url, event="hangup", cause="cancel", **common)
    client.force_login(agent)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("telephony:calls"))
    assert response.status_code == 200


def test_missed_calls_are_taken_and_closed_with_a_result(
    client, pbx, cti_url, extensions, agent, other_agent
):
    common = ring(pbx, cti_url, "owed", "612345678")
    post_event(pbx, cti_url, event="hangup", cause="cancel", **common)
    call = Call.objects.get(call_id="owed")
    client.force_login(agent)

    client.post(reverse("telephony:take", args=[call.pk]))
    call.refresh_from_db()
    assert call.callback_assignee == agent

    client.post(reverse("telephony:close", args=[call.pk]), {"result": "unreachable"})
    call.refresh_from_db()
    assert call.callback_status == CallbackStatus.DONE
    assert call.callback_result == CallbackResult.UNREACHABLE
    assert call.callback_closed_by == agent
    # Closed is closed: a second close is refused with a message, no change.
    client.force_login(other_agent)
    response = client.post(reverse("telephony:close", args=[call.pk]), {"result": "not_needed"})
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.callback_result == CallbackResult.UNREACHABLE


def test_a_late_call_back_is_marked_and_counted_on_the_dashboard(
    client, pbx, cti_url, extensions, agent, settings
):
    settings.CTI_CALLBACK_TARGET_MINUTES = 10
    common = ring(pbx, cti_url, "late", "612345678")
    post_event(pbx, cti_url, event="hangup", cause="cancel", **common)
    Call.objects.filter(call_id="late").update(
        rung_at=timezone.now() - timedelta(hours=1),
        callback_due_at=timezone.now() - timedelta(minutes=50),
    )
    client.force_login(agent)

    page = client.get(reverse("telephony:calls"))
    dashboard = client.get(reverse("dashboard"))

    assert page.context["queue_rows"][0]["late"]
    chart = next(c for c in dashboard.context["charts"] if c.id == "missed-calls")
    assert [bar.value for bar in chart.bars] == [1, 1]


def test_the_popup_shows_the_caller_and_escapes_everything(client, pbx, cti_url, extensions, agent):
    customer = CustomerFactory(
        first_name="<script>alert(1)</script>", surnames='"><img src=x>', phone="612345678"
    )
    make_incident(user=agent, customer=customer, summary="<b>negrita</b>")
    ring(pbx, cti_url, "xss", "612345678")
    call = Call.objects.get(call_id="xss")
    client.force_login(agent)

    response = client.get(reverse("telephony:popup", args=[call.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x>" not in page and "<b>negrita</b>" not in page
    assert customer.get_absolute_url() in page
    assert reverse("telephony:new_ticket", args=[call.pk, "INC"]) in page
    assert customer.tax_id in page
    assert Incident.objects.get(customer=customer).number in page


def test_an_unknown_number_offers_to_create_the_customer_with_it(
    client, pbx, cti_url, extensions, agent
):
    ring(pbx, cti_url, "new", "+34 698 76 54 32")
    call = Call.objects.get(call_id="new")
    client.force_login(agent)

    response = client.get(reverse("telephony:new_ticket", args=[call.pk, "INC"]))

    assert response.status_code == 200
    form = response.context["customer_form"]
    assert "698 76 54 32" in form.initial["phones"]
    assert response.context["form"].initial["reported_source"] == "phone"


def test_a_ticket_from_a_call_has_the_customer_the_call_and_its_talk_time(
    client, pbx, cti_url, extensions, agent, clock
):
    customer = CustomerFactory(phone="612345678")
    common = ring(pbx, cti_url, "t", "612345678")
    post_event(pbx, cti_url, event="answer", answeringNumber="101", **common)
    call = Call.objects.get(call_id="t")
    client.force_login(agent)

    page = client.get(reverse("telephony:new_ticket", args=[call.pk, "INC"]))
    assert page.context["customer"] == customer
    assert page.context["form"].initial["customer"] == customer.pk
    data = new_ticket_data(customer)
    response = client.post(reverse("telephony:new_ticket", args=[call.pk, "INC"]), data)

    assert response.status_code == 302
    ticket = Incident.objects.get(customer=customer)
    link = CallTicket.objects.get(call=call)
    assert link.number == ticket.number and link.journaled_at is None
    # The call is still going: its time goes on the ticket when it ends.
    clock.tick(192)
    post_event(pbx, cti_url, event="hangup", cause="normalClearing", **common)
    ticket.refresh_from_db()
    link.refresh_from_db()
    assert link.journaled_at is not None
    assert ticket.time_spent_seconds == 192
    history = client.get(ticket.get_absolute_url()).content.decode()
    assert "3 min 12 s" in history
    assert "+34612345678" in history or "612 34 56 78" in history


def test_a_later_call_is_added_to_a_ticket(client, pbx, cti_url, extensions, agent, clock):
    customer = CustomerFactory(phone="612345678")
    ticket = make_incident(user=agent, customer=customer)
    common = ring(pbx, cti_url, "later", "612345678")
    post_event(pbx, cti_url, event="answer", answeringNumber="101", **common)
    clock.tick(45)
    post_event(pbx, cti_url, event="hangup", cause="normalClearing", **common)
    call = Call.objects.get(call_id="later")
    client.force_login(agent)

    response = client.post(reverse("telephony:add", args=[call.pk]), {"number": ticket.number})
    again = client.post(reverse("telephony:add", args=[call.pk]), {"number": ticket.number})

    assert response.status_code == again.status_code == 302
    ticket.refresh_from_db()
    assert ticket.time_spent_seconds == 45  # once, however often it is added
    assert CallTicket.objects.filter(call=call).count() == 1


def test_a_work_order_can_be_made_from_a_call_too(client, pbx, cti_url, extensions, agent):
    customer = CustomerFactory(phone="612345678")
    common = ring(pbx, cti_url, "wo", "612345678")
    post_event(pbx, cti_url, event="hangup", cause="cancel", **common)
    call = Call.objects.get(call_id="wo")
    client.force_login(agent)

    data = new_ticket_data(customer, template=campaign_template("WO"))
    response = client.post(reverse("telephony:new_ticket", args=[call.pk, "WO"]), data)

    assert response.status_code == 302
    ticket = WorkOrder.objects.get(customer=customer)
    assert CallTicket.objects.get(call=call).number == ticket.number
    # The call had ended: it is on the journal at once, with no talk time.
    assert ticket.time_spent_seconds == 0
    assert CallTicket.objects.get(call=call).journaled_at is not None


def test_the_popup_and_the_call_page_cost_a_fixed_number_of_queries(
    client, pbx, cti_url, extensions, agent, django_assert_max_num_queries
):
    """A fixed number per customer card (at most five cards), whatever
    their tickets and calls."""
    customer = CustomerFactory(phones=[("switchboard", "915550100")], phone="")
    CustomerFactory(phones=[("switchboard", "915550100")], phone="")
    for _ in range(3):
        make_incident(user=agent, customer=customer)
    ring(pbx, cti_url, "n", "915550100")
    call = Call.objects.get(call_id="n")
    client.force_login(agent)

    with django_assert_max_num_queries(19):
        assert client.get(reverse("telephony:popup", args=[call.pk])).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("telephony:detail", args=[call.pk])).status_code == 200


def test_the_customer_page_lists_their_calls_and_counts_the_missed(
    client, pbx, cti_url, extensions, agent, clock
):
    customer = CustomerFactory(phone="612345678")
    common = ring(pbx, cti_url, "answered", "612 34 56 78")
    post_event(pbx, cti_url, event="answer", answeringNumber="101", **common)
    clock.tick(75)
    post_event(pbx, cti_url, event="hangup", cause="normalClearing", **common)
    clock.tick(600)
    common = ring(pbx, cti_url, "lost", "0034612345678")
    post_event(pbx, cti_url, event="hangup", cause="cancel", **common)
    client.force_login(agent)

    response = client.get(customer.get_absolute_url())

    calls = [item for item in response.context["timeline"] if item.kind == "call"]
    assert [item.url for item in calls] == [
        Call.objects.get(call_id=call_id).get_absolute_url() for call_id in ("lost", "answered")
    ]
    assert calls[1].detail == "1 min 15 s"
    figures = {f.code: f.value for f in response.context["summary"].figures}
    assert figures["calls"] == 2
    assert figures["missed_calls"] == 1
