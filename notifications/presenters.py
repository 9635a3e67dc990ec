"""What the mailbox pages show, prepared once: the sanitised HTML of a
message, its labels, the rows of the console; and the dashboard's chart of
mail waiting."""

import re
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser
from urllib.parse import urlencode

import nh3
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from itsm.charts import Bar, BarChart
from itsm.common.links import outside_url
from notifications.models import (
    Classification,
    ClassificationReason,
    InboundEmail,
    InboundStatus,
    QuarantineReason,
)
from notifications.quoting import split_quoted
from notifications.selectors import mailbox_waiting

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "div", "dl", "dt", "em",
    "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "q",
    "s", "small", "span", "strike", "strong", "sub", "sup", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "tt", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    # No width/height: a mail's image is as wide as the message at most (the
    # style sheet caps it), and ``width=5000 height=5000`` leaves no empty box.
    "img": {"src", "alt", "title"},
    "td": {"colspan", "rowspan", "align", "valign"},
    "th": {"colspan", "rowspan", "align", "valign"},
    "table": {"border", "cellpadding", "cellspacing"},
    "font": {"color"},
    "*": {"dir", "lang"},
}
# Content that goes with its tag: nothing of a script, a style sheet or a form survives.
DROPPED_WITH_CONTENT = {"script", "style", "title", "head", "form", "textarea", "select", "button"}
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
IMAGE_SCHEMES = frozenset({"http", "https"})


class _DeadLinks(HTMLParser):
    """Re-writes nh3's output without the ``<a>`` that lost their ``href``:
    their text stays, as text. nh3's output is well-formed (no nested
    anchors, every attribute quoted and escaped), so each piece is written
    back as it was read."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.kept: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            keep = any(name == "href" for name, _value in attrs)
            self.kept.append(keep)
            if not keep:
                return
        self.out.append(self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and not (self.kept.pop() if self.kept else False):
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(escape(data, quote=False))

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")


# nh3 escapes ">" inside attribute values, so a start tag ends at the first ">".
_ANCHOR_WITHOUT_HREF = re.compile(r"<a(?![^>]*\shref=)[\s>]")


def _without_dead_links(html: str) -> str:
    if not _ANCHOR_WITHOUT_HREF.search(html):
        return html  # most mails: no parse of the whole body again
    parser = _DeadLinks()
    parser.feed(html)
    parser.close()
    return "".join(parser.out)


def sanitise_html(
    email: InboundEmail, *, show_images: bool, cid_urls: dict[str, str], desk_hosts: list[str]
) -> str:
    """The message's HTML with nothing active left: no scripts, handlers,
    forms, styles or frames; ``cid:`` images served from our storage; remote
    images only once the agent asks for them (a remote image tells the
    sender when and where the mail was read). Links only to other sites
    (``outside_url``), opened in a new tab; any other link (relative, to the
    desk, a script) is shown as its text."""

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src":
            if value.lower().startswith("cid:"):
                return cid_urls.get(value[4:].strip("<>"))
            if not show_images:
                return None
            return outside_url(value, desk_hosts=desk_hosts, schemes=IMAGE_SCHEMES)
        if tag == "a" and attribute == "href":
            return outside_url(value, desk_hosts=desk_hosts, schemes=LINK_SCHEMES)
        return value

    cleaned = nh3.clean(
        email.body_html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=attribute_filter,
        url_schemes={*LINK_SCHEMES, "cid"},
        link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values={"a": {"target": "_blank"}},
    )
    return _without_dead_links(cleaned)


def cid_urls(email: InboundEmail, attachments) -> dict[str, str]:
    return {
        attachment.content_id: reverse(
            "notifications:mailbox_attachment", args=[email.pk, attachment.position]
        )
        + "?inline=1"
        for attachment in attachments
        if attachment.content_id and attachment.content_type.startswith("image/")
    }


CLASSIFICATION_BADGES = {
    Classification.CUSTOMER: "text-bg-primary",
    Classification.AUTO_REPLY: "text-bg-secondary",
    Classification.BOUNCE: "text-bg-danger",
    Classification.OWN: "text-bg-dark",
    Classification.UNPROCESSED: "text-bg-warning",
}
STATUS_BADGES = {
    InboundStatus.NEW: "text-bg-info",
    InboundStatus.IN_PROGRESS: "text-bg-warning",
    InboundStatus.DONE: "text-bg-success",
    InboundStatus.NO_ACTION: "text-bg-secondary",
}


def classification_label(email: InboundEmail) -> str:
    if email.quarantine_reason:
        return str(QuarantineReason(email.quarantine_reason).label)
    return str(Classification(email.classification).label)


def classification_rule(email: InboundEmail) -> str:
    if not email.classification_reason:
        return ""
    return str(ClassificationReason(email.classification_reason).label)


@dataclass
class MailboxRow:
    email: InboundEmail
    subject: str
    markup: SafeString


def mailbox_rows(emails: list[InboundEmail]) -> list[MailboxRow]:
    """The console's ``<tr>`` of each message, written in Python: labels
    translated and escaped once per page, each URL without a ``reverse`` (in
    the template the row loop was most of the page's time)."""
    statuses = {
        value: f'<span class="badge {STATUS_BADGES[value]}">{escape(str(label))}</span>'
        for value, label in InboundStatus.choices
    }
    classifications = {
        value: f'<span class="badge {CLASSIFICATION_BADGES[value]}">{escape(str(label))}</span>'
        for value, label in Classification.choices
    }
    quarantines = {
        value: f'<span class="badge text-bg-warning">{escape(str(label))}</span>'
        for value, label in QuarantineReason.choices
    }
    no_subject = escape(_("(no subject)"))
    current = timezone.get_current_timezone()
    rows = []
    for email in emails:
        received = email.received_at.astimezone(current)
        preview = " ".join(split_quoted(email.body_text[:2000])[0].split())[:140]
        assignee = ""
        if email.assigned_to_id:
            user = email.assigned_to
            assignee = escape(user.get_full_name() or user.get_username())
        label = (
            quarantines.get(email.quarantine_reason, "")
            if email.quarantine_reason
            else classifications.get(email.classification, escape(email.classification))
        )
        preview_markup = (
            '<div class="small text-body-secondary text-truncate mail-preview">'
            f"{escape(preview)}</div>"
            if preview
            else ""
        )
        markup = (
            f'<tr data-message="{email.pk}">'
            f'<td class="text-nowrap"><time datetime="{received.isoformat()}">'
            f"{received:%d/%m/%Y %H:%M}</time></td>"
            f"<td>{escape(email.sender)}</td>"
            f'<td><a href="{email.get_absolute_url()}">{escape(email.subject) or no_subject}</a>'
            f"{preview_markup}</td>"
            f"<td>{label}</td>"
            f"<td>{statuses.get(email.status, escape(email.status))}</td>"
            f"<td>{assignee}</td>"
            "</tr>"
        )
        rows.append(MailboxRow(email, email.subject, mark_safe(markup)))  # noqa: S308 - escaped
    return rows


def quoted_parts(text: str) -> tuple[str, str]:
    return split_quoted(text)


def safe(html: str) -> SafeString:
    return mark_safe(html)  # noqa: S308 - sanitised by nh3 above


def mail_waiting_chart(user, *, mine: bool) -> BarChart:
    """The dashboard's chart of mail waiting, the user's own or the whole
    desk's. Counted live: mail waits minutes, not days, and one count is cheap."""
    return mailbox_chart(mailbox_waiting(user if mine else None), mine=mine)


def mailbox_chart(waiting: dict[str, int], *, mine: bool) -> BarChart:
    """Mail waiting in the mailbox: what nobody has taken, and what is being
    dealt with (an agent's own, or everyone's), each a link to the mailbox
    console filtered to it."""
    mailbox = reverse("notifications:mailbox")
    in_progress = {"f": "1", "status": "in_progress", **({"mine": "on"} if mine else {})}
    bars = [
        Bar(_("New, not taken"), waiting["new"], f"{mailbox}?f=1&status=new"),
        Bar(
            _("Yours in progress") if mine else _("In progress"),
            waiting["in_progress"],
            f"{mailbox}?{urlencode(in_progress)}",
        ),
    ]
    return BarChart("mail-waiting", _("Mail waiting"), bars)
