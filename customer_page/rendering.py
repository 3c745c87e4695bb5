"""The customer page's HTML, from its view (fasttrack/customer_view.py) and the answer to a
step just sent: autoescaped templates, no inline script or style."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from fasttrack.customer_view import CustomerView, done_count
from fasttrack.messages import lookup
from fasttrack.models.text import TEXT_LIMIT
from fasttrack.wording.catalogs import say

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Answer:
    """What the page says first after a step: recorded (with its reference), or refused."""

    recorded: str | None = None
    reference: str | None = None
    refused: str | None = None
    note: tuple[str, str, str] | None = None  # a step's note given back to its form: (step, id, note)


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined)


def page_html(view: CustomerView, *, answer: Answer | None, csrf_token: str, request_id: str,
              manager_email: str) -> str:
    language = view.language

    def words(key: str, **values: str) -> str:
        return say(language, key, values)

    return _environment().get_template("page.html.j2").render(
        view=view, language=language, words=words, answer=answer, csrf_token=csrf_token, request_id=request_id,
        done_count=done_count(view), note_limit=TEXT_LIMIT,
        contact=words("page.contact.text", email=manager_email),
    )


def notice_html(language: str, title_key: str, body_key: str) -> str:
    """A page that names no engagement: a link that does not open, too many requests, a pause."""
    return _environment().get_template("notice.html.j2").render(
        language=language, title=lookup(language, title_key), body=lookup(language, body_key))
