"""The registry of what the full-text index covers: each app registers the
sources of its texts (the core tickets and notes, the e-mail app its mail,
the knowledge base its articles), so the core imports none of them."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Row:
    """One text of a source, as the rebuild reads it."""

    key: str
    text: str
    updated_at: datetime
    ticket_number: str | None = None


@dataclass(frozen=True)
class Source:
    name: str
    # What the user reads beside a hit ("Nota", "Correo recibido"…).
    label: str
    # Every text of the source, for ``rebuild_text_index``.
    rows: Callable[[], Iterable[Row]]
    # ``visible(user, keys) -> keys``: which hits ``user`` may see. None: any
    # user who may search (an agent) sees them all.
    visible: Callable[[object, set[str]], set[str]] | None = None


_SOURCES: dict[str, Source] = {}


def register_source(source: Source) -> None:
    _SOURCES[source.name] = source


def unregister_source(name: str) -> None:
    _SOURCES.pop(name, None)


def registered_sources() -> tuple[Source, ...]:
    return tuple(_SOURCES.values())


def source_named(name: str) -> Source | None:
    return _SOURCES.get(name)


def source_label(name: str) -> str:
    source = _SOURCES.get(name)
    return str(source.label) if source is not None else name
