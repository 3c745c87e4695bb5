"""The `fasttrack` command's plumbing: the Typer app, settings, connecting,
turning failures into messages and exit codes, and reading input files."""

from __future__ import annotations

import asyncio
import getpass
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import yaml
from pydantic import BaseModel, ValidationError
from rich.console import Console
from temporalio.client import Client

from cli.engagements import (
    ActionRefused,
    BadInput,
    CommandError,
    TemporalUnavailable,
    perform,
)
from fasttrack.models import EDGE, Action
from register import RegisterUnavailable
from workers.codec import KeyProblem
from workers.config import ClientSettings, ConfigurationError, checked_address
from workers.connection import connect, connect_options

app = typer.Typer(
    name="fasttrack",
    help="Start, drive and inspect FastTrack engagements for Intune (one per tenant).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    epilog="Exit codes: 0 done · 1 refused by the engagement · 2 bad input · 3 no such engagement · "
    "4 Temporal unreachable. Connection settings come from TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, "
    "TEMPORAL_API_KEY, TEMPORAL_TLS_* and TEMPORAL_PROFILE (or FASTTRACK_TEMPORAL_PORT for `make run`); "
    "payload keys from FASTTRACK_ENCRYPTION_KEYS, or data/encryption-keys.",
)
# Piped output is not cut at 80 columns: tables stay readable in files and logs.
console = Console(width=None if sys.stdout.isatty() else 160)
errors = Console(stderr=True, width=None if sys.stderr.isatty() else 160)

T = TypeVar("T")

EngagementArgument = Annotated[
    str, typer.Argument(metavar="ENGAGEMENT", help="Engagement id (fasttrack-intune-<tenant id>) or tenant id.")
]
ByOption = Annotated[
    str | None,
    typer.Option("--by", envvar="FASTTRACK_ACTOR", help="Who did it (default: your login name)."),
]
NoteOption = Annotated[str | None, typer.Option("--note", help="A note recorded with the action.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


class _Options:
    address: str | None = None
    namespace: str | None = None


options = _Options()


@app.callback()
def main(
    address: Annotated[
        str | None, typer.Option(help="Temporal address host:port (overrides TEMPORAL_ADDRESS).")
    ] = None,
    namespace: Annotated[
        str | None, typer.Option(help="Temporal namespace (overrides TEMPORAL_NAMESPACE).")
    ] = None,
) -> None:
    options.address = address
    options.namespace = namespace


def settings() -> ClientSettings:
    return ClientSettings.from_environment()


def connection_overrides() -> dict[str, str]:
    """--address and --namespace win over TEMPORAL_* and FASTTRACK_TEMPORAL_* settings."""
    overrides = {}
    if options.address:
        try:
            overrides["target_host"] = checked_address(options.address)
        except ValueError as error:
            raise BadInput(f"Invalid connection option: --address {error}") from None
    if options.namespace:
        if len(options.namespace.strip()) > 255 or not options.namespace.strip():
            raise BadInput("Invalid connection option: --namespace must have 1 to 255 characters")
        overrides["namespace"] = options.namespace.strip()
    return overrides


def run(work: Callable[[Client], Awaitable[T]]) -> T:
    """Connects, runs ``work``, and turns every failure into a message and an exit code."""

    async def connected() -> T:
        config = settings()
        overrides = connection_overrides()
        address = connect_options(config, overrides=overrides)["target_host"]
        try:
            client = await connect(config, overrides=overrides)
        except RuntimeError as error:
            reason = "connection refused" if "refused" in str(error).lower() else str(error)
            raise TemporalUnavailable(
                f"Cannot reach Temporal at {address} ({reason}). Start the stack with `make run`; "
                "if it runs on other ports, set FASTTRACK_TEMPORAL_PORT (or TEMPORAL_ADDRESS) here too."
            ) from None
        return await work(client)

    try:
        return asyncio.run(connected())
    except ConfigurationError as error:
        errors.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    except ActionRefused as refusal:
        errors.print(f"[red]Refused:[/red] {refusal}")
        raise typer.Exit(refusal.exit_code) from None
    except CommandError as error:
        errors.print(f"[red]Error:[/red] {error}")
        raise typer.Exit(error.exit_code) from None
    except RegisterUnavailable as error:
        errors.print(f"[red]Error:[/red] {error}")
        raise typer.Exit(TemporalUnavailable.exit_code) from None
    except KeyProblem as problem:  # a payload under a key this command line was not given
        errors.print(f"[red]Error:[/red] {problem}")
        raise typer.Exit(2) from None


def build(model: type[BaseModel], **values: Any):
    try:
        return model.model_validate(values, context=EDGE)  # a person's input: the strict rules
    except ValidationError as error:
        raise_invalid(model.__name__, error)


def raise_invalid(what: str, error: ValidationError):
    lines = []
    for problem in error.errors():
        # Drop pydantic's union branch names ("str-enum[...]", "literal[...]") from the field path.
        field = ".".join(str(part) for part in problem["loc"] if "[" not in str(part)) or what
        lines.append(f"  {field}: {problem['msg'].removeprefix('Value error, ')}")
    errors.print(f"[red]Invalid {what}:[/red]\n" + "\n".join(lines))
    raise typer.Exit(2)


def load_document(path: str) -> Any:
    """JSON or YAML from a file, or from standard input when the path is '-'."""
    name = "standard input" if path == "-" else path
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as error:
        errors.print(f"[red]Cannot read {name}:[/red] {error.strerror}")
        raise typer.Exit(2) from None
    except UnicodeDecodeError:
        errors.print(f"[red]Cannot read {name}:[/red] it is not UTF-8 text")
        raise typer.Exit(2) from None
    is_yaml = path.endswith((".yaml", ".yml"))
    try:
        return yaml.safe_load(text) if is_yaml else json.loads(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        errors.print(f"[red]{name} is not valid {'YAML' if is_yaml else 'JSON'}:[/red] {error}")
        raise typer.Exit(2) from None


def load_object(path: str) -> dict:
    document = load_document(path)
    if not isinstance(document, dict):
        name = "standard input" if path == "-" else path
        errors.print(f"[red]{name} must hold one object (a mapping of fields), not {type(document).__name__}.[/red]")
        raise typer.Exit(2)
    return document


def actor(by: str | None) -> str:
    return by or getpass.getuser()


def act(engagement: str, update, action: Action) -> None:
    receipt = run(lambda client: perform(client, engagement, update, action))
    console.print(f"[green]✓[/green] {receipt.message}  [dim]({receipt.engagement_id}: {receipt.phase.value})[/dim]")
