"""The six response templates of the campaign and their standard documents.
Admins edit them afterwards; rows are matched by title so loading again never
duplicates or overwrites anything."""

from pathlib import Path

from django.apps import apps as global_apps
from django.core.files.base import ContentFile

DOCUMENTS_DIR = Path(__file__).resolve().parent / "documents"

GREETING = "Estimado/a {{ cliente.nombre_completo|default:'cliente' }}:\n\n"
CLOSING = (
    "\n\nPara cualquier aclaración responda a este correo sin modificar el asunto, "
    "que contiene la referencia {{ numero }} de su gestión.\n\n"
    "Atentamente,\n{{ agente }}"
)

RESPONSE_TEMPLATES = [
    # title, applies to, coordinators only, asks amount, body, documents
    (
        "MODIFICACIÓN/RECUPERACIÓN/BAJA DE DATOS",
        "BOTH",
        False,
        False,
        GREETING + "En relación con su solicitud de modificación, recuperación o baja de los "
        "datos de su cuenta de usuario, le adjuntamos el formulario que debe cumplimentar.\n\n"
        "Rellene los apartados que correspondan a la gestión que solicita, fírmelo y "
        "envíenoslo respondiendo a este correo junto con una copia de su documento de "
        "identidad (o del poder de representación si actúa en nombre de una sociedad). "
        "Una vez recibido tramitaremos la solicitud y le confirmaremos el resultado por "
        "esta misma vía."
        "{% if nota %}\n\n{{ nota }}{% endif %}" + CLOSING,
        ["formulario_datos_usuario.pdf"],
    ),
    (
        "SOLICITUD DOCUMENTACIÓN",
        "BOTH",
        False,
        False,
        GREETING + "Para poder continuar con la gestión de su consulta ({{ resumen }}) "
        "necesitamos que nos facilite la siguiente documentación:\n\n"
        "{% if nota %}{{ nota }}{% else %}- Captura de pantalla completa del error, en la que "
        "se vean la fecha y la hora.\n- Descripción de los pasos realizados hasta que aparece "
        "el error.{% endif %}\n\n"
        "Puede enviárnosla respondiendo a este correo. Mientras tanto su gestión "
        "queda pendiente de recibir la información solicitada." + CLOSING,
        [],
    ),
    (
        "VINCULACIÓN – ENVÍO CUADRO DE VINCULACIÓN",
        "BOTH",
        False,
        False,
        GREETING + "Para vincular o desvincular usuarios de la cuenta de abonado"
        "{% if cliente.codigo_flei %} {{ cliente.codigo_flei }}{% endif %} le adjuntamos "
        "el cuadro de vinculación y el formulario de protección de datos (LOPD).\n\n"
        "Indique en el cuadro, para cada usuario, si se vincula (V) o se desvincula (D), con "
        "su nombre, NIF y correo electrónico. El formulario LOPD debe firmarlo el titular de "
        "la cuenta o su representante legal. Envíenos ambos documentos correctamente "
        "cumplimentados respondiendo a este correo; sin ellos no podemos tramitar la "
        "solicitud." + CLOSING,
        ["cuadro_vinculacion.pdf", "formulario_lopd.pdf"],
    ),
    (
        "VINCULACIÓN – VINCULADO",
        "BOTH",
        True,
        False,
        GREETING + "Le confirmamos que hemos tramitado su solicitud de vinculación: los "
        "usuarios indicados en el cuadro de vinculación ya están vinculados a la cuenta de "
        "abonado{% if cliente.codigo_flei %} {{ cliente.codigo_flei }}{% endif %}"
        "{% if cliente.organizacion %} ({{ cliente.organizacion }}){% endif %}.\n\n"
        "A partir de este momento pueden acceder al portal del Colegio de Registradores con "
        "su certificado y presentar legalizaciones de libros y depósitos de cuentas a cargo "
        "de esta cuenta." + "{% if nota %}\n\n{{ nota }}{% endif %}" + CLOSING,
        [],
    ),
    (
        "VINCULACIÓN – DESVINCULADO",
        "BOTH",
        True,
        False,
        GREETING + "Le confirmamos que hemos tramitado su solicitud de desvinculación: los "
        "usuarios indicados en el cuadro de vinculación ya no están vinculados a la cuenta "
        "de abonado{% if cliente.codigo_flei %} {{ cliente.codigo_flei }}{% endif %}"
        "{% if cliente.organizacion %} ({{ cliente.organizacion }}){% endif %}.\n\n"
        "Desde este momento no pueden presentar documentos a cargo de esta cuenta. Los "
        "trámites que ya hubieran enviado siguen su curso normal."
        "{% if nota %}\n\n{{ nota }}{% endif %}" + CLOSING,
        [],
    ),
    (
        "FALTA DE PAGO",
        "BOTH",
        False,
        True,
        GREETING + "Tras revisar su cuenta de abonado"
        "{% if cliente.codigo_flei %} {{ cliente.codigo_flei }}{% endif %} le informamos de "
        "que consta una deuda pendiente de {{ importe }}. Mientras la deuda no esté "
        "saldada el portal no le permite presentar nuevos trámites.\n\n"
        "Puede pagarla desde el portal, en el apartado «Mi cuenta» > «Facturación», con "
        "tarjeta bancaria, o mediante transferencia indicando como concepto su código de "
        "abonado y el número de esta gestión. Los pagos con tarjeta se confirman en FLEI al "
        "momento; las transferencias pueden tardar hasta 48 horas hábiles.\n\n"
        "Si ya ha realizado el pago, responda a este correo adjuntando el justificante y lo "
        "comprobaremos." + "{% if nota %}\n\n{{ nota }}{% endif %}" + CLOSING,
        [],
    ),
]


def load(apps=global_apps) -> None:
    """Create whatever template is missing, with its documents, and make sure
    the seeded documents' files exist in the private storage."""
    ResponseTemplate = apps.get_model("notifications", "ResponseTemplate")
    ResponseTemplateDocument = apps.get_model("notifications", "ResponseTemplateDocument")
    storage = ResponseTemplateDocument._meta.get_field("file").storage

    for title, applies_to, coordinators_only, asks_amount, body, documents in RESPONSE_TEMPLATES:
        template, created = ResponseTemplate.objects.get_or_create(
            title=title,
            defaults={
                "applies_to": applies_to,
                "coordinators_only": coordinators_only,
                "asks_amount": asks_amount,
                "body": body,
            },
        )
        if created:
            for name in documents:
                ResponseTemplateDocument.objects.create(
                    template=template, name=name, file=f"response_templates/{name}"
                )
    seeded = {name for *_, documents in RESPONSE_TEMPLATES for name in documents}
    for document in ResponseTemplateDocument.objects.filter(name__in=seeded):
        if not storage.exists(document.file.name):
            storage.save(
                document.file.name, ContentFile((DOCUMENTS_DIR / document.name).read_bytes())
            )
