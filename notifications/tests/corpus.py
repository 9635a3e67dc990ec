"""Real-world-shaped messages, written here with the stdlib or by hand: the
traps of each kind that mail clients, gateways and mail servers set."""

import binascii
import struct
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, make_msgid

from django.utils import timezone

CUSTOMER = "ana.garcia@example.com"
DESK = "soporte@registradores.example"


def plain(
    *,
    subject: str = "Consulta sobre el depósito de cuentas",
    body: str = "Buenos días,\n\nno puedo enviar el depósito de cuentas.\n\nUn saludo,\nAna",
    sender: str = f"Ana García <{CUSTOMER}>",
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] = (),
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = DESK
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = message_id or make_msgid(domain="example.com")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for name, content_type, content in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return bytes(message)


def reply(
    *, subject: str, in_reply_to: str = "", references: str = "", body: str = "", **kwargs
) -> bytes:
    headers = kwargs.pop("headers", {}) or {}
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
    if references:
        headers["References"] = references
    body = body or (
        "Gracias, ya lo he podido enviar.\n\n"
        "El lun, 1 dic 2026 a las 10:00, Soporte escribió:\n> Pruebe de nuevo, por favor.\n"
    )
    return plain(subject=subject, body=body, headers=headers, **kwargs)


def by_hand(text: str) -> bytes:
    """A message written as a mail server would have it: CRLF line ends."""
    return text.replace("\n", "\r\n").encode("latin-1")


def windows_1252_labelled_latin1() -> bytes:
    # Outlook's favourite: curly quotes and € in a part that says iso-8859-1.
    head = (
        f"From: Ana <{CUSTOMER}>\nTo: {DESK}\nSubject: Presupuesto\n"
        "Message-ID: <cp1252@example.com>\nMIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\n"
    ).replace("\n", "\r\n")
    return head.encode() + "Pagué 30 € y sigue “pendiente”.\r\n".encode("cp1252")


def unknown_8bit() -> bytes:
    head = (
        f"From: Ana <{CUSTOMER}>\nTo: {DESK}\nSubject: Sin etiqueta\n"
        "Message-ID: <unknown8bit@example.com>\nMIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=unknown-8bit\n\n"
    ).replace("\n", "\r\n")
    return head.encode() + "Añadí el código de la sección.\r\n".encode()


def undeclared_8bit_headers() -> bytes:
    # No MIME at all, raw UTF-8 in the Subject and the body.
    return (
        f"From: José Núñez <{CUSTOMER}>\r\nTo: {DESK}\r\n"
        "Subject: Legalización de libros: ¿cuándo?\r\nMessage-ID: <raw8bit@example.com>\r\n\r\n"
        "¿Cuándo estará legalizado?\r\n"
    ).encode()


def bogus_charset() -> bytes:
    return by_hand(
        f"From: Ana <{CUSTOMER}>\nTo: {DESK}\nSubject: Charset falso\n"
        "Message-ID: <bogus@example.com>\nMIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=x-no-such-charset\n\nHola\n"
    )


def encoded_words() -> bytes:
    # RFC 2047 subject and name; RFC 2231 file name.
    return by_hand(
        "From: =?utf-8?q?Mar=C3=ADa_Ib=C3=A1=C3=B1ez?= <maria@example.com>\n"
        f"To: {DESK}\n"
        "Subject: =?iso-8859-1?q?Solicitud_de_vinculaci=F3n?= =?utf-8?b?wr/Dp8OzbW8/?=\n"
        "Message-ID: <encoded@example.com>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="b1"\n\n'
        "--b1\nContent-Type: text/plain; charset=utf-8\n\nAdjunto el cuadro.\n"
        "--b1\nContent-Type: application/pdf\n"
        "Content-Disposition: attachment; filename*=utf-8''cuadro%20vinculaci%C3%B3n.pdf\n"
        "Content-Transfer-Encoding: base64\n\nJVBERi0xLjQKJcOkw7w=\n"
        "--b1--\n"
    )


def html_only(html: str | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = f"Ana <{CUSTOMER}>"
    message["To"] = DESK
    message["Subject"] = "Captura del error"
    message["Message-ID"] = make_msgid(domain="example.com")
    message.set_content(
        html or "<html><body><p>Hola,</p><p>el portal dice <b>ERROR 23</b>.</p></body></html>",
        subtype="html",
    )
    return bytes(message)


HOSTILE_HTML = (
    "<html><head><style>body{display:none}</style><script>window.pwned=1</script></head>"
    '<body><p id="visible">Texto visible</p>'
    '<img src="x" onerror="window.pwned=2">'
    '<img src="https://tracker.example.net/pixel.gif" alt="pixel">'
    '<a href="javascript:alert(1)">pincha</a>'
    '<form action="https://evil.example"><input name="p"></form>'
    '<iframe src="https://evil.example"></iframe>'
    '<div style="position:fixed;top:0;left:0;width:100%;height:100%">encima</div>'
    "</body></html>"
)


def inline_image() -> bytes:
    root = MIMEMultipart("related")
    root["From"] = f"Ana <{CUSTOMER}>"
    root["To"] = DESK
    root["Subject"] = "Pantallazo"
    root["Message-ID"] = make_msgid(domain="example.com")
    root.attach(MIMEText('<p>Mire:</p><img src="cid:shot1@example.com">', "html", "utf-8"))
    image = MIMEImage(PNG, "png")
    image["Content-ID"] = "<shot1@example.com>"
    image["Content-Disposition"] = "inline"
    root.attach(image)
    return root.as_bytes()


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a2d8a9c00000000049454e44ae426082"
)


def _with_text(subject: str, message_id: str, text: str) -> EmailMessage:
    """A message from the customer to the desk with its text, ready for attachments."""
    message = EmailMessage()
    message["From"] = f"Ana <{CUSTOMER}>"
    message["To"] = DESK
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message.set_content(text)
    return message


def nested_message() -> bytes:
    inner = plain(subject="Mensaje original reenviado", message_id="<inner@example.com>")
    outer = _with_text(
        "Fwd: Mensaje original reenviado", "<outer@example.com>", "Le reenvío lo que me llegó."
    )
    outer.add_attachment(message_from_bytes(inner, policy=policy.default))
    return bytes(outer)


def no_name_attachment() -> bytes:
    return by_hand(
        f"From: Ana <{CUSTOMER}>\nTo: {DESK}\nSubject: Sin nombre\n"
        "Message-ID: <noname@example.com>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="b1"\n\n'
        "--b1\nContent-Type: text/plain\n\nAdjunto.\n"
        "--b1\nContent-Type: application/pdf\nContent-Disposition: attachment\n"
        "Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n"
        "--b1--\n"
    )


def tnef_blob(files: list[tuple[str, bytes]], body: str = "") -> bytes:
    def attribute(level: int, attribute_id: int, kind: int, data: bytes) -> bytes:
        checksum = sum(data) & 0xFFFF
        return (
            bytes([level])
            + struct.pack("<II", (kind << 16) | attribute_id, len(data))
            + data
            + struct.pack("<H", checksum)
        )

    blob = struct.pack("<IH", 0x223E9F78, 0x1234)
    if body:
        blob += attribute(1, 0x800C, 0x0002, body.encode("cp1252"))
    for name, data in files:
        blob += attribute(2, 0x9002, 0x0006, b"\x01\x00" + b"\x00" * 12)
        blob += attribute(2, 0x8010, 0x0001, name.encode("cp1252") + b"\x00")
        blob += attribute(2, 0x800F, 0x0006, data)
    return blob


def winmail() -> bytes:
    message = _with_text(
        "Documentación (Outlook)", "<winmail@example.com>", "Adjunto la documentación."
    )
    blob = tnef_blob([("informe.pdf", b"%PDF-1.4 informe"), ("datos.txt", b"hola")])
    message.add_attachment(blob, maintype="application", subtype="ms-tnef", filename="winmail.dat")
    return bytes(message)


def uuencoded() -> bytes:
    data = b"contenido del fichero de prueba\n" * 3
    lines = [
        binascii.b2a_uu(data[i : i + 45]).decode().rstrip("\n") for i in range(0, len(data), 45)
    ]
    body = "Le envío el fichero.\n\nbegin 644 prueba.txt\n" + "\n".join(lines) + "\n`\nend\n"
    return plain(subject="Fichero uuencode", body=body, message_id="<uu@example.com>")


def no_message_id() -> bytes:
    return by_hand(f"From: Ana <{CUSTOMER}>\nTo: {DESK}\nSubject: Sin Message-ID\n\nHola.\n")


# --- automatic mail ------------------------------------------------------------


def auto_reply(
    kind: str, *, subject: str = "Re: INC000000000001 Colegio de Registradores"
) -> bytes:
    headers = {
        "auto-submitted": {"Auto-Submitted": "auto-replied"},
        "precedence": {"Precedence": "bulk"},
        "x-autoreply": {"X-Autoreply": "yes"},
        "x-autorespond": {"X-Autorespond": "yes"},
        "suppress": {"X-Auto-Response-Suppress": "All"},
        "list-id": {"List-Id": "<avisos.example.com>"},
        "list-unsubscribe": {"List-Unsubscribe": "<mailto:baja@example.com>"},
        "return-path": {"Return-Path": "<>"},
        "subject": {},
    }[kind]
    return plain(subject=subject, body="Estaré fuera hasta el lunes.", headers=headers)


AUTO_REPLY_SUBJECTS = [
    "Respuesta automática: INC000000000001 Colegio de Registradores",
    "Fuera de la oficina: consulta",
    "Automatic reply: INC000000000001 Colegio de Registradores",
    "Out of Office: consulta",
    "RE: Respuesta automática: consulta",
]


def mailer_daemon_plain(message_id: str, *, recipient: str = CUSTOMER) -> bytes:
    """Qmail / old Exim style: no multipart/report, the original quoted."""
    return by_hand(
        "From: MAILER-DAEMON@mx.example.com\n"
        f"To: {DESK}\nSubject: failure notice\nMessage-ID: <qmail-bounce@mx.example.com>\n\n"
        "Hi. This is the qmail-send program at mx.example.com.\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\n\n"
        f"<{recipient}>:\n550 5.1.1 The email account that you tried to reach does not exist.\n\n"
        "--- Below this line is a copy of the message.\n\n"
        f"Message-ID: {message_id}\nSubject: INC000000000001 Colegio de Registradores\n"
    )


def dsn(message_id: str, *, status: str = "5.1.1", recipient: str = CUSTOMER) -> bytes:
    """RFC 3464 delivery status notification (Postfix style)."""
    diagnostic = (
        "smtp; 550 5.1.1 <ana.garcia@example.com>: Recipient address rejected: User unknown"
        if status.startswith("5")
        else "smtp; 451 4.2.2 Mailbox full, try again later"
    )
    return by_hand(
        "Return-Path: <>\n"
        "From: MAILER-DAEMON@mx.registradores.example (Mail Delivery System)\n"
        f"To: {DESK}\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        "Auto-Submitted: auto-replied\n"
        "Message-ID: <dsn-1@mx.registradores.example>\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="r1"\n\n'
        "--r1\nContent-Type: text/plain\n\n"
        "This is the mail system at host mx.registradores.example.\n"
        "I'm sorry to have to inform you that your message could not be delivered.\n"
        "--r1\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.registradores.example\n\n"
        f"Final-Recipient: rfc822; {recipient}\nAction: failed\nStatus: {status}\n"
        f"Diagnostic-Code: {diagnostic}\n"
        "--r1\nContent-Type: text/rfc822-headers\n\n"
        f"From: {DESK}\nTo: {recipient}\nSubject: INC000000000001 Colegio de Registradores\n"
        f"Message-ID: {message_id}\n"
        "--r1--\n"
    )


def exchange_ndr(message_id: str) -> bytes:
    """Exchange's non-delivery report: a multipart/report with the whole
    original attached as message/rfc822, and a Spanish subject."""
    original = plain(
        sender=DESK,
        subject="WO0000000000001 Colegio de Registradores",
        message_id=message_id,
    ).decode()
    return by_hand(
        "From: postmaster@outlook.example\n"
        f"To: {DESK}\n"
        "Subject: No se puede entregar: WO0000000000001 Colegio de Registradores\n"
        "Message-ID: <ndr@outlook.example>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="r2"\n\n'
        "--r2\nContent-Type: text/plain; charset=us-ascii\n\n"
        "No se pudo entregar el mensaje. 550 5.1.10 RESOLVER.ADR.RecipientNotFound\n"
        "--r2\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns;outlook.example\n\n"
        f"Final-Recipient: rfc822;{CUSTOMER}\nAction: failed\nStatus: 5.1.10\n"
        "Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; not found\n"
        "--r2\nContent-Type: message/rfc822\n\n" + original.replace("\r\n", "\n") + "\n--r2--\n"
    )


def own_mail(message_id: str = "<123.456@registradores.example>") -> bytes:
    return plain(
        sender=f"Soporte Libros/Cuentas <{DESK}>",
        subject="INC000000000001 Colegio de Registradores",
        message_id=message_id,
    )


def binary_garbage() -> bytes:
    return bytes(range(256)) * 40


def huge(size: int) -> bytes:
    head = plain(subject="Muy grande", message_id="<huge@example.com>")
    return head + b"x" * size
