"""The one-time backfill of the journal's structured columns (``event``,
``data``) for entries written before the system stored facts.

Two promises hold at once:

- **Append-only**: the stored text (``notes``), author, date and type of an
  entry never change. The backfill writes only the two new columns, only
  where they are still empty (``event IS NULL``), once.
- **Migrations can add a structured form**: the database trigger that refuses
  every UPDATE is lifted for the length of the migration's transaction and
  put back before it commits (PostgreSQL: ``DISABLE``/``ENABLE TRIGGER``;
  SQLite: the trigger is dropped and created again with the same text), so
  no other writer ever sees the table unguarded.

Old entries were finished text in the language of whoever made the change,
in English or Spanish; the lines the system wrote are recognised in both
and turned into events with codes and ids. What is not recognised (a name
that no longer exists, the e-mail lines) keeps no event and is shown as
stored.
"""

import re

from django.utils import translation

STATUS_LABELS_EN = {
    "New": "new",
    "Assigned": "assigned",
    "In progress": "in_progress",
    "Pending": "pending",
    "Resolved": "resolved",
    "Completed": "completed",
    "Closed": "closed",
    "Cancelled": "cancelled",
    "Rejected": "rejected",
}
RELATION_LABELS_EN = {"Related to": "related", "Duplicate of": "duplicate"}
NOBODY = ("(nobody)", "(nadie)")

STATUS_RE = re.compile(
    r"^(?:Status|Estado): (?P<old>.+?) → (?P<new>.+?)(?: \((?P<reason>.+)\))?"
    r"(?:\n(?:Resolution|Resolución): (?P<resolution>.*))?$",
    re.S,
)
GROUP_RE = re.compile(r"^(?:Group|Grupo): (?P<old>.+?) → (?P<new>.+)$")
ASSIGNEE_RE = re.compile(r"^(?:Assignee|Usuario asignado): (?P<old>.+?) → (?P<new>.+)$")
AUTO_CLOSED_RE = re.compile(
    r"^(?:Closed automatically (?P<en>\d+) days after its resolution\."
    r"|Cerrada automáticamente (?P<es>\d+) días después de su resolución\.)$"
)
OPENED_RE = re.compile(
    r"^.+? (?:opened|abierta): (?:status|estado) (?P<status>.+?), (?:group|grupo) (?P<group>.+?)"
    r"(?: \((?P<reason>[^()]+)\))?(?:, (?:assigned to|asignada a) (?P<user>\S+))?$"
)
RELATION_ADDED_RE = re.compile(
    r"^(?:Relation added|Relación añadida): (?P<type>.+) (?P<number>\S+)$"
)
RELATION_ADDED_REVERSE_RE = re.compile(
    r"^(?:Relation added|Relación añadida): (?P<number>\S+) "
    r"\((?P<type>.+) (?:this ticket|esta gestión)\)$"
)
RELATION_REMOVED_RE = re.compile(r"^(?:Relation removed|Relación eliminada): (?P<number>\S+)$")


def _labels(english: dict[str, str]) -> dict[str, str]:
    """Each label in English and in Spanish → its code."""
    labels = dict(english)
    with translation.override("es"):
        for label, code in english.items():
            labels[translation.gettext(label)] = code
    return labels


class Lookups:
    """Names as old entries wrote them → the codes and ids events store."""

    def __init__(self, apps) -> None:
        self.statuses = _labels(STATUS_LABELS_EN)
        self.relation_types = _labels(RELATION_LABELS_EN)
        self.groups = dict(apps.get_model("itsm", "SupportGroup").objects.values_list("name", "pk"))
        # Reason names repeat across kinds and statuses.
        reasons = apps.get_model("itsm", "StatusReason").objects
        self.reasons = {
            (kind, status, name): pk
            for kind, status, name, pk in reasons.values_list("kind", "status", "name", "pk")
        }
        user_model = apps.get_model("auth", "User")
        self.users = dict(user_model.objects.values_list("username", "pk"))

    def user(self, login: str):
        if login in NOBODY:
            return None
        return self.users[login]


def parse(notes: str, lookups: Lookups, *, kind: str) -> tuple[str, dict] | None:
    """(event, data) for a line the system wrote on a ticket of ``kind``, or None."""
    try:
        if match := STATUS_RE.match(notes):
            new = lookups.statuses[match["new"]]
            data = {
                "old": lookups.statuses[match["old"]],
                "new": new,
                "reason": lookups.reasons[kind, new, match["reason"]] if match["reason"] else None,
            }
            if match["resolution"]:
                data["resolution"] = match["resolution"]
            return "status", data
        if match := OPENED_RE.match(notes):
            status = lookups.statuses[match["status"]]
            reason = match["reason"]
            return "opened", {
                "status": status,
                "reason": lookups.reasons[kind, status, reason] if reason else None,
                "group": lookups.groups[match["group"]],
                "assignee": lookups.user(match["user"]) if match["user"] else None,
            }
        if match := RELATION_ADDED_REVERSE_RE.match(notes):
            return "relation_added", {
                "type": lookups.relation_types[match["type"]],
                "number": match["number"],
                "reverse": True,
            }
        if match := RELATION_ADDED_RE.match(notes):
            return "relation_added", {
                "type": lookups.relation_types[match["type"]],
                "number": match["number"],
            }
        if match := GROUP_RE.match(notes):
            return "group", {
                "old": lookups.groups[match["old"]],
                "new": lookups.groups[match["new"]],
            }
        if match := ASSIGNEE_RE.match(notes):
            return "assignee", {
                "old": lookups.user(match["old"]),
                "new": lookups.user(match["new"]),
            }
        if match := AUTO_CLOSED_RE.match(notes):
            return "auto_closed", {"days": int(match["en"] or match["es"])}
        if match := RELATION_REMOVED_RE.match(notes):
            return "relation_removed", {"number": match["number"]}
    except KeyError:
        # A name that no longer exists (renamed group, deleted user): leave the text.
        return None
    return None


def _lift_trigger(schema_editor, table: str) -> None:
    name = f"{table}_append_only"
    if schema_editor.connection.vendor == "postgresql":
        # ALTER TABLE refuses a table with pending (deferred) trigger events,
        # such as the foreign-key checks of rows written in this transaction.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {name}")
    else:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


def _restore_trigger(schema_editor, table: str) -> None:
    name = f"{table}_append_only"
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {name}")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")
    else:
        # The text itsm.db.append_only_trigger creates.
        schema_editor.execute(
            f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'work info is append-only'); END;"
        )


def backfill(apps, schema_editor, *, app_label: str, model_name: str, kind: str) -> None:
    """Give the entries of ``app_label.model_name`` without an event the
    structured form of what they say; their text is left as it is."""
    model = apps.get_model(app_label, model_name)
    table = model._meta.db_table
    lookups = Lookups(apps)
    _lift_trigger(schema_editor, table)
    try:
        # The base manager: the journal's own manager refuses every update.
        entries = model._base_manager
        rows = list(entries.filter(event__isnull=True).values_list("pk", "notes"))
        for pk, notes in rows:
            parsed = parse(notes, lookups, kind=kind)
            if parsed is not None:
                event, data = parsed
                # Only the new columns, only while still empty.
                entries.filter(pk=pk, event__isnull=True).update(event=event, data=data)
    finally:
        _restore_trigger(schema_editor, table)
