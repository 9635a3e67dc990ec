"""Panels the ticket pages show beside what the agent types (the knowledge
base's suggestions): the core owns the slot, an app above it registers the
URL that fills it, so the core pages import none of those apps.

A panel is loaded with htmx from the registered URL (a URL name, reversed
with no arguments); it receives the ticket form's fields as query
parameters, and ``ticket`` (the ticket's number) on a ticket's page."""

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

from django.core.files import File
from django.db import transaction
from django.http import QueryDict

_PANELS: list[str] = []


def register_suggestions_panel(url_name: str) -> None:
    """``url_name`` answers GET with an HTML fragment for the slot."""
    if url_name not in _PANELS:
        _PANELS.append(url_name)


def suggestions_panels() -> list[str]:
    return list(_PANELS)


@dataclass(frozen=True)
class CustomerContent:
    """What an app gives the e-mail compose page when an agent sends a
    suggested article to the customer (``?article=<id>``): the text for the
    message's note and the documents it carries as attachments, each as
    (the name the customer sees, the stored file)."""

    text: str
    documents: tuple[tuple[str, File], ...] = ()


# Each provider answers None when the reference is not one it may send (a
# draft, an internal article); the core page asks each in turn.
_CUSTOMER_CONTENTS: list[Callable[[str, object], CustomerContent | None]] = []


def register_customer_content(provider: Callable[[str, object], CustomerContent | None]) -> None:
    if provider not in _CUSTOMER_CONTENTS:
        _CUSTOMER_CONTENTS.append(provider)


def customer_content(reference: str, user) -> CustomerContent | None:
    """What may reach the customer behind ``reference`` for ``user``; None
    when no app sends it."""
    for provider in _CUSTOMER_CONTENTS:
        content = provider(reference, user)
        if content is not None:
            return content
    return None


# What a panel adds to a ticket form before the ticket exists (the
# knowledge base's *Vincular* on the new-ticket page): the names of the
# fields it carries, kept by the slot when the form comes back with errors,
# and what to do with them once the ticket is created, in the transaction
# that creates it.
@dataclass(frozen=True)
class FormExtension:
    field_name: str
    on_created: Callable[..., None]


_FORM_EXTENSIONS: list[FormExtension] = []


def register_form_extension(extension: FormExtension) -> None:
    if extension not in _FORM_EXTENSIONS:
        _FORM_EXTENSIONS.append(extension)


def carried_values(data: QueryDict | None) -> list[tuple[str, str]]:
    """The (name, value) pairs of the panels' fields in ``data`` (a bound
    form's), in order: the slot renders them again."""
    if data is None:
        return []
    return [
        (extension.field_name, value)
        for extension in _FORM_EXTENSIONS
        for value in data.getlist(extension.field_name)
    ]


def ticket_created_from_form(*, ticket, data: QueryDict, user) -> None:
    """Each panel acts on what it added to the form; the caller holds the
    transaction that created ``ticket``."""
    for extension in _FORM_EXTENSIONS:
        values = data.getlist(extension.field_name)
        if values:
            extension.on_created(ticket=ticket, values=values, user=user)


def creation_transaction(data: QueryDict) -> AbstractContextManager:
    """What a new-ticket view wraps the creation and
    ``ticket_created_from_form`` in: one transaction when a panel added
    something; otherwise the service's own is the whole of it (no savepoint
    more on every creation)."""
    return transaction.atomic() if carried_values(data) else nullcontext()
