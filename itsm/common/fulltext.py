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

WORD_RE = re.compile(r"\w+", re.UNICODE)
# Longer words are not words (a base64 blob, a hash): PostgreSQL drops
# lexemes over 2 kB anyway, and nobody searches for them.
MAX_WORD_LENGTH = 60
# At most this many words of a query count: more narrows nothing.
MAX_QUERY_WORDS = 8
SNIPPET_WIDTH = 160

# PostgreSQL's share/tsearch_data/spanish.stop, as the ``spanish_stem``
# dictionary reads it.
SPANISH_STOP_WORDS = frozenset(
    (
        "de",
        "la",
        "que",
        "el",
        "en",
        "y",
        "a",
        "los",
        "del",
        "se",
        "las",
        "por",
        "un",
        "para",
        "con",
        "no",
        "una",
        "su",
        "al",
        "lo",
        "como",
        "más",
        "pero",
        "sus",
        "le",
        "ya",
        "o",
        "este",
        "sí",
        "porque",
        "esta",
        "entre",
        "cuando",
        "muy",
        "sin",
        "sobre",
        "también",
        "me",
        "hasta",
        "hay",
        "donde",
        "quien",
        "desde",
        "todo",
        "nos",
        "durante",
        "todos",
        "uno",
        "les",
        "ni",
        "contra",
        "otros",
        "ese",
        "eso",
        "ante",
        "ellos",
        "e",
        "esto",
        "mí",
        "antes",
        "algunos",
        "qué",
        "unos",
        "yo",
        "otro",
        "otras",
        "otra",
        "él",
        "tanto",
        "esa",
        "estos",
        "mucho",
        "quienes",
        "nada",
        "muchos",
        "cual",
        "poco",
        "ella",
        "estar",
        "estas",
        "algunas",
        "algo",
        "nosotros",
        "mi",
        "mis",
        "tú",
        "te",
        "ti",
        "tu",
        "tus",
        "ellas",
        "nosotras",
        "vosostros",
        "vosostras",
        "os",
        "mío",
        "mía",
        "míos",
        "mías",
        "tuyo",
        "tuya",
        "tuyos",
        "tuyas",
        "suyo",
        "suya",
        "suyos",
        "suyas",
        "nuestro",
        "nuestra",
        "nuestros",
        "nuestras",
        "vuestro",
        "vuestra",
        "vuestros",
        "vuestras",
        "esos",
        "esas",
        "estoy",
        "estás",
        "está",
        "estamos",
        "estáis",
        "están",
        "esté",
        "estés",
        "estemos",
        "estéis",
        "estén",
        "estaré",
        "estarás",
        "estará",
        "estaremos",
        "estaréis",
        "estarán",
        "estaría",
        "estarías",
        "estaríamos",
        "estaríais",
        "estarían",
        "estaba",
        "estabas",
        "estábamos",
        "estabais",
        "estaban",
        "estuve",
        "estuviste",
        "estuvo",
        "estuvimos",
        "estuvisteis",
        "estuvieron",
        "estuviera",
        "estuvieras",
        "estuviéramos",
        "estuvierais",
        "estuvieran",
        "estuviese",
        "estuvieses",
        "estuviésemos",
        "estuvieseis",
        "estuviesen",
        "estando",
        "estado",
        "estada",
        "estados",
        "estadas",
        "estad",
        "he",
        "has",
        "ha",
        "hemos",
        "habéis",
        "han",
        "haya",
        "hayas",
        "hayamos",
        "hayáis",
        "hayan",
        "habré",
        "habrás",
        "habrá",
        "habremos",
        "habréis",
        "habrán",
        "habría",
        "habrías",
        "habríamos",
        "habríais",
        "habrían",
        "había",
        "habías",
        "habíamos",
        "habíais",
        "habían",
        "hube",
        "hubiste",
        "hubo",
        "hubimos",
        "hubisteis",
        "hubieron",
        "hubiera",
        "hubieras",
        "hubiéramos",
        "hubierais",
        "hubieran",
        "hubiese",
        "hubieses",
        "hubiésemos",
        "hubieseis",
        "hubiesen",
        "habiendo",
        "habido",
        "habida",
        "habidos",
        "habidas",
        "soy",
        "eres",
        "es",
        "somos",
        "sois",
        "son",
        "sea",
        "seas",
        "seamos",
        "seáis",
        "sean",
        "seré",
        "serás",
        "será",
        "seremos",
        "seréis",
        "serán",
        "sería",
        "serías",
        "seríamos",
        "seríais",
        "serían",
        "era",
        "eras",
        "éramos",
        "erais",
        "eran",
        "fui",
        "fuiste",
        "fue",
        "fuimos",
        "fuisteis",
        "fueron",
        "fuera",
        "fueras",
        "fuéramos",
        "fuerais",
        "fueran",
        "fuese",
        "fueses",
        "fuésemos",
        "fueseis",
        "fuesen",
        "sintiendo",
        "sentido",
        "sentida",
        "sentidos",
        "sentidas",
        "siente",
        "sentid",
        "tengo",
        "tienes",
        "tiene",
        "tenemos",
        "tenéis",
        "tienen",
        "tenga",
        "tengas",
        "tengamos",
        "tengáis",
        "tengan",
        "tendré",
        "tendrás",
        "tendrá",
        "tendremos",
        "tendréis",
        "tendrán",
        "tendría",
        "tendrías",
        "tendríamos",
        "tendríais",
        "tendrían",
        "tenía",
        "tenías",
        "teníamos",
        "teníais",
        "tenían",
        "tuve",
        "tuviste",
        "tuvo",
        "tuvimos",
        "tuvisteis",
        "tuvieron",
        "tuviera",
        "tuvieras",
        "tuviéramos",
        "tuvierais",
        "tuvieran",
        "tuviese",
        "tuvieses",
        "tuviésemos",
        "tuvieseis",
        "tuviesen",
        "teniendo",
        "tenido",
        "tenida",
        "tenidos",
        "tenidas",
        "tened",
    )
)

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
