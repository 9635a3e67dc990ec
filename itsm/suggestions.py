"""Panels the ticket pages show beside what the agent types (the knowledge
base's suggestions): the core owns the slot, an app above it registers the
URL that fills it, so the core pages import none of those apps.

A panel is loaded with htmx from the registered URL (a URL name, reversed
with no arguments); it receives the ticket form's fields as query
parameters, and ``ticket`` (the ticket's number) on a ticket's page."""

from collections.abc import Callable

_PANELS: list[str] = []


def register_suggestions_panel(url_name: str) -> None:
    """``url_name`` answers GET with an HTML fragment for the slot."""
    if url_name not in _PANELS:
        _PANELS.append(url_name)


def suggestions_panels() -> list[str]:
    return list(_PANELS)


# What an app gives the e-mail compose page when an agent sends a suggested
# article to the customer (``?article=<id>``): the text for the customer, or
# None when the reference is not one it may send (a draft, an internal
# article). The core page asks each in turn.
_CUSTOMER_TEXTS: list[Callable[[str, object], str | None]] = []


def register_customer_text(provider: Callable[[str, object], str | None]) -> None:
    if provider not in _CUSTOMER_TEXTS:
        _CUSTOMER_TEXTS.append(provider)


def customer_text(reference: str, user) -> str:
    """The text for the customer behind ``reference`` for ``user``; empty
    when no app sends it."""
    for provider in _CUSTOMER_TEXTS:
        text = provider(reference, user)
        if text is not None:
            return text
    return ""
