"""What templates need, prepared once in Python: rows of the consoles, the
history's markup (the magnifier's tables and cards:
``itsm.search_presenters``; the packet box and a stale-edit refusal:
``itsm.ticket_page_presenters``).

Lists of tickets are the largest share of a page's time when the template
engine reverses a URL and looks up labels and names cell by cell, so each
row is worked out here with one reverse per kind and one label table per
page. Nothing here queries the database beyond what it is given.
"""

import html
import re
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from customers.models import full_name
from itsm.common.rows import choice_labels
from itsm.journal_events import Names, describe
from itsm.kinds import Kind
from itsm.models import (
    Status,
    Ticket,
    WorkInfo,
)
from itsm.reference_names import group_names, people_names, reason_names

# --- ticket lists ------------------------------------------------------------------


@dataclass
class ConsoleRow:
    """A console line."""

    ticket: tuple  # a row of TicketQuerySet.for_console
    url: str
    customer: str
    status: str
    priority: str
    requires_attention: str
    assignee: str
    group: str
    reason: str
    updated_iso: str  # what |date:"c" prints
    updated: str  # what |date:"d/m/Y H:i" prints
    due: str = ""
    due_iso: str = ""
    due_state: str = ""  # "risk" (under 20 % left) or "breached"
    due_state_label: str = ""

    @property
    def html(self) -> SafeString:
        """The ``<tr>``, written here rather than in the template: 50 rows of
        eleven cells were most of a console's rendering time. Every value is
        escaped (``html.escape`` is what Django's ``escape`` calls). Each cell
        stays on one line and cuts its text with an ellipsis (itsm.css), so
        the full text is in its ``title`` and the whole line in the row's."""
        e = _escape
        ticket = self.ticket
        reason, group, assignee = self.reason, self.group, self.assignee
        customer, summary = e(self.customer), e(ticket.summary)
        status, reason_html = e(self.status), e(reason)
        group_html, assignee_html = e(group), e(assignee)
        attention = (
            f'<span class="badge text-bg-warning">{e(self.requires_attention)}</span>'
            if self.requires_attention
            else ""
        )
        line = " · ".join(
            str(text)
            for text in (ticket.number, self.customer, ticket.summary, self.status, reason)
            if text
        )
        # The group column hides below 1400 px: its name stays on the
        # assignee's title. Below 1200 px the reason column is folded under
        # the status.
        assigned = " · ".join(text for text in (assignee, group) if text)
        folded_reason = f'<span class="console-fold">{reason_html}</span>' if reason else ""
        # In the order of CONSOLE_COLUMNS, the header's.
        cells = (
            f'\n      <td class="console-number">{self._number_html()}</td>'
            f'\n      <td class="console-customer"{_title(customer)}>{customer}</td>'
            f'\n      <td class="console-summary"{_title(summary)}>{summary}</td>'
            f'\n      <td class="console-status"{_title(reason_html)}>'
            f'<span class="status status-{e(ticket.status)}">{status}</span>{folded_reason}</td>'
            f'\n      <td class="console-reason"{_title(reason_html)}>{reason_html}</td>'
            f'\n      <td class="console-priority"><span class="priority priority-'
            f'{e(ticket.priority)}">{e(self.priority)}</span></td>'
            f'\n      <td class="console-due">{self._due_html()}</td>'
            f'\n      <td class="console-attention">{attention}</td>'
            f'\n      <td class="console-assignee"{_title(e(assigned))}>{assignee_html}</td>'
            f'\n      <td class="console-group"{_title(group_html)}>{group_html}</td>'
            f'\n      <td class="console-updated"><time datetime="{e(self.updated_iso)}">'
            f"{e(self.updated)}</time></td>"
        )
        return mark_safe(  # noqa: S308 - every value escaped
            f'\n    <tr title="{e(line)}">{cells}\n    </tr>'
        )

    def _number_html(self) -> str:
        """The number, linked, after the box that selects the row for the
        console's *Fusionar* (``form="console-merge"``)."""
        number = _escape(self.ticket.number)
        link = f'<a href="{_escape(self.url)}">{number}</a>' if self.url else number
        return (
            f'<input type="checkbox" class="form-check-input me-1 console-pick" name="numbers" '
            f'value="{number}" form="console-merge" aria-label="{number}">{link}'
        )

    def _due_html(self) -> str:
        """The due time, coloured by its state, the state also said in words."""
        if not self.due:
            return ""
        e = _escape
        due = (
            f'<time class="due due-{e(self.due_state or "ok")}" datetime="{e(self.due_iso)}">'
            f"{e(self.due)}</time>"
        )
        if self.due_state_label:
            due += f' <span class="visually-hidden">({e(self.due_state_label)})</span>'
        return due


_SPECIAL = re.compile("[&<>\"']")


def _escape(text: str) -> str:
    """``html.escape``, skipped for the text that has nothing to escape:
    most of a console's, a thousand calls a page."""
    return html.escape(text) if _SPECIAL.search(text) else text


def _title(escaped: str) -> str:
    return f' title="{escaped}"' if escaped else ""


# The console's columns, what an agent reads first on the left; each cell's
# class is ``console-<name>``, which sets its width and, on narrow screens,
# hides or folds it (itsm.css).
CONSOLE_COLUMNS = (
    "number",
    "customer",
    "summary",
    "status",
    "reason",
    "priority",
    "due",
    "attention",
    "assignee",
    "group",
    "updated",
)


def console_column_labels(kind: Kind) -> dict[str, str]:
    """Each column's header, in the active language."""
    return {
        "number": _("Number"),
        "customer": _("Customer"),
        "summary": _("Summary"),
        "status": _("Status"),
        "reason": _("Reason"),
        "priority": _("Priority"),
        "due": _("Due"),
        "attention": _("Requires attention"),
        "assignee": _("Assignee"),
        "group": str(kind.group_label),
        "updated": _("Updated"),
    }


def console_header_html(columns: list[dict]) -> SafeString:
    """The header's ``<th>`` cells (``consoles._columns``), written here as
    the rows are: a dozen cells of nested conditions took a fifth of the
    console's template time. Every value is escaped."""
    e = html.escape
    cells = []
    for column in columns:
        label, sort = e(str(column["label"])), column["sort"]
        aria = inner = ""
        if sort is None:
            inner = label
        else:
            arrow = ""
            if sort["active"]:
                order = "descending" if sort["descending"] else "ascending"
                aria = f' aria-sort="{order}"'
                arrow = f' <span aria-hidden="true">{"▼" if sort["descending"] else "▲"}</span>'
            inner = f'<a class="sort-link" href="{e(sort["url"])}">{label}{arrow}</a>'
        cells.append(
            f'\n      <th scope="col" class="console-{e(column["name"])}" title="{label}"{aria}>'
            f"\n        {inner}\n      </th>"
        )
    return mark_safe("".join(cells))  # noqa: S308 - every value escaped


def due_state_labels() -> dict[str, str]:
    """What each ``due_state`` says, in the active language."""
    return {"breached": _("Breached"), "risk": _("About to breach"), "": ""}


def due_state(ticket: Ticket, now) -> str:
    if ticket.resolution_due_at is None:
        return ""
    if ticket.resolution_due_at <= now:
        return "breached"
    if ticket.sla_warn_at is not None and ticket.sla_warn_at <= now:
        return "risk"
    return ""


@dataclass
class SlaView:
    """The SLA clock as the ticket page shows it."""

    due: datetime | None
    state: str  # "", "risk" or "breached"
    state_label: str
    paused: bool
    # While nobody has answered yet: when the first response is due.
    response_due: datetime | None
    response_late: bool


def sla_view(ticket: Ticket, now) -> SlaView | None:
    """None once the ticket is resolved or finished: its clock has stopped."""
    if ticket.is_resolved or ticket.status in ticket.FINISHED_STATUSES:
        return None
    state = due_state(ticket, now)
    labels = due_state_labels()
    waiting = ticket.responded_at is None and ticket.response_due_at is not None
    return SlaView(
        due=timezone.localtime(ticket.resolution_due_at) if ticket.resolution_due_at else None,
        state=state,
        state_label=str(labels[state]),
        paused=ticket.status == Status.PENDING,
        response_due=timezone.localtime(ticket.response_due_at) if waiting else None,
        response_late=waiting and ticket.response_due_at <= now,
    )


def console_rows(kind: Kind, tickets: list) -> list[ConsoleRow]:
    """The lines of ``tickets``, rows of ``for_console`` (named tuples)."""
    fields = ("status", "priority", "requires_attention")
    labels = {name: choice_labels(kind.model, name) for name in fields}
    rows = []
    now = timezone.now()
    state_labels = due_state_labels()
    groups, reasons = group_names(), reason_names()
    people = people_names(ticket.assignee_id for ticket in tickets)
    for ticket in tickets:
        updated = timezone.localtime(ticket.updated_at)
        due = timezone.localtime(ticket.resolution_due_at) if ticket.resolution_due_at else None
        state = due_state(ticket, now)
        attention = ticket.requires_attention
        rows.append(
            ConsoleRow(
                ticket=ticket,
                url=kind.detail_url(ticket.number),
                customer=full_name(
                    ticket.customer__first_name,
                    ticket.customer__surnames,
                    ticket.customer__organisation,
                ),
                status=labels["status"].get(ticket.status, ticket.status),
                priority=labels["priority"].get(ticket.priority, ticket.priority),
                requires_attention=labels["requires_attention"].get(attention, "")
                if attention
                else "",
                assignee=people.get(ticket.assignee_id, ""),
                group=groups.get(ticket.assigned_group_id, ""),
                reason=reasons.get(ticket.status_reason_id, "") if ticket.status_reason_id else "",
                updated_iso=updated.isoformat(),
                updated=updated.strftime("%d/%m/%Y %H:%M"),
                due=due.strftime("%d/%m/%Y %H:%M") if due else "",
                due_iso=due.isoformat() if due else "",
                due_state=state,
                due_state_label=str(state_labels[state]),
            )
        )
    return rows


# --- the journal -------------------------------------------------------------------


def entry_text(entry: WorkInfo) -> str:
    """One entry's text in the active language (for mail, exports, tests)."""
    names = Names([entry], known_users=[entry.author])
    ticket_model = type(entry)._meta.get_field("ticket").related_model
    return describe(entry, names, str(ticket_model._meta.verbose_name).capitalize())


def customer_url(customer) -> str:
    """Where the customer's name on a ticket leads: the customer page."""
    return customer.get_absolute_url()
