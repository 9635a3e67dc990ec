"""A ticket's relations, seen from one side."""

from rest_framework import serializers

from itsm.models import RelationType


class RelationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.ChoiceField(choices=RelationType.choices)
    number = serializers.CharField(help_text="The ticket on the other side.")
    summary = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


def relation_side(relation, other) -> dict:
    """A relation as seen from one ticket: ``other`` is the ticket on the other side."""
    return {
        "id": relation.pk,
        "type": relation.type,
        "number": other.number,
        "summary": other.summary,
        "status": other.status,
        "created_at": relation.created_at,
    }


class RelationAddSerializer(serializers.Serializer):
    other_number = serializers.CharField(max_length=40)
    relation_type = serializers.ChoiceField(RelationType.choices, default=RelationType.RELATED)
