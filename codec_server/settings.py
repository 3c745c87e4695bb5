"""The codec server's configuration: where it listens, the token it asks for, the
origins (the Web UI's) whose browsers may call it, and the payload keys."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator

from engagement_client.settings import ClientSettings


class CodecServerSettings(ClientSettings):
    codec_host: str = "127.0.0.1"
    codec_port: Annotated[int, Field(ge=1, le=65535)] = 8381
    codec_token: Annotated[SecretStr, Field(min_length=32)] | None = Field(
        None, description="Callers send it as `Authorization: Bearer <token>`, or the UI as the endpoint's first path segment."
    )
    codec_origins: str = Field(
        "", description="Comma-separated origins whose browsers may call the server: the Temporal UI's, for example "
                        "http://127.0.0.1:8233."
    )

    @field_validator("codec_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        for origin in (part.strip() for part in value.split(",") if part.strip()):
            scheme, separator, rest = origin.partition("://")
            if scheme not in ("http", "https") or not separator or not rest or "/" in rest:
                raise ValueError(f"{origin!r} is not an origin like https://temporal-ui.example.com")
        return value

    @model_validator(mode="after")
    def _token_required(self) -> CodecServerSettings:
        if self.codec_token is None:
            raise ValueError("the codec server needs FASTTRACK_CODEC_TOKEN (32 characters or more)")
        return self

    @property
    def origins(self) -> list[str]:
        return [part.strip() for part in self.codec_origins.split(",") if part.strip()]
