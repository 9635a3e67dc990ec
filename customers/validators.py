"""Spanish tax ids: NIF (DNI), NIE and CIF, checked with python-stdnum."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.es import nif
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError


def compact_tax_id(value: str) -> str:
    """``12.345.678-z`` → ``12345678Z``: what agents type, in the stored form."""
    return re.sub(r"[^0-9A-Za-z]", "", value or "").upper()


def normalise_tax_id(value: str) -> str:
    """Return the compact form of a valid NIF, NIE or CIF (python-stdnum's
    ``es.nif`` accepts all three), or raise a Spanish ValidationError."""
    compact = compact_tax_id(value)
    if not compact:
        return ""
    try:
        return nif.validate(compact)
    except InvalidChecksum:
        raise ValidationError(
            _("The check letter or digit of “%(value)s” is wrong."),
            code="tax_id_checksum",
            params={"value": value},
        ) from None
    except StdnumError:
        raise ValidationError(
            _("“%(value)s” is not a valid NIF, NIE or CIF."),
            code="tax_id_invalid",
            params={"value": value},
        ) from None
