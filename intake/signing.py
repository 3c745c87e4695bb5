"""Requests signed by another system (commerce, the FastTrack portal): an
HMAC-SHA256, with the system's own secret, over the Unix timestamp, a dot and the
body, sent as ``X-FastTrack-Timestamp`` and ``X-FastTrack-Signature: sha256=<hex>``.
A request is good for five minutes, and once."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta, timezone

TIMESTAMP_HEADER = "X-FastTrack-Timestamp"
SIGNATURE_HEADER = "X-FastTrack-Signature"
WINDOW = timedelta(minutes=5)


class SignatureRefused(Exception):
    """A request that is not signed, signed with another secret or body, or stale."""


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signed_lately(timestamp: str | None, given: str | None, now: datetime) -> tuple[str, str]:
    """The request's timestamp and signature, if it is signed, and lately: decided before its body is read."""
    if not timestamp or not given:
        raise SignatureRefused(f"The request is not signed: send {TIMESTAMP_HEADER} and {SIGNATURE_HEADER}.")
    try:
        signed_at = datetime.fromtimestamp(int(timestamp), timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise SignatureRefused(f"{TIMESTAMP_HEADER} must be a Unix time in seconds.") from None
    if abs(now - signed_at) > WINDOW:
        raise SignatureRefused("The request was signed more than five minutes from now; sign it again.")
    return timestamp, given


def check_signature(secret: str, timestamp: str, given: str, body: bytes) -> None:
    """Once ``signed_lately`` has passed: the signature holds for this body and secret."""
    if not given.isascii() or not hmac.compare_digest(signature(secret, timestamp, body), given):
        raise SignatureRefused("The signature does not match the request (another secret, or a changed body).")
