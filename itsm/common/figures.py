"""Figures read at scrape time (``/metrics``): each app registers what it
knows (the e-mail app its outbox and mailbox, the webhooks their backlog) in
its ``AppConfig.ready()``, and the metrics view asks this registry, so the
core never imports a higher app to read them."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

# A figure reads either one number or one number per label value.
Reading = float | Mapping[str, float]


@dataclass(frozen=True)
class Figure:
    name: str
    documentation: str
    read: Callable[[], Reading]
    label: str = ""


_FIGURES: dict[str, Figure] = {}


def register_figure(
    name: str, documentation: str, read: Callable[[], Reading], *, label: str = ""
) -> None:
    """Register (or replace: ``ready()`` may run twice in tests) a figure."""
    _FIGURES[name] = Figure(name, documentation, read, label)


def all_figures() -> list[Figure]:
    return list(_FIGURES.values())
