"""The FastTrack team's board, rendered on the server, usable without JavaScript.

- ``GET /board``: every open engagement, nearest deadline first, a page at a time;
  filters by phase, region, risk and who acts next (in the address: none is customer
  data), and by organization (a form sent by POST, so that no name is in an address).
- ``GET /board/e/<engagement>``: the engagement's record as ``fasttrack status`` shows
  it, its timeline as ``fasttrack timeline`` shows it, and its history in the Temporal UI.
- ``GET /board/trends``: the register's trends, as charts and as tables.
- ``POST /board/sign-in`` and ``/board/sign-out``: a session opened with an intake token.

Without a token (``Authorization: Bearer``), a session or, behind an identity-aware
proxy, the header naming the person, every page answers 401 with the sign-in form and
nothing else. The board reads: it has no action of any engagement."""

# No `from __future__ import annotations` here: FastAPI reads the routes' annotations.

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TypeVar

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi_csrf_protect import CsrfProtect
from fastapi_csrf_protect.exceptions import CsrfProtectError
from itsdangerous import BadData, URLSafeTimedSerializer
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from secure.middleware import SecureASGIMiddleware
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from temporalio.client import Client
from temporalio.exceptions import TemporalError
from temporalio.service import RPCError
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from board import charts
from board.access import SESSION_KEY, PeerRemembered, Reader, by_token, reader_of, token_digest
from board.rendering import Rendering
from board.settings import BoardSettings
from board.trends import WEEKS, Trends, trends, week_start
from board.visibility import PAGE_SIZE, BoardFilter, BoardReader, Cursor
from engagement_client.counts import engagement_counts
from engagement_client.engagements import read_state
from engagement_client.errors import BadInput, EngagementNotFound, NoAnswer, TemporalUnavailable
from fasttrack.engagement.next_step import Actor
from fasttrack.models import Phase, Region
from fasttrack.risks import Risk
from process_support.http_metrics import instrument
from process_support.request_limits import RequestLimits, form_fields
from process_support.security_headers import security_headers
from register import Register, RegisterUnavailable

log = logging.getLogger("fasttrack.board")
HERE = Path(__file__).parent
ANSWER_WITHIN = 10.0  # seconds an engagement may take to answer its query
LONGEST_FORM = 4096
CLOSED_SHOWN = 20
FORM_COOKIE = "fasttrack-board-form"
ORGANIZATION_SHOWN = 200  # rows of an organization's search, which has no next page
UNREACHABLE = (RPCError, TemporalError, RegisterUnavailable, asyncio.TimeoutError, TemporalUnavailable, NoAnswer)
COUNTS_WITHIN = timedelta(seconds=5)


class BoardForms(CsrfProtect):
    """The board's CSRF settings, apart from the customer page's (the library keeps them on the class)."""


E = TypeVar("E", Phase, Region, Risk, Actor)


def _choice(kind: type[E], value: str | None) -> E | None:
    return next((member for member in kind if member.value == value), None)


class Board:
    def __init__(self, settings: BoardSettings, client: Client, register: Register,
                 clock: Callable[[], datetime]) -> None:
        self.settings, self.client, self.register, self.clock = settings, client, register, clock
        self.reader = BoardReader(client)
        self.forms = BoardForms()
        self.render = Rendering(settings)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.sign_ins = RateLimitItemPerMinute(settings.board_logins_per_minute)

    def form_token(self, request: Request) -> tuple[str, str | None]:
        """The CSRF token for a page's forms: the one the browser's cookie already signs, so that
        the forms of every tab it has open stay valid; a new one (to set) when it has none."""
        signed = request.cookies.get(FORM_COOKIE)
        if signed:
            try:
                # fastapi-csrf-protect's own signing (tests/unit/test_board_access.py holds it to it).
                serializer = URLSafeTimedSerializer(self.settings.session_secret(), salt="fastapi-csrf-token")
                return serializer.loads(signed, max_age=self.settings.board_session_hours * 3600), None
            except BadData:
                pass
        return self.forms.generate_csrf_tokens()

    def with_forms(self, request: Request, body: Callable[[str], str], status: int = 200,
                   headers: dict[str, str] | None = None) -> HTMLResponse:
        token, signed = self.form_token(request)
        response = HTMLResponse(body(token), status_code=status, headers=headers)
        if signed is not None:
            self.forms.set_csrf_cookie(signed, response)
        return response

    def sign_in_page(self, request: Request, status: int = 401, refused: str | None = None,
                     then: str | None = None) -> Response:
        if request.headers.get("sec-fetch-dest", "document") != "document":
            # An image or the browser's icon: no form, and no form cookie.
            return Response(status_code=status)
        then = then if then is not None else _board_path(request)
        return self.with_forms(request, lambda token: self.render.sign_in(token, refused, then), status,
                               {"WWW-Authenticate": 'Bearer realm="fasttrack board"'} if status == 401 else None)


def _board_path(request: Request) -> str:
    """Where a reader was going, to take them there once signed in: a board page, else the list."""
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return path if request.method == "GET" and _is_board_page(path) else "/board"


def _is_board_page(path: str) -> bool:
    return (path == "/board" or path.startswith(("/board?", "/board/"))) and "\\" not in path and len(path) < 500


def create_app(settings: BoardSettings, client: Client, register: Register,
               clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> FastAPI:
    BoardForms.load_config(lambda: [
        ("secret_key", settings.session_secret()), ("cookie_key", FORM_COOKIE), ("cookie_path", "/board"),
        ("cookie_samesite", "strict"), ("cookie_secure", settings.secure_cookies), ("token_location", "body"),
        ("token_key", "csrf-token"), ("max_age", settings.board_session_hours * 3600),
    ])
    board = Board(settings, client, register, clock)
    app = FastAPI(title="FastTrack onboarding orchestrator — board", docs_url=None, redoc_url=None,
                  openapi_url=None, redirect_slashes=False)
    instrument(app, "board")
    # A body in chunks or far past the longest form is refused unread (a browser sends neither).
    app.add_middleware(RequestLimits, body_bytes=4 * LONGEST_FORM)  # type: ignore[arg-type]
    # Lax: a link to the board from mail or chat arrives signed in; every form carries a CSRF token.
    app.add_middleware(SessionMiddleware, secret_key=settings.session_secret(), session_cookie="fasttrack-board",
                       max_age=settings.board_session_hours * 3600, path="/", same_site="lax",
                       https_only=settings.secure_cookies)
    app.add_middleware(SecureASGIMiddleware, secure=security_headers(settings.secure_cookies))
    # The client's address from a proxy allowed (the sign-in limit counts it); the connecting
    # address kept first, for the identity a proxy names (board/access.py).
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.board_forwarded_allow_ips)
    app.add_middleware(PeerRemembered)
    app.mount("/board/static", StaticFiles(directory=HERE / "static"), name="static")

    def reading(page: Callable[[Request, Reader], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        async def answer(request: Request) -> Response:
            reader = reader_of(request, settings)
            if reader is None:
                return board.sign_in_page(request)
            try:
                return await page(request, reader)
            except UNREACHABLE as error:
                log.warning("board page not read", extra={"failure": type(error).__name__})
                return HTMLResponse(board.render.notice(
                    "Temporal or the benefit register did not answer",
                    "Nothing is shown rather than something out of date. Try again in a moment; "
                    "`fasttrack list` and the Temporal UI read the same records."), status_code=503)
        return answer

    @app.get("/healthz", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/")
    async def root() -> Response:
        return RedirectResponse("/board", status_code=303)

    async def listing(request: Request, reader: Reader, organization: str | None = None,
                      refused: str | None = None) -> Response:
        query = request.query_params
        selection = BoardFilter(phase=_choice(Phase, query.get("phase")), region=_choice(Region, query.get("region")),
                                risk=_choice(Risk, query.get("risk")), acts=_choice(Actor, query.get("acts")),
                                organization=organization)
        now = board.clock()
        page, (by_phase, at_risk) = await asyncio.gather(
            board.reader.page(selection, Cursor.read(query.get("after")), size=ORGANIZATION_SHOWN if organization
                              else PAGE_SIZE, now=now),
            engagement_counts(client, COUNTS_WITHIN))
        return board.with_forms(request, lambda token: board.render.listing(
            reader, page, selection, by_phase, at_risk, now, token, query.get("after"), refused))

    @app.get("/board")
    async def list_page(request: Request) -> Response:
        return await reading(listing)(request)

    @app.post("/board")
    async def organization_search(request: Request) -> Response:
        async def search(request: Request, reader: Reader) -> Response:
            form = await form_fields(request, LONGEST_FORM)
            if form is None or not await _valid_form(board, request):
                return await listing(request, reader, refused="The search form had expired: search again.")
            return await listing(request, reader, form.get("organization", "").strip()[:200] or None)
        return await reading(search)(request)

    @app.get("/board/e/{engagement_id}")
    async def engagement_page(request: Request, engagement_id: str) -> Response:
        async def page(request: Request, reader: Reader) -> Response:
            try:
                state = await read_state(client, engagement_id, register, answer_within=ANSWER_WITHIN)
            except (BadInput, EngagementNotFound):
                return HTMLResponse(board.render.notice("No such engagement",
                                                        "Neither Temporal nor the register knows it."), 404)
            now = board.clock()
            opened, row = await asyncio.gather(asyncio.to_thread(register.page_last_opened, state.engagement_id),
                                               board.reader.one(state.engagement_id, now))
            return board.with_forms(request, lambda token: board.render.engagement(reader, state, row, opened, now,
                                                                                   token))
        return await reading(page)(request)

    @app.get("/board/trends")
    async def trends_page(request: Request) -> Response:
        async def page(request: Request, reader: Reader) -> Response:
            now = board.clock()
            shown, closed = await asyncio.gather(_trends(register, now),
                                                 asyncio.to_thread(register.recently_closed, CLOSED_SHOWN))
            return board.with_forms(request, lambda token: board.render.trends(reader, shown, closed, now, token))
        return await reading(page)(request)

    @app.get("/board/charts/{name}.svg")
    async def chart(request: Request, name: str) -> Response:
        async def image(request: Request, reader: Reader) -> Response:
            draw = charts.CHARTS.get(name)
            if draw is None:
                return Response(status_code=404)
            shown = await _trends(register, board.clock())
            svg = await asyncio.to_thread(draw, shown)
            # Shown as an image, the SVG's own style sheet applies and nothing in it runs; opened on its
            # own, the board's policy (no inline style, no script) leaves it unstyled and inert.
            return Response(svg, media_type="image/svg+xml")
        return await reading(image)(request)

    @app.post("/board/sign-in")
    async def sign_in(request: Request) -> Response:
        address = request.client.host if request.client else "unknown"
        if not board.limiter.hit(board.sign_ins, "sign-in", address):
            return HTMLResponse(board.render.notice("Too many attempts", "Wait a minute, then sign in again."),
                                status_code=429, headers={"Retry-After": "60"})
        form = await form_fields(request, LONGEST_FORM)
        then = form.get("then", "/board") if form else "/board"
        then = then if _is_board_page(then) else "/board"
        if form is None or not await _valid_form(board, request):
            return board.sign_in_page(request, 403, "The form had expired: sign in again.", then)
        reader = by_token(settings, form.get("token", "").strip())
        if reader is None:
            log.info("board sign-in refused")
            return board.sign_in_page(request, 401, "This token is not known.", then)
        request.session.clear()
        request.session[SESSION_KEY] = token_digest(form.get("token", "").strip())
        log.info("board sign-in", extra={"role": reader.role})
        return RedirectResponse(then, status_code=303)

    @app.post("/board/sign-out")
    async def sign_out(request: Request) -> Response:
        # Whatever the form says: a forged sign-out costs a sign-in, a refused one a session left open.
        request.session.clear()
        return RedirectResponse("/board", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def problem(request: Request, error: StarletteHTTPException) -> Response:
        if reader_of(request, settings) is None:
            return board.sign_in_page(request)  # nothing, not even whether a path exists
        title = "No such page" if error.status_code == 404 else "Not possible here"
        return HTMLResponse(board.render.notice(title, "The board only reads: act with `fasttrack`, the intake or "
                                                       "the customer's page."), status_code=error.status_code)

    return app


async def _valid_form(board: Board, request: Request) -> bool:
    try:
        await board.forms.validate_csrf(request)
    except CsrfProtectError:
        return False
    return True


async def _trends(register: Register, now: datetime) -> Trends:
    since = week_start(now) - timedelta(weeks=WEEKS - 1)
    return trends(await asyncio.to_thread(register.trend_records, since), now)
