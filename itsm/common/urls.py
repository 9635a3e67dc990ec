"""URL declarations several apps spell alike."""

from collections.abc import Callable, Mapping

from django.urls import URLPattern, path


def record_pages(
    prefix: str,
    detail: Callable,
    actions: Mapping[str, Callable],
    *,
    name_prefix: str = "",
) -> list[URLPattern]:
    """A record's page at ``<prefix><int:pk>/`` (named ``detail``) and each of
    its actions at ``<prefix><int:pk>/<action>/`` (the action's name, with
    dashes for underscores in the address). ``name_prefix`` goes before every
    name, for apps whose names are not in a namespace of their own."""
    record = f"{prefix}<int:pk>/"
    return [
        path(record, detail, name=f"{name_prefix}detail"),
        *(
            path(f"{record}{action.replace('_', '-')}/", view, name=f"{name_prefix}{action}")
            for action, view in actions.items()
        ),
    ]
