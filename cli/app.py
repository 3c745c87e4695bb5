"""The `fasttrack` command's plumbing: the Typer app, settings, connecting,
turning failures into messages and exit codes, and reading input files."""

from __future__ import annotations

import asyncio
import getpass
import json
import sys
from collections.abc import Awaitable, Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
import yaml
from pydantic import BaseModel, ValidationError
from rich.console import Console
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from cli.wording import flag_for, sentence
from engagement_client.codec import KeyProblem
from engagement_client.connection import connect, connect_options
from engagement_client.engagements import perform, read_state
from engagement_client.errors import ActionRefused, BadInput, CommandError, NoAnswer, TemporalUnavailable, names_a_missing_namespace
from engagement_client.settings import ClientSettings, ConfigurationError, checked_address
from engagement_client.update_ids import REQUEST_ID, new_request_id, update_id_for
from fasttrack.engagement.catalogue import update_name_of
from fasttrack.models import EDGE, Action, ActionReceipt, EngagementState
from register import RegisterUnavailable

app = typer.Typer(
    name="fasttrack",
    help="Start, drive and inspect FastTrack engagements for Intune (one per tenant).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    epilog="Exit codes: 0 done · 1 refused by the engagement · 2 bad input · 3 no such engagement · "
    "4 Temporal unreachable or refusing · 5 the engagement did not answer in time (no worker, or a busy one). "
    "Connection settings come from TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, "
    "TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE and TEMPORAL_CONFIG_FILE (the profile `make run` writes: "
    "see its banner), or FASTTRACK_TEMPORAL_PORT for `make run`; "
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
RequestIdOption = Annotated[
    str | None,
    typer.Option("--request-id", help="Any text of yours naming this action (printable ASCII, no spaces): "
                 "running the command again with it applies the action once."),
]
ANSWER_WITHIN = 8.0  # seconds an engagement has to answer: the command says why it did not within 10
JsonOption = Annotated[bool, typer.Option("--json", help="The same as -o json.")]


class OutputFormat(str, Enum):
    TABLE = "table"
    JSON = "json"


OutputOption = Annotated[
    OutputFormat, typer.Option("-o", "--output", help="table for people, json for scripts (as the Temporal CLI's -o).")
]


def wants_json(output: OutputFormat, as_json: bool) -> bool:
    return as_json or output is OutputFormat.JSON


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


def current_state(engagement: str) -> EngagementState:
    """The engagement's state, as it answers within ``ANSWER_WITHIN``."""
    return run(lambda client: read_state(client, engagement, answer_within=ANSWER_WITHIN))


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
    except RPCError as error:  # anything else Temporal said no to: its words, never a traceback
        said = temporal_refusal(error)
        errors.print(f"[red]Error:[/red] {said}")
        raise typer.Exit(said.exit_code) from None


def temporal_refusal(error: RPCError) -> CommandError:
    if names_a_missing_namespace(error):
        namespace = connect_options(settings(), overrides=connection_overrides())["namespace"]
        return BadInput(f"Temporal has no namespace '{namespace}'. Give an existing one with --namespace or "
                        "TEMPORAL_NAMESPACE (`make run` serves 'default').")
    if error.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
        return TemporalUnavailable(f"Temporal did not answer ({error.message}). Is it running?")
    if error.status in (RPCStatusCode.UNAUTHENTICATED, RPCStatusCode.PERMISSION_DENIED):
        return TemporalUnavailable(f"Temporal refused these credentials ({error.message}): check "
                                   "TEMPORAL_API_KEY or the TLS settings.")
    return TemporalUnavailable(f"Temporal refused the request: {error.message} ({error.status.name}).")


def build(model: type[BaseModel], source: str | None = None, **values: Any):
    """The model from the operator's flags, or from the file ``source``; what does not fit
    is named as they wrote it: the flag, or the file and the field."""
    try:
        return model.model_validate(values, context=EDGE)  # a person's input: the strict rules
    except ValidationError as error:
        raise_invalid(error, source)


def raise_invalid(error: ValidationError, source: str | None = None) -> NoReturn:
    if source is not None:
        where = "standard input" if source == "-" else source
        lines = [f"  {'.'.join(str(part) for part in problem['loc'] if '[' not in str(part)) or 'the document'}: "
                 f"{sentence(problem)}" for problem in error.errors()]
        errors.print(f"[red]Invalid {where}:[/red]\n" + "\n".join(lines), highlight=False)
    else:
        problems = [(flag_for(problem["loc"]), sentence(problem)) for problem in error.errors()]
        if len(problems) == 1:
            errors.print(f"[red]Invalid {problems[0][0]}:[/red] {problems[0][1]}", highlight=False)
        else:
            errors.print("[red]Invalid input:[/red]\n" + "\n".join(f"  {flag}: {said}" for flag, said in problems),
                         highlight=False)
    raise typer.Exit(2)


def raise_bad(flag: str, problem: str) -> NoReturn:
    errors.print(f"[red]Invalid {flag}:[/red] {problem}")
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


def act(engagement: str, action: Action, request_id: str | None = None) -> None:
    """Sends the action once, under an update id made from ``request_id`` (or one made up here),
    so that the SDK's retries and the operator's own rerun with the same id apply it once."""
    if request_id is not None and not REQUEST_ID.fullmatch(request_id):
        raise_bad("--request-id", "must be 1 to 200 printable ASCII characters without spaces, e.g. ticket-4711")
    request = request_id or new_request_id()
    update_id = update_id_for(update_name_of(action), action, request)

    async def applied(client: Client) -> ActionReceipt:
        try:
            return await perform(client, engagement, action, update_id=update_id, answer_within=ANSWER_WITHIN)
        except NoAnswer as silence:
            raise NoAnswer(f"{silence} It may still be applied once a worker runs: run the same command again "
                           f"with --request-id {request} to apply it once and read its outcome.") from None

    receipt = run(applied)
    console.print(f"[green]✓[/green] {receipt.message}  [dim]({receipt.engagement_id}: {receipt.phase.value})[/dim]")
