"""Roles: Django groups *Agentes*, *Coordinadores* and *Protección de datos*;
admins are staff."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

AGENTS_GROUP = "Agentes"
COORDINATORS_GROUP = "Coordinadores"
# Handles data-protection requests and alone sees blocked customers (privacy/).
DATA_PROTECTION_GROUP = "Protección de datos"

User = AbstractBaseUser | AnonymousUser


def _group_names(user: User) -> frozenset[str]:
    # Cached on the user object: templates and services ask several times per
    # request. The desk's auth backend reads them with the user.
    cached = getattr(user, "_itsm_group_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True)) if user.pk else frozenset()
        remember_group_names(user, cached)
    return cached


def remember_group_names(user: User, names: frozenset[str]) -> None:
    user._itsm_group_names = names


def is_coordinator(user: User) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or COORDINATORS_GROUP in _group_names(user)


def is_data_protection(user: User) -> bool:
    """Members of the data-protection role only (not every admin): they alone
    reach the customers blocked after an erasure request."""
    if not user.is_authenticated or not user.is_active:
        return False
    return DATA_PROTECTION_GROUP in _group_names(user)


def is_agent(user: User) -> bool:
    """Anyone who may work tickets: agents, coordinators and admins."""
    if not user.is_authenticated or not user.is_active:
        return False
    return (
        user.is_staff
        or user.is_superuser
        or bool(_group_names(user) & {AGENTS_GROUP, COORDINATORS_GROUP})
    )


def require_agent(user: User) -> None:
    if not is_agent(user):
        raise PermissionDenied(_("You are not allowed to work on tickets."))


def require_coordinator(user: User) -> None:
    if not is_coordinator(user):
        raise PermissionDenied(_("Only coordinators can do this."))
