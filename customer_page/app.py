"""The customer's page, rendered on the server, usable without JavaScript.

- ``GET /e/<token>``: where the engagement stands, in the customer's language, and a
  form for each step they may mark done (a remediation item, an Enable task they own)
  or to request assistance while FastTrack has not reached them yet.
- ``POST /e/<token>``: one of those steps, sent to the engagement as the same update the
  command line sends, with ``by`` = the contact's name and an update id from the form:
  a double click or a reload applies it once. The page answers with the receipt, or
  why the step was not recorded.

A link that is unknown, tampered with, expired, made with a retired key, naming
another contact, or whose engagement closed more than 30 days ago gets one answer
(404, the same page). Every form carries a CSRF token (fastapi-csrf-protect); every
answer carries the security headers (``secure``); links and addresses are rate limited
(``limits``); no token is ever logged."""

# No `from __future__ import annotations` here: FastAPI reads the routes' annotations.

import asyncio
import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.exception_handlers import http_exception_handler
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from fastapi_csrf_protect import CsrfProtect
from fastapi_csrf_protect.exceptions import CsrfProtectError
from pydantic import ValidationError
from secure.middleware import SecureASGIMiddleware
from temporalio.client import Client
from temporalio.exceptions import TemporalError
from temporalio.service import RPCError

from customer_page.languages import negotiated_language
from customer_page.rate_limits import RateLimits
from customer_page.rendering import Answer, notice_html, page_html
from process_support.security_headers import security_headers
from customer_page.settings import CustomerPageSettings
from engagement_client.customer_links import LinkClaims, link_keys
from engagement_client.engagements import perform, read_state
from engagement_client.errors import ActionRefused, CommandError, EngagementNotFound
from engagement_client.update_ids import REQUEST_ID, update_id_for
from fasttrack.customer_view import (
    StepKind,
    customer_people,
    customer_view,
    customers_step,
    readable_until,
    refusal,
    step_text,
)
from fasttrack.engagement.catalogue import update_name_of
from fasttrack.messages import lookup
from fasttrack.models import (
    EDGE,
    Action,
    AssistanceRequested,
    EngagementState,
    Person,
    RemediationItemDone,
    TaskDone,
)
from fasttrack.models.text import TEXT_LIMIT
from fasttrack.wording.catalogs import say
from fasttrack.wording.values import moment_phrase
from process_support.http_metrics import instrument
from process_support.request_limits import RequestLimits, form_fields
from register import Register, RegisterUnavailable

log = logging.getLogger("fasttrack.customer_page")
HERE = Path(__file__).parent
ANSWER_WITHIN = 10.0  # seconds the page waits for the engagement before saying to try again
UPDATE_ID_PREFIX = "customer-page/"  # the Temporal UI's history shows where a step came from
# Temporal, the engagement's worker or the register not answering just now: the customer may try again.
UNREACHABLE = (CommandError, EngagementNotFound, RPCError, TemporalError, TimeoutError, RegisterUnavailable)
LONGEST_FORM = 32 * 1024  # the longest note, 2,000 characters of three UTF-8 bytes each, percent-encoded


class CustomerPage:
    """Opens a link, reads its engagement, renders the page, sends a step."""

    def __init__(self, settings: CustomerPageSettings, client: Client, register: Register,
                 clock: Callable[[], datetime]) -> None:
        self.settings, self.client, self.register, self.clock = settings, client, register, clock
        self.keys = link_keys(settings)
        self.lifetime = timedelta(days=settings.link_lifetime_days)
        self.limits = RateLimits(settings)
        self.csrf = CsrfProtect()

    async def open(self, token: str) -> tuple[LinkClaims, EngagementState, Person] | None:
        """The link's engagement as it stands and the person the mail went to, or None for any
        link that does not open."""
        now = self.clock()
        claims = self.keys.read(token, now, self.lifetime)
        if claims is None:
            return None
        try:
            state = await read_state(self.client, claims.engagement_id, self.register, ANSWER_WITHIN,
                                     with_timeline=False)
        except EngagementNotFound:
            return None
        until = readable_until(state)
        person = next((person for person in customer_people(state) if claims.names_contact(person.email)), None)
        # A link made before this purchase belongs to an earlier engagement of the tenant (an ineligible one);
        # the hour leaves room for commerce's clock.
        earlier = claims.made_at < state.purchase.purchased_at - timedelta(hours=1)
        if person is None or (until is not None and now > until) or earlier:
            return None
        return claims, state, person

    async def reread(self, state: EngagementState) -> EngagementState:
        """The engagement after a step; as it was before, if it cannot be read just now."""
        try:
            return await read_state(self.client, state.engagement_id, self.register, ANSWER_WITHIN,
                                    with_timeline=False)
        except UNREACHABLE:
            return state

    def notice(self, request: Request, status: int, title_key: str, body_key: str) -> HTMLResponse:
        language = negotiated_language(request.headers.get("accept-language", ""))
        return HTMLResponse(notice_html(language, title_key, body_key), status_code=status)

    def page(self, state: EngagementState, person: Person, answer: Answer | None = None, status: int = 200,
             form_token: str | None = None) -> HTMLResponse:
        """``form_token``: the CSRF token of the form just accepted, kept for the answer's forms, so that
        a reload of the answer sends the same form again (and the engagement applies it once)."""
        view = customer_view(state, person, self.clock())
        token, signed = (form_token, None) if form_token else self.csrf.generate_csrf_tokens()
        response = HTMLResponse(page_html(view, answer=answer, csrf_token=token, request_id=secrets.token_hex(8),
                                          manager_email=self.settings.manager_email), status_code=status)
        if signed is not None:
            self.csrf.set_csrf_cookie(signed, response)
        return response

    async def act(self, request: Request, state: EngagementState, person: Person, form: dict[str, str]
                  ) -> HTMLResponse:
        language = state.language
        try:
            await self.csrf.validate_csrf(request)
        except CsrfProtectError:  # a form from before another of the customer's pages was opened, say
            kept_note = (form.get("step", ""), form.get("id", ""), form.get("note", "")[:TEXT_LIMIT])
            return self.page(state, person, Answer(refused=lookup(language, "page.refused.form"), note=kept_note), 403)
        kept = form.get("csrf-token")

        def answer(shown: EngagementState, said: Answer, status: int = 200) -> HTMLResponse:
            return self.page(shown, person, said, status, form_token=kept)

        request_id = form.get("request", "")
        if not REQUEST_ID.fullmatch(request_id):
            return answer(state, Answer(refused=lookup(language, "page.refused.form")), 400)
        try:
            action, step = customer_action(state, form, person.name)
        except ValidationError:
            note_refused = say(language, "page.refused.note", {"limit": str(TEXT_LIMIT)})
            return answer(state, Answer(refused=note_refused), 400)
        if action is None:
            return answer(state, Answer(refused=lookup(language, "page.refused.no_longer_open")), 409)
        update_id = UPDATE_ID_PREFIX + update_id_for(update_name_of(action), action, request_id)
        try:
            await perform(self.client, state.engagement_id, action, update_id, self.register, ANSWER_WITHIN)
        except ActionRefused:
            fresh = await self.reread(state)
            return answer(fresh, Answer(refused=refusal(fresh, step, language)), 409)
        except UNREACHABLE:
            log.warning("a step from the customer page was not sent", extra={"update_id": update_id})
            return answer(state, Answer(refused=lookup(language, "page.refused.unavailable")), 503)
        fresh = await self.reread(state)
        said = (say(language, "page.answer.done", {"what": step_text(fresh, step[0], step[1], language) or ""})
                if step else lookup(language, "page.answer.assistance"))
        reference = say(language, "page.answer.reference", {
            "reference": update_id, "moment": moment_phrase(self.clock(), language, fresh.time_zone,
                                                             fresh.purchase.country)})
        log.info("a step from the customer page was recorded", extra={"update_id": update_id})
        return answer(fresh, Answer(recorded=said, reference=reference))


def customer_action(state: EngagementState, form: dict[str, str], contact: str
                    ) -> tuple[Action | None, tuple[StepKind, str] | None]:
    """The step the form sends, if it is one the customer may send: FastTrack's own steps never are."""
    said = {"by": contact, "note": form.get("note", "").strip() or None}
    kind, step_id = form.get("step", ""), form.get("id", "")
    if kind == "assistance":  # a person's input: the strict rules, as the workflow's validator applies them
        return AssistanceRequested.model_validate(said, context=EDGE), None
    step = customers_step(state, kind, step_id)
    if step is StepKind.ITEM:
        return RemediationItemDone.model_validate({**said, "item_id": step_id}, context=EDGE), (step, step_id)
    if step is StepKind.TASK:
        return TaskDone.model_validate({**said, "task_id": step_id}, context=EDGE), (step, step_id)
    return None, None


def create_app(settings: CustomerPageSettings, client: Client, register: Register,
               clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> FastAPI:
    CsrfProtect.load_config(lambda: [
        ("secret_key", settings.form_secret()), ("cookie_key", "fasttrack-page-form"), ("cookie_path", "/e/"),
        ("cookie_samesite", "strict"), ("cookie_secure", settings.secure_cookies), ("token_location", "body"),
        ("token_key", "csrf-token"), ("max_age", 4 * 3600),
    ])
    pages = CustomerPage(settings, client, register, clock)
    # No redirect to a slash-ended path: its Location would be built from the request's Host.
    app = FastAPI(title="FastTrack onboarding orchestrator — customer page", docs_url=None, redoc_url=None,
                  openapi_url=None, redirect_slashes=False)
    instrument(app, "customer_page")
    # A body in chunks or far past the longest form is refused unread (a browser sends neither).
    app.add_middleware(RequestLimits, body_bytes=4 * LONGEST_FORM)  # type: ignore[arg-type]
    app.add_middleware(SecureASGIMiddleware, secure=security_headers(settings.secure_cookies))
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.exception_handler(StarletteHTTPException)
    async def not_found(request: Request, problem: StarletteHTTPException) -> Response:
        """Any other path answers as a link that does not open; other HTTP errors as they are."""
        if problem.status_code == 404:
            return pages.notice(request, 404, "page.invalid.title", "page.invalid.body")
        return await http_exception_handler(request, problem)

    async def opened(request: Request, token: str, acting: bool
                     ) -> tuple[LinkClaims, EngagementState, Person] | Response:
        address = request.client.host if request.client else "unknown"
        if not pages.limits.allow(token, address, acting):
            return pages.notice(request, 429, "page.too_many.title", "page.too_many.body")
        try:
            found = await pages.open(token)
        except UNREACHABLE:
            return pages.notice(request, 503, "page.unavailable.title", "page.unavailable.body")
        if found is None:
            return pages.notice(request, 404, "page.invalid.title", "page.invalid.body")
        return found

    @app.api_route("/e/{token}", methods=["GET", "HEAD"], response_class=HTMLResponse)  # HEAD: link checkers
    async def show(request: Request, token: str) -> Response:
        found = await opened(request, token, acting=False)
        if isinstance(found, Response):
            return found
        claims, state, person = found
        # A browser says when it navigates; a mail scanner fetching every link does not: only the former counts.
        if request.headers.get("sec-fetch-mode") == "navigate":
            try:
                await asyncio.to_thread(register.record_page_visit, claims.engagement_id, clock())
            except RegisterUnavailable:
                log.warning("the page visit was not recorded")  # the customer still sees their page
        return pages.page(state, person)

    @app.post("/e/{token}", response_class=HTMLResponse)
    async def send(request: Request, token: str) -> Response:
        found = await opened(request, token, acting=True)
        if isinstance(found, Response):
            return found
        _, state, person = found
        try:
            fields = await form_fields(request, LONGEST_FORM, max_files=0, max_fields=10, max_part_size=LONGEST_FORM)
        except ClientDisconnect:  # gone before its form arrived: no one to answer
            return Response(status_code=400)
        if fields is None:
            too_long = say(state.language, "page.refused.note", {"limit": str(TEXT_LIMIT)})
            return pages.page(state, person, Answer(refused=too_long), 413)
        return await pages.act(request, state, person, fields)

    return app
