"""The update id each action is sent with, by the CLI, the HTTP intake and the demo:
the same for a caller's retries and reruns with the same request id (the CLI's
``--request-id``, the intake's Idempotency-Key), so that the server applies the
action once; and readable in the Temporal UI's history, where it names the item,
task or call the action touched (``complete_remediation_item/dns-1/3f9c0a1b2d4e``)."""

from __future__ import annotations

import hashlib
import json
import re
import secrets

from fasttrack.engagement.catalogue import rule_for
from fasttrack.models import Action

_UNSAFE = re.compile(r"[^A-Za-z0-9._:-]+")
REQUEST_ID = re.compile(r"[\x21-\x7e]{1,200}")  # printable ASCII, no spaces, as the intake takes it: fullmatch it


def fingerprint(parts: list) -> str:
    """A digest of what a request asks, the same for the same parts whatever order a dict's keys came in."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def new_request_id() -> str:
    return secrets.token_hex(6)


def subject_of(action: Action) -> str | None:
    """What the action is about, when it names one thing (its catalogue row says)."""
    return rule_for(action).subject(action)


def update_id_for(update_name: str, action: Action, request_id: str) -> str:
    """One id per request and what it asks: the same request id sent again with the same
    action is the same update; with anything else changed but the note (another item,
    date, person or scope) it is another update, applied on its own."""
    subject = subject_of(action)
    digest = fingerprint([update_name, action.model_dump(mode="json", exclude={"note"}), request_id])[:12]
    readable = _UNSAFE.sub("-", subject)[:60] if subject else None
    return "/".join(part for part in (update_name, readable, digest) if part)
