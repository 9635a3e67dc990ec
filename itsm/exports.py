"""CSV exports of the consoles (presenters): ``;``-separated UTF-8 with a BOM
so Excel in Spanish opens it as columns, formula-safe, written row by row
so memory stays flat whatever the size."""

import csv
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from itsm.audit import audit_record
from itsm.common.pagination import keyset_rows
from itsm.escalation_cases import CASES
from itsm.kinds import Kind
from itsm.models import AuditEventKind, Status
from itsm.selectors import CUSTOMER_NAME_COLUMNS

BOM = "\ufeff"
# A cell starting with one of these is a formula to a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_ROWS = 2000


def formula_safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Line:
    """What csv.writer writes to: gives the line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    writer = csv.writer(_Line(), delimiter=";", lineterminator="\r\n")
    yield BOM + writer.writerow([formula_safe(cell) for cell in header])
    for row in rows:
        yield writer.writerow([formula_safe(cell) for cell in row])


def csv_response(
    request: HttpRequest, lines: Iterator[str], filename: str
) -> StreamingHttpResponse:
    """The file, streamed; the audit trail records who took which rows out
    (the export's name and its filters)."""
    query = request.GET.urlencode()
    audit_record(
        kind=AuditEventKind.EXPORT,
        request=request,
        user=request.user,
        detail=f"{filename}?{query}" if query else filename,
    )
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in lines), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def coordination_export_lines(rows: Iterator[tuple]) -> Iterator[str]:
    header = [
        _("Number"),
        _("Customer"),
        _("Summary"),
        _("Status"),
        _("Created"),
        _("Case"),
        _("Completeness"),
        _("Escalated"),
    ]

    def lines():
        for (
            created,
            number,
            first,
            surnames,
            organisation,
            summary,
            status,
            case,
            complete,
            at,
        ) in rows:
            yield (
                number,
                _customer_name(first, surnames, organisation),
                summary,
                Status(status).label if status in Status.values else status,
                _when(created),
                CASES[case].label if case in CASES else "",
                "" if complete is None else (_("Complete data") if complete else _("Missing data")),
                _when(at),
            )

    return csv_lines(header, lines())


TICKET_COLUMNS = (
    "number",
    *CUSTOMER_NAME_COLUMNS,
    "summary",
    "status",
    "status_reason__name",
    "assigned_group__name",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__username",
    "priority",
    "requires_attention",
    "created_at",
    "updated_at",
    "resolution_due_at",
)


def _when(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


def _customer_name(first_name: str, surnames: str, organisation: str) -> str:
    """A person's name, or the organisation's when the customer has none."""
    return " ".join(p for p in (first_name, surnames) if p) or organisation


def _ticket_export_header(kind: Kind) -> list[str]:
    return [
        _("Number"),
        _("Customer"),
        _("Summary"),
        _("Status"),
        _("Reason"),
        str(kind.group_label),
        _("Assignee"),
        _("Priority"),
        _("Requires attention"),
        _("Created"),
        _("Updated"),
        _("Due"),
    ]


def _ticket_export_rows(kind: Kind, values: Iterable[tuple]) -> Iterator[tuple]:
    """``TICKET_COLUMNS`` values as cells: choices by their labels, names
    joined, dates in the desk's time zone."""
    fields = kind.model._meta
    statuses = dict(fields.get_field("status").flatchoices)
    priorities = dict(fields.get_field("priority").flatchoices)
    attention = dict(fields.get_field("requires_attention").flatchoices)
    for (
        number,
        first_name,
        surnames,
        organisation,
        summary,
        status,
        reason,
        group,
        assignee_first,
        assignee_last,
        assignee_username,
        priority,
        requires,
        created,
        updated,
        due,
    ) in values:
        assignee = " ".join(p for p in (assignee_first, assignee_last) if p)
        yield (
            number,
            _customer_name(first_name, surnames, organisation),
            summary,
            statuses.get(status, status),
            reason or "",
            group,
            assignee or assignee_username or "",
            priorities.get(priority, priority),
            attention.get(requires, "") if requires else "",
            _when(created),
            _when(updated),
            _when(due),
        )


def ticket_export_lines(
    kind: Kind, queryset: QuerySet, keys: tuple[str, ...], *, descending: bool, limit: int
) -> Iterator[str]:
    """The console's tickets as CSV lines: values only (no model instances),
    read a chunk at a time in the console's order (``keyset_rows``)."""
    values = keyset_rows(
        queryset, keys, TICKET_COLUMNS, descending=descending, limit=limit, chunk=CHUNK_ROWS
    )
    return csv_lines(_ticket_export_header(kind), _ticket_export_rows(kind, values))
