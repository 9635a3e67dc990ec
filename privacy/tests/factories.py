"""Data-protection requests as the tests need them."""

from datetime import date

from privacy.models import DataRequest, Right
from privacy.services import request_create


def make_request(
    user, customer, right: str = Right.ACCESS, received_on: date = date(2026, 1, 31)
) -> DataRequest:
    """A request checked against a copy of the DNI, received on ``received_on``."""
    return request_create(
        user=user,
        customer=customer,
        right=right,
        identity_check="dni_copy",
        received_on=received_on,
    )
