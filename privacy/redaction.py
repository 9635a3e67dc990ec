"""What identifies a person in free text — NIF, e-mail, phones and name —
found however it was written ("12.345.678-Z", "612 34 56 78", "+34 612…",
"PEREZ" for "Pérez") and replaced; and the files that carry it, rewritten
through the storage API when they are text, deleted otherwise."""

import posixpath
import re

from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile

from customers.models import Customer

# What stands where the person's data was.
PLACEHOLDER = "[suprimido]"
FILE_PLACEHOLDER = "suprimido"
# Files whose content can be rewritten as text; the rest are deleted.
TEXT_EXTENSIONS = frozenset(
    (".txt", ".csv", ".html", ".htm", ".xml", ".json", ".eml", ".md", ".log", ".ics", ".vcf")
)
SEPARATORS = r"[\s.\-/()]*"
ACCENTS = {
    "a": "aáàäâ",
    "e": "eéèëê",
    "i": "iíìïî",
    "o": "oóòöô",
    "u": "uúùüû",
    "n": "nñ",
    "c": "cç",
}
# A name part shorter than this is not removed on its own ("Li" would
# take every "li" of every text); it is still removed within the full name.
MIN_NAME_PART = 3


def _spaced(chars: str) -> str:
    """The characters in order, any separators between them."""
    return SEPARATORS.join(re.escape(ch) for ch in chars)


def _accent_free(text: str) -> str:
    pattern = []
    for ch in text:
        variants = next((v for k, v in ACCENTS.items() if ch.lower() in v), None)
        if variants is not None:
            pattern.append(f"[{variants}{variants.upper()}]")
        elif ch.isspace():
            pattern.append(r"\s+")
        else:
            pattern.append(re.escape(ch))
    return "".join(pattern)


def _phone_pattern(e164: str) -> str:
    digits = e164.lstrip("+")
    national = digits[2:] if digits.startswith("34") else digits
    return rf"(?:(?:\+|00){SEPARATORS}34{SEPARATORS})?{_spaced(national)}"


def person_patterns(customer: Customer) -> list[str]:
    patterns = []
    if customer.email:
        patterns.append(re.escape(customer.email))
    if customer.tax_id:
        patterns.append(_spaced(customer.tax_id))
    for phone in customer.phones.all():
        if phone.e164:
            patterns.append(_phone_pattern(phone.e164))
        if phone.number.strip():
            patterns.append(re.escape(phone.number.strip()))
    names = [customer.full_name, customer.surnames, customer.first_name, customer.organisation]
    names += customer.surnames.split()
    for name in sorted({n.strip() for n in names if len(n.strip()) >= MIN_NAME_PART}, key=len):
        patterns.append(rf"(?<!\w){_accent_free(name)}(?!\w)")
    # Longest first: the full name before its parts.
    return sorted(set(patterns), key=len, reverse=True)


class Redactor:
    """Replaces what identifies ``customer`` in text, bytes and files."""

    def __init__(self, customer: Customer) -> None:
        patterns = person_patterns(customer)
        self.pattern = re.compile("|".join(patterns), re.IGNORECASE) if patterns else None

    def __call__(self, text: str, placeholder: str = PLACEHOLDER) -> str:
        if not text or self.pattern is None:
            return text
        return self.pattern.sub(placeholder, text)

    def found_in(self, text: str) -> bool:
        return bool(text) and self.pattern is not None and bool(self.pattern.search(text))

    def file_name(self, name: str) -> str:
        return self(name, FILE_PLACEHOLDER)

    def rewrite_file(self, field: FieldFile, content: bytes | None = None) -> str:
        """The file rewritten without the person (its name too) when it is text,
        or deleted: its new name, or "" when it is gone. ``content`` replaces
        what it holds (a raw mail rebuilt from its cleaned fields)."""
        storage, name = field.storage, field.name
        if not name:
            return ""
        extension = posixpath.splitext(name)[1].lower()
        if content is None and extension in TEXT_EXTENSIONS and storage.exists(name):
            with storage.open(name, "rb") as handle:
                raw = handle.read()
            content = self(raw.decode("utf-8", errors="replace")).encode()
        if storage.exists(name):
            storage.delete(name)
        if content is None:
            return ""
        directory, base = posixpath.split(name)
        return storage.save(posixpath.join(directory, self.file_name(base)), ContentFile(content))
