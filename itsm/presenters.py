"""What templates need, prepared once in Python: rows of the consoles and of
search results, the history's markup (the packet box and a stale-edit
refusal: ``itsm.ticket_page_presenters``).

Lists of tickets are the largest share of a page's time when the template
engine reverses a URL and looks up labels and names cell by cell, so each
row is worked out here with one reverse per kind and one label table per
page. Nothing here queries the database beyond what it is given.
"""

import html
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from django.db import models
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from customers.models import Customer, full_name
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
        e = html.escape
        ticket = self.ticket
        reason, group = self.reason, self.group
        attention = (
            f'<span class="badge text-bg-warning">{e(self.requires_attention)}</span>'
            if self.requires_attention
            else ""
        )
        due = self._due_html()
        line = " · ".join(
            str(text)
            for text in (ticket.number, self.customer, ticket.summary, self.status, reason)
            if text
        )
        # Below 1200 px the reason column is folded under the status.
        folded_reason = f'<span class="console-fold">{e(reason)}</span>' if reason else ""
        cells = {
            "number": ("", self._number_html()),
            "customer": (self.customer, e(self.customer)),
            "summary": (ticket.summary, e(ticket.summary)),
            "status": (
                reason,
                f'<span class="status status-{e(ticket.status)}">{e(self.status)}</span>'
                f"{folded_reason}",
            ),
            "reason": (reason, e(reason)),
            "priority": (
                "",
                f'<span class="priority priority-{e(ticket.priority)}">{e(self.priority)}</span>',
            ),
            "due": ("", due),
            "attention": ("", attention),
            # The group column hides below 1400 px: its name stays on the assignee.
            "assignee": (" · ".join(str(t) for t in (self.assignee, group) if t), e(self.assignee)),
            "group": (group, e(group)),
            "updated": (
                "",
                f'<time datetime="{e(self.updated_iso)}">{e(self.updated)}</time>',
            ),
        }
        markup = "".join(
            f'\n      <td class="console-{name}"'
            + (f' title="{e(cells[name][0])}"' if cells[name][0] else "")
            + f">{cells[name][1]}</td>"
            for name in CONSOLE_COLUMNS
        )
        return mark_safe(  # noqa: S308 - every value escaped
            f'\n    <tr title="{e(line)}">{markup}\n    </tr>'
        )

    def _number_html(self) -> str:
        """The number, linked, after the box that selects the row for the
        console's *Fusionar* (``form="console-merge"``)."""
        number = html.escape(self.ticket.number)
        link = f'<a href="{html.escape(self.url)}">{number}</a>' if self.url else number
        return (
            f'<input type="checkbox" class="form-check-input me-1 console-pick" name="numbers" '
            f'value="{number}" form="console-merge" aria-label="{number}">{link}'
        )

    def _due_html(self) -> str:
        """The due time, coloured by its state, the state also said in words."""
        if not self.due:
            return ""
        e = html.escape
        due = (
            f'<time class="due due-{e(self.due_state or "ok")}" datetime="{e(self.due_iso)}">'
            f"{e(self.due)}</time>"
        )
        if self.due_state_label:
            due += f' <span class="visually-hidden">({e(self.due_state_label)})</span>'
        return due


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


@dataclass
class TicketRow:
    """A line of search results or of a customer's open tickets."""

    ticket: Ticket
    url: str
    status: str
    created_iso: str  # what |date:"c" prints
    created: str  # what |date:"d/m/Y H:i" prints

    @property
    def customer_url(self) -> str:
        """Read only where the row shows its customer: a customer's own list
        of tickets has not loaded them."""
        return customer_url(self.ticket.customer)


def ticket_table(rows: list[TicketRow], *, show_customer: bool = False) -> SafeString:
    """The table of search results and of each customer's open tickets,
    written here rather than in a template: the magnifier drew one for each
    of up to 20 customers, and their headers and cells were half its time.
    Every value is escaped."""
    # The reason's and group's names from the reference lists: the rows need
    # not have loaded them.
    return _ticket_table(rows, show_customer, group_names(), reason_names())


def _ticket_table(
    rows: list[TicketRow], show_customer: bool, groups: dict, reasons: dict
) -> SafeString:
    e = html.escape
    customer = [_("Customer")] if show_customer else []
    headers = [_("Number"), *customer, _("Summary"), _("Status"), _("Reason"), _("Group")]
    headers.append(_("Created"))
    lines = [
        '<div class="table-responsive">',
        '<table class="table table-sm table-hover align-middle mb-1">',
        '  <thead class="table-light"><tr>',
        *(f'    <th scope="col">{e(header)}</th>' for header in headers),
        "  </tr></thead>",
        "  <tbody>",
    ]
    for row in rows:
        ticket = row.ticket
        customer = (
            f'<td><a href="{e(row.customer_url)}">{e(ticket.customer.full_name)}</a></td>'
            if show_customer
            else ""
        )
        lines.append(
            "    <tr>"
            f'<td class="text-nowrap"><a href="{e(row.url)}">{e(ticket.number)}</a></td>'
            f"{customer}<td>{e(ticket.summary)}</td>"
            f'<td class="text-nowrap"><span class="status status-{e(ticket.status)}">'
            f"{e(row.status)}</span></td>"
            f"<td>{e(reasons.get(ticket.status_reason_id, ''))}</td>"
            f"<td>{e(groups.get(ticket.assigned_group_id, ''))}</td>"
            f'<td class="text-nowrap"><time datetime="{e(row.created_iso)}">'
            f"{e(row.created)}</time></td></tr>"
        )
    lines += ["  </tbody>", "</table>", "</div>"]
    return mark_safe("\n".join(lines))  # noqa: S308 - every value escaped


def customer_cards(hits: list) -> SafeString:
    """The magnifier's customers (``search_selectors.CustomerHit``), each
    with its open tickets, written here as the tables are: up to 20 cards
    of a dozen conditions were most of a search page's template time. Every
    value is escaped."""
    e = html.escape
    kinds = choice_labels(Customer, "kind")
    groups, reasons = group_names(), reason_names()
    inactive, tax_id_label = e(_("inactive")), e(_("CIF/NIF"))
    failing, no_open = e(_("Address failing")), e(_("No open tickets."))
    cards = []
    for hit in hits:
        customer = hit.customer
        heading = f'<a href="{e(customer.get_absolute_url())}">{e(customer.full_name)}</a>'
        if customer.organisation and customer.first_name:
            heading += f" · {e(customer.organisation)}"
        if not customer.active:
            heading += f' <span class="badge text-bg-secondary">{inactive}</span>'
        facts = [e(kinds.get(customer.kind, customer.kind))]
        if customer.tax_id:
            facts.append(f"{tax_id_label} {e(customer.tax_id)}")
        if customer.email:
            email = e(customer.email)
            if customer.email_failing_since:
                email += (
                    f' <span class="badge text-bg-danger" title="{e(customer.email_failure)}"'
                    f" data-email-failing>{failing}</span>"
                )
            facts.append(email)
        if customer.phones_summary:
            facts.append(e(customer.phones_summary))
        if customer.flei_code:
            facts.append(f"FLEI {e(customer.flei_code)}")
        if hit.open_tickets:
            tickets = _ticket_table(ticket_rows(hit.open_tickets), False, groups, reasons)
            if hit.more_open_tickets:
                more = ngettext(
                    "and %(counter)s more open ticket",
                    "and %(counter)s more open tickets",
                    hit.more_open_tickets,
                ) % {"counter": hit.more_open_tickets}
                tickets += f'\n<p class="small mb-0">{e(more)}</p>'
        else:
            tickets = f'<p class="small mb-0">{no_open}</p>'
        cards.append(
            '<article class="border rounded p-2 mb-2">\n'
            f'  <h3 class="h6 mb-1">{heading}</h3>\n'
            f'  <p class="small mb-1 text-body-secondary">{" · ".join(facts)}</p>\n'
            f"  {tickets}\n"
            "</article>"
        )
    return mark_safe("\n".join(cards))  # noqa: S308 - every value escaped


def choice_labels(model: type[models.Model], name: str) -> Mapping[str, str]:
    """Value → label of the field ``name`` in the active language, translated
    once per process and language: a lazy label is translated again at every
    use (escaping one, for every character it replaces). The catalogues do
    not change while the process runs."""
    key = (model, name, get_language())
    labels = _choice_labels.get(key)
    if labels is None:
        flat = model._meta.get_field(name).flatchoices
        labels = _choice_labels[key] = MappingProxyType(
            {value: str(label) for value, label in flat}
        )
    return labels


_choice_labels: dict[tuple, Mapping[str, str]] = {}


def ticket_rows(tickets: list[Ticket]) -> list[TicketRow]:
    rows = []
    models = {type(ticket) for ticket in tickets}
    statuses = {model: choice_labels(model, "status") for model in models}
    for ticket in tickets:
        created = timezone.localtime(ticket.created_at)
        rows.append(
            TicketRow(
                ticket=ticket,
                url=ticket.kind.detail_url(ticket.number),
                status=statuses[type(ticket)].get(ticket.status, ticket.status),
                created_iso=created.isoformat(),
                created=created.strftime("%d/%m/%Y %H:%M"),
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
