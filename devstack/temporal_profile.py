"""A Temporal CLI profile for the stack (the environment-configuration file format of
Temporal's SDKs and CLI), so that `temporal workflow show`, `signal` and
`update execute` reach the stack and decode its encrypted payloads through the
codec server without a flag."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import tomli_w

PROFILE = "fasttrack-dev"
FILE_NAME = "temporal.toml"


def write_profile(data_dir: Path, address: str, namespace: str, codec_endpoint: str, codec_token: str) -> Path:
    """Writes ``data_dir/temporal.toml``, readable by its owner only (it holds the codec token)."""
    path = data_dir / FILE_NAME
    profile = {
        "address": address,
        "namespace": namespace,
        "codec": {"endpoint": codec_endpoint, "auth": f"Bearer {codec_token}"},
    }
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # a file written before keeps its mode otherwise
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(tomli_w.dumps({"profile": {PROFILE: profile}}))
    return path


def export_line(path: Path) -> str:
    """The shell line that makes the Temporal CLI (and `fasttrack`) use the profile."""
    return f"export TEMPORAL_CONFIG_FILE={shlex.quote(str(path.resolve()))} TEMPORAL_PROFILE={PROFILE}"
