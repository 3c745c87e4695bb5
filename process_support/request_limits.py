"""Limits every HTTP service applies before its app reads anything: a body is
taken only with a Content-Length (never chunked) within the service's limit, no
more than that length is ever read whatever the headers said, and a body that
stops arriving is given up after a while; requests with too many or too large
headers are refused (431)."""

from __future__ import annotations

import asyncio

from starlette.requests import ClientDisconnect, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from process_support.problems import Problem, problem_response

HEADER_BYTES = 16 * 1024
HEADER_COUNT = 100
BODY_SECONDS = 30.0  # between two pieces of a body: a sender that stalls longer has gone

GONE: Message = {"type": "http.disconnect"}  # what the app sees of a body cut short: the sender went away


def declared_length(scope: Scope, body_bytes: int) -> int | Problem:
    """The body's length as the request declares it (0 without a body), or why it is refused."""
    headers: list[tuple[bytes, bytes]] = scope["headers"]
    if len(headers) > HEADER_COUNT or sum(len(name) + len(value) for name, value in headers) > HEADER_BYTES:
        return Problem(431, "Headers too large", f"A request carries at most {HEADER_COUNT} headers and "
                                                 f"{HEADER_BYTES // 1024} KiB of them.")
    named = {name.lower(): value for name, value in headers}
    if b"transfer-encoding" in named:
        return Problem(411, "Length required", "Send the body with a Content-Length, not in chunks.")
    length = named.get(b"content-length")
    if length is None:
        if scope["method"] in ("POST", "PUT", "PATCH"):
            return Problem(411, "Length required", "Send a Content-Length.")
        return 0
    if not length.isdigit() or int(length) > body_bytes:
        return Problem(413, "Request too large", f"A request carries at most {_size(body_bytes)}.")
    return int(length)


def _size(count: int) -> str:
    return f"{count // (1024 * 1024)} MiB" if count >= 1024 * 1024 else f"{count // 1024} KiB"


async def whole_body(request: Request) -> bytes:
    """The request's body, which these limits bound; one cut short is refused."""
    try:
        return await request.body()
    except ClientDisconnect:  # the sender left, or stalled: see RequestLimits
        raise Problem(400, "Request incomplete", "The body ended before its Content-Length.") from None


async def form_fields(request: Request, longest: int, **limits: int) -> dict[str, str] | None:
    """A form's text fields, or None for one longer than ``longest``, of which nothing is read
    (RequestLimits saw to it that it says its length); ``limits``: Starlette's, for its parts."""
    if int(request.headers["content-length"]) > longest:
        return None
    form = await request.form(**limits)
    return {name: value for name, value in form.items() if isinstance(value, str)}


class RequestLimits:
    """ASGI middleware; a refusal is problem+json (a browser never meets one: it sends neither)."""

    def __init__(self, app: ASGIApp, body_bytes: int) -> None:
        self.app, self.body_bytes = app, body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = declared_length(scope, self.body_bytes)
        if isinstance(declared, Problem):
            await problem_response(declared)(scope, receive, send)
            return
        read, complete = 0, False

        async def counted() -> Message:
            nonlocal read, complete
            if complete:  # the body is in: what follows is waiting for the sender to leave, unbounded
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), BODY_SECONDS)
            except TimeoutError:
                return GONE
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                complete = not message.get("more_body", False)
                if read > declared:
                    return GONE
            return message

        await self.app(scope, counted, send)
