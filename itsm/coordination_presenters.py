"""The coordination queue's rows, written in Python.

Each row of the queue carries a ticket, its packet, the escalation note and,
for coordinators, three forms; through the template engine 50 of them took
most of the page's time (a URL reversed per form, a CSRF field per form,
labels looked up cell by cell). Here each label is translated once per page,
each URL reversed once, and every value escaped (``html.escape`` is what
Django's ``escape`` calls).
"""

import html
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

from itsm.common.rows import choice_labels
from itsm.common.text import person_name
from itsm.coordination_selectors import CoordinationRow
from itsm.kinds import all_kinds

e = html.escape


def _time(value) -> str:
    """``<time>`` as ``|date:'c'`` and ``|date:"d/m/Y H:i"`` print it."""
    local = template_localtime(value)
    return f'<time datetime="{local.isoformat()}">{local.strftime("%d/%m/%Y %H:%M")}</time>'


def _lines(text: str) -> str:
    """``|linebreaksbr``."""
    return e(text.replace("\r\n", "\n").replace("\r", "\n")).replace("\n", "<br>")


def _url_parts(name: str) -> tuple[str, str]:
    return tuple(reverse(name, args=["NUMBER"]).rsplit("NUMBER", 1))


@dataclass
class QueuePage:
    """What every row of one rendering shares: the labels in the reader's
    language, the action URLs, the CSRF field and the failed action to
    show again, if any."""

    csrf_token: str
    can_act: bool
    now: object
    failed: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.labels = {
            "complete": _("Complete data"),
            "missing": _("Missing data"),
            "packet": _("See the packet"),
            "system": _("System"),
            "take": _("Take"),
            "what_missing": _("What is missing"),
            "note": _("Note"),
            "ctrl_enter": _("Ctrl+Enter"),
            "waiting": _("waiting %(age)s"),
        }
        self.statuses = {kind.model: choice_labels(kind.model, "status") for kind in all_kinds()}
        self.actions = [
            ("return", _("Return to the agent")),
            ("specialists", _("Pass to L2 ESPECIALISTAS")),
        ]
        self.urls = {
            action: _url_parts(f"coordination_{action}")
            for action in ("take", "return", "specialists")
        }
        self.csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{e(self.csrf_token)}">'

    def url(self, action: str, number: str) -> str:
        before, after = self.urls[action]
        return e(f"{before}{number}{after}")

    def row(self, row: CoordinationRow) -> SafeString:
        ticket = row.ticket
        number = e(ticket.number)
        reason = (
            f'<br><span class="small text-body-secondary">{e(ticket.status_reason.name)}</span>'
            if ticket.status_reason_id
            else ""
        )
        cells = [
            f'<td class="text-nowrap"><a href="{e(ticket.get_absolute_url())}">{number}</a></td>',
            f"<td>{e(ticket.customer.full_name)}</td>",
            f"<td>{e(ticket.summary)}</td>",
            f'<td class="text-nowrap">{e(self.statuses[type(ticket)][ticket.status])}{reason}</td>',
            f"<td>{e(person_name(ticket.assignee))}</td>",
            f'<td class="text-nowrap">{_time(ticket.created_at)}</td>',
            f'<td class="packet-summary">{self._packet(row)}</td>',
            f'<td class="escalation-note">{self._note(row)}</td>',
        ]
        if self.can_act:
            cells.append(f'<td class="coordination-actions">{self._actions(row)}</td>')
        body = "\n      ".join(cells)
        return mark_safe(  # noqa: S308 - every value escaped
            f'\n    <tr id="ticket-{number}">\n      {body}\n    </tr>'
        )

    def _packet(self, row: CoordinationRow) -> str:
        packet = row.packet
        if packet is None:
            return ""
        labels = self.labels
        badge = (
            f'<span class="badge text-bg-success">{e(labels["complete"])}</span>'
            if packet.complete
            else f'<span class="badge text-bg-warning">{e(labels["missing"])}</span>'
        )
        waiting = labels["waiting"] % {"age": e(timesince(packet.escalated_at, self.now))}
        return (
            f"<div>{e(str(packet.get_case_display()))}</div>"
            f'<div class="small">{badge}</div>'
            f'<div class="small text-body-secondary">{waiting}</div>'
            f'<a class="small" href="{e(row.ticket.get_absolute_url())}#escalation-packet">'
            f"{e(labels['packet'])}</a>"
        )

    def _note(self, row: CoordinationRow) -> str:
        parts = []
        description = row.packet.data.get("description") if row.packet else None
        if description:
            parts.append(f'<div class="note-text">{_lines(str(description))}</div>')
        note = row.note
        if note:
            author = person_name(note.author) or self.labels["system"]
            parts.append(
                f'<div class="small text-body-secondary">{e(author)} · {_time(note.created_at)}'
                f'</div><div class="note-text">{_lines(note.text)}</div>'
            )
        return "".join(parts)

    def _actions(self, row: CoordinationRow) -> str:
        ticket = row.ticket
        number = ticket.number
        version = f'<input type="hidden" name="version" value="{e(str(ticket.version))}">'
        take = (
            f'<form method="post" action="{self.url("take", number)}" class="mb-1">'
            f"{self.csrf}{version}"
            f'<button class="btn btn-sm btn-outline-primary" type="submit">'
            f"{e(self.labels['take'])}</button></form>"
        )
        return take + "".join(
            self._action_form(row, action, label, version) for action, label in self.actions
        )

    def _action_form(self, row: CoordinationRow, action: str, label: str, version: str) -> str:
        number = row.ticket.number
        labels = self.labels
        failed = self.failed
        here = failed.get("number") == number and failed.get("action") == action
        checklist = ""
        if action == "return" and row.packet:
            missing = failed.get("missing", ()) if failed.get("number") == number else ()
            boxes = "".join(
                f'<div class="form-check"><input class="form-check-input" type="checkbox" '
                f'name="missing" value="{e(item.name)}" id="missing-{e(number)}-{e(item.name)}"'
                f"{' checked' if item.name in missing else ''}>"
                f'<label class="form-check-label" for="missing-{e(number)}-{e(item.name)}">'
                f"{e(str(item.label))}</label></div>"
                for item in row.packet.case_definition.checklist
            )
            checklist = (
                f'<fieldset class="small mb-1"><legend class="small fw-semibold mb-0">'
                f"{e(labels['what_missing'])}</legend>{boxes}</fieldset>"
            )
        note_id = f"note-{action}-{e(number)}"
        invalid = " is-invalid" if here and failed.get("errors") else ""
        errors = "".join(
            f'<div class="invalid-feedback d-block">{e(str(error))}</div>'
            for error in (failed.get("errors", ()) if here else ())
        )
        typed = e(failed.get("note", "")) if here else ""
        return (
            f'<details class="mb-1"{" open" if here else ""}>'
            f'<summary class="small">{e(label)}</summary>'
            f'<form method="post" action="{self.url(action, number)}">{self.csrf}{version}'
            f"{checklist}"
            f'<label class="form-label small mb-0" for="{note_id}">{e(labels["note"])}</label>'
            f'<textarea class="form-control form-control-sm{invalid}" rows="2" name="note" '
            f'id="{note_id}" required maxlength="4000">{typed}</textarea>{errors}'
            f'<button class="btn btn-sm btn-primary mt-1" type="submit" '
            f'title="{e(labels["ctrl_enter"])}">{e(label)}</button></form></details>'
        )
