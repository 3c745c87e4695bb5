"""Development secrets for the HTTP intake of `make run`: made once, kept in the
data folder, printed at start. Anywhere else the intake refuses to start without
secrets of its own (intake/settings.py)."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

OPERATOR, READER = "Operator (dev)", "Reader (dev)"


def development_secrets(data_dir: Path) -> dict[str, str]:
    path = data_dir / "intake-dev-secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    made = {name: secrets.token_hex(32) for name in ("commerce_secret", "portal_secret", "operator_token",
                                                     "reader_token")}
    with os.fdopen(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600), "w") as secrets_file:
        secrets_file.write(json.dumps(made, indent=2) + "\n")
    return made


def intake_environment(made: dict[str, str], port: int) -> dict[str, str]:
    tokens = {made["operator_token"]: {"actor": OPERATOR, "role": "operator"},
              made["reader_token"]: {"actor": READER, "role": "read_only"}}
    return {"FASTTRACK_INTAKE_PORT": str(port), "FASTTRACK_COMMERCE_SECRET": made["commerce_secret"],
            "FASTTRACK_PORTAL_SECRET": made["portal_secret"], "FASTTRACK_INTAKE_TOKENS": json.dumps(tokens)}
