import pytest
from django.core.management import call_command

from notifications.models import Classification, EmailStatus, InboundEmail, OutgoingEmail

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_dozen_messages_once(settings, private_media):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    assert InboundEmail.objects.count() == 12
    assert InboundEmail.objects.filter(threaded=True, action="threaded").count() == 1
    assert InboundEmail.objects.filter(classification=Classification.AUTO_REPLY).count() == 1
    assert InboundEmail.objects.filter(classification=Classification.BOUNCE).count() == 1
    assert InboundEmail.objects.in_mailbox().filter(status="new").count() == 9
    assert OutgoingEmail.objects.get().status == EmailStatus.BOUNCED


def test_the_demo_mailbox_refuses_to_run_with_debug_off(settings, db):
    from django.core.management import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo_mailbox")
