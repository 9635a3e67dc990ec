"""Phone numbers as the desk compares them: E.164 (``+34612345678``), parsed
with ``phonenumbers`` in the Spanish numbering plan, so ``+34 612 34 56 78``,
``0034612345678`` and ``612/34.56.78`` are one number wherever they come from
(a form, the search box, the phone system)."""

import phonenumbers

DEFAULT_REGION = "ES"
# Longer text is no phone number; phonenumbers would still try to read it.
MAX_PHONE_LENGTH = 40


def parse_phone(text: str) -> phonenumbers.PhoneNumber | None:
    """The valid number ``text`` designates, or None."""
    text = (text or "").strip()
    if not text or len(text) > MAX_PHONE_LENGTH:
        return None
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def normalise_phone(text: str) -> str | None:
    """``text`` in E.164, or None if it is not a valid number."""
    number = parse_phone(text)
    if number is None:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(e164: str) -> bool:
    """Whether the numbering plan says the number is a mobile line."""
    number = parse_phone(e164)
    return (
        number is not None
        and phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
    )


def display_phone(e164: str) -> str:
    """How a number is shown: national format for Spanish numbers
    (``612 34 56 78``), international for the rest (``+33 1 23 45 67 89``)."""
    number = parse_phone(e164)
    if number is None:
        return e164
    if phonenumbers.region_code_for_number(number) == DEFAULT_REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
