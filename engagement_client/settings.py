"""Configuration from environment variables, checked at start with a clear error: what
every process needs to reach Temporal and read its payloads."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, StringConstraints, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from fasttrack.contract import TASK_QUEUE
from fasttrack.models import Email
from register.store import default_url

ENV_PREFIX = "FASTTRACK_"


class ConfigurationError(SystemExit):
    """Raised with a message that names every bad setting; exits with status 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.code = 2
        self.message = message

    def __str__(self) -> str:
        return self.message


def _settings_error(settings_class: type[BaseSettings], error: ValidationError) -> ConfigurationError:
    lines = ["Invalid configuration:"]
    for problem in error.errors():
        message = problem["msg"].removeprefix("Value error, ")
        if not problem["loc"]:  # a rule over several settings: its message names them
            lines.append(f"  {message[:1].upper()}{message[1:]}")
            continue
        variable = f"{ENV_PREFIX}{str(problem['loc'][0]).upper()}"
        value = os.environ.get(variable)
        shown = f" (got {value!r})" if value is not None else ""
        if any(word in variable for word in ("SECRET", "PASSWORD", "TOKEN", "API_KEY", "KEYS")):
            shown = ""  # never printed: it would end up in logs
        lines.append(f"  {variable}: {message}{shown}")
    return ConfigurationError("\n".join(lines))


class EnvSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    @classmethod
    def from_environment(cls):
        try:
            return cls()
        except ValidationError as error:
            raise _settings_error(cls, error) from None

    @classmethod
    def environment(cls, **values: object) -> dict[str, str]:
        """The environment variables that give a process of these settings ``values``
        (``smtp_port=2525`` → ``FASTTRACK_SMTP_PORT=2525``): the variables are named here only."""
        unknown = sorted(set(values) - set(cls.model_fields))
        if unknown:
            raise ValueError(f"{cls.__name__} has no setting {', '.join(unknown)}")
        return {f"{ENV_PREFIX}{name.upper()}": str(value) for name, value in values.items()}


class ClientSettings(EnvSettings):
    """How to reach Temporal and read its payloads: shared by the worker and every client.

    The connection itself comes from the Temporal SDK's environment configuration
    (``TEMPORAL_ADDRESS``, ``TEMPORAL_NAMESPACE``, ``TEMPORAL_API_KEY``, ``TEMPORAL_TLS*``,
    ``TEMPORAL_PROFILE``, ``TEMPORAL_CONFIG_FILE``; see engagement_client/connection.py); the
    ``FASTTRACK_TEMPORAL_*`` settings below are aliases kept for existing deployments."""

    temporal_address: str | None = Field(None, description="Alias of TEMPORAL_ADDRESS.")
    temporal_port: Annotated[int | None, Field(ge=1, le=65535)] = Field(
        None, description="The embedded stack's port: 127.0.0.1:<port>, unless an address is given."
    )
    temporal_namespace: Annotated[str | None, StringConstraints(min_length=1, max_length=255)] = Field(
        None, description="Alias of TEMPORAL_NAMESPACE."
    )
    task_queue: Annotated[str, StringConstraints(min_length=1, max_length=255)] = TASK_QUEUE
    temporal_tls: bool | None = Field(None, description="Alias of TEMPORAL_TLS.")
    temporal_api_key: str | None = Field(None, description="Alias of TEMPORAL_API_KEY.")
    tracing: Literal["off", "console", "otlp"] = Field(
        "off", description="OpenTelemetry spans for workflows, activities and client calls: printed, or sent to "
                           "OTEL_EXPORTER_OTLP_ENDPOINT."
    )
    encryption_keys: SecretStr | None = Field(
        None, description="Payload keys, <key id>:<base64 of 32 bytes>, comma-separated, the current key first."
    )
    encryption_keys_file: Path | None = Field(
        None, description="A file holding the payload keys (one per line); <data folder>/encryption-keys if unset."
    )
    data_dir: Path = Field(Path("data"), description="The local data folder: the register's SQLite file by default.")
    database_url: str | None = Field(
        None, description="The benefit register's database (SQLAlchemy URL); a SQLite file in the data folder if unset."
    )

    @field_validator("database_url")
    @classmethod
    def _database(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            backend = make_url(value.strip()).get_backend_name()
        except ArgumentError:
            raise ValueError("must be a database URL, for example sqlite:///data/register.db or "
                             "postgresql+psycopg://user:password@host/database") from None
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(f"the benefit register runs on SQLite or PostgreSQL, not {backend}")
        return value.strip()

    @property
    def register_url(self) -> str:
        return self.database_url or default_url(self.data_dir)

    @field_validator("temporal_address")
    @classmethod
    def _host_and_port(cls, value: str | None) -> str | None:
        return None if value is None else checked_address(value)

    @property
    def address_alias(self) -> str | None:
        """What the FASTTRACK_* settings say of the address, if anything."""
        if self.temporal_address is not None:
            return self.temporal_address
        return None if self.temporal_port is None else f"127.0.0.1:{self.temporal_port}"

    def payload_keys(self) -> str:
        """The configured payload keys: the variable, else the file, else the data folder's key file."""
        return configured_keys(self.encryption_keys, self.encryption_keys_file, self.data_dir / KEYS_FILE_NAME,
                               "ENCRYPTION_KEYS", "payload encryption key", "docs/security.md")


def configured_keys(value: SecretStr | None, file: Path | None, default_file: Path, setting: str, what: str,
                    section: str) -> str:
    """Keys from their variable, else from their file, else from the data folder's file, which
    `make run` makes for development; an error that names the settings when there are none."""
    if value is not None:
        return value.get_secret_value()
    path = file or default_file
    try:
        return path.read_text()
    except FileNotFoundError:
        if file is not None:
            raise ConfigurationError(f"{ENV_PREFIX}{setting}_FILE: {path} does not exist.") from None
        raise ConfigurationError(
            f"No {what}: set {ENV_PREFIX}{setting} or {ENV_PREFIX}{setting}_FILE "
            f"(`make run` makes {path} for development; see {section})."
        ) from None
    except OSError as error:
        raise ConfigurationError(f"Cannot read the {what}s from {path}: {error.strerror}.") from None


KEYS_FILE_NAME = "encryption-keys"


def checked_address(value: str) -> str:
    host, _, port = value.strip().rpartition(":")
    if not host or not port.isdigit():
        raise ValueError("must be host:port, for example localhost:7233")
    if not 0 < int(port) < 65536:
        raise ValueError("port must be between 1 and 65535")
    return value.strip()


LINK_KEYS_FILE_NAME = "link-keys"


class CustomerLinkSettings(EnvSettings):
    """The customer's personal links: where they point, and the keys that make and open them
    (the worker makes them for its mail, the customer's page opens them)."""

    customer_page_url: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200,
                                                        pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$")] | None = Field(
        None, description="The customer page's public address (https://…): every mail to the customer links "
                          "there; mail carries no link while it is unset."
    )
    link_keys: SecretStr | None = Field(
        None, description="The link keys, <key id>:<base64 of 32 bytes>, comma-separated, the current key first."
    )
    link_keys_file: Path | None = Field(
        None, description="A file holding the link keys (one per line); <data folder>/link-keys if unset."
    )
    link_lifetime_days: Annotated[int, Field(ge=1, le=366)] = Field(
        60, description="How long a link opens after its mail was sent (a later mail brings a fresh one)."
    )
    data_dir: Path = Field(Path("data"), description="The local data folder.")

    @property
    def page_url(self) -> str | None:
        return None if self.customer_page_url is None else self.customer_page_url.rstrip("/")

    def link_keys_text(self) -> str:
        """The configured link keys: the variable, else the file, else the data folder's key file."""
        return configured_keys(self.link_keys, self.link_keys_file, self.data_dir / LINK_KEYS_FILE_NAME,
                               "LINK_KEYS", "link key", "docs/customer-page.md")
