"""Who is asking, at the smallest fixed cost a request can pay.

Django's model backend reads the signed-in user with one query, and the roles
cost another on the first check. Here the user and the names of their groups
come in one query; and when the cache is shared by every worker (Redis,
``ITSM_USER_CACHE_SECONDS`` > 0) from the cache, with no query at all. A
change of the user, of their groups or of a group drops the cached copy at
once; the expiry bounds what a change made behind the ORM's back (a bulk
``update()``) could leave.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from itsm.common.permissions import remember_group_names


def _key(user_id) -> str:
    return f"auth:user:{user_id}"


def load_user(user_id):
    """The user with the names of their groups, in one query; ``None`` if
    there is no such user."""
    model = get_user_model()
    try:
        user_id = model._meta.pk.to_python(user_id)
    except Exception:  # noqa: BLE001 - a session holding garbage signs nobody in
        return None
    fields = [field.attname for field in model._meta.concrete_fields]
    manager = model._default_manager
    rows = list(manager.filter(pk=user_id).values_list(*fields, "groups__name"))
    if not rows:
        return None
    user = model.from_db(manager.db, fields, rows[0][:-1])
    remember_group_names(user, frozenset(row[-1] for row in rows if row[-1] is not None))
    return user


class DeskBackend(ModelBackend):
    """The model backend, reading the signed-in user as above."""

    def get_user(self, user_id):
        seconds = settings.ITSM_USER_CACHE_SECONDS
        user = cache.get(_key(user_id)) if seconds else None
        if user is None:
            user = load_user(user_id)
            if user is not None and seconds:
                cache.set(_key(user_id), user, seconds)
        return user if user is not None and self.user_can_authenticate(user) else None


def forget_user(user_id) -> None:
    if settings.ITSM_USER_CACHE_SECONDS:
        cache.delete(_key(user_id))


def _user_changed(sender, instance, **kwargs) -> None:
    forget_user(instance.pk)


def _membership_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action == "pre_clear" and reverse:  # group.user_set.clear(): who is still in it
        _group_changed(Group, instance)
    elif action.startswith("post_"):
        if not reverse:  # user.groups.add(…): the instance is the user
            forget_user(instance.pk)
        else:  # group.user_set.add(…): the users are named
            for user_id in pk_set or ():
                forget_user(user_id)


def _group_changed(sender, instance, **kwargs) -> None:
    """A renamed or deleted group changes the roles of everyone in it."""
    if settings.ITSM_USER_CACHE_SECONDS and instance.pk:
        cache.delete_many([_key(pk) for pk in instance.user_set.values_list("pk", flat=True)])


def connect_signals() -> None:
    """Called once by the core's AppConfig.ready()."""
    model = get_user_model()
    post_save.connect(_user_changed, sender=model, dispatch_uid="desk-auth-user-saved")
    post_delete.connect(_user_changed, sender=model, dispatch_uid="desk-auth-user-deleted")
    m2m_changed.connect(
        _membership_changed, sender=model.groups.through, dispatch_uid="desk-auth-groups"
    )
    post_save.connect(_group_changed, sender=Group, dispatch_uid="desk-auth-group-saved")
    pre_delete.connect(_group_changed, sender=Group, dispatch_uid="desk-auth-group-deleted")
