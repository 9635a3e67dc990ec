"""What a received message is, decided before anything is done with it:
our own mail coming back, an auto-reply, a bounce, or a customer's message.
The rules are checked in that order; the first that matches decides. A desk
that answers an auto-reply starts a loop, so everything automatic is
recorded and never answered."""

import functools
import re
from dataclasses import dataclass
from email.message import Message
from email.utils import parseaddr

from django.conf import settings

from itsm.kinds import all_kinds
from notifications.mail_decoding import message_ids
from notifications.models import Classification, ClassificationReason
from notifications.parsing import ParsedMessage


@dataclass(frozen=True)
class Verdict:
    classification: str
    reason: str = ClassificationReason.NONE


AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*("
    r"respuesta autom[aá]tica|fuera de la oficina|fuera de oficina|ausencia|"
    r"automatic reply|auto[- ]?reply|autoreply|auto[- ]?response|out of (the )?office|"
    r"r[ée]ponse automatique|absence|abwesenheitsnotiz|risposta automatica|resposta autom[aá]tica"
    r")\b",
    re.I,
)
BOUNCE_SUBJECT = re.compile(
    r"^\s*("
    r"undeliver(ed|able)|delivery status notification|delivery (has )?failed|"
    r"mail delivery failed|returned mail|failure notice|mail system error|"
    r"no se puede entregar|no se pudo entregar|notificaci[oó]n de estado de (la )?entrega|"
    r"error en la entrega|mensaje no entregado"
    r")",
    re.I,
)
SYSTEM_SENDERS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@", re.I)
AUTORESPONDER_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress")
LIST_HEADERS = ("List-Id", "List-Unsubscribe")
BULK_PRECEDENCE = {"bulk", "list", "junk", "auto_reply"}


def our_domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2].lower() or "localhost"


def our_address() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()


def classify(message: Message, parsed: ParsedMessage) -> Verdict:
    own = _own_mail(message, parsed)
    if own:
        return Verdict(Classification.OWN, own)
    bounce = _bounce(message, parsed)
    auto = _auto_reply(message, parsed)
    # A DSN is also "automatic" by its headers (empty Return-Path, MAILER-DAEMON):
    # the report structure says which automatic mail it is.
    if bounce and (not auto or auto in _ALSO_BOUNCE):
        return Verdict(Classification.BOUNCE, bounce)
    if auto:
        return Verdict(Classification.AUTO_REPLY, auto)
    return Verdict(Classification.CUSTOMER)


_ALSO_BOUNCE = {
    ClassificationReason.EMPTY_RETURN_PATH,
    ClassificationReason.SYSTEM_SENDER,
    ClassificationReason.AUTO_SUBMITTED,
}


def _own_mail(message: Message, parsed: ParsedMessage) -> str:
    loop = parsed.header("X-Loop").lower()
    if loop and our_address() and our_address() in loop:
        return ClassificationReason.X_LOOP
    message_id = parsed.message_id.lower()
    if message_id.endswith(f"@{our_domain()}>") and parsed.from_address.endswith(
        f"@{our_domain()}"
    ):
        return ClassificationReason.OWN_MESSAGE_ID
    return ""


def _auto_reply(message: Message, parsed: ParsedMessage) -> str:
    auto_submitted = parsed.header("Auto-Submitted").lower()
    if auto_submitted and auto_submitted.split(";")[0].strip() != "no":
        return ClassificationReason.AUTO_SUBMITTED
    if parsed.header("Precedence").lower().strip() in BULK_PRECEDENCE:
        return ClassificationReason.PRECEDENCE
    if any(parsed.header(name) for name in AUTORESPONDER_HEADERS):
        return ClassificationReason.AUTORESPONDER_HEADER
    if any(parsed.header(name) for name in LIST_HEADERS):
        return ClassificationReason.MAILING_LIST
    if "return-path" in parsed.raw_headers and parsed.header("Return-Path").strip() in ("<>", ""):
        return ClassificationReason.EMPTY_RETURN_PATH
    if SYSTEM_SENDERS.match(parsed.from_address):
        return ClassificationReason.SYSTEM_SENDER
    if AUTO_REPLY_SUBJECT.match(_strip_prefixes(parsed.subject)):
        return ClassificationReason.AUTO_REPLY_SUBJECT
    return ""


def _bounce(message: Message, parsed: ParsedMessage) -> str:
    if parsed.content_type == "multipart/report" and parsed.report_type == "delivery-status":
        return ClassificationReason.DELIVERY_STATUS
    if parsed.delivery_status:
        return ClassificationReason.DELIVERY_STATUS
    system = SYSTEM_SENDERS.match(parsed.from_address) or (
        "return-path" in parsed.raw_headers and parsed.header("Return-Path").strip() in ("<>", "")
    )
    if BOUNCE_SUBJECT.match(_strip_prefixes(parsed.subject)) and (
        system or parsed.header("X-Failed-Recipients")
    ):
        return ClassificationReason.BOUNCE_SUBJECT
    if parsed.header("X-Failed-Recipients"):
        return ClassificationReason.BOUNCE_SUBJECT
    return ""


_PREFIX = re.compile(r"^\s*((re|rv|fw|fwd|aw|sv|tr|r)\s*(\[\d+\])?\s*:\s*)+", re.I)


def _strip_prefixes(subject: str) -> str:
    return _PREFIX.sub("", subject or "")


# --- bounces -------------------------------------------------------------------


@dataclass(frozen=True)
class BounceReport:
    original_message_ids: list[str]
    status: str  # 5.1.1, 4.2.2 … or "" when the report does not say
    diagnostic: str
    recipient: str

    @property
    def permanent(self) -> bool:
        return self.status.startswith("5")


_STATUS = re.compile(r"^\s*Status:\s*([245]\.\d{1,3}\.\d{1,3})", re.I | re.M)
_DIAGNOSTIC = re.compile(r"^\s*Diagnostic-Code:\s*(?:[\w-]+;\s*)?(.+(?:\n[ \t].+)*)", re.I | re.M)
_FINAL_RECIPIENT = re.compile(
    r"^\s*(?:Final|Original)-Recipient:\s*(?:[\w-]+;\s*)?(\S+)", re.I | re.M
)
_ENHANCED_IN_TEXT = re.compile(r"\b([45]\.\d{1,3}\.\d{1,3})\b")
_SMTP_IN_TEXT = re.compile(r"\b(5[0-5]\d|4[0-5]\d)[ -]")


def bounce_report(message: Message, parsed: ParsedMessage) -> BounceReport:
    """The enclosed Message-IDs (from the returned headers, else anywhere in
    the text), the status and the diagnostic, standard DSN or not."""
    returned = parsed.returned_headers
    ids = []
    for match in re.finditer(r"^Message-ID:\s*(<[^>\s]+>)", returned, re.I | re.M):
        ids.append(match.group(1))
    if not ids:
        # Non-standard bounces quote the original anywhere in their body.
        for match in re.finditer(r"Message-ID:\s*(<[^>\s]+>)", parsed.text, re.I):
            ids.append(match.group(1))
    ids += message_ids(parsed.header("In-Reply-To"))
    report = parsed.delivery_status
    status_match = _STATUS.search(report)
    status = status_match.group(1) if status_match else ""
    diagnostic_match = _DIAGNOSTIC.search(report)
    diagnostic = " ".join(diagnostic_match.group(1).split()) if diagnostic_match else ""
    recipient_match = _FINAL_RECIPIENT.search(report)
    recipient = recipient_match.group(1).strip("<>").lower() if recipient_match else ""
    if not recipient:
        recipient = parsed.header("X-Failed-Recipients").split(",")[0].strip().lower()
    if not status:
        enhanced = _ENHANCED_IN_TEXT.search(parsed.text)
        if enhanced:
            status = enhanced.group(1)
        else:
            smtp = _SMTP_IN_TEXT.search(parsed.text)
            if smtp:
                status = f"{smtp.group(1)[0]}.0.0"
    if not diagnostic:
        lines = [line.strip() for line in parsed.text.splitlines() if line.strip()]
        diagnostic = next(
            (
                line
                for line in lines
                if _ENHANCED_IN_TEXT.search(line) or _SMTP_IN_TEXT.search(line)
            ),
            lines[0] if lines else "",
        )
    seen: list[str] = []
    for message_id in ids:
        if message_id not in seen:
            seen.append(message_id)
    return BounceReport(
        original_message_ids=seen,
        status=status,
        diagnostic=diagnostic[:500],
        recipient=recipient,
    )


# --- ticket numbers --------------------------------------------------------------


@functools.cache
def _ticket_number_pattern(shapes: tuple[tuple[str, int], ...]) -> re.Pattern:
    """A number of any of the kinds shaped (prefix, digits), compiled once per set of kinds."""
    numbers = "|".join(rf"{re.escape(prefix)}\d{{{digits}}}" for prefix, digits in shapes)
    return re.compile(rf"(?<![A-Za-z0-9])({numbers})(?!\d)", re.I)


def subject_ticket_numbers(subject: str) -> list[str]:
    """Ticket numbers of any registered kind named in a subject, any case, anywhere."""
    shapes = tuple((kind.prefix, kind.number_digits) for kind in all_kinds())
    return [match.upper() for match in _ticket_number_pattern(shapes).findall(subject or "")]
