"""``{{ user|person_name }}``: how the desk names a person, everywhere."""

from django import template

from itsm.common.text import person_name as _person_name

register = template.Library()


@register.filter
def person_name(user) -> str:
    return _person_name(user)
