import pytest

from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm.celery import app as celery_app
from itsm.tests.factories import make_incident, make_work_order
from notifications import reference_data
from notifications.models import InboundEmail, ResponseTemplate
from notifications.tests import corpus
from notifications.tests.backends import FailingBackend
from notifications.tests.factories import stored


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Attachments and standard documents in a folder of the test's own."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def response_templates(reference) -> dict[str, ResponseTemplate]:
    """The six seeded templates (transactional tests flush what the migration
    loaded), with their documents in this test's private folder."""
    reference_data.load()
    return {template.title: template for template in ResponseTemplate.objects.all()}


@pytest.fixture
def documentation(response_templates) -> ResponseTemplate:
    return response_templates["SOLICITUD DOCUMENTACIÓN"]


@pytest.fixture
def linking(response_templates) -> ResponseTemplate:
    """Brings the cuadro de vinculación and the LOPD form."""
    return response_templates["VINCULACIÓN – ENVÍO CUADRO DE VINCULACIÓN"]


@pytest.fixture
def linked(response_templates) -> ResponseTemplate:
    """Coordinators only."""
    return response_templates["VINCULACIÓN – VINCULADO"]


@pytest.fixture
def debt(response_templates) -> ResponseTemplate:
    """Asks for the amount owed."""
    return response_templates["FALTA DE PAGO"]


@pytest.fixture
def customer(reference):
    return CustomerFactory(
        first_name="Ana", surnames="García López", email="ana.garcia@example.com"
    )


@pytest.fixture
def incident(agent, customer) -> Incident:
    return make_incident(user=agent, customer=customer)


@pytest.fixture
def work_order(agent, customer):
    return make_work_order(user=agent, customer=customer)


@pytest.fixture
def eager_celery():
    """Tasks run in the calling process, as with no broker configured."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield celery_app
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def message(private_media, customer) -> InboundEmail:
    return stored(
        corpus.plain(
            subject="No puedo legalizar el libro",
            attachments=[("captura.png", "image/png", corpus.PNG)],
        )
    )


@pytest.fixture
def failing_smtp(settings) -> type[FailingBackend]:
    """Deliveries fail with ``failing_smtp.error`` (a refused connection unless
    the test sets another); ``failing_smtp.calls`` counts the attempts."""
    settings.EMAIL_BACKEND = "notifications.tests.backends.FailingBackend"
    FailingBackend.calls = 0
    FailingBackend.error = ConnectionRefusedError(111, "Connection refused")
    return FailingBackend
