"""Configuration from environment variables, checked at start with a clear error."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, ValidationError, field_validator, model_validator
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
        if any(word in variable for word in ("SECRET", "PASSWORD", "TOKEN", "API_KEY")):
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


class ClientSettings(EnvSettings):
    """How to reach Temporal: shared by the worker and every client."""

    temporal_address: str = "localhost:7233"
    temporal_port: Annotated[int | None, Field(ge=1, le=65535)] = Field(
        None, description="The embedded stack's port: localhost:<port>, unless the address is given."
    )
    temporal_namespace: Annotated[str, StringConstraints(min_length=1, max_length=255)] = "default"
    task_queue: Annotated[str, StringConstraints(min_length=1, max_length=255)] = TASK_QUEUE
    temporal_tls: bool = False
    temporal_api_key: str | None = None
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
    def _host_and_port(cls, value: str) -> str:
        host, _, port = value.strip().rpartition(":")
        if not host or not port.isdigit():
            raise ValueError("must be host:port, for example localhost:7233")
        if not 0 < int(port) < 65536:
            raise ValueError("port must be between 1 and 65535")
        return value.strip()

    @model_validator(mode="after")
    def _address_from_port(self) -> ClientSettings:
        if self.temporal_port is not None and "temporal_address" not in self.model_fields_set:
            self.temporal_address = f"127.0.0.1:{self.temporal_port}"
        return self


class MailSettings(EnvSettings):
    """How the notifier sends email."""

    smtp_host: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)] = "localhost"
    smtp_port: Annotated[int, Field(ge=1, le=65535)] = 2525
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_username: str | None = None
    smtp_password: str | None = None
    sender_email: Email = "fasttrack@fasttrack-orchestrator.example"
    manager_email: Email = "fasttrack-manager@fasttrack-orchestrator.example"


class WorkerSettings(ClientSettings, MailSettings):
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    shutdown_grace_seconds: float = Field(10.0, ge=0, le=600)
    max_cached_workflows: int = Field(
        1000, ge=0, le=1_000_000, description="Engagements kept in memory; the others are replayed when they wake."
    )
