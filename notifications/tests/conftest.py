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


def template_fixture(title: str, doc: str = ""):
    """A fixture giving the seeded response template called ``title``."""

    def fixture(response_templates) -> ResponseTemplate:
        return response_templates[title]

    fixture.__doc__ = doc or title
    return pytest.fixture(fixture)


documentation = template_fixture("SOLICITUD DOCUMENTACIÓN")
linking = template_fixture(
    "VINCULACIÓN – ENVÍO CUADRO DE VINCULACIÓN",
    "Brings the cuadro de vinculación and the LOPD form.",
)
linked = template_fixture("VINCULACIÓN – VINCULADO", "Coordinators only.")
debt = template_fixture("FALTA DE PAGO", "Asks for the amount owed.")


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
