"""Parsing real-world-shaped mail: charsets, encoded words, HTML-only,
inline images, nested messages, winmail.dat, uuencode, limits, quotes."""

import pytest

from notifications import parsing, tnef
from notifications.classify import bounce_report, subject_ticket_numbers
from notifications.models import InboundEmail
from notifications.parsing import MessageLimits, parse_bytes, parse_message
from notifications.presenters import sanitise_html
from notifications.quoting import split_quoted
from notifications.tests import corpus

DESK_HOSTS = ["desk.example"]


def test_windows_1252_labelled_iso_8859_1_keeps_the_euro_and_the_quotes():
    parsed = parse_message(corpus.windows_1252_labelled_latin1())
    assert parsed.text == "Pagué 30 € y sigue “pendiente”."


def test_unknown_8bit_is_decoded_by_a_guess():
    assert parse_message(corpus.unknown_8bit()).text == "Añadí el código de la sección."


def test_undeclared_8bit_headers_and_body_are_read():
    parsed = parse_message(corpus.undeclared_8bit_headers())
    assert parsed.subject == "Legalización de libros: ¿cuándo?"
    assert parsed.from_name == "José Núñez"
    assert parsed.text == "¿Cuándo estará legalizado?"


def test_an_unknown_charset_name_never_raises():
    assert parse_message(corpus.bogus_charset()).text == "Hola"


def test_rfc2047_subject_and_name_and_rfc2231_file_name():
    parsed = parse_message(corpus.encoded_words())
    assert parsed.subject == "Solicitud de vinculación¿çómo?"  # adjacent words join
    assert parsed.from_name == "María Ibáñez"
    assert [a.name for a in parsed.attachments] == ["cuadro vinculación.pdf"]
    assert parsed.attachments[0].content.startswith(b"%PDF")


def test_html_only_mail_gets_a_text_for_the_preview_and_the_search():
    parsed = parse_message(corpus.html_only())
    assert "el portal dice ERROR 23." in " ".join(parsed.text.split())
    assert "<b>ERROR 23</b>" in parsed.html


def test_inline_images_keep_their_content_id():
    parsed = parse_message(corpus.inline_image())
    [image] = parsed.attachments
    assert image.content_id == "shot1@example.com"
    assert image.inline and image.content_type == "image/png"
    assert image.name == "adjunto-1.png"


def test_a_nested_message_is_kept_as_an_eml_attachment():
    parsed = parse_message(corpus.nested_message())
    [nested] = parsed.attachments
    assert nested.name == "Mensaje original reenviado.eml"
    assert nested.content_type == "message/rfc822"
    assert b"Message-ID: <inner@example.com>" in nested.content
    assert parsed.text == "Le reenvío lo que me llegó."


def test_an_attachment_without_a_name_gets_one_from_its_type():
    parsed = parse_message(corpus.no_name_attachment())
    assert [a.name for a in parsed.attachments] == ["adjunto-1.pdf"]


def test_winmail_dat_is_unpacked():
    parsed = parse_message(corpus.winmail())
    assert [(a.name, a.content) for a in parsed.attachments] == [
        ("informe.pdf", b"%PDF-1.4 informe"),
        ("datos.txt", b"hola"),
    ]


def test_tnef_reads_the_body_and_refuses_what_is_not_tnef():
    body, files = tnef.unpack(corpus.tnef_blob([("a.txt", b"x")], body="Cuerpo"))
    assert body == "Cuerpo" and files == [("a.txt", b"x")]
    assert tnef.unpack(b"not tnef at all") is None
    assert tnef.unpack(corpus.tnef_blob([("a.txt", b"x")])[:20]) == ("", [])


def test_uuencoded_files_are_taken_out_of_the_body():
    parsed = parse_message(corpus.uuencoded())
    assert parsed.text == "Le envío el fichero."
    [attachment] = parsed.attachments
    assert attachment.name == "prueba.txt"
    assert attachment.content == b"contenido del fichero de prueba\n" * 3


def test_too_deep_a_message_raises_limits(monkeypatch):
    monkeypatch.setattr(parsing, "MAX_DEPTH", 1)
    with pytest.raises(MessageLimits):
        parse_message(corpus.nested_message())


def test_too_many_parts_raises_limits(monkeypatch):
    monkeypatch.setattr(parsing, "MAX_PARTS", 2)
    with pytest.raises(MessageLimits):
        parse_message(corpus.winmail())


@pytest.mark.parametrize(
    "raw", [b"", corpus.binary_garbage(), b"\xff\xfe\x00", b"From: \x80\x81\r\n\r\n\x82"]
)
def test_garbage_parses_to_something(raw):
    parse_message(raw)


def test_quotes_are_folded_after_the_new_text():
    new, quoted = split_quoted(
        "Ya funciona.\n\nEl lun, 1 dic 2026, Soporte escribió:\n> Pruebe otra vez\n"
    )
    assert new == "Ya funciona."
    assert quoted.startswith("El lun, 1 dic 2026, Soporte escribió:")


def test_outlook_header_blocks_start_the_history():
    new, quoted = split_quoted(
        "Adjunto el documento.\n\n________________________________\n"
        "De: Soporte <soporte@registradores.example>\nEnviado: lunes\n\nTexto anterior"
    )
    assert new == "Adjunto el documento."
    assert "Texto anterior" in quoted


def test_a_message_that_is_all_quote_is_shown_whole():
    assert split_quoted("> solo cita") == ("> solo cita", "")


def test_a_de_line_inside_a_paragraph_is_not_a_quote():
    text = "Hola,\nde: nada, gracias"
    assert split_quoted(text) == (text, "")


@pytest.mark.parametrize(
    "subject,numbers",
    [
        ("RE: INC000000001234 Colegio de Registradores", ["INC000000001234"]),
        ("rv: wo0000000001234", ["WO0000000001234"]),
        ("Fwd:[INC000000001234]", ["INC000000001234"]),
        ("INC0000000012345 (13 digits)", []),
        ("XINC000000001234", []),
        ("nothing here", []),
    ],
)
def test_ticket_numbers_in_subjects(subject, numbers):
    assert subject_ticket_numbers(subject) == numbers


def test_a_dsn_gives_the_original_id_the_status_and_the_diagnostic():
    raw = corpus.dsn("<orig@registradores.example>")
    report = bounce_report(parse_bytes(raw), parse_message(raw))
    assert report.original_message_ids == ["<orig@registradores.example>"]
    assert report.status == "5.1.1" and report.permanent
    assert "User unknown" in report.diagnostic
    assert report.recipient == "ana.garcia@example.com"


def test_a_qmail_bounce_gives_the_status_from_its_text():
    raw = corpus.mailer_daemon_plain("<orig@registradores.example>")
    report = bounce_report(parse_bytes(raw), parse_message(raw))
    assert report.original_message_ids == ["<orig@registradores.example>"]
    assert report.status == "5.1.1"


def test_sanitising_keeps_text_and_links_and_drops_everything_active():
    email = InboundEmail(pk=1, body_html=corpus.HOSTILE_HTML)
    html = sanitise_html(email, show_images=False, cid_urls={}, desk_hosts=DESK_HOSTS)
    assert "Texto visible" in html
    for bad in ("script", "onerror", "javascript", "<form", "<iframe", "style", "pixel.gif"):
        assert bad not in html
    shown = sanitise_html(email, show_images=True, cid_urls={}, desk_hosts=DESK_HOSTS)
    assert 'src="https://tracker.example.net/pixel.gif"' in shown


def test_cid_images_point_at_our_storage_and_unknown_ones_vanish():
    email = InboundEmail(pk=1, body_html='<img src="cid:a@b"><img src="cid:zzz">')
    html = sanitise_html(
        email, show_images=False, cid_urls={"a@b": "/mailbox/1/files/1/"}, desk_hosts=DESK_HOSTS
    )
    assert html.count("<img") == 2
    assert 'src="/mailbox/1/files/1/"' in html
    assert "cid:" not in html


def test_a_comma_inside_an_encoded_name_does_not_split_the_sender():
    parsed = parse_message(
        corpus.by_hand(
            "From: =?utf-8?q?Garc=C3=ADa=2C_Ana?= <ana@example.com>\n"
            "To: a@example.com, =?utf-8?q?L=C3=B3pez=2C_Luis?= <luis@example.com>\n"
            "Subject: x\n\nHola\n"
        )
    )
    assert (parsed.from_name, parsed.from_address) == ("García, Ana", "ana@example.com")
    assert parsed.to == "a@example.com, luis@example.com"
