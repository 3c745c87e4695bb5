"""The board's configuration: its address, who may read it (the intake's reader and
operator tokens, or the identity a trusted proxy names), and where the Temporal UI is."""

from __future__ import annotations

import hashlib
import secrets
from typing import Annotated

from pydantic import Field, SecretStr

from engagement_client.settings import ClientSettings
from intake.settings import Caller


_PROCESS_SECRET = secrets.token_hex(32)


class BoardSettings(ClientSettings):
    board_host: str = Field("127.0.0.1", description="Where the board listens (0.0.0.0 in a container).")
    board_port: Annotated[int, Field(ge=1, le=65535)] = 8391
    board_url: str | None = Field(None, description="The board's public address; https makes its cookie Secure.")
    intake_tokens: dict[Annotated[str, Field(min_length=32)], Caller] = Field(
        default_factory=dict, description="The intake's tokens: each opens the board, whatever its role."
    )
    board_proxy_user_header: str | None = Field(
        None, description="Behind an identity-aware proxy: the header naming the signed-in person "
                          "(e.g. X-Auth-Request-Email). Only when nothing else can reach the board.")
    board_session_hours: Annotated[int, Field(ge=1, le=24 * 30)] = 8
    board_logins_per_minute: Annotated[int, Field(ge=1, le=1000)] = Field(
        10, description="Sign-in attempts one client address may make in a minute.")
    board_forwarded_allow_ips: str = Field(
        "127.0.0.1", description="Proxies trusted to say the client's address (X-Forwarded-For), comma-separated.")
    temporal_ui_url: str = Field("http://127.0.0.1:8233", description="The Temporal UI each engagement links to.")
    board_session_secret: Annotated[SecretStr, Field(min_length=32)] | None = Field(
        None, description="Signs sessions and forms (32 characters or more); by default derived from the tokens.")

    @property
    def secure_cookies(self) -> bool:
        return (self.board_url or "").startswith("https://")

    def session_secret(self) -> str:
        """Signs the session cookie and the forms' CSRF tokens: the setting, or derived from the
        tokens (changing them signs every session out), or, behind a proxy with no token, a
        secret of this process's own."""
        if self.board_session_secret is not None:
            return self.board_session_secret.get_secret_value()
        if not self.intake_tokens:
            return _PROCESS_SECRET
        tokens = "\0".join(sorted(self.intake_tokens))
        return hashlib.sha256(b"board-session\0" + tokens.encode()).hexdigest()

    def configured(self) -> str | None:
        """Why the board cannot let anyone in, if so."""
        if not self.intake_tokens and not self.board_proxy_user_header:
            return "the board needs FASTTRACK_INTAKE_TOKENS or FASTTRACK_BOARD_PROXY_USER_HEADER"
        return None
