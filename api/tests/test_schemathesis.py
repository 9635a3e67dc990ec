"""Property-based tests generated from the OpenAPI schema, against a running
server with a real token: every operation, no 5xx, every response as the
schema documents it (status code, content type, body)."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.tokens import token_create
from itsm.tests.factories import make_incident, make_work_order
from notifications import reference_data as notification_reference
from notifications.services.inbound import inbound_receive
from notifications.tests.corpus import plain

# Small and bounded: about a minute per database on two shared cores.
EXAMPLES = int(os.environ.get("ITSM_SCHEMATHESIS_EXAMPLES", "6"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def desk_for_schema(transactional_db, reference, agent, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    incident = make_incident(user=agent, work_info_notes="Llamada")
    work_order = make_work_order(user=agent, customer=incident.customer)
    notification_reference.load()
    message = inbound_receive(
        raw=plain(attachments=[("c.pdf", "application/pdf", b"%PDF-1.4")]), source="pipe"
    ).email_id
    _token, plain_token = token_create(
        user=agent, name="schemathesis", scopes=["read", "write", "mail", "mailbox"]
    )
    return {
        "token": plain_token,
        "numbers": {"incidents": incident.number, "workorders": work_order.number},
        "customer": incident.customer.pk,
        "message": message,
    }


@pytest.fixture
def api_schema(live_server, desk_for_schema):
    schema = schemathesis.openapi.from_url(
        f"{live_server.url}/api/schema/?format=json",
        headers={"Authorization": f"Bearer {desk_for_schema['token']}"},
    )
    schema.config.update(base_url=live_server.url)
    return schema


def test_every_operation_answers_as_documented(api_schema, desk_for_schema, live_server):
    """One Hypothesis run per operation of the schema (schemathesis' lazy
    pytest loader does not run under this pytest)."""
    headers = {"Authorization": f"Bearer {desk_for_schema['token']}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 30

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case) -> None:
            # Real objects behind the path, so generated bodies reach the services.
            segment = case.path.split("/")[3]
            if "number" in (case.path_parameters or {}):
                case.path_parameters["number"] = desk_for_schema["numbers"][segment]
            if segment == "customers" and "id" in (case.path_parameters or {}):
                case.path_parameters["id"] = desk_for_schema["customer"]
            if "message_id" in (case.path_parameters or {}):
                case.path_parameters["message_id"] = desk_for_schema["message"]
                if "position" in case.path_parameters:
                    case.path_parameters["position"] = 1
            response = case.call(base_url=live_server.url, headers=headers)
            case.validate_response(response, checks=CHECKS)

        run()
