"""Response-template bodies render in a sandbox: placeholders work, nothing
else is reachable, and a broken body is an error message, never a 500."""

from decimal import Decimal

import pytest

from notifications.rendering import (
    TemplateRenderError,
    format_amount,
    render_body,
    sample_values,
    template_values,
)
from notifications.services.compose import email_render


def values(**overrides):
    base = {
        "number": "WO0000000000042",
        "summary": "Consulta depósito de cuentas",
        "agent": "Lucía Martín",
        "customer": {"nombre": "Ana", "nombre_completo": "Ana García", "codigo_flei": "F1"},
        "amount": Decimal("1234.5"),
        "note": "",
    }
    base.update(overrides)
    return template_values(**base)


def test_placeholders_are_replaced_in_text_and_html():
    text, html = render_body(
        "Hola {{ cliente.nombre }}: gestión {{ numero }}, deuda {{ importe }}. {{ agente }}",
        values(),
    )
    assert text == "Hola Ana: gestión WO0000000000042, deuda 1.234,50 €. Lucía Martín"
    assert html == f"<p>{text}</p>"


def test_if_for_and_safe_filters_are_available():
    text, _ = render_body(
        "{% if nota %}{{ nota|upper }}{% else %}{{ cliente.apellidos|default:'sin apellidos' }}"
        "{% endif %}{% for letra in numero|truncatechars:3 %}.{% endfor %}",
        values(),
    )
    assert text == "sin apellidos..."


@pytest.mark.parametrize(
    "body",
    [
        "{% load static %}",
        "{% debug %}",
        "{% include 'base.html' %}",
        "{% extends 'base.html' %}",
        "{% url 'home' %}",
        "{% autoescape off %}{{ nota }}{% endautoescape %}",
        "{% now 'Y' %}",
        "{{ nota|safe }}",
        "{{ nota|pprint }}",
        "{% if %}",
        "{% for x %}{% endfor %}",
        "{{ cliente.__class__ }}",
        "{{ numero.__class__.__mro__ }}",
        "{{ nota|no_such_filter }}",
    ],
)
def test_anything_outside_the_sandbox_is_a_syntax_error(body):
    with pytest.raises(TemplateRenderError) as error:
        render_body(body, values())
    assert "error" in str(error.value).lower()


@pytest.mark.parametrize(
    "body",
    [
        "{{ cliente.user.password }}",
        "{{ settings.SECRET_KEY }}",
        "{{ ticket.customer.email }}",
        "{{ user.password }}",
        "{{ request.session }}",
    ],
)
def test_only_the_plain_values_are_reachable(body):
    assert render_body(body, values())[0] == ""


def test_html_escapes_values_and_the_authors_words_alike():
    text, html = render_body(
        "<b>Hola</b> {{ cliente.nombre }}\n\nAdiós",
        values(customer={"nombre": "<script>alert(1)</script>"}),
    )
    assert text == "<b>Hola</b> <script>alert(1)</script>\n\nAdiós"
    assert "<script>" not in html and "<b>" not in html
    assert html == (
        "<p>&lt;b&gt;Hola&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;</p>\n\n<p>Adiós</p>"
    )


def test_amounts_are_written_the_spanish_way():
    assert format_amount(Decimal("1234567.8")) == "1.234.567,80 €"
    assert format_amount(Decimal("0.5")) == "0,50 €"
    assert format_amount(None) == ""


@pytest.mark.django_db
def test_the_seeded_templates_render_with_the_documented_placeholders(response_templates):
    assert len(response_templates) == 6
    for template in response_templates.values():
        text, html = render_body(template.body, sample_values())
        assert text.startswith("Estimado/a Ana García López:"), template.title
        assert "INC000000001234" in text
        assert "{" not in text and "}" not in text


@pytest.mark.django_db
def test_the_message_carries_the_campaign_signature_in_spanish(agent, incident, documentation):
    text, html = email_render(ticket=incident, template=documentation, user=agent)
    assert "Servicio de atención a usuarios · Campaña Libros/Cuentas" in text
    assert f"Referencia {incident.number}: mantenga el asunto" in text
    assert "Colegio de Registradores de la Propiedad" in html
    assert html.startswith("<!doctype html>")


def add_in_the_admin(admin_client, body: str):
    return admin_client.post(
        "/admin/notifications/responsetemplate/add/",
        {
            "title": "PRUEBA",
            "subject_suffix": "Colegio de Registradores",
            "body": body,
            "applies_to": "BOTH",
            "active": "on",
            "documents-TOTAL_FORMS": "0",
            "documents-INITIAL_FORMS": "0",
        },
    )


@pytest.mark.django_db
def test_the_admin_reports_a_broken_body_on_the_form(admin_client, reference):
    response = add_in_the_admin(admin_client, "Hola {% load static %}")
    assert response.status_code == 200
    assert "La plantilla tiene un error" in response.content.decode()
    assert "Hola {% load static %}" in response.content.decode()


@pytest.mark.django_db
def test_the_admin_saves_a_valid_body(admin_client, reference):
    assert add_in_the_admin(admin_client, "Hola {{ cliente.nombre }}").status_code == 302
