"""The registry of ticket kinds.

The core never imports a kind's app. Each kind (``incidents``,
``workorders``, …) registers itself here from its ``AppConfig.ready()`` with
everything the core needs to serve it: its model and journal, its number,
its labels, its console filters and its URL namespace. The core asks this
registry, the way ``django.contrib.admin`` asks ``admin.site``; a new kind is
a new app that registers itself, with no edit in ``itsm/``.

What belongs here: the ``Kind`` record, the ``KindConfig`` a kind's app
declares its own values with, and the look-ups by code, model and number.
Nothing that reads or writes tickets.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from operator import attrgetter
from typing import NamedTuple

from django.apps import AppConfig
from django.apps.registry import Apps
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.text import capfirst


@dataclass(frozen=True)
class Kind:
    code: str  # stored on reasons, templates, saved views: "INC"
    model: type  # the concrete Ticket subclass
    journal_model: type  # its WorkInfo subclass
    filterset: type  # its console FilterSet
    namespace: str  # URL namespace and path segment: "incidents"
    new_label: Promise  # "New incident"
    resolve_label: Promise  # the quick action: "Resolve" / "Complete"
    resolved_message: Promise  # "%(number)s resolved" / "%(number)s completed"
    # The escalation cases (itsm.escalation_cases codes) this kind's packets
    # may carry; a case another kind holds is offered as a related ticket there.
    escalation_cases: tuple[str, ...] = ("unsolved", "linking", "other")
    # Seeds the kind's reference rows (itsm.reference_data.load_kind with its
    # own reasons and templates) given an app registry: what its data
    # migration runs, run again by reference_data.load() on an emptied database.
    load_reference_data: Callable[[Apps], None] | None = None
    # Filled by the registry: the detail URL split around the number, so
    # pages that list many tickets reverse once.
    _url_parts: list = field(default_factory=list, compare=False, repr=False)

    # What the kind reads from its model: the number's prefix and digits, the
    # statuses, the resolved one, how the model labels its group field
    # ("Grupo asignado" / "Nombre de grupo de soporte") and its names.
    prefix = property(attrgetter("model.PREFIX"))
    number_digits = property(attrgetter("model.NUMBER_DIGITS"))
    statuses = property(attrgetter("model.STATUSES"))
    resolved_status = property(attrgetter("model.RESOLVED_STATUS"))
    group_label = property(attrgetter("model.GROUP_LABEL"))
    singular = property(attrgetter("model._meta.verbose_name"))
    plural = property(attrgetter("model._meta.verbose_name_plural"))

    def format_number(self, value: int) -> str:
        return self.model.format_number(value)

    def url_name(self, name: str) -> str:
        """``detail`` → ``incidents:detail``."""
        return f"{self.namespace}:{name}"

    @property
    def urls(self) -> "_UrlNames":
        """For templates: ``{% url kind.urls.edit ticket.number %}``."""
        return _UrlNames(self.namespace)

    def detail_url(self, number: str) -> str:
        """The ticket page's URL, reversed once per process: numbers are
        ``[A-Z0-9]``, nothing to quote."""
        parts = list(self._url_parts)
        if not parts:
            parts = reverse(self.url_name("detail"), args=["NUMBER"]).rsplit("NUMBER", 1)
            # One assignment of the whole list: threads of one worker may get
            # here together, and each must see two parts, never four.
            self._url_parts[:] = parts
        head, tail = parts
        return f"{head}{number}{tail}"


class _UrlNames:
    def __init__(self, namespace: str) -> None:
        self.namespace = namespace

    def __getitem__(self, name: str) -> str:
        return f"{self.namespace}:{name}"


class KindLabels(NamedTuple):
    """The words a kind names its own actions with."""

    new: Promise  # "New incident"
    resolve: Promise  # the quick action: "Resolve" / "Complete"
    resolved: Promise  # "%(number)s resolved" / "%(number)s completed"


class KindConfig(AppConfig):
    """The ``AppConfig`` of a kind's app. The app declares only what is its
    own: its labels and the escalation cases it carries. Once the models are
    ready it registers its ``Kind``, found by convention in the app: the
    Ticket model (the one that sets ``KIND``), its journal (the model behind
    its ``work_info``), ``filters.<Model>FilterSet``, ``reference_data.load``
    and the URL namespace named as the app.

    Subclass it as ``kinds.KindConfig`` (``from itsm import kinds``): the
    name ``KindConfig`` in the app's ``apps`` module would be a second
    AppConfig there, and Django would pick neither."""

    labels: KindLabels
    escalation_cases: tuple[str, ...] = Kind.escalation_cases

    def ready(self) -> None:
        model = next(model for model in self.get_models() if "KIND" in vars(model))
        register(
            Kind(
                code=model.KIND,
                model=model,
                journal_model=model._meta.get_field("work_info").related_model,
                filterset=import_string(f"{self.name}.filters.{model.__name__}FilterSet"),
                namespace=self.label,
                new_label=self.labels.new,
                resolve_label=self.labels.resolve,
                resolved_message=self.labels.resolved,
                escalation_cases=self.escalation_cases,
                load_reference_data=import_string(f"{self.name}.reference_data.load"),
            )
        )


class AlreadyRegistered(Exception):
    pass


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    if kind.code in _KINDS and _KINDS[kind.code] != kind:
        raise AlreadyRegistered(f"A kind with code {kind.code} is already registered.")
    _KINDS[kind.code] = kind


def unregister(code: str) -> None:
    _KINDS.pop(code, None)


def all_kinds() -> Iterator[Kind]:
    return iter(tuple(_KINDS.values()))


def kind_for_code(code: str) -> Kind | None:
    return _KINDS.get(code)


def kind_of(ticket_or_model) -> Kind:
    """The kind of a ticket or of a ticket model."""
    return _KINDS[ticket_or_model.KIND]


def kind_for_number(number: str) -> Kind | None:
    """The kind whose prefix starts ``number`` (longest prefix first)."""
    number = number.strip().upper()
    for kind in sorted(_KINDS.values(), key=lambda k: len(k.prefix), reverse=True):
        if number.startswith(kind.prefix):
            return kind
    return None


def number_examples() -> str:
    """How a ticket of each registered kind may be written in a search box:
    "inc 1234, wo 1234"."""
    return ", ".join(f"{kind.prefix.lower()} 1234" for kind in all_kinds())


def kind_choices() -> list[tuple[str, str]]:
    """For the ``kind`` columns of reference data: every registered kind,
    capitalised as every other choice label is."""
    return [(kind.code, capfirst(kind.singular)) for kind in _KINDS.values()]
