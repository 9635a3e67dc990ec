"""Reading the headers and parts of a received message whatever their
encoding: wrong or unknown charsets, 8-bit headers, RFC 2047 and RFC 2231
words, HTML-only bodies. Every function returns a best-effort value and
never raises on bad input.
"""

import contextlib
import mimetypes
import re
from email import policy
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses

import charset_normalizer
from inscriptis import get_text

from itsm.common.text import clean_file_name

# Labels that lie: mail labelled iso-8859-1 or us-ascii is routinely
# windows-1252 (curly quotes, €), a superset, as browsers assume (WHATWG).
CHARSET_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "ks_c_5601-1987": "cp949",
    "gb2312": "gb18030",
    "unknown-8bit": "",
    "x-unknown": "",
    "8bit": "",
}


def decode_bytes(payload: bytes, charset: str | None) -> str:
    """Text from bytes whatever the label says: the declared charset (with
    its usual lies corrected), else a guess, never an exception."""
    label = (charset or "").strip().strip('"').lower()
    label = CHARSET_ALIASES.get(label, label)
    if label:
        try:
            return payload.decode(label)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(payload).best()
    if best is not None:
        return str(best)
    return payload.decode("cp1252", errors="replace")


_SURROGATES = re.compile(r"[\udc80-\udcff]")


def undo_surrogates(text: str) -> str:
    """Undeclared 8-bit bytes, which the parser keeps as surrogates, decoded
    with a fallback."""
    if _SURROGATES.search(text):
        return decode_bytes(text.encode("utf-8", "surrogateescape"), None)
    return text


def _raw_header(message: Message, name: str) -> str | None:
    """The first ``name`` header as received, ``None`` when absent."""
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            return str(value)
    return None


def header_text(message: Message, name: str) -> str:
    """A header as text, encoded words (RFC 2047) decoded. Read from the raw
    header with ``email.header`` (parsing it into a structured header costs
    more than the rest of the message); undeclared 8-bit bytes (kept by the
    parser as surrogates) are decoded with a fallback; when the encoded
    words are broken, ``policy.default``'s lenient parser has the last word."""
    raw = _raw_header(message, name)
    if raw is None:
        return ""
    raw = undo_surrogates(raw)
    text = raw
    if "=?" in raw:
        try:
            text = str(make_header(decode_header(raw)))
        except (LookupError, UnicodeError, ValueError, HeaderParseError):
            try:
                text = str(message.get(name))
            except Exception:
                text = raw
    return " ".join(text.replace("\x00", " ").split())


def header_addresses(message: Message, name: str) -> list[tuple[str, str]]:
    """(name, address) pairs. Split before the names are decoded: a comma
    inside an encoded name ("García, Ana") must not split the list."""
    raw = _raw_header(message, name)
    if not raw:
        return []
    raw = undo_surrogates(raw).replace("\x00", " ")
    try:
        pairs = [(n, a) for n, a in getaddresses([" ".join(raw.split())]) if a or n]
    except Exception:
        return []
    decoded = []
    for display, address in pairs:
        if "=?" in display:
            with contextlib.suppress(LookupError, UnicodeError, ValueError, HeaderParseError):
                display = str(make_header(decode_header(display)))
        decoded.append((" ".join(display.split()), address))
    return decoded


_MSGID = re.compile(r"<[^<>\s]+>")


def message_ids(value: str) -> list[str]:
    """The ``<…>`` ids in a References/In-Reply-To header, in order."""
    return _MSGID.findall(value or "")


def part_bytes(part: Message) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if payload is None:
        raw = part.get_payload()
        if isinstance(raw, str):
            return raw.encode("utf-8", "surrogateescape")
        return b""
    return payload


def part_text(part: Message) -> str:
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    text = decode_bytes(part_bytes(part), charset)
    # PostgreSQL text holds no NUL; an HTML parser reads one as U+FFFD anyway.
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")


def attachment_name(part: Message, index: int) -> str:
    """The part's file name (RFC 2231 / RFC 2047 decoded), else one made up
    from its type."""
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    if not name:
        try:
            name = part.get_param("name", header="content-type") or ""
            if isinstance(name, tuple):
                name = decode_bytes(name[2].encode("latin-1", "replace"), name[0])
        except Exception:
            name = ""
    name = clean_file_name(undo_surrogates(name))
    if name:
        return name
    content_type = part.get_content_type()
    if content_type == "message/rfc822":
        extension = ".eml"
    else:
        extension = mimetypes.guess_extension(content_type) or ".bin"
    return f"adjunto-{index}{extension}"


def html_to_text(html: str) -> str:
    """What an HTML-only mail says, for the preview and the search."""
    if not html.strip():
        return ""
    try:
        return get_text(html).strip()
    except Exception:
        return re.sub(r"<[^>]+>", " ", html)


def header_list(raw: bytes) -> list[tuple[str, str]]:
    """Every header of the message as received (for *Ver cabeceras*)."""
    head = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw[:65536] else raw.split(b"\n\n", 1)[0]
    message = BytesParser(policy=policy.compat32).parsebytes(head, headersonly=True)
    return [(name, undo_surrogates(str(value))) for name, value in message.raw_items()]
