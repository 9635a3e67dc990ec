import pytest
from django.contrib.auth.models import Group

from customers.tests.factories import CustomerFactory
from itsm.common.permissions import COORDINATORS_GROUP, DATA_PROTECTION_GROUP

# The person of every test: written in ways the desk meets them.
NAME, SURNAMES = "Eulalia", "Zubizarreta Quiñones"
TAX_ID = "47382910N"
EMAIL = "eulalia.zq@correo.example"
PHONE = "612345987"


@pytest.fixture
def data_protection(reference, django_user_model):
    """A coordinator who also has the data-protection role."""
    user = django_user_model.objects.create_user(
        username="dpd", password="test-password-123", first_name="Delegada"
    )
    user.groups.add(Group.objects.get(name=COORDINATORS_GROUP))
    user.groups.add(Group.objects.get(name=DATA_PROTECTION_GROUP))
    return user


@pytest.fixture
def person(reference):
    return CustomerFactory(
        first_name=NAME, surnames=SURNAMES, tax_id=TAX_ID, email=EMAIL, phone=PHONE
    )


@pytest.fixture
def someone_else(reference):
    return CustomerFactory(
        first_name="Bartolomé", surnames="Ferrándiz", email="bartolo@otro.example"
    )


@pytest.fixture
def desk(person, someone_else, agent, private_media):
    """The person's tickets, notes, files and mail in and out, beside
    someone else's: what an export must hold, and an erasure must remove."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from itsm.services.journal import work_info_add
    from itsm.tests.factories import make_incident, make_work_order
    from notifications import reference_data
    from notifications.models import ResponseTemplate
    from notifications.tests import corpus
    from notifications.tests.factories import png_upload, sent_email, stored

    reference_data.load()
    template = ResponseTemplate.objects.order_by("pk").first()
    made = {"person": [], "other": [], "received": [], "sent": []}
    for customer, key in ((person, "person"), (someone_else, "other")):
        incident = make_incident(user=agent, customer=customer, summary="Depósito de cuentas")
        name = f"{customer.first_name} {customer.surnames}"
        notes = f"Llama {name}, NIF {customer.tax_id}, tel. {customer.phones_summary}"
        text = SimpleUploadedFile(
            f"carta-{customer.surnames.split()[0]}.txt", f"Firmado: {name}".encode()
        )
        work_info_add(ticket=incident, user=agent, notes=notes, attachments=[text, png_upload()])
        made[key] += [incident, make_work_order(user=agent, customer=customer)]
        message = corpus.plain(
            sender=f"{name} <{customer.email}>",
            subject=f"Re: {incident.number} depósito",
            body=f"Soy {name}, mi teléfono es {customer.phones_summary}.",
            attachments=[(f"dni-{customer.surnames.split()[0]}.txt", "text/plain", name.encode())],
        )
        made["received"].append(stored(message))
        made["sent"].append(sent_email(incident, agent, template, f"<{key}@desk.example>"))
    return made
