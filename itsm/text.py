import unicodedata


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced: what search columns store and
    what search terms are compared as, so ``gomez`` finds ``Gómez``."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def person_name(user) -> str:
    """How the desk names a person: full name, else the login."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
