"""The people who work tickets: who the filters offer, and who a ticket of
a group can be assigned to."""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from itsm.common.permissions import AGENTS_GROUP, COORDINATORS_GROUP
from itsm.common.rows import row_id
from itsm.common.statements import Statement
from itsm.models import SupportGroup


def agent_users() -> QuerySet:
    """Active users who work tickets: agents, coordinators and admins."""
    return (
        get_user_model()
        .objects.filter(
            Q(groups__name__in=[AGENTS_GROUP, COORDINATORS_GROUP]) | Q(is_staff=True),
            is_active=True,
        )
        .distinct()
    )


def group_assignees(group_id) -> QuerySet:
    """Who a ticket of ``group_id`` can be assigned to: its active members who
    work tickets as agents or coordinators. An administrator who is not an
    agent is never offered, member or not."""
    user_model = get_user_model()
    group_id = row_id(group_id)
    if group_id is None:
        return user_model.objects.none()
    # Subqueries rather than joins: no DISTINCT, so the form can add a
    # ticket's current assignee to the list with ``|``.
    members = SupportGroup.members.through.objects.filter(supportgroup_id=group_id)
    roles = user_model.groups.through.objects.filter(
        group__name__in=[AGENTS_GROUP, COORDINATORS_GROUP]
    )
    return (
        user_model.objects.filter(
            is_active=True,
            pk__in=members.values("user_id"),
        )
        .filter(pk__in=roles.values("user_id"))
        .order_by("first_name", "last_name", "username")
    )


# ``group_assignees`` of one group, one of them by id (the form, the services).
GROUP_ASSIGNEE = Statement(lambda group_id, pk: group_assignees(group_id).filter(pk=pk))
