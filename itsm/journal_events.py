"""What the system writes in a ticket's journal by itself, stored as facts
(an event code and its values as codes and ids) and put into words when the
history is read, in the reader's language and with people's full names.

Every event is written by ``itsm.services.journal.journal_event`` and read by
``describe``; a person's own notes are kept as typed, in ``notes``.
"""

from collections.abc import Callable, Iterable
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from itsm.common.text import person_name
from itsm.escalation_cases import CASES
from itsm.models import PacketEvent, RelationType, Status
from itsm.reference_names import group_names, people_names, reason_names

OPENED = "opened"
STATUS = "status"
GROUP = "group"
ASSIGNEE = "assignee"
RELATION_ADDED = "relation_added"
RELATION_REMOVED = "relation_removed"
EMAIL_SENT = "email_sent"
EMAIL_FAILED = "email_failed"
AUTO_CLOSED = "auto_closed"
OPENED_BY_EMAIL = "opened_by_email"
EMAIL_BOUNCED = "email_bounced"
PACKET = "packet"
CUSTOMER_EMAIL = "customer_email"
EMAIL_FILES = "email_files"
SLA_PAUSED = "sla_paused"
SLA_RESUMED = "sla_resumed"
SLA_BREACHED = "sla_breached"
SLA_RESPONSE_BREACHED = "sla_response_breached"
PHONE_CALL = "phone_call"
# A knowledge-base article linked to the ticket (an app above the core links
# it; the core only writes the fact: the article's id and title then).
ARTICLE_LINKED = "article_linked"
# A customer's personal data removed after an erasure request (privacy/);
# what was removed is not recorded.
PERSONAL_DATA_REMOVED = "personal_data_removed"
# The ticket's files deleted by the retention rules (privacy/).
FILES_REMOVED = "files_removed"
# A merge (itsm.services.merge): one event on each side, and one on each
# side when it is undone. ``number`` is the ticket on the other side.
MERGED_INTO = "merged_into"
MERGED_FROM = "merged_from"
MERGE_UNDONE = "merge_undone"

# Events whose entry also keeps what a person wrote (shown below the event).
WITH_NOTES = {CUSTOMER_EMAIL, PACKET}

# The keys of each event's data that hold a user's id.
USER_KEYS = {OPENED: ("assignee",), ASSIGNEE: ("old", "new")}


class Names:
    """Ids → names for one history: groups and reasons from the reference
    cache (all of them, retired ones too), people in one query for the ids
    the events mention that the entries' authors do not already carry."""

    def __init__(self, entries: Iterable, *, known_users: Iterable = ()) -> None:
        self.users = {user.pk: person_name(user) for user in known_users if user is not None}
        wanted = set()
        for entry in entries:
            for key in USER_KEYS.get(entry.event, ()):
                value = (entry.data or {}).get(key)
                if value is not None and value not in self.users:
                    wanted.add(value)
        self.users.update(people_names(wanted))
        self._groups: dict | None = None
        self._reasons: dict | None = None

    def user(self, pk) -> str:
        if pk is None:
            return _("(nobody)")
        return self.users.get(pk) or f"#{pk}"

    def group(self, pk) -> str:
        if self._groups is None:
            self._groups = group_names()
        return self._groups.get(pk) or f"#{pk}"

    def reason(self, pk) -> str:
        if self._reasons is None:
            self._reasons = reason_names()
        return self._reasons.get(pk) or f"#{pk}"


def _label(choices, value: str) -> str:
    """A stored code's label, or the code itself if it is no longer one."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _with_reason(text: str, data: dict, names: Names) -> str:
    if data.get("reason"):
        text += " (" + names.reason(data["reason"]) + ")"
    return text


def _opened(data: dict, names: Names, kind_label: str) -> str:
    text = _("%(kind)s opened: status %(status)s, group %(group)s") % {
        "kind": kind_label,
        "status": _label(Status, data["status"]),
        "group": names.group(data["group"]),
    }
    text = _with_reason(text, data, names)
    if data.get("assignee") is not None:
        text += ", " + _("assigned to %(user)s") % {"user": names.user(data["assignee"])}
    return text


def _status_change(data: dict, names: Names, kind_label: str) -> str:
    text = _("Status: %(old)s → %(new)s") % {
        "old": _label(Status, data["old"]),
        "new": _label(Status, data["new"]),
    }
    text = _with_reason(text, data, names)
    if data.get("resolution"):
        text += "\n" + _("Resolution: %(resolution)s") % {"resolution": data["resolution"]}
    if data.get("email"):
        # Put back in front of an agent by a message the customer sent.
        text += "\n" + _("The customer wrote (message %(id)d).") % {"id": data["email"]}
    return text


def _group(data: dict, names: Names, kind_label: str) -> str:
    return _("Group: %(old)s → %(new)s") % {
        "old": names.group(data["old"]),
        "new": names.group(data["new"]),
    }


def _assignee(data: dict, names: Names, kind_label: str) -> str:
    return _("Assignee: %(old)s → %(new)s") % {
        "old": names.user(data.get("old")),
        "new": names.user(data.get("new")),
    }


def _relation_added(data: dict, names: Names, kind_label: str) -> str:
    values = {"type": _label(RelationType, data["type"]), "number": data["number"]}
    if data.get("reverse"):
        return _("Relation added: %(number)s (%(type)s this ticket)") % values
    return _("Relation added: %(type)s %(number)s") % values


def _relation_removed(data: dict, names: Names, kind_label: str) -> str:
    return _("Relation removed: %(number)s") % {"number": data["number"]}


def _email_sent(data: dict, names: Names, kind_label: str) -> str:
    text = _("E-mail sent to %(to)s\nSubject: %(subject)s\nTemplate: %(template)s") % {
        "to": data["to"],
        "subject": data["subject"],
        "template": data["template"],
    }
    if data.get("attachments"):
        text += "\n" + _("Attachments: %(names)s") % {"names": ", ".join(data["attachments"])}
    return text


def _email_failed(data: dict, names: Names, kind_label: str) -> str:
    return _("E-mail to %(to)s NOT sent (%(template)s): %(error)s") % {
        "to": data["to"],
        "template": data["template"],
        "error": data["error"],
    }


def _auto_closed(data: dict, names: Names, kind_label: str) -> str:
    return _("Closed automatically %(days)d days after its resolution.") % {"days": data["days"]}


def _opened_by_email(data: dict, names: Names, kind_label: str) -> str:
    return _("Opened by the e-mail %(id)d: a reply to %(number)s, which is closed.") % {
        "id": data["email"],
        "number": data["number"],
    }


def _email_bounced(data: dict, names: Names, kind_label: str) -> str:
    if data["permanent"]:
        text = _("Our e-mail to %(address)s bounced: the address fails (%(diagnostic)s).")
    else:
        text = _("Our e-mail to %(address)s has been delayed (%(diagnostic)s).")
    text %= {"address": data["address"], "diagnostic": data.get("diagnostic") or "?"}
    return text + "\n" + _("Delivery report: message %(id)d.") % {"id": data["email"]}


def _packet(data: dict, names: Names, kind_label: str) -> str:
    """A step of the escalation packet: what happened, the case, and what
    the coordinator found missing (the person's note follows)."""
    case = CASES.get(data["case"])
    text = f"{PacketEvent(data['event']).label} · {case.label if case else data['case']}"
    if data.get("missing") and case:
        labels = [str(f.label) for f in case.fields if f.name in data["missing"]]
        text += " · " + _("Missing: %(items)s") % {"items": ", ".join(labels)}
    return text


def _customer_email(data: dict, names: Names, kind_label: str) -> str:
    text = _("E-mail from %(sender)s (message %(id)d)") % {
        "sender": data.get("sender") or _("unknown sender"),
        "id": data["email"],
    }
    if data.get("part"):
        # The next three files of the same message.
        return text
    if data.get("subject"):
        text += "\n" + _("Subject: %(subject)s") % {"subject": data["subject"]}
    if data.get("other_sender"):
        text += "\n" + _("Sender different from the customer.")
    return text


def _email_files(data: dict, names: Names, kind_label: str) -> str:
    return _("More files of the e-mail %(id)d.") % {"id": data["email"]}


def _moment(value: str | None) -> str:
    """A stored ISO date and time in the reader's time zone."""
    if not value:
        return "—"
    return timezone.localtime(datetime.fromisoformat(value)).strftime("%d/%m/%Y %H:%M")


def _sla_paused(data: dict, names: Names, kind_label: str) -> str:
    return _("SLA clock paused: the ticket is pending.")


def _sla_resumed(data: dict, names: Names, kind_label: str) -> str:
    return _("SLA clock resumed: due %(due)s.") % {"due": _moment(data.get("due"))}


def _sla_breached(data: dict, names: Names, kind_label: str) -> str:
    return _("SLA breached: the resolution was due %(due)s.") % {"due": _moment(data["due"])}


def _sla_response_breached(data: dict, names: Names, kind_label: str) -> str:
    return _("SLA breached: the first response was due %(due)s.") % {"due": _moment(data["due"])}


def duration(seconds: int) -> str:
    """``3 min 12 s``; ``45 s`` under a minute; ``1 h 5 min`` from an hour."""
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    if minutes:
        return _("%(minutes)d min %(seconds)d s") % {"minutes": minutes, "seconds": seconds}
    return _("%(seconds)d s") % {"seconds": seconds}


def _phone_call(data: dict, names: Names, kind_label: str) -> str:
    if data["direction"] == "out":
        text = _("Outbound call to %(number)s")
    else:
        text = _("Inbound call from %(number)s")
    text %= {"number": data.get("number") or _("an unknown number")}
    return f"{text} · {duration(data['seconds'])}"


def _article_linked(data: dict, names: Names, kind_label: str) -> str:
    return _("Knowledge base article linked: %(title)s") % {"title": data["title"]}


def _personal_data_removed(data: dict, names: Names, kind_label: str) -> str:
    return _("The customer's personal data was removed (data-protection request).")


def _files_removed(data: dict, names: Names, kind_label: str) -> str:
    return _("Its files were deleted: their retention period is over.")


def _merged_into(data: dict, names: Names, kind_label: str) -> str:
    return _("Merged into %(number)s: its history is shown there.") % {"number": data["number"]}


def _merged_from(data: dict, names: Names, kind_label: str) -> str:
    return _("%(number)s was merged into this ticket.") % {"number": data["number"]}


def _merge_undone(data: dict, names: Names, kind_label: str) -> str:
    if data.get("target"):
        return _("Merge of %(number)s into this ticket undone.") % {"number": data["number"]}
    return _("Merge into %(number)s undone.") % {"number": data["number"]}


WRITERS: dict[str, Callable[[dict, Names, str], str]] = {
    OPENED: _opened,
    STATUS: _status_change,
    GROUP: _group,
    ASSIGNEE: _assignee,
    RELATION_ADDED: _relation_added,
    RELATION_REMOVED: _relation_removed,
    EMAIL_SENT: _email_sent,
    EMAIL_FAILED: _email_failed,
    AUTO_CLOSED: _auto_closed,
    OPENED_BY_EMAIL: _opened_by_email,
    EMAIL_BOUNCED: _email_bounced,
    PACKET: _packet,
    CUSTOMER_EMAIL: _customer_email,
    EMAIL_FILES: _email_files,
    SLA_PAUSED: _sla_paused,
    SLA_RESUMED: _sla_resumed,
    SLA_BREACHED: _sla_breached,
    SLA_RESPONSE_BREACHED: _sla_response_breached,
    PHONE_CALL: _phone_call,
    ARTICLE_LINKED: _article_linked,
    PERSONAL_DATA_REMOVED: _personal_data_removed,
    FILES_REMOVED: _files_removed,
    MERGED_INTO: _merged_into,
    MERGED_FROM: _merged_from,
    MERGE_UNDONE: _merge_undone,
}


def describe(entry, names: Names, kind_label: str) -> str:
    """The entry's text in the active language: its event put into words,
    or the notes as stored (typed by a person, or written before events)."""
    writer = WRITERS.get(entry.event or "")
    if writer is None:
        return entry.notes
    try:
        text = writer(entry.data or {}, names, kind_label)
    except (KeyError, TypeError, ValueError):
        # A malformed event never hides the entry: its stored notes stand in.
        return entry.notes
    if entry.event in WITH_NOTES and entry.notes:
        return f"{text}\n\n{entry.notes}"
    return text
