"""The payload codec on its own: what it writes hides the payload, names its key
and reads back; keys rotate; older unencrypted payloads pass through; a missing
or wrong key is a clear error naming the key id."""

from __future__ import annotations

import base64
import os

import pytest
from temporalio.api.common.v1 import Payload

from engagement_client.codec import ENCODING, KEY_ID, EncryptionCodec, KeyProblem, parse_keys


def key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def plain(text: str) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=text.encode())


async def test_a_payload_is_sealed_under_the_current_key_and_reads_back():
    codec = EncryptionCodec.from_configuration(f"k1:{key()}")
    original = plain('{"email": "sam@contoso.example"}')
    (sealed,) = await codec.encode([original])
    assert sealed.metadata["encoding"] == ENCODING and sealed.metadata[KEY_ID] == b"k1"
    assert b"contoso" not in sealed.data
    assert await codec.decode([sealed]) == [original]
    (again,) = await codec.encode([original])
    assert again.data != sealed.data  # a fresh nonce each time


async def test_keys_rotate_and_older_unencrypted_payloads_pass_through():
    first, second = key(), key()
    (under_first,) = await EncryptionCodec.from_configuration(f"k1:{first}").encode([plain("one")])
    rotated = EncryptionCodec.from_configuration(f"k2:{second},k1:{first}")
    (under_second,) = await rotated.encode([plain("two")])
    assert under_second.metadata[KEY_ID] == b"k2"
    assert [payload.data for payload in await rotated.decode([under_first, under_second])] == [b"one", b"two"]
    older = plain("written before encryption")
    assert await rotated.decode([older]) == [older]


async def test_a_missing_or_wrong_key_is_an_error_naming_the_key_id():
    (sealed,) = await EncryptionCodec.from_configuration(f"k1:{key()}").encode([plain("secret")])
    with pytest.raises(KeyProblem, match="key 'k1', which is not configured"):
        await EncryptionCodec.from_configuration(f"k2:{key()}").decode([sealed])
    with pytest.raises(KeyProblem, match="under key 'k1' does not decrypt"):
        await EncryptionCodec.from_configuration(f"k1:{key()}").decode([sealed])


@pytest.mark.parametrize("configured, problem", [
    ("", "No encryption key"),
    ("k1", "Key entry 1 is not <key id>:<base64 of 32 bytes>"),
    (":abc", "Key entry 1 is not"),
    ("k 1:abc", "Key entry 1 is not"),
    ("k1:not base64!", "not valid base64"),
    (f"k1:{base64.b64encode(b'short').decode()}", "has 5 bytes; AES-256 needs 32"),
    ("k1:" + base64.b64encode(bytes(32)).decode() + ",k1:" + base64.b64encode(bytes(32)).decode(), "twice"),
])
def test_bad_key_configuration_is_refused_with_a_reason(configured, problem):
    with pytest.raises(KeyProblem, match=problem):
        parse_keys(configured)
