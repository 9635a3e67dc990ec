"""Words as the suggestions compare them: the full-text index's stems
(``itsm.common.fulltext``: lower case, no accents, Spanish Snowball stems,
Spanish stop words out), without the desk's small talk either, which says
nothing of what the customer asks."""

from itsm.common.fulltext import stems as text_stems

CHATTER = frozenset(
    text_stems("hola buenos buenas días tardes gracias favor saludos error consulta problema")
)


def stems(text: str) -> set[str]:
    return set(text_stems(text)) - CHATTER
