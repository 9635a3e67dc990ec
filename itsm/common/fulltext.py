"""The words of a text as full-text search sees them, without the database:
folded (lower case, accents and the tilde of the eñe removed) and reduced to
their Spanish stems with the Snowball stemmer, minus the stop words.

Both databases index these stems (``itsm.models.fulltext``), so SQLite's
FTS5 table and PostgreSQL's ``tsvector`` answer the same queries. The stop
words are PostgreSQL's Spanish list, compared with the folded word as an
``unaccent`` + ``spanish_stem`` configuration would.
``highlight`` marks the matched words of a text for a snippet, the same way on
both databases."""

import re
import unicodedata
from functools import lru_cache

import snowballstemmer
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from itsm.common.spanish_stop_words import SPANISH_STOP_WORDS

WORD_RE = re.compile(r"\w+", re.UNICODE)
# Longer words are not words (a base64 blob, a hash): PostgreSQL drops
# lexemes over 2 kB anyway, and nobody searches for them.
MAX_WORD_LENGTH = 60
# At most this many words of a query count: more narrows nothing.
MAX_QUERY_WORDS = 8
SNIPPET_WIDTH = 160

_stemmer = snowballstemmer.stemmer("spanish")


def fold(text: str) -> str:
    """Lower case without diacritics, as ``unaccent`` then lower-casing do:
    ``Contraseña`` → ``contrasena``."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=20_000)
def stem(folded_word: str) -> str | None:
    """The stem of one folded word, or None for a stop word."""
    if folded_word in SPANISH_STOP_WORDS:
        return None
    return _stemmer.stemWord(folded_word)


def _words(text: str) -> list[str]:
    return [w for w in WORD_RE.findall(fold(text)) if len(w) <= MAX_WORD_LENGTH and "_" not in w]


def stems(text: str) -> list[str]:
    """Every stem of ``text`` in order, stop words left out."""
    return [s for s in map(stem, _words(text)) if s]


def query_stems(query: str) -> list[str]:
    """The distinct stems of a query, in order, at most ``MAX_QUERY_WORDS``:
    a hit has every one of them."""
    seen: dict[str, None] = {}
    for s in stems(query):
        seen.setdefault(s, None)
    return list(seen)[:MAX_QUERY_WORDS]


def highlight(text: str, wanted: list[str], *, width: int = SNIPPET_WIDTH) -> SafeString:
    """A short piece of ``text`` around its first matched word, every word
    whose stem is wanted in ``<mark>``, everything else escaped."""
    wanted_set = set(wanted)
    text = " ".join(text.split())
    matches = [
        m
        for m in WORD_RE.finditer(text)
        if len(m.group()) <= MAX_WORD_LENGTH and stem(fold(m.group())) in wanted_set
    ]
    start = 0
    if matches and matches[0].start() > width // 3:
        start = text.rfind(" ", 0, matches[0].start() - width // 3) + 1
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    pieces = ["…" if start else ""]
    position = start
    for m in matches:
        if m.start() < start:
            continue
        if m.end() > end:
            break
        pieces.append(escape(text[position : m.start()]))
        pieces.append(f"<mark>{escape(m.group())}</mark>")
        position = m.end()
    pieces.append(escape(text[position:end]))
    if end < len(text):
        pieces.append("…")
    return mark_safe("".join(pieces))
