"""Who does what in the knowledge base: coordinators and admins write;
every agent reads and rates what is internal or published; a draft or an
archived article is seen by its writer and those who write."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from itsm.common.permissions import is_agent, is_coordinator
from kb.models import READABLE_STATUSES, Article


def can_write(user) -> bool:
    return is_coordinator(user) or (user.is_active and user.is_staff)


def require_writer(user) -> None:
    if not can_write(user):
        raise PermissionDenied(_("Only coordinators and administrators write articles."))


def articles_for(user) -> QuerySet[Article]:
    """The articles ``user`` may read."""
    if not is_agent(user):
        return Article.objects.none()
    if can_write(user):
        return Article.objects.all()
    return Article.objects.filter(Q(status__in=READABLE_STATUSES) | Q(author=user))


def linkable_articles_for(user) -> QuerySet[Article]:
    """What ``user`` may link to a ticket: a readable article, never a draft
    or an archived one, even its writer's."""
    return articles_for(user).filter(status__in=READABLE_STATUSES)
