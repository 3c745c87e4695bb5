"""Temporal's codec-server protocol: POST …/encode and …/decode take and return
Payloads as protobuf JSON; only the last path segment says which. A caller shows
the token as `Authorization: Bearer <token>`, or, since the Web UI sends no
header of its own, as the endpoint's first path segment (…/<token>/decode).
Every error is ``application/problem+json``: 401 no or a wrong token, 404 another
path, 405 another method, 411/413 no length or over 16 MiB, 422 a body that is
not Payloads or a payload that does not decrypt, 431 headers too large."""

from __future__ import annotations

import hmac
import logging

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from engagement_client.codec import EncryptionCodec, KeyProblem
from process_support.http_metrics import instrument
from process_support.problems import Problem, answer_problems
from process_support.request_limits import RequestLimits, whole_body

MAX_BODY_BYTES = 16 * 1024 * 1024  # a UI page of payloads, each far below Temporal's 2 MB
PATHS = "the codec server answers POST …/encode and …/decode"
log = logging.getLogger("fasttrack.codec_server")

def create_app(codec: EncryptionCodec, token: str, origins: list[str]) -> FastAPI:
    app = FastAPI(title="FastTrack codec server", docs_url=None, redoc_url=None, openapi_url="/openapi.json",
                  description=__doc__)
    app.add_middleware(CORSMiddleware, allow_origins=origins, allow_credentials=True, allow_methods=["POST"],
                       allow_headers=["Authorization", "Content-Type", "X-Namespace"])
    instrument(app, "codec-server")
    answer_problems(app, "the codec server", PATHS, log)
    app.add_middleware(RequestLimits, body_bytes=MAX_BODY_BYTES)  # type: ignore[arg-type]

    def authorised(request: Request, segments: list[str]) -> bool:
        # The scheme is case-insensitive (RFC 7235); another scheme (an SSO proxy's Basic, say) is
        # not the codec's, and leaves the token in the path to speak.
        scheme, _, credentials = request.headers.get("authorization", "").strip().partition(" ")
        shown = credentials.strip() if scheme.lower() == "bearer" else ""
        if not shown and len(segments) >= 2:
            shown = segments[0]
        return bool(shown) and hmac.compare_digest(shown.encode(), token.encode())

    @app.post("/{path:path}", summary="Encode or decode Temporal payloads (the path ends in encode or decode)",
              openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
                  "type": "object", "required": ["payloads"], "properties": {"payloads": {"type": "array", "items": {
                      "type": "object", "properties": {"metadata": {"type": "object", "additionalProperties": {
                          "type": "string", "format": "byte"}}, "data": {"type": "string", "format": "byte"}}}}}}}}}})
    async def convert(path: str, request: Request) -> Response:
        segments = [segment for segment in path.split("/") if segment]
        operation = segments[-1] if segments else ""
        if operation not in ("encode", "decode"):
            raise Problem(404, "Not found", "The codec server answers POST …/encode and …/decode.")
        if not authorised(request, segments):
            raise Problem(401, "Token required", "A valid codec token is required (Authorization: Bearer <token>).")
        body = await whole_body(request)
        try:
            payloads = json_format.Parse(body, Payloads())
        except (json_format.ParseError, UnicodeDecodeError, ValueError, RecursionError):
            raise Problem(422, "Invalid payloads", 'The body must be Payloads as protobuf JSON: {"payloads": '
                                                   '[{"metadata": {…}, "data": "<base64>"}]}.') from None
        try:
            convert_payloads = codec.encode if operation == "encode" else codec.decode
            converted = await convert_payloads(payloads.payloads)
        except KeyProblem as error:
            raise Problem(422, "Invalid payloads", str(error)) from None
        log.info("codec request", extra={"operation": operation, "payloads": len(converted),
                                         "namespace": request.headers.get("x-namespace", "")[:255]})
        return Response(json_format.MessageToJson(Payloads(payloads=converted)), media_type="application/json")

    return app
