import pytest
from rest_framework.test import APIClient

from api.tokens import token_create


def token_client(user, scopes=("read", "write"), name_suffix: str = "", **kwargs) -> APIClient:
    _token, plain = token_create(
        user=user, name=f"test{name_suffix}", scopes=list(scopes), **kwargs
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


@pytest.fixture
def api(agent) -> APIClient:
    return token_client(agent)
