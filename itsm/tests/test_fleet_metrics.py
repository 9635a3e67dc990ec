"""/metrics: Prometheus text, served to a token or an allowed address only;
a real request is counted under its route with its queries, and the figures
the apps registered are read at scrape time."""

import ipaddress

import pytest
from django.test import Client
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from itsm.tests.factories import make_incident
from notifications.models import ResponseTemplate
from notifications.services.compose import email_send

pytestmark = pytest.mark.django_db

TOKEN = "scrape-token-of-the-tests"


@pytest.fixture
def scraper(settings) -> Client:
    settings.ITSM_METRICS_TOKEN = TOKEN
    return Client(HTTP_AUTHORIZATION=f"Bearer {TOKEN}")


def samples(client: Client) -> dict[tuple[str, frozenset], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def test_metrics_are_off_until_a_token_or_an_address_is_set():
    assert Client().get("/metrics").status_code == 404


def test_a_wrong_or_missing_token_is_refused(settings):
    settings.ITSM_METRICS_TOKEN = TOKEN
    assert Client().get("/metrics").status_code == 403
    assert Client(HTTP_AUTHORIZATION="Bearer nope").get("/metrics").status_code == 403


def test_an_allowed_address_needs_no_token(settings):
    settings.ITSM_METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.1.0.0/16")]
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="10.2.0.1").get("/metrics").status_code == 403


def test_metrics_answer_any_host_over_http(settings, scraper):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["desk.example.org"]
    assert scraper.get("/metrics", HTTP_HOST="10.0.0.9:9100").status_code == 200


def test_a_page_is_counted_under_its_route_with_its_queries(scraper, agent):
    key = ("itsm_http_request_duration_seconds_count", "incidents:console", "GET")
    before = samples(scraper)
    client = Client()
    client.force_login(agent)
    assert client.get(reverse("incidents:console")).status_code == 200
    after = samples(scraper)

    def value(table, name, **labels):
        return table.get((name, frozenset(labels.items())), 0)

    route = {"route": key[1]}
    assert (
        value(after, key[0], **route, method="GET")
        == value(before, key[0], **route, method="GET") + 1
    )
    queries = "itsm_http_request_db_queries_sum"
    assert value(after, queries, **route) > value(before, queries, **route)
    responses = "itsm_http_responses_total"
    assert value(after, responses, **route, method="GET", status="200") == (
        value(before, responses, **route, method="GET", status="200") + 1
    )


def test_a_request_for_no_page_is_counted_as_unresolved(scraper, agent):
    client = Client()
    client.force_login(agent)
    client.get("/no-such-page/")
    table = samples(scraper)
    assert (
        table[
            (
                "itsm_http_responses_total",
                frozenset({"route": "unresolved", "method": "GET", "status": "404"}.items()),
            )
        ]
        >= 1
    )


def test_the_figures_are_read_at_scrape_time(scraper, agent):
    ticket = make_incident(user=agent)
    # Queued, not sent: the publish waits for a commit that never comes in this test.
    email_send(ticket=ticket, user=agent, template=ResponseTemplate.objects.first())
    table = samples(scraper)
    assert table[("itsm_mail_outbox_backlog", frozenset())] == 1
    assert table[("itsm_webhook_outbox_backlog", frozenset())] == 0
    assert table[("itsm_celery_queue_length", frozenset())] == 0
    assert table[("itsm_sla_breached_open_tickets", frozenset({("kind", "INC")}))] == 0
    assert table[("itsm_mailbox_oldest_unprocessed_seconds", frozenset())] == 0
    assert table[("itsm_mailbox_last_poll_age_seconds", frozenset())] == -1
    assert table[("itsm_figure_errors", frozenset())] == 0
