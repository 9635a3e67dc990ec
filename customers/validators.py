"""Spanish tax ids (NIF, NIE and CIF, checked with python-stdnum) and phone
numbers (E.164, through ``itsm.common.phones``)."""

import re
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.es import nif
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError

from customers.models import CustomerPhone, PhoneKind
from itsm.common.phones import is_mobile, normalise_phone


def compact_tax_id(value: str) -> str:
    """``12.345.678-z`` → ``12345678Z``: what agents type, in the stored form."""
    return re.sub(r"[^0-9A-Za-z]", "", value or "").upper()


TAX_ID_ERRORS = {
    "tax_id_checksum": _("The check letter or digit of “%(value)s” is wrong."),
    "tax_id_invalid": _("“%(value)s” is not a valid NIF, NIE or CIF."),
}


def normalise_tax_id(value: str) -> str:
    """Return the compact form of a valid NIF, NIE or CIF (python-stdnum's
    ``es.nif`` accepts all three), or raise a Spanish ValidationError."""
    compact = compact_tax_id(value)
    if not compact:
        return ""
    try:
        return nif.validate(compact)
    except InvalidChecksum:
        # Said apart: the rest was typed right.
        code = "tax_id_checksum"
    except StdnumError:
        code = "tax_id_invalid"
    raise ValidationError(TAX_ID_ERRORS[code], code=code, params={"value": value})


# A phone as a form or the API gives it: (kind, number as typed). An empty kind
# is read from the numbering plan (mobile or landline).
PhoneEntry = tuple[str, str]


def validate_phone(value: str) -> str:
    """The E.164 form of ``value``, or a Spanish ValidationError quoting it."""
    e164 = normalise_phone(value)
    if e164 is None:
        raise ValidationError(
            _("“%(value)s” is not a valid phone number."),
            code="phone_invalid",
            params={"value": value},
        )
    return e164


def guess_phone_kind(e164: str) -> str:
    return PhoneKind.MOBILE if is_mobile(e164) else PhoneKind.LANDLINE


def normalise_phone_entries(phones: Sequence[PhoneEntry]) -> list[CustomerPhone]:
    """Unsaved phones from (kind, number) pairs: the number checked and
    normalised, the kind guessed when empty, a number given twice kept once.
    Errors go on the ``phones`` field, so a form shows them next to it."""
    entries: dict[str, CustomerPhone] = {}
    for kind, number in phones:
        number = " ".join(number.split())
        if not number:
            continue
        try:
            e164 = validate_phone(number)
        except ValidationError as error:
            raise ValidationError({"phones": error.error_list}) from None
        if kind and kind not in PhoneKind.values:
            error = ValidationError(
                _("Unknown phone kind “%(kind)s”."),
                code="phone_kind_invalid",
                params={"kind": kind},
            )
            raise ValidationError({"phones": [error]})
        entries.setdefault(
            e164, CustomerPhone(kind=kind or guess_phone_kind(e164), number=number, e164=e164)
        )
    return list(entries.values())
