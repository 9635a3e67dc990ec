"""Standard Webhooks signing: ``webhook-signature`` is ``v1,`` and the base64
HMAC-SHA256 of ``{webhook-id}.{webhook-timestamp}.{body}``, keyed with the
secret's bytes (the base64 after ``whsec_``). Receivers verify it with the
specification's published libraries or a few lines of their own."""

import base64
import hashlib
import hmac
import secrets
import uuid

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def new_webhook_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def secret_key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(*, secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(*, secret: str, webhook_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(
            secret=secret, webhook_id=webhook_id, timestamp=timestamp, body=body
        ),
    }
