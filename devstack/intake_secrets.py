"""Development secrets for the HTTP intake of `make run`: made once, kept in the
data folder, printed at start. Anywhere else the intake refuses to start without
secrets of its own (intake/settings.py)."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from devstack.encryption_setup import write_private
from intake.settings import IntakeSettings

OPERATOR, READER = "Operator (dev)", "Reader (dev)"


def development_secrets(data_dir: Path) -> dict[str, str]:
    path = data_dir / "intake-dev-secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    made = {name: secrets.token_hex(32) for name in ("commerce_secret", "portal_secret", "operator_token",
                                                     "reader_token")}
    write_private(path, json.dumps(made, indent=2) + "\n")
    return made


def _tokens(made: dict[str, str]) -> str:
    return json.dumps({made["operator_token"]: {"actor": OPERATOR, "role": "operator"},
                       made["reader_token"]: {"actor": READER, "role": "read_only"}})


def intake_environment(made: dict[str, str], port: int) -> dict[str, str]:
    return IntakeSettings.environment(intake_port=port, commerce_secret=made["commerce_secret"],
                                      portal_secret=made["portal_secret"], intake_tokens=_tokens(made))


def intake_tokens_environment(made: dict[str, str]) -> dict[str, str]:
    """The same tokens, for the board, which lets each of them read."""
    return IntakeSettings.environment(intake_tokens=_tokens(made))
