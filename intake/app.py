"""The intake's HTTP API (its OpenAPI document is at /docs and /openapi.json).

- ``POST /v1/purchases`` (commerce, signed): starts the tenant's engagement or
  attaches the order, in one Temporal call once the register has decided (R4).
  201 when it started an engagement, 200 when the order was recognised or attached.
- ``POST /v1/engagements/{tenant}/assistance`` (the portal, signed): 202, the
  request is on its way to the engagement as a signal.
- ``POST /v1/engagements/{tenant}/actions/{action}`` (operators' bearer tokens):
  200 with the engagement's receipt once applied; ``by`` is the token's actor.
- ``GET /v1/engagements/{tenant}``, ``…/timeline``, ``…/report``: readings.

Every error is ``application/problem+json`` (RFC 9457) with the sentence the
`fasttrack` command would print."""

# No `from __future__ import annotations` here: FastAPI reads the routes'
# annotations, whose dependencies are closures of create_app.


import asyncio
import json
import logging
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError
from temporalio.client import Client
from temporalio.exceptions import TemporalError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from engagement_client.engagements import perform, read_state, resolve_engagement_id
from engagement_client.errors import CommandError, EngagementNotFound, NoAnswer
from engagement_client.purchases import BenefitAlreadyUsed, EngagementGone, EngagementStillClosing, record_purchase
from engagement_client.update_ids import fingerprint, update_id_for
from fasttrack.engagement.budget import REQUEST_BUDGET
from fasttrack.engagement.catalogue import NAMED
from fasttrack.errors import FastTrackError
from fasttrack.models import EDGE, EngagementState, Purchase
from fasttrack.report import engagement_report
from intake.settings import AssistanceFromPortal, Caller, IntakeSettings, Role
from intake.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, WINDOW, SignatureRefused, check_signature, signed_lately
from process_support.http_metrics import instrument
from process_support.problems import Problem, answer_problems, problem_response, try_again, unreadable_body
from process_support.request_limits import RequestLimits, whole_body
from register import Register, RegisterUnavailable, Sighting

REPLAY_MEMORY = 2 * WINDOW + timedelta(minutes=2)  # longer than any signature is good, whatever the clocks say
KEY_MEMORY = timedelta(days=30)  # an Idempotency-Key with another request is refused this long
SERVICE, PATHS = "the intake", "the intake's paths are listed at /docs"
log = logging.getLogger("fasttrack.intake")
# Listed in the OpenAPI document; its members come from the mapping, which mypy cannot read.
ActionName = StrEnum("ActionName", {name: name for name in NAMED})  # type: ignore[misc]
TENANT = Annotated[str, Path(description="The tenant id (a GUID) or the engagement id", max_length=120)]


def one_of_each_key(body: bytes) -> None:
    """Refuses a signed body that names a key twice: JSON parsers keep one of the two, and which one
    differs between the sender's and ours. A body that is not JSON is left to the model to refuse."""
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in items]
        twice = sorted({key for key in keys if keys.count(key) > 1})
        if twice:
            raise Problem(422, "Invalid request", f"{', '.join(key[:50] for key in twice)}: named twice in the body")
        return dict(items)

    try:
        json.loads(body, object_pairs_hook=pairs)
    except (ValueError, RecursionError):  # not JSON (UnicodeDecodeError is a ValueError): the model says so
        return


def _field_errors(error: ValidationError | RequestValidationError) -> str:
    lines = []
    for item in error.errors():
        if item.get("type") == "json_invalid":
            lines.append("the body is not valid JSON")
            continue
        where = ".".join(str(part) for part in item["loc"] if part not in ("body", "path", "query", "header"))
        lines.append(f"{where or 'the request'}: {str(item['msg']).removeprefix('Value error, ')}")
    return "; ".join(lines)


def create_app(settings: IntakeSettings, client: Client, register: Register) -> FastAPI:
    app = FastAPI(title="FastTrack onboarding orchestrator — intake", version="1",
                  description=__doc__, openapi_url="/openapi.json", docs_url="/docs")
    instrument(app, "intake")
    bearer = HTTPBearer(auto_error=False)
    commerce_secret, portal_secret = settings.commerce_secret, settings.portal_secret
    if commerce_secret is None or portal_secret is None:
        raise ValueError("the intake needs FASTTRACK_COMMERCE_SECRET and FASTTRACK_PORTAL_SECRET")

    answer_problems(app, SERVICE, PATHS, log)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        return problem_response(Problem(422, "Invalid request", _field_errors(error)))

    # Nothing larger than an action may be: refused before it is read, whatever the headers say.
    app.add_middleware(RequestLimits, body_bytes=REQUEST_BUDGET)  # type: ignore[arg-type]
    within = settings.intake_answer_seconds
    engagement_wait = within / 2  # the engagement's own wait: time left to say why it is late
    # A claim on a signed request lapses once whoever took it has surely stopped waiting.
    claim_lapses = timedelta(seconds=3 * within + 5)

    async def signed(request: Request, secret: str, handle):
        """Handles a request signed with ``secret`` once; one that was not handled, whatever failed,
        may be sent again as it was (at once, or once its claim lapses if even that was not written)."""
        now = datetime.now(timezone.utc)
        try:  # the headers before a byte of the body is read
            timestamp, key = signed_lately(request.headers.get(TIMESTAMP_HEADER), request.headers.get(SIGNATURE_HEADER),
                                           now)
            body = await whole_body(request)
            check_signature(secret, timestamp, key, body)
        except SignatureRefused as refused:
            raise Problem(401, "Signature refused", str(refused)) from None
        sighting = await answered(asyncio.to_thread(register.claim_signature, key, now, now - REPLAY_MEMORY,
                                                    now - claim_lapses))
        if sighting is Sighting.ANSWERED:
            raise Problem(409, "Request replayed", "This signed request was already received; sign a new one.")
        if sighting is Sighting.BEING_HANDLED:
            raise Problem(503, "Being handled", "This signed request is being handled now; send it again as it was "
                                                "to learn its outcome.", {"Retry-After": str(int(within) + 1)})
        try:
            one_of_each_key(body)
            response = await handle(body)
        except BaseException:
            try:
                await asyncio.to_thread(register.release_signature, key)
            except (RegisterUnavailable, OperationalError):  # its claim lapses instead
                log.warning("a signed request's claim was not released", extra={"lapses_in": str(claim_lapses)})
            raise
        try:
            await asyncio.to_thread(register.answer_signature, key)
        except (RegisterUnavailable, OperationalError):  # handled all the same: a resend is recognised as such
            log.warning("a handled signed request was not marked answered")
        return response

    def caller(role: Role):
        async def authorised(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Caller:
            if credentials is None:
                raise Problem(401, "Token required", "Send your token as Authorization: Bearer <token>.",
                              {"WWW-Authenticate": "Bearer"})
            found = settings.intake_tokens.get(credentials.credentials)
            if found is None:
                raise Problem(401, "Token refused", "This token is not known.", {"WWW-Authenticate": "Bearer"})
            if role is Role.OPERATOR and found.role is not Role.OPERATOR:
                raise Problem(403, "Not allowed", f"{found.actor} may read engagements, not act on them.")
            return found
        return authorised

    async def answered(work, no_answer: str = "nothing was changed; send the request again"):
        """Runs a call on Temporal or the register within the intake's time; their refusals become problems."""
        try:
            async with asyncio.timeout(within):
                return await work
        except (TimeoutError, NoAnswer) as late:
            said = str(late) if isinstance(late, NoAnswer) else f"No answer within {within:g} s."
            raise try_again("No answer in time", f"{said.rstrip('.')}: {no_answer}.") from None
        except BenefitAlreadyUsed as refusal:
            raise Problem(409, "Benefit already used", str(refusal)) from None
        except (EngagementStillClosing, RegisterUnavailable) as busy:
            raise try_again("Try again", str(busy)) from None
        except EngagementGone as gone:
            raise Problem(409, "Engagement gone", str(gone)) from None
        except EngagementNotFound as missing:
            raise Problem(404, "No such engagement", str(missing)) from None
        except CommandError as refusal:
            raise Problem(409, "Refused", str(refusal)) from None
        except WorkflowAlreadyStartedError as error:
            raise Problem(409, "Refused", f"Engagement {error.workflow_id} already exists.") from None
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                raise Problem(404, "No such engagement", str(error)) from None
            raise try_again("Temporal did not answer", str(error)) from None
        except (FastTrackError, TemporalError, OperationalError) as error:  # not answered now: worth a retry
            raise try_again("Try again", str(error)) from None

    def engagement_of(tenant: str) -> str:
        try:
            return resolve_engagement_id(tenant)
        except CommandError as bad:
            raise Problem(404, "No such engagement", str(bad)) from None

    @app.post("/v1/purchases", status_code=201, tags=["commerce"],
              summary="A license purchase (signed by commerce): starts or attaches, once per order id")
    async def purchases(request: Request) -> JSONResponse:
        async def handle(body: bytes) -> JSONResponse:
            try:
                purchase = Purchase.model_validate_json(body, context=EDGE)
            except ValidationError as error:
                raise Problem(422, "Invalid purchase", _field_errors(error)) from None
            outcome = await answered(record_purchase(client, purchase, settings.task_queue, register=register),
                                     "send the purchase again as it was (an order is recorded once)")
            return JSONResponse({"engagement_id": outcome.handle.id, "created": outcome.created,
                                 "message": outcome.message}, status_code=201 if outcome.created else 200)

        return await signed(request, commerce_secret.get_secret_value(), handle)

    @app.post("/v1/engagements/{tenant}/assistance", status_code=202, tags=["portal"],
              summary="The customer asked for assistance in the portal (signed): sent to the engagement")
    async def assistance(request: Request, tenant: TENANT) -> JSONResponse:
        engagement_id = engagement_of(tenant)

        async def handle(body: bytes) -> JSONResponse:
            try:
                fields = AssistanceFromPortal.model_validate_json(body or b"{}", context=EDGE)
            except ValidationError as error:
                raise Problem(422, "Invalid request", _field_errors(error)) from None
            if engagement_of(fields.tenant_id) != engagement_id:  # the signed body names the engagement
                raise Problem(422, "Invalid request", "tenant_id: the body's tenant is not the address's")
            action = {"by": settings.portal_actor, "note": fields.note, "request_id": fields.request_id}
            await answered(client.get_workflow_handle(engagement_id).signal("request_assistance", action),
                           "send the request again as it was")
            return JSONResponse({"engagement_id": engagement_id, "accepted": True}, status_code=202)

        return await signed(request, portal_secret.get_secret_value(), handle)

    async def same_request(who: Caller, key: str, engagement_id: str, action: str, built: Any) -> None:
        """An Idempotency-Key names one request by one caller: the same key with another is refused."""
        asked = fingerprint([engagement_id, action, built.model_dump(mode="json")])
        now = datetime.now(timezone.utc)
        if not await answered(asyncio.to_thread(register.same_request, fingerprint([who.actor, key]), asked, now,
                                                now - KEY_MEMORY)):
            raise Problem(422, "Idempotency-Key reused", "This Idempotency-Key came before with another request "
                                                         "(another engagement, action or field, the note included): "
                                                         "send a new key for a new request.")

    @app.post("/v1/engagements/{tenant}/actions/{action}", tags=["operators"],
              summary="An operator's action (bearer token): applied, with the engagement's receipt",
              openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
                  "type": "object", "description": "The update's fields (see docs/temporal-ui.md, or "
                                                   "`fasttrack ACTION --help`), without by"}}}}})
    async def act(
        request: Request,
        tenant: TENANT,
        action: Annotated[ActionName, Path(description="The action: its body is the update's JSON without by")],
        who: Annotated[Caller, Depends(caller(Role.OPERATOR))],
        idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    ) -> JSONResponse:
        # The body is read only now, once the token was accepted.
        body = await whole_body(request)
        try:
            fields = json.loads(body)
        except (ValueError, RecursionError):  # not UTF-8, not JSON, nested beyond reason
            raise unreadable_body(SERVICE, PATHS) from None
        if not isinstance(fields, dict):
            raise Problem(422, "Invalid request", "The body must be a JSON object of the action's fields.")
        model = NAMED[action.value].action
        if "by" in fields:
            raise Problem(422, "Invalid request", "by: set from your token, not from the body")
        try:
            built = model.model_validate({**fields, "by": who.actor}, context=EDGE)
        except ValidationError as error:
            raise Problem(422, "Invalid request", _field_errors(error)) from None
        engagement_id = engagement_of(tenant)
        if idempotency_key is None:
            update_id, late = None, ("the action may still be applied when its worker runs; read the engagement "
                                     "before sending it again (an Idempotency-Key makes a resend safe)")
        else:
            await same_request(who, idempotency_key, engagement_id, action.value, built)
            # The key names one request by one person: sent again, it is the same update.
            update_id = update_id_for(action.value, built, idempotency_key)
            late = ("the action may still be applied when its worker runs; send it again with the same "
                    "Idempotency-Key to learn its outcome (it is applied once)")
        receipt = await answered(perform(client, tenant, built, update_id=update_id, register=register,
                                         answer_within=engagement_wait), late)
        return JSONResponse(receipt.model_dump(mode="json"))

    async def record_of(tenant: str) -> EngagementState:
        return await answered(read_state(client, engagement_of(tenant), register, engagement_wait), "read it again")

    @app.get("/v1/engagements/{tenant}", tags=["readings"], summary="Where the engagement stands (its record)")
    async def status(tenant: TENANT, _who: Annotated[Caller, Depends(caller(Role.READ_ONLY))]) -> JSONResponse:
        state = await record_of(tenant)
        return JSONResponse(state.model_dump(mode="json"))

    @app.get("/v1/engagements/{tenant}/timeline", tags=["readings"], summary="What happened, in order")
    async def timeline(tenant: TENANT, _who: Annotated[Caller, Depends(caller(Role.READ_ONLY))]) -> JSONResponse:
        state = await record_of(tenant)
        return JSONResponse([event.model_dump(mode="json") for event in state.timeline])

    @app.get("/v1/engagements/{tenant}/report", tags=["readings"], response_class=PlainTextResponse,
             summary="The engagement's report (Markdown)")
    async def report(tenant: TENANT, _who: Annotated[Caller, Depends(caller(Role.READ_ONLY))]) -> PlainTextResponse:
        state = await record_of(tenant)
        return PlainTextResponse(engagement_report(state), media_type="text/markdown; charset=utf-8")

    return app

