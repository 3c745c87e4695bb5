"""The embedded stack's payload key, link key and codec token: the configured key when
FASTTRACK_ENCRYPTION_KEYS(_FILE) is set, otherwise a development key made once in
the data folder (where the worker, the CLI and the codec server find it), and a
codec token kept beside it. Both files are readable by their owner only."""

from __future__ import annotations

import base64
import os
import secrets
from datetime import date
from pathlib import Path

from engagement_client.settings import ENV_PREFIX, KEYS_FILE_NAME, LINK_KEYS_FILE_NAME

TOKEN_FILE_NAME = "codec-dev-token"


def write_private(path: Path, text: str) -> None:
    """A new file that only its owner can read."""
    with os.fdopen(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600), "w") as private:
        private.write(text)


def development_keys(data_dir: Path) -> str:
    """Where the stack's payload keys come from, for the banner."""
    return _development_key(data_dir, "ENCRYPTION_KEYS", KEYS_FILE_NAME)


def development_link_keys(data_dir: Path) -> str:
    """Where the stack's link keys (the customer's page) come from, for the banner."""
    return _development_key(data_dir, "LINK_KEYS", LINK_KEYS_FILE_NAME)


def _development_key(data_dir: Path, setting: str, file_name: str) -> str:
    for variable in (f"{ENV_PREFIX}{setting}", f"{ENV_PREFIX}{setting}_FILE"):
        if os.environ.get(variable):
            return variable
    path = data_dir / file_name
    if not path.exists():
        key = base64.b64encode(secrets.token_bytes(32)).decode()
        write_private(path, f"dev-{date.today():%Y%m%d}:{key}\n")
    return str(path)


def codec_token(data_dir: Path) -> str:
    path = data_dir / TOKEN_FILE_NAME
    if not path.exists():
        write_private(path, secrets.token_urlsafe(32) + "\n")
    return path.read_text().strip()
