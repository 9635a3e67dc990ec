"""Writes the standard documents the seeded response templates attach.

Plain PDF 1.4 (one A4 page, Helvetica, WinAnsi for the Spanish letters), so no
PDF library is needed. Run it again after changing a text:

    .venv/bin/python notifications/documents/generate.py
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent

LINE = "_" * 58

DOCUMENTS: dict[str, tuple[str, list[str]]] = {
    "formulario_datos_usuario.pdf": (
        "Formulario de modificación, recuperación o baja de datos",
        [
            "Colegio de Registradores de la Propiedad, Bienes Muebles y Mercantiles de España",
            "Campaña Libros/Cuentas · Servicio de atención a usuarios",
            "",
            "Marque la gestión que solicita:",
            "[  ] Modificación de datos     [  ] Recuperación de datos de acceso     [  ] Baja",
            "",
            "Nombre y apellidos / razón social: " + LINE,
            "NIF / NIE / CIF: " + LINE,
            "Código de abonado (FLEI): " + LINE,
            "Correo electrónico registrado: " + LINE,
            "Teléfono de contacto: " + LINE,
            "",
            "Datos que deben modificarse (dato actual y dato nuevo):",
            LINE + LINE[:20],
            LINE + LINE[:20],
            "",
            "Motivo de la baja (solo si la solicita): " + LINE,
            "",
            "Adjunte copia del documento de identidad del solicitante o, si actúa en",
            "nombre de una sociedad, del poder de representación.",
            "",
            "Firma del solicitante:                                Fecha:",
            "",
            "Envíe este formulario firmado respondiendo al correo en el que lo recibió,",
            "sin modificar el asunto.",
        ],
    ),
    "cuadro_vinculacion.pdf": (
        "Cuadro de vinculación de usuarios",
        [
            "Colegio de Registradores · Campaña Libros/Cuentas",
            "",
            "Datos del abonado titular de la cuenta",
            "Razón social / nombre: " + LINE,
            "CIF / NIF: " + LINE,
            "Código de abonado (FLEI): " + LINE,
            "",
            "Usuarios que se vinculan (V) o desvinculan (D):",
            "V/D   Nombre y apellidos                 NIF          Correo electrónico",
            "___   ______________________________   __________   ______________________",
            "___   ______________________________   __________   ______________________",
            "___   ______________________________   __________   ______________________",
            "___   ______________________________   __________   ______________________",
            "",
            "Persona de contacto y teléfono: " + LINE,
            "",
            "El cuadro debe enviarse junto con el formulario LOPD firmado por el",
            "titular o su representante legal. Sin ambos documentos correctamente",
            "cumplimentados no podrá tramitarse la solicitud.",
            "",
            "Firma del titular o representante:                    Fecha:",
        ],
    ),
    "formulario_lopd.pdf": (
        "Formulario de protección de datos (LOPD)",
        [
            "Colegio de Registradores de la Propiedad, Bienes Muebles y Mercantiles de España",
            "",
            "Información básica sobre protección de datos",
            "Responsable: Colegio de Registradores de la Propiedad, Bienes Muebles y",
            "Mercantiles de España.",
            "Finalidad: gestionar el alta, vinculación o desvinculación de usuarios en el",
            "portal y atender sus solicitudes de soporte.",
            "Legitimación: ejecución de la relación de abono y consentimiento del interesado.",
            "Destinatarios: no se cederán datos a terceros salvo obligación legal.",
            "Derechos: acceso, rectificación, supresión, oposición, limitación y",
            "portabilidad, dirigiéndose al Colegio por escrito.",
            "",
            "Titular de la cuenta: " + LINE,
            "CIF / NIF: " + LINE,
            "Representante legal: " + LINE,
            "NIF del representante: " + LINE,
            "",
            "[  ] Autorizo el tratamiento de los datos de los usuarios indicados en el",
            "     cuadro de vinculación para las finalidades descritas.",
            "",
            "Firma:                                                Fecha:",
        ],
    ),
}


def pdf_text(text: str) -> bytes:
    """A PDF string literal in WinAnsiEncoding (cp1252), non-ASCII as octal."""
    out = bytearray(b"(")
    for byte in text.encode("cp1252"):
        if byte in b"()\\":
            out += b"\\" + bytes([byte])
        elif byte < 32 or byte > 126:
            out += f"\\{byte:03o}".encode()
        else:
            out.append(byte)
    return bytes(out + b")")


def build_pdf(title: str, lines: list[str]) -> bytes:
    content = bytearray(b"BT\n/F2 15 Tf\n56 780 Td\n" + pdf_text(title) + b" Tj\n")
    content += b"/F1 10 Tf\n0 -30 Td\n14 TL\n"
    for line in lines:
        content += pdf_text(line) + b" Tj T*\n"
    content += b"ET\n"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Length "
        + str(len(content)).encode()
        + b" >>\nstream\n"
        + bytes(content)
        + b"endstream",
        b"<< /Title " + pdf_text(title) + b" /Producer (Servicio Libros/Cuentas) >>",
    ]
    pdf = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(pdf)
    pdf += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        pdf += f"{offset:010d} 00000 n \n".encode()
    pdf += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(pdf)


def main() -> None:
    for name, (title, lines) in DOCUMENTS.items():
        (HERE / name).write_bytes(build_pdf(title, lines))
        print(f"wrote {HERE / name}")


if __name__ == "__main__":
    main()
