import re
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


# Control characters, line and paragraph separators: nothing a header, a file
# name or a one-line field may hold.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# An RFC 2047 encoded-word: a mail reader decodes it, so what it hides (CR, LF,
# another address) would come back in a display name.
ENCODED_WORD = re.compile(r"=\?[^?\s]*\?[bBqQ]\?[^?\s]*\?=")


def single_line(text: str) -> str:
    """Text safe for a header: control characters (CR, LF…) become spaces."""
    return " ".join(_CONTROL.sub(" ", text or "").split())


def display_name(text: str) -> str:
    """A person's name as a mail's display name: one line, and no encoded-word
    a mail reader would decode into something else (``=?`` loses its ``?``)."""
    return single_line(
        ENCODED_WORD.sub(lambda m: m.group(0).replace("=?", "=").replace("?=", "="), text or "")
    )


def _is_invisible(ch: str) -> bool:
    # Cc: controls; Cf: format characters, among them the bidirectional
    # overrides and isolates (U+202A–U+202E, U+2066–U+2069) that make
    # «contrato\u202efdp.exe» read as «contratoexe.pdf»; Zl/Zp: separators.
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")


# What no file name keeps: path separators, and what a file system, a shell or
# a page reads as syntax (the characters Windows refuses in a name).
_UNSAFE_IN_FILE_NAME = re.compile(r'[<>:"/\\|?*]+')
FILE_NAME_MAX = 150


def clean_file_name(name: str) -> str:
    """The one cleaner of every file name a person or a mail gives us: NFC,
    without invisible or control characters, single-spaced, each run of
    unsafe characters (``/``, ``\\``, ``<``, ``>``…) replaced by ``_`` so the
    name keeps what it says (``</script>.pdf`` → ``_script_.pdf``), no
    leading or trailing dots, and at most ``FILE_NAME_MAX`` characters with
    the extension kept. May return "" (nothing usable was left)."""
    base = unicodedata.normalize("NFC", name or "")
    base = "".join(" " if _is_invisible(ch) and ch.isspace() else ch for ch in base)
    base = "".join(ch for ch in base if not _is_invisible(ch))
    base = _UNSAFE_IN_FILE_NAME.sub("_", base)
    base = " ".join(base.split()).strip(". ")
    if len(base) > FILE_NAME_MAX:
        stem, dot, extension = base.rpartition(".")
        if dot and 0 < len(extension) <= 16:
            base = f"{stem[: FILE_NAME_MAX - len(extension) - 1].rstrip(' .')}.{extension}"
        else:
            base = base[:FILE_NAME_MAX].rstrip(" .")
    return base


def has_real_extension(name: str) -> bool:
    """``informe.pdf`` has one; ``README``, ``...txt`` and ``.pdf`` do not: the
    part before the last dot must hold a letter or a digit."""
    stem, dot, extension = name.rpartition(".")
    return bool(dot) and extension.isalnum() and any(ch.isalnum() for ch in stem)
