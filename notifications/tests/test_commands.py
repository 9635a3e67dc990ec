"""The commands and the beat task, without an IMAP server."""

import pytest
from django.core.management import CommandError, call_command

from notifications.imap import imap_poll
from notifications.tasks import fetch_email

pytestmark = pytest.mark.django_db


def test_without_an_imap_host_nothing_polls(settings):
    settings.ITSM_IMAP_HOST = ""
    assert imap_poll().skipped == "not configured"
    assert fetch_email() == 0


def test_fetch_email_says_when_imap_is_not_configured(settings):
    settings.ITSM_IMAP_HOST = ""
    with pytest.raises(CommandError, match="ITSM_IMAP_HOST"):
        call_command("fetch_email")


def test_an_unreachable_server_fails_the_command_with_the_reason(settings, reference):
    settings.ITSM_IMAP_HOST = "127.0.0.1"
    settings.ITSM_IMAP_PORT = 9  # discard: nothing listens
    settings.ITSM_IMAP_SSL = False
    settings.ITSM_IMAP_TIMEOUT = 2
    with pytest.raises(CommandError, match="Error"):
        call_command("fetch_email")


def test_reprocess_email_needs_ids_or_quarantined(db):
    with pytest.raises(CommandError):
        call_command("reprocess_email")
    with pytest.raises(CommandError, match="no such message"):
        call_command("reprocess_email", "999")
