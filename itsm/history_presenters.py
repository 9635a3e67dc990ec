"""The ticket page's history: the journal of the ticket and of the tickets
merged into it, each entry written as markup once (``history``), and what the
page says of those merges (``merges_shown``)."""

import html
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import NamedTuple

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from itsm import journal_events as events
from itsm.common.text import person_name
from itsm.journal_events import Names, describe
from itsm.kinds import kind_for_number
from itsm.models import Channel, RequiresAttention, Ticket, ViewAccess, WorkInfo, WorkInfoType
from itsm.selectors import history_entries


class HistoryEntry(NamedTuple):
    """A journal entry, its files (name, download URL) and the markup the
    history shows for it."""

    entry: WorkInfo
    files: list[tuple[str, str]]
    html: SafeString


class _HistoryMarkup:
    """Writes the ``<li>`` of each journal entry in Python. With 50 entries,
    the loop body in the template (lookups, ``{% url %}``, ``linebreaksbr``,
    a translated label per entry) was the page's largest cost; labels are
    translated and escaped once per page here, and ``html.escape`` is what
    Django's ``escape`` calls."""

    def __init__(self, ticket: Ticket, names: Names) -> None:
        self.names = names
        self.kind_label = str(ticket._meta.verbose_name).capitalize()
        self.attachment_url = ticket.kind.url_name("attachment")
        self.number = ticket.number
        self.timezone = timezone.get_current_timezone()
        self.types = {value: html.escape(str(label)) for value, label in WorkInfoType.choices}
        self.attention = {
            value: self.badge("warning", label) for value, label in RequiresAttention.choices
        }
        self.public = self.badge("info", ViewAccess.PUBLIC.label)
        self.system = html.escape(_("System"))
        # Where a change came from, when not from these pages: discreet, one
        # word. The system's own entries already say "System" as their author.
        self.channels = {
            value: (
                '<span class="badge rounded-pill text-bg-light border fw-normal" '
                f'title="{html.escape(_("Channel: %(channel)s") % {"channel": label})}">'
                f"{html.escape(str(label))}</span>"
            )
            for value, label in Channel.choices
            if value not in (Channel.WEB, Channel.SYSTEM)
        }

    @staticmethod
    def badge(colour: str, label) -> str:
        return f'<span class="badge text-bg-{colour}">{html.escape(str(label))}</span>'

    def _attention(self, value: str) -> str:
        if not value:
            return ""
        return self.attention.get(value) or self.badge("warning", value)

    def origin(self, number: str) -> tuple[str, str, str]:
        """An entry of a ticket merged into this one: its files' URL name, its
        kind's label (its events speak of it) and a badge naming the ticket it
        was written on."""
        kind = kind_for_number(number)
        label = html.escape(_("from %(number)s") % {"number": number})
        badge = f'<span class="badge text-bg-secondary" data-origin="{number}">{label}</span>'
        return kind.url_name("attachment"), str(kind.model._meta.verbose_name).capitalize(), badge

    def entry(self, entry: WorkInfo) -> HistoryEntry:
        number = getattr(entry, "origin", self.number)
        url_name, kind_label, origin = self.attachment_url, self.kind_label, ""
        if number != self.number:
            url_name, kind_label, origin = self.origin(number)
        files = [
            (PurePath(f.name).name, reverse(url_name, args=[number, entry.pk, index]))
            for index, f in entry.attachments
        ]
        author_text = html.escape(person_name(entry.author)) if entry.author else self.system
        text = describe(entry, self.names, kind_label)
        notes = html.escape(text.replace("\r\n", "\n").replace("\r", "\n"))
        links = ""
        if files:
            items = "".join(
                f'\n      <li class="list-inline-item"><a href="{html.escape(url)}" download>'
                f"{html.escape(name)}</a></li>"
                for name, url in files
            )
            links = f'<ul class="list-inline small mb-0 mt-1">{items}</ul>'
        markup = (
            '\n  <li class="border-bottom py-2">'
            '\n    <div class="d-flex flex-wrap gap-2 small text-body-secondary">'
            f'\n      <span class="badge text-bg-light border">'
            f"{self.types.get(entry.type) or html.escape(entry.type)}</span>"
            f"\n      <span>{author_text}</span>"
            f"\n      <span>{entry.created_at.astimezone(self.timezone):%d/%m/%Y %H:%M}</span>"
            f"\n      {self._attention(entry.requires_attention)}"
            f"\n      {self.public if entry.view_access == ViewAccess.PUBLIC else ''}"
            f"\n      {self.channels.get(entry.channel, '')}"
            f"\n      {origin}"
            "\n    </div>"
            f'\n    <div class="mt-1 entry-text" data-fold>{notes.replace(chr(10), "<br>")}</div>'
            f"\n    {links}"
            "\n  </li>"
        )
        return HistoryEntry(entry, files, mark_safe(markup))  # noqa: S308 - every value escaped


def history(ticket: Ticket) -> list[HistoryEntry]:
    """The ticket's journal with those of the tickets merged into it, newest
    first: one query, and one more when its events name people who wrote none
    of its entries (groups and reasons come from the reference cache)."""
    entries = history_entries(ticket)
    names = Names(entries, known_users=[entry.author for entry in entries])
    markup = _HistoryMarkup(ticket, names)
    return [markup.entry(entry) for entry in entries]


@dataclass
class MergeShown:
    """A ticket merged into the one shown, as its page lists it."""

    number: str
    by: str
    at: datetime
    undo_until: datetime
    undo_url: str

    @property
    def undoable(self) -> bool:
        return timezone.now() <= self.undo_until


def merges_shown(ticket: Ticket, entries: list[HistoryEntry]) -> list[MergeShown]:
    """The tickets merged into ``ticket``, read from its history (no query):
    the entries written on another ticket, and that ticket's latest
    *Fusionada en* event for who merged it and when."""
    shown: dict[str, MergeShown] = {}
    days = timedelta(days=settings.ITSM_MERGE_UNDO_DAYS)
    for item in entries:  # newest first
        entry = item.entry
        origin = getattr(entry, "origin", ticket.number)
        if origin == ticket.number or origin in shown or entry.event != events.MERGED_INTO:
            continue
        shown[origin] = MergeShown(
            number=origin,
            by=person_name(entry.author) if entry.author else "",
            at=entry.created_at,
            undo_until=entry.created_at + days,
            undo_url=reverse(kind_for_number(origin).url_name("merge_undo"), args=[origin]),
        )
    return sorted(shown.values(), key=lambda merge: merge.at)
