"""Errors as ``application/problem+json`` (RFC 9457), for the services that answer
machines (the intake, the codec server): one shape whatever refused the request,
our code or the framework under it, and never a status the service does not document."""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM = "application/problem+json"
RETRY_AFTER_SECONDS = 5


class Problem(Exception):
    def __init__(self, status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.headers = status, title, detail, headers


def problem_response(problem: Problem) -> JSONResponse:
    body = {"type": "about:blank", "title": problem.title, "status": problem.status, "detail": problem.detail}
    return JSONResponse(body, status_code=problem.status, media_type=PROBLEM, headers=problem.headers)


def try_again(title: str, detail: str) -> Problem:
    return Problem(503, title, detail, {"Retry-After": str(RETRY_AFTER_SECONDS)})


def unreadable_body(service: str, paths: str) -> Problem:
    return Problem(422, "Invalid request", f"The body is not JSON {service} can read: UTF-8 JSON, {paths}.")


def framework_problem(method: str, error: StarletteHTTPException, service: str, paths: str) -> Problem:
    """The framework's own refusals; ``service`` names the service, ``paths`` says where its paths are listed."""
    if error.status_code == 404:
        return Problem(404, "Not found", f"No such path: {paths}.")
    if error.status_code == 405:
        return Problem(405, "Method not allowed", f"{method} is not answered here: {paths}.",
                       dict(error.headers or {}))
    if error.status_code == 400:  # a body the framework could not parse: not JSON, not UTF-8, nested too deep
        return unreadable_body(service, paths)
    return Problem(error.status_code, HTTPStatus(error.status_code).phrase, str(error.detail),
                   dict(error.headers or {}))


def answer_problems(app: FastAPI, service: str, paths: str, log: logging.Logger) -> None:
    """Every refusal and every failure of ``app`` as problem+json."""

    @app.exception_handler(Problem)
    async def _problem(_request: Request, problem: Problem) -> JSONResponse:
        return problem_response(problem)

    @app.exception_handler(StarletteHTTPException)
    async def _framework(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return problem_response(framework_problem(request.method, error, service, paths))

    @app.exception_handler(Exception)
    async def _failed(_request: Request, error: Exception) -> JSONResponse:
        # Reached only by a fault of ours: said plainly, and resendable (what was not handled is not kept).
        log.error("request failed", extra={"error": type(error).__name__})
        return problem_response(try_again("Not handled", "The request could not be handled now; send it again "
                                                         "as it was in a few seconds."))
