"""Reading a received message: the stdlib ``email`` package with
``policy.default``, and the workarounds real mail needs (wrong or unknown
charsets, 8-bit headers, HTML-only bodies, winmail.dat, uuencoded bodies,
nested messages). Nothing here raises on bad input except ``MessageLimits``
(the message is too big or too deep to read safely); every other oddity
becomes a best-effort value.
"""

import binascii
import contextlib
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

import charset_normalizer
from inscriptis import get_text

from itsm.common.text import clean_file_name
from notifications import tnef

MAX_HEADERS = 1000
MAX_PARTS = 200
MAX_DEPTH = 10
MAX_TEXT_CHARS = 500_000

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


class MessageLimits(Exception):
    """Too many headers, parts or levels of nesting to read safely."""


@dataclass
class ParsedAttachment:
    name: str
    content_type: str
    content: bytes
    content_id: str = ""
    inline: bool = False


@dataclass
class ParsedMessage:
    message_id: str = ""
    from_address: str = ""
    from_name: str = ""
    to: str = ""
    cc: str = ""
    subject: str = ""
    sent_at: datetime | None = None
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    text: str = ""
    html: str = ""
    attachments: list[ParsedAttachment] = field(default_factory=list)
    headers: list[tuple[str, str]] = field(default_factory=list)
    # The parts a delivery status notification carries.
    delivery_status: str = ""
    returned_headers: str = ""
    content_type: str = ""
    report_type: str = ""
    message: Message | None = None  # the parsed message, for the classification
    # The top-level headers as received (first of each name, lower-case
    # names, unfolded): what the classification looks at, without the cost
    # of parsing each into a structured header.
    raw_headers: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str:
        return self.raw_headers.get(name.lower(), "")


def parse_bytes(raw: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(raw)


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


def header_text(message: Message, name: str) -> str:
    """A header as text, encoded words (RFC 2047) decoded. Read from the raw
    header with ``email.header`` (parsing it into a structured header costs
    more than the rest of the message); undeclared 8-bit bytes (kept by the
    parser as surrogates) are decoded with a fallback; when the encoded
    words are broken, ``policy.default``'s lenient parser has the last word."""
    raw = None
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            raw = str(value)
            break
    if raw is None:
        return ""
    if _SURROGATES.search(raw):
        raw = decode_bytes(raw.encode("utf-8", "surrogateescape"), None)
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
    raw = None
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            raw = str(value)
            break
    if not raw:
        return []
    if _SURROGATES.search(raw):
        raw = decode_bytes(raw.encode("utf-8", "surrogateescape"), None)
    raw = raw.replace("\x00", " ")
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
    if _SURROGATES.search(name):
        name = decode_bytes(name.encode("utf-8", "surrogateescape"), None)
    name = clean_file_name(name)
    if name:
        return name
    content_type = part.get_content_type()
    if content_type == "message/rfc822":
        extension = ".eml"
    else:
        extension = mimetypes.guess_extension(content_type) or ".bin"
    return f"adjunto-{index}{extension}"


def check_limits(message: Message, depth: int = 0, counter: list[int] | None = None) -> None:
    counter = counter if counter is not None else [0]
    if depth > MAX_DEPTH:
        raise MessageLimits(f"more than {MAX_DEPTH} levels of nesting")
    if len(message.keys()) > MAX_HEADERS:
        raise MessageLimits(f"more than {MAX_HEADERS} headers")
    counter[0] += 1
    if counter[0] > MAX_PARTS:
        raise MessageLimits(f"more than {MAX_PARTS} parts")
    if message.is_multipart():
        for part in message.get_payload():
            if isinstance(part, Message):
                check_limits(part, depth + 1, counter)


_UUENCODE = re.compile(
    r"^begin [0-7]{3,4} (?P<name>[^\r\n]+)\r?\n(?P<body>.*?)^end\s*$", re.M | re.S
)


def extract_uuencoded(text: str) -> tuple[str, list[ParsedAttachment]]:
    """Files uuencoded into a text body (old clients and gateways do it)."""
    found = []

    def decode(match: re.Match) -> str:
        data = bytearray()
        for line in match.group("body").splitlines():
            if not line or line in ("`", " "):
                continue
            try:
                data += binascii.a2b_uu(line)
            except binascii.Error:
                # Some encoders pad lines badly; decode what the length byte says.
                length = (ord(line[0]) - 32) & 63
                data += binascii.a2b_uu(line[: ((length + 2) // 3) * 4 + 1])[:length]
        name = clean_file_name(match.group("name")) or f"adjunto-{len(found) + 1}.bin"
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        found.append(ParsedAttachment(name=name, content_type=content_type, content=bytes(data)))
        return ""

    try:
        text = _UUENCODE.sub(decode, text)
    except (binascii.Error, ValueError, IndexError):
        return text, []
    return text, found


def html_to_text(html: str) -> str:
    """What an HTML-only mail says, for the preview and the search."""
    if not html.strip():
        return ""
    try:
        return get_text(html).strip()
    except Exception:
        return re.sub(r"<[^>]+>", " ", html)


def parse_message(raw: bytes) -> ParsedMessage:
    """Everything the mailbox shows of a message. Raises ``MessageLimits``."""
    message = parse_bytes(raw)
    check_limits(message)
    parsed = ParsedMessage(message=message)
    for name, value in message.raw_items():
        key = name.lower()
        if key not in parsed.raw_headers:
            text = str(value)
            if _SURROGATES.search(text):
                text = decode_bytes(text.encode("utf-8", "surrogateescape"), None)
            parsed.raw_headers[key] = " ".join(text.replace("\x00", " ").split())
    parsed.content_type = message.get_content_type()
    try:
        parsed.report_type = (message.get_param("report-type") or "").lower()
    except Exception:
        parsed.report_type = ""
    parsed.message_id = (message_ids(header_text(message, "Message-ID")) or [""])[0]
    senders = header_addresses(message, "From")
    if senders:
        parsed.from_name, parsed.from_address = senders[0]
    else:
        parsed.from_name, parsed.from_address = parseaddr(header_text(message, "From"))
    parsed.from_address = parsed.from_address.strip().lower()[:320]
    parsed.from_name = parsed.from_name.strip()[:300]
    parsed.to = ", ".join(a for _n, a in header_addresses(message, "To"))
    parsed.cc = ", ".join(a for _n, a in header_addresses(message, "Cc"))
    parsed.subject = header_text(message, "Subject")[:500]
    try:
        date = parsedate_to_datetime(header_text(message, "Date"))
        parsed.sent_at = date if date.tzinfo else None
    except (TypeError, ValueError, IndexError):
        parsed.sent_at = None
    parsed.in_reply_to = (message_ids(header_text(message, "In-Reply-To")) or [""])[0][:500]
    parsed.references = message_ids(header_text(message, "References"))

    texts: list[str] = []
    htmls: list[str] = []
    _walk(message, parsed, texts, htmls)
    text = "\n\n".join(t.strip("\n") for t in texts if t.strip())
    text, uuencoded = extract_uuencoded(text)
    parsed.attachments.extend(uuencoded)
    parsed.html = "\n".join(htmls)
    if not text.strip() and parsed.html:
        text = html_to_text(parsed.html)
    parsed.text = text.strip()[:MAX_TEXT_CHARS]
    return parsed


def _walk(part: Message, parsed: ParsedMessage, texts: list[str], htmls: list[str]) -> None:
    content_type = part.get_content_type()
    if content_type == "message/delivery-status":
        # The parser reads it as a list of header blocks (per message, per recipient).
        blocks = part.get_payload()
        if isinstance(blocks, list):
            parsed.delivery_status = "\n\n".join(
                "".join(f"{name}: {value}\n" for name, value in block.items())
                for block in blocks
                if isinstance(block, Message)
            )
        else:
            parsed.delivery_status = part_text(part)
        return
    if content_type in ("message/rfc822", "text/rfc822-headers", "message/global"):
        body = _nested_bytes(part)
        if content_type == "text/rfc822-headers" or parsed.content_type == "multipart/report":
            parsed.returned_headers = decode_bytes(
                re.split(rb"\r?\n\r?\n", body, maxsplit=1)[0], "utf-8"
            )
        if content_type != "text/rfc822-headers":
            parsed.attachments.append(
                ParsedAttachment(
                    name=_eml_name(part, len(parsed.attachments) + 1),
                    content_type="message/rfc822",
                    content=body,
                )
            )
        return
    if part.is_multipart():
        children = [p for p in part.get_payload() if isinstance(p, Message)]
        if content_type == "multipart/alternative":
            # The richest alternative we read: HTML for display, text for the
            # preview (both when both are there).
            types = [child.get_content_type() for child in children]
            plain = [p for p, kind in zip(children, types, strict=True) if kind == "text/plain"]
            html = [p for p, kind in zip(children, types, strict=True) if kind == "text/html"]
            others = [p for p in children if p not in plain and p not in html]
            if plain:
                texts.append(part_text(plain[0]))
            if html:
                htmls.append(part_text(html[-1]))
            for other in others:
                _walk(other, parsed, texts, htmls)
            return
        for child in children:
            _walk(child, parsed, texts, htmls)
        return
    disposition = (part.get_content_disposition() or "").lower()
    index = len(parsed.attachments) + 1
    name_given = _has_name(part)
    if (
        content_type in ("text/plain", "text/html")
        and disposition != "attachment"
        and not name_given
    ):
        text = part_text(part)
        (htmls if content_type == "text/html" else texts).append(text)
        return
    content = part_bytes(part)
    name = attachment_name(part, index)
    if content_type == "application/ms-tnef" or name.lower() == "winmail.dat":
        unpacked = tnef.unpack(content)
        if unpacked is not None:
            body, files = unpacked
            if body:
                texts.append(body)
            for number, (raw_name, data) in enumerate(files, start=index):
                file_name = clean_file_name(raw_name) or f"adjunto-{number}.bin"
                guessed = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
                parsed.attachments.append(
                    ParsedAttachment(name=file_name, content_type=guessed, content=data)
                )
            return
    content_id = header_text(part, "Content-ID").strip().strip("<>")[:255]
    parsed.attachments.append(
        ParsedAttachment(
            name=name,
            content_type=content_type,
            content=content,
            content_id=content_id,
            inline=bool(content_id) and disposition != "attachment",
        )
    )


def _has_name(part: Message) -> bool:
    try:
        return bool(part.get_filename() or part.get_param("name", header="content-type"))
    except Exception:
        return False


def _nested_bytes(part: Message) -> bytes:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        try:
            return payload[0].as_bytes(policy=policy.SMTP.clone(max_line_length=None))
        except Exception:
            return str(payload[0]).encode("utf-8", "surrogateescape")
    return part_bytes(part)


def _eml_name(part: Message, index: int) -> str:
    name = attachment_name(part, index) if _has_name(part) else ""
    if not name:
        payload = part.get_payload()
        subject = ""
        if isinstance(payload, list) and payload and isinstance(payload[0], Message):
            subject = header_text(payload[0], "Subject")
        subject = re.sub(r"[^\w\s.-]", "", subject).strip()[:60]
        name = f"{subject or f'mensaje-{index}'}"
    return name if name.lower().endswith(".eml") else f"{name}.eml"


def header_list(raw: bytes) -> list[tuple[str, str]]:
    """Every header of the message as received (for *Ver cabeceras*)."""
    head = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw[:65536] else raw.split(b"\n\n", 1)[0]
    message = BytesParser(policy=policy.compat32).parsebytes(head, headersonly=True)
    result = []
    for name, value in message.raw_items():
        text = value if isinstance(value, str) else str(value)
        if _SURROGATES.search(text):
            text = decode_bytes(text.encode("utf-8", "surrogateescape"), None)
        result.append((name, text))
    return result


# --- quotes ---------------------------------------------------------------------

_QUOTE_START = re.compile(
    r"^\s*("
    r">"
    r"|-{2,}\s*(original message|mensaje original|forwarded message|mensaje reenviado)\s*-{2,}"
    r"|on .{1,200} wrote:\s*$"
    r"|el .{1,200} escribi[oó]:\s*$"
    r"|(from|de):\s.+$"
    r"|_{10,}\s*$"
    r")",
    re.I,
)


def split_quoted(text: str) -> tuple[str, str]:
    """(new text, quoted history): the reply the customer wrote first, the
    rest folded. ``From:``/``De:`` starts the history only when a blank line
    or a rule precedes it, as Outlook writes its header block."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if not _QUOTE_START.match(line):
            continue
        after_text = index and lines[index - 1].strip()
        after_rule = index and re.match(r"^\s*_{5,}", lines[index - 1])
        if re.match(r"^\s*(from|de):", line, re.I) and after_text and not after_rule:
            continue
        if index == 0 and not line.lstrip().startswith(">"):
            continue
        new = "\n".join(lines[:index]).rstrip()
        if not new:
            return text, ""
        return new, "\n".join(lines[index:]).strip("\n")
    return text, ""
