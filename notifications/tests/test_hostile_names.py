"""Names and file names a person or a mail controls: made safe once, at the
boundary, and the same way on every path."""

from email import message_from_bytes, policy

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers.forms import CustomerForm
from customers.models import Customer
from customers.tests.factories import CustomerFactory
from incidents.models import IncidentWorkInfo
from itsm.attachments import validate_attachment
from itsm.common.text import clean_file_name, has_real_extension
from itsm.models import WorkInfoType
from itsm.presenters import entry_text
from itsm.tests.factories import make_incident
from notifications.forms import ResponseTemplateDocumentForm
from notifications.models import EmailStatus, OutgoingEmail
from notifications.services.compose import email_send
from notifications.services.delivery import build_message, email_deliver
from notifications.tests.factories import PDF, pdf_upload

ENCODED_SURNAME = "=?utf-8?q?victim7=40evil=2Eexample=0D=0ABcc=3A_x?="
RLO = "\u202e"


def customer_form(**overrides) -> CustomerForm:
    data = {"kind": "citizen", "first_name": "Eva", "surnames": "Ruiz", "email": "eva@example.com"}
    data.update(overrides)
    return CustomerForm(data=data)


@pytest.mark.parametrize("field", ["first_name", "surnames", "organisation"])
def test_a_customer_name_with_an_encoded_word_is_refused_in_spanish(reference, field):
    form = customer_form(**{field: ENCODED_SURNAME})

    assert not form.is_valid()
    assert "los programas de correo lo leerían como texto codificado" in str(form.errors[field])


def test_a_customer_name_is_kept_on_one_line(reference):
    form = customer_form(first_name="Eva\r\nBcc: x@evil.example", surnames="Ruiz\u2028Gil")

    assert form.is_valid(), form.errors
    assert form.cleaned_data["first_name"] == "Eva Bcc: x@evil.example"
    assert form.cleaned_data["surnames"] == "Ruiz Gil"


def test_a_stored_name_with_an_encoded_word_still_gets_its_mail_with_one_recipient(
    agent, reference, documentation, mailoutbox
):
    # A row written before the form refused it.
    customer = CustomerFactory(
        first_name="Víctima", surnames=ENCODED_SURNAME, email="v@example.com"
    )
    ticket = make_incident(user=agent, customer=customer)
    email = email_send(ticket=ticket, user=agent, template=documentation)

    assert email_deliver(email_id=email.pk).status == EmailStatus.SENT
    parsed = message_from_bytes(mailoutbox[0].message().as_bytes(), policy=policy.default)
    assert [a.addr_spec for a in parsed["To"].addresses] == ["v@example.com"]
    assert parsed["Bcc"] is None and parsed["Cc"] is None
    assert "\n" not in str(parsed["To"])


def test_a_message_that_cannot_be_built_says_why_on_the_ticket(
    agent, reference, documentation, mailoutbox
):
    customer = CustomerFactory(email="ana@example.com")
    ticket = make_incident(user=agent, customer=customer)
    email = email_send(ticket=ticket, user=agent, template=documentation)
    # The address was made unusable after the message was queued.
    OutgoingEmail.objects.filter(pk=email.pk).update(to_email="ana@exa\nmple.com")

    assert email_deliver(email_id=email.pk).status == EmailStatus.FAILED
    entry = IncidentWorkInfo.objects.filter(ticket=ticket, type=WorkInfoType.EMAIL_SYSTEM).get()
    text = entry_text(entry)
    assert "No se puede componer el mensaje" in text
    assert "no se pueden escribir en la cabecera de un correo" in text
    assert mailoutbox == []


def test_a_customer_whose_address_cannot_be_written_is_refused_before_queueing(
    agent, reference, documentation
):
    customer = CustomerFactory(email="ana@example.com")
    ticket = make_incident(user=agent, customer=customer)
    # A row written before the form checked addresses.
    Customer.objects.filter(pk=customer.pk).update(email="ana@exa\nmple.com")
    ticket.customer.refresh_from_db()

    with pytest.raises(ValidationError) as error:
        email_send(ticket=ticket, user=agent, template=documentation)
    assert "ficha del cliente" in " ".join(error.value.messages)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (f"contrato{RLO}fdp.exe", "contratofdp.exe"),
        # Separators and markup are replaced, not cut at: the name keeps what it says.
        ("</script>.pdf", "_script_.pdf"),
        ("<img src=x onerror=alert(1)>.png", "_img src=x onerror=alert(1)_.png"),
        ("C:\\Users\\ana\\informe.pdf", "C_Users_ana_informe.pdf"),
        ("../../etc/passwd.txt", "_.._etc_passwd.txt"),
        ('fac|tura?"*.pdf', "fac_tura_.pdf"),
        ("a\r\nBcc: x.pdf", "a Bcc_ x.pdf"),
        ("na\u200bme\u2066.pdf", "name.pdf"),
        ("e\u0301xito.pdf", "éxito.pdf"),
        ("  two   spaces .pdf ", "two spaces .pdf"),
    ],
)
def test_one_cleaner_makes_every_file_name_safe(raw, clean):
    assert clean_file_name(raw) == clean


def test_a_long_name_is_shortened_before_its_extension():
    cleaned = clean_file_name("informe " * 40 + "final.pdf")

    assert len(cleaned) == 150
    assert cleaned.endswith(".pdf")


@pytest.mark.parametrize("name", ["README", "...txt", ".pdf", "informe.", "a.p df", ""])
def test_a_name_without_a_real_extension_has_none(name):
    assert not has_real_extension(clean_file_name(name))


@pytest.mark.parametrize("name", ["...txt", "README", ".txt", f"{RLO}"])
def test_an_upload_without_a_real_extension_is_refused(name):
    upload = SimpleUploadedFile(name, b"hola\n", content_type="text/plain")

    with pytest.raises(ValidationError) as error:
        validate_attachment(upload)
    assert error.value.code == "attachment_no_extension"


def test_an_upload_keeps_its_cleaned_name():
    upload = SimpleUploadedFile(f"contrato{RLO}fdp.pdf", PDF, content_type="application/pdf")

    validate_attachment(upload)

    assert upload.name == "contratofdp.pdf"


def test_the_size_message_shows_the_exact_limit_and_size(settings):
    settings.ITSM_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    upload = SimpleUploadedFile("big.txt", b"a" * (10 * 1024 * 1024 + 1))

    with pytest.raises(ValidationError) as error:
        validate_attachment(upload)

    message = error.value.messages[0].replace("\xa0", " ")
    assert "10 485 761 bytes" in message
    assert "10 485 760 bytes" in message


def test_a_standard_document_name_goes_through_the_same_cleaner(documentation):
    form = ResponseTemplateDocumentForm(
        data={"template": documentation.pk, "name": f"contrato{RLO}fdp.pdf"},
        files={"file": pdf_upload("x.pdf")},
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["name"] == "contratofdp.pdf"


@pytest.mark.parametrize("name", ["...txt", "README"])
def test_a_standard_document_without_a_real_extension_is_refused(documentation, name):
    form = ResponseTemplateDocumentForm(
        data={"template": documentation.pk, "name": name}, files={"file": pdf_upload("x.pdf")}
    )

    assert not form.is_valid()
    assert "no tiene extensión de archivo" in str(form.errors["name"])


def test_an_old_document_name_with_an_override_is_cleaned_in_the_mail(
    agent, incident, documentation, mailoutbox
):
    documentation.documents.create(
        name=f"contrato{RLO}fdp.exe.pdf", file="response_templates/formulario_lopd.pdf"
    )
    email = email_send(ticket=incident, user=agent, template=documentation)

    names = [part.get_filename() for part in build_message(email).message().walk()]

    assert "contratofdp.exe.pdf" in names
    assert not any(RLO in (name or "") for name in names)


def test_customer_rows_from_the_form_never_hold_an_encoded_word(reference):
    customer_form(surnames=ENCODED_SURNAME).is_valid()

    assert not Customer.objects.filter(surnames__contains="=?").exists()


def test_the_document_view_serves_a_standard_document_to_agents_only(
    client, agent, outsider, linking
):
    document = linking.documents.order_by("pk").first()
    url = reverse("notifications:document", args=[document.pk])

    client.force_login(outsider)
    assert client.get(url).status_code == 403
    client.force_login(agent)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert document.name in response["Content-Disposition"]
