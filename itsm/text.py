import unicodedata


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced: what search columns store and
    what search terms are compared as, so ``gomez`` finds ``Gómez``."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())
