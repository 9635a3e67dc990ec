"""Reading a received message: the stdlib ``email`` package with
``policy.default``, and the workarounds real mail needs (winmail.dat,
uuencoded bodies, nested messages, delivery reports; the decoding of
charsets and headers is in ``mail_decoding``). Nothing here raises on bad
input except ``MessageLimits`` (the message is too big or too deep to read
safely); every other oddity becomes a best-effort value.
"""

import binascii
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import parseaddr, parsedate_to_datetime

from itsm.common.text import clean_file_name
from notifications import tnef
from notifications.mail_decoding import (
    attachment_name,
    decode_bytes,
    header_addresses,
    header_text,
    html_to_text,
    message_ids,
    part_bytes,
    part_text,
    undo_surrogates,
)

MAX_HEADERS = 1000
MAX_PARTS = 200
MAX_DEPTH = 10
MAX_TEXT_CHARS = 500_000


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


def parse_message(raw: bytes) -> ParsedMessage:
    """Everything the mailbox shows of a message. Raises ``MessageLimits``."""
    message = parse_bytes(raw)
    check_limits(message)
    parsed = ParsedMessage(message=message)
    _read_headers(message, parsed)
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


def _read_headers(message: EmailMessage, parsed: ParsedMessage) -> None:
    for name, value in message.raw_items():
        key = name.lower()
        if key not in parsed.raw_headers:
            text = undo_surrogates(str(value))
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


_NESTED_TYPES = ("message/rfc822", "text/rfc822-headers", "message/global")


def _walk(part: Message, parsed: ParsedMessage, texts: list[str], htmls: list[str]) -> None:
    """Sort ``part`` and what it holds into the body's texts and HTML, the
    attachments and the parts of a delivery report."""
    content_type = part.get_content_type()
    if content_type == "message/delivery-status":
        parsed.delivery_status = _delivery_status(part)
    elif content_type in _NESTED_TYPES:
        _read_nested(part, content_type, parsed)
    elif part.is_multipart():
        _walk_multipart(part, content_type, parsed, texts, htmls)
    else:
        _read_leaf(part, content_type, parsed, texts, htmls)


def _delivery_status(part: Message) -> str:
    # The parser reads it as a list of header blocks (per message, per recipient).
    blocks = part.get_payload()
    if not isinstance(blocks, list):
        return part_text(part)
    return "\n\n".join(
        "".join(f"{name}: {value}\n" for name, value in block.items())
        for block in blocks
        if isinstance(block, Message)
    )


def _read_nested(part: Message, content_type: str, parsed: ParsedMessage) -> None:
    """A message inside the message: an attachment, and in a bounce the
    returned headers."""
    body = _nested_bytes(part)
    if content_type == "text/rfc822-headers" or parsed.content_type == "multipart/report":
        head = re.split(rb"\r?\n\r?\n", body, maxsplit=1)[0]
        parsed.returned_headers = decode_bytes(head, "utf-8")
    if content_type != "text/rfc822-headers":
        name = _eml_name(part, len(parsed.attachments) + 1)
        parsed.attachments.append(
            ParsedAttachment(name=name, content_type="message/rfc822", content=body)
        )


def _walk_multipart(
    part: Message, content_type: str, parsed: ParsedMessage, texts: list[str], htmls: list[str]
) -> None:
    children = [p for p in part.get_payload() if isinstance(p, Message)]
    if content_type == "multipart/alternative":
        # The richest alternative we read: HTML for display, text for the
        # preview (both when both are there).
        types = [child.get_content_type() for child in children]
        plain = [p for p, kind in zip(children, types, strict=True) if kind == "text/plain"]
        html = [p for p, kind in zip(children, types, strict=True) if kind == "text/html"]
        if plain:
            texts.append(part_text(plain[0]))
        if html:
            htmls.append(part_text(html[-1]))
        children = [p for p in children if p not in plain and p not in html]
    for child in children:
        _walk(child, parsed, texts, htmls)


def _read_leaf(
    part: Message, content_type: str, parsed: ParsedMessage, texts: list[str], htmls: list[str]
) -> None:
    """A part that holds no other: body text, winmail.dat or an attachment."""
    disposition = (part.get_content_disposition() or "").lower()
    if (
        content_type in ("text/plain", "text/html")
        and disposition != "attachment"
        and not _has_name(part)
    ):
        (htmls if content_type == "text/html" else texts).append(part_text(part))
        return
    index = len(parsed.attachments) + 1
    content = part_bytes(part)
    name = attachment_name(part, index)
    is_tnef = content_type == "application/ms-tnef" or name.lower() == "winmail.dat"
    if is_tnef and _unpack_tnef(content, index, parsed, texts):
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


def _unpack_tnef(content: bytes, index: int, parsed: ParsedMessage, texts: list[str]) -> bool:
    """winmail.dat's body and files in place of it; False when it cannot be read."""
    unpacked = tnef.unpack(content)
    if unpacked is None:
        return False
    body, files = unpacked
    if body:
        texts.append(body)
    for number, (raw_name, data) in enumerate(files, start=index):
        file_name = clean_file_name(raw_name) or f"adjunto-{number}.bin"
        guessed = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        parsed.attachments.append(
            ParsedAttachment(name=file_name, content_type=guessed, content=data)
        )
    return True


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
