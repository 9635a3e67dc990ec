"""Links from content someone outside wrote: kept only when they lead away
from the desk, written back as exactly what was checked."""

import pytest
from django.test import RequestFactory

from itsm.common.links import desk_hosts, outside_url

DESK = ["desk.example", "127.0.0.1", "[::1]", ".intranet.example"]
ALL = frozenset({"http", "https", "mailto", "tel"})


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("https://evil.example/x?a=1#b", "https://evil.example/x?a=1#b"),
        ("HTTPS://Evil.Example:8443/x", "https://evil.example:8443/x"),
        ("  https://evil.example/\n", "https://evil.example/"),
        ("ht\ttps://evil.example/", "https://evil.example/"),
        ("//evil.example/a", "https://evil.example/a"),
        ("https://user:secret@evil.example/", "https://evil.example/"),
        ("https://desk.example\\@evil.example/", None),
        ("https://éxample.es/ruta", "https://xn--xample-9ua.es/ruta"),
        ("mailto:ana@example.com?subject=Hola", "mailto:ana@example.com?subject=Hola"),
        ("tel:+34 600 000 000", "tel:+34 600 000 000"),
    ],
)
def test_a_link_to_another_site_is_kept_as_checked(value, written):
    assert outside_url(value, desk_hosts=DESK, schemes=ALL) == written


@pytest.mark.parametrize(
    "value",
    [
        # Into the desk, however its host is written.
        "/mailbox/71/files/1/?inline=1",
        "logout/",
        "?images=1",
        "#top",
        "https://desk.example/logout/",
        "https://DESK.example./x",
        "https://%64esk.example/",
        "https://ｄｅｓｋ．example/",
        "https://user@desk.example/",
        "//desk.example/mailbox/",
        "https://a.intranet.example/",
        "http://127.0.0.1:8000/",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://0177.0.0.1/",
        "http://127.0.0.１/",
        "http://[0:0::1]/",
        # Scripts, in every spelling a browser still reads as one.
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java\x00script:alert(1)",
        "java\ufffdscript:alert(1)",
        "\x01javascript:alert(1)",
        "java\tscript:alert(1)",
        "\u2028javascript:alert(1)",
        "\u2029javascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>",
        # Read differently by browsers and by Python, or hiding what they say.
        "https:evil.example",
        "https:/evil.example",
        "https:\\\\evil.example",
        "https://evil.example/\u202egpj.exe",
        "https://evil.example:99999/",
        "https://",
        "mailto:",
        "ftp://evil.example/",
    ],
)
def test_any_other_link_is_refused(value):
    assert outside_url(value, desk_hosts=DESK, schemes=ALL) is None


def test_mailto_is_refused_where_only_web_addresses_are_asked_for():
    assert outside_url("mailto:ana@example.com", desk_hosts=DESK) is None


def test_the_desk_answers_to_its_request_host_and_its_allowed_hosts(settings):
    settings.ALLOWED_HOSTS = ["*", "desk.example"]
    settings.CSRF_TRUSTED_ORIGINS = ["https://portal.example"]
    request = RequestFactory().get("/", HTTP_HOST="soporte.example:8443")
    settings.ALLOWED_HOSTS += ["soporte.example"]

    hosts = desk_hosts(request)

    assert sorted(hosts) == ["desk.example", "portal.example", "soporte.example", "soporte.example"]
    assert outside_url("https://soporte.example/", desk_hosts=hosts) is None
    assert outside_url("https://portal.example/", desk_hosts=hosts) is None
    assert outside_url("https://otro.example/", desk_hosts=hosts) == "https://otro.example/"
