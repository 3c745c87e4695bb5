"""How the worker and every client reach Temporal and read its payloads.

The connection comes from the Temporal SDK's environment configuration
(``temporalio.envconfig``): ``TEMPORAL_ADDRESS``, ``TEMPORAL_NAMESPACE``,
``TEMPORAL_API_KEY``, ``TEMPORAL_TLS`` and ``TEMPORAL_TLS_*`` (server CA, client
certificate and key: mTLS), ``TEMPORAL_PROFILE`` and ``TEMPORAL_CONFIG_FILE``
(a TOML file of profiles). The older ``FASTTRACK_TEMPORAL_*`` variables are
aliases: they fill in what the TEMPORAL_* ones leave unset, and a disagreement
between the two is an error rather than a guess."""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from temporalio.client import Client
from temporalio.envconfig import ClientConfigProfile
from temporalio.runtime import Runtime

from engagement_client.codec import EncryptionCodec, KeyProblem
from engagement_client.payloads import data_converter
from engagement_client.query_retry import QueryRetryInterceptor
from engagement_client.settings import ClientSettings, ConfigurationError, checked_address
from process_support.tracing import tracing_interceptors
from register import Register, RegisterUnavailable

S = TypeVar("S", bound=ClientSettings)
A = TypeVar("A")  # an HTTP process's app

DEFAULT_ADDRESS = "localhost:7233"
DEFAULT_NAMESPACE = "default"
TLS_WORDS = {"true": True, "1": True, "false": False, "0": False}


def _aliases(settings: ClientSettings) -> dict[str, str]:
    aliases = {
        "TEMPORAL_ADDRESS": settings.address_alias,
        "TEMPORAL_NAMESPACE": settings.temporal_namespace,
        "TEMPORAL_API_KEY": settings.temporal_api_key,
        # As before the aliases: FASTTRACK_TEMPORAL_TLS could turn TLS on, never off (an API key always meant TLS).
        "TEMPORAL_TLS": "true" if settings.temporal_tls else None,
    }
    return {variable: value for variable, value in aliases.items() if value is not None}


def _same(variable: str, first: str, second: str) -> bool:
    if variable == "TEMPORAL_TLS":
        return TLS_WORDS.get(first.strip().lower()) == TLS_WORDS.get(second.strip().lower())
    return first == second


def connect_options(settings: ClientSettings, environ: Mapping[str, str] | None = None,
                    overrides: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Keyword arguments for ``Client.connect``: ``overrides`` (command-line options)
    win over the environment, which wins over the profile file."""
    env = dict(os.environ if environ is None else environ)
    for variable, value in _aliases(settings).items():
        if not _same(variable, env.get(variable, value), value):
            hidden = "API_KEY" in variable
            shown = "" if hidden else f" ({value!r} and {env[variable]!r})"
            raise ConfigurationError(f"FASTTRACK_{variable} and {variable} disagree{shown}: set only {variable}.")
        env[variable] = value
    tls = env.get("TEMPORAL_TLS")
    if tls is not None and tls.strip().lower() not in TLS_WORDS:
        raise ConfigurationError(f"TEMPORAL_TLS must be true or false (got {tls!r}).")
    try:
        profile = ClientConfigProfile.load(profile=env.get("TEMPORAL_PROFILE") or None, override_env_vars=env)
        options: dict[str, Any] = dict(profile.to_client_connect_config())
    except FileNotFoundError as error:
        raise ConfigurationError(f"A TLS file of the Temporal connection does not exist: {error.filename}.") from None
    except (OSError, RuntimeError, ValueError) as error:  # the bridge reports a bad profile file as RuntimeError
        if re.fullmatch(r"Profile '[^'\n]{0,100}' not found", str(error)):
            raise ConfigurationError(f"Temporal connection settings: {error}") from None
        # The parser's words quote the file, API keys included: only say which file.
        where = env.get("TEMPORAL_CONFIG_FILE") or "~/.config/temporalio/temporal.toml"
        raise ConfigurationError(f"The Temporal profile file {where} cannot be read as TOML "
                                 "(its content is not shown: it can hold API keys).") from None
    options.update(overrides or {})
    options.setdefault("target_host", DEFAULT_ADDRESS)
    options.setdefault("namespace", DEFAULT_NAMESPACE)
    try:
        options["target_host"] = checked_address(options["target_host"])
    except ValueError as error:
        raise ConfigurationError(f"The Temporal address {options['target_host']!r}: {error}.") from None
    return options


def check_at_start(settings: ClientSettings) -> None:
    """A bad connection setting or key stops a process at start, with its message,
    before it connects to anything."""
    connect_options(settings)
    payload_codec(settings)


def payload_codec(settings: ClientSettings, refuse_malformed: bool = False) -> EncryptionCodec:
    try:
        return EncryptionCodec.from_configuration(settings.payload_keys(), refuse_malformed)
    except KeyProblem as problem:
        raise ConfigurationError(f"Payload encryption keys: {problem}") from None


async def connect(settings: ClientSettings, overrides: Mapping[str, str] | None = None,
                  runtime: Runtime | None = None, identity: str | None = None, refuse_malformed: bool = False
                  ) -> Client:
    """A client whose payloads are encrypted with the configured keys (and traced, if asked);
    ``identity``: what the Temporal UI's history shows as the caller of its updates;
    ``refuse_malformed``: the worker's, for which a malformed payload is refused, not a failure."""
    options = connect_options(settings, overrides=overrides)
    if identity is not None:
        options["identity"] = f"{identity}@{socket.gethostname()}"
    return await Client.connect(**options, data_converter=data_converter(payload_codec(settings, refuse_malformed)),
                                interceptors=[QueryRetryInterceptor(), *tracing_interceptors(settings.tracing)],
                                runtime=runtime)


async def connected_app(settings: S, create_app: Callable[[S, Client, Register], A],
                        identity: str | None = None) -> A:
    """An HTTP process's app, with its Temporal client and the register (migrated first)."""
    client = await connect(settings, identity=identity)
    register = Register(settings.register_url, create=False)
    register.migrate()
    return create_app(settings, client, register)


# What stops an HTTP process once it runs: Temporal or the register gone.
SERVICE_FAILURES: tuple[type[BaseException], ...] = (RuntimeError, RegisterUnavailable)
