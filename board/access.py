"""Who is reading the board: a token sent as ``Authorization: Bearer``, a session
opened with a token on the sign-in form, or the person a trusted proxy names. Every
token may read; none may act here."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from board.settings import BoardSettings

SESSION_KEY = "token"  # the session holds a digest of the token, never the token
PEER = "fasttrack.peer"


@dataclass(frozen=True)
class Reader:
    name: str
    role: str
    by_session: bool


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def by_token(settings: BoardSettings, token: str, by_session: bool = False) -> Reader | None:
    for known, caller in settings.intake_tokens.items():
        if hmac.compare_digest(known.encode(), token.encode()):
            return Reader(caller.actor, caller.role.value, by_session)
    return None


def reader_of(request: Request, settings: BoardSettings) -> Reader | None:
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return by_token(settings, header[7:].strip())
    digest = request.session.get(SESSION_KEY)
    if isinstance(digest, str):
        for known, caller in settings.intake_tokens.items():
            if hmac.compare_digest(token_digest(known), digest):
                return Reader(caller.actor, caller.role.value, by_session=True)
    if settings.board_proxy_user_header and trusted(request.scope.get(PEER), settings.board_forwarded_allow_ips):
        person = request.headers.get(settings.board_proxy_user_header, "").strip()
        if person:
            return Reader(person[:200], "reader", by_session=False)
    return None


def trusted(peer: object, allowed: str) -> bool:
    """Whether the connection came from one of the proxies allowed (addresses or networks, or *)."""
    if not isinstance(peer, str):
        return False
    entries = [entry.strip() for entry in allowed.split(",") if entry.strip()]
    if "*" in entries:
        return True
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    for entry in entries:
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


class PeerRemembered:
    """Keeps the address that connected, before X-Forwarded-For replaces it: the identity a
    proxy names is believed only from a proxy allowed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if client:
            scope[PEER] = client[0]
        await self.app(scope, receive, send)
