"""The suite's payload keys: a key made for this run, which the session sets as
FASTTRACK_ENCRYPTION_KEYS for every worker, client and process the tests start;
and the replay corpus's key, committed with the histories it encrypted."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from temporalio.converter import DataConverter

from engagement_client.codec import EncryptionCodec
from engagement_client.payloads import data_converter

SUITE_KEYS = f"suite:{base64.b64encode(os.urandom(32)).decode()}"
CORPUS_KEYS_FILE = Path(__file__).resolve().parents[1] / "histories" / "corpus-keys"


def new_key(key_id: str) -> str:
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"


def encrypted_converter(keys: str = SUITE_KEYS) -> DataConverter:
    return data_converter(EncryptionCodec.from_configuration(keys))


def payloads_in(message) -> list:
    """Every Payload inside a protobuf message (a history event, say), however deep,
    but for search attributes: the server indexes them, so they are never encrypted
    (and carry no personal data)."""
    from temporalio.api.common.v1 import Payload

    if isinstance(message, Payload):
        return [message]
    found = []
    for descriptor, value in message.ListFields():
        if descriptor.type != descriptor.TYPE_MESSAGE or descriptor.name == "search_attributes":
            continue
        if hasattr(value, "ListFields"):
            values = [value]
        elif hasattr(value, "keys"):  # a map
            values = list(value.values())
        else:  # a repeated field
            values = list(value)
        for item in values:
            if hasattr(item, "ListFields"):
                found += payloads_in(item)
    return found
