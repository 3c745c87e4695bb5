"""The payload codec: every payload leaves encrypted with AES-256-GCM under the
current key, its key id in the payload's metadata; any configured key decrypts.
A payload written before encryption (an older history) passes through as it is,
so recorded histories still replay.

Keys are configured as ``<key id>:<base64 of 32 bytes>`` entries separated by
commas or newlines (a ``#`` starts a comment), the current key first, for example
``2026-11:3q2+7w…=,2026-05:q83v…=``."""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from google.protobuf.message import DecodeError
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

from fasttrack.errors import FastTrackError

ENCODING = b"binary/encrypted"
UNREADABLE = b"binary/unreadable"  # what the worker makes of a malformed payload: refused, never a failed task
KEY_ID = "encryption-key-id"
NONCE_BYTES = 12
TAG_BYTES = 16  # AES-GCM's authentication tag, after the ciphertext
KEY_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,40}")


class KeyProblem(FastTrackError):
    """A key that is malformed, missing for a payload, or not the one it was encrypted with."""


def parse_keys(configured: str) -> tuple[str, dict[str, bytes]]:
    """The current key id and every key, from ``id:base64,id:base64`` (current first)."""
    keys: dict[str, bytes] = {}
    lines = (line.split("#", 1)[0] for line in configured.splitlines())  # a key file may hold comments
    entries = [part.strip() for line in lines for part in line.split(",") if part.strip()]
    for position, entry in enumerate(entries, start=1):
        key_id, separator, encoded = entry.partition(":")
        if not separator or not KEY_ID_PATTERN.fullmatch(key_id):
            # Never echoed: an entry written the wrong way round would print the key.
            raise KeyProblem(f"Key entry {position} is not <key id>:<base64 of 32 bytes> with a key id of 1 to 40 "
                             "letters, digits, '.', '_' or '-'.")
        try:
            key = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise KeyProblem(f"Key {key_id} is not valid base64.") from None
        if len(key) != 32:
            raise KeyProblem(f"Key {key_id} has {len(key)} bytes; AES-256 needs 32.")
        if key_id in keys:
            raise KeyProblem(f"Key {key_id} is configured twice.")
        keys[key_id] = key
    if not keys:
        raise KeyProblem("No encryption key is configured.")
    return next(iter(keys)), keys


class Malformed(KeyProblem):
    """A payload no configuration of keys would read: cut, altered, or not a payload once decrypted."""


class EncryptionCodec(PayloadCodec):
    """``refuse_malformed``: a malformed payload becomes an unreadable one, which the worker's converter
    refuses (an update rejected, a signal dropped with a log line) instead of failing the workflow task
    on it for ever. A payload under a key id that is not configured still raises: adding the key heals it."""

    def __init__(self, current: str, keys: dict[str, bytes], refuse_malformed: bool = False) -> None:
        if current not in keys:
            raise KeyProblem(f"The current key {current} is not among the configured keys.")
        self.current = current
        self.refuse_malformed = refuse_malformed
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}

    @classmethod
    def from_configuration(cls, configured: str, refuse_malformed: bool = False) -> EncryptionCodec:
        return cls(*parse_keys(configured), refuse_malformed=refuse_malformed)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._encrypt(payload) for payload in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._read(payload) for payload in payloads]

    def _read(self, payload: Payload) -> Payload:
        try:
            return self._decrypt(payload)
        except Malformed as problem:
            if not self.refuse_malformed:
                raise
            return Payload(metadata={"encoding": UNREADABLE}, data=str(problem).encode())

    def _encrypt(self, payload: Payload) -> Payload:
        nonce = os.urandom(NONCE_BYTES)
        # The key id is authenticated too: a payload cannot be passed off under another key.
        sealed = self._ciphers[self.current].encrypt(nonce, payload.SerializeToString(), self.current.encode())
        return Payload(metadata={"encoding": ENCODING, KEY_ID: self.current.encode()}, data=nonce + sealed)

    def _decrypt(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload  # written before encryption
        key_id = payload.metadata.get(KEY_ID, b"").decode(errors="replace")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise KeyProblem(f"A payload is encrypted with key {key_id!r}, which is not configured: add it to the keys.")
        if len(payload.data) < NONCE_BYTES + TAG_BYTES:  # the cipher would fail on it with a ValueError
            raise Malformed(f"A payload under key {key_id!r} is {len(payload.data)} bytes: too short to hold "
                             "its nonce and tag (altered or cut data).")
        try:
            plain = cipher.decrypt(payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:], key_id.encode())
        except InvalidTag:
            raise Malformed(f"A payload under key {key_id!r} does not decrypt with the key configured under that id "
                             "(another key, or altered data).") from None
        decoded = Payload()
        try:
            decoded.ParseFromString(plain)
        except DecodeError:
            raise Malformed(f"A payload under key {key_id!r} decrypts to something that is not a payload.") from None
        return decoded
