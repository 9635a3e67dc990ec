"""A number written a dozen ways is one number: the caller is found
whichever way the PBX and the agent wrote it."""

import pytest
from django.test import Client

from customers.tests.factories import PHONE_SPELLINGS, CustomerFactory
from telephony.models import Call
from telephony.selectors import e164_or_blank
from telephony.tests.conftest import post_event

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("spelling", PHONE_SPELLINGS)
def test_every_spelling_is_the_same_e164(spelling):
    assert e164_or_blank(spelling) == "+34612345678"


@pytest.mark.parametrize("stored", ["612/34.56.78", "+34 612 34 56 78", "0034612345678"])
def test_a_call_finds_the_customer_whichever_way_either_side_wrote_it(
    cti_url, clock, extensions, stored
):
    customer = CustomerFactory(phone=stored)
    pbx = Client()
    for index, spelling in enumerate(PHONE_SPELLINGS):
        post_event(
            pbx,
            cti_url,
            event="newCall",
            from_=spelling,
            to="101",
            direction="in",
            callId=f"n{index}",
        )
    calls = Call.objects.filter(call_id__startswith="n")
    assert calls.count() == len(PHONE_SPELLINGS)
    assert {call.customer_id for call in calls} == {customer.pk}


@pytest.mark.parametrize(
    "text", ["anonymous", "Anonymous", "unknown", "", "restricted", "101", "abc", "+999"]
)
def test_hidden_or_unreadable_numbers_are_no_number(text):
    assert e164_or_blank(text) == ""
