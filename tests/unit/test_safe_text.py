"""Text that is safe everywhere it goes: refused at the edge when it carries a
character that could act on a mail header, an invitation, a web page or a
terminal; rendered safely in each of them when it is merely unusual."""

from __future__ import annotations

import email
import tempfile
from copy import deepcopy
from datetime import datetime, timedelta, timezone
from email import policy as email_policy
from io import StringIO
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from pydantic import BaseModel, ValidationError
from rich.console import Console

from activities.notifier import DeliveryLedger, Notifier
from cli import views
from fasttrack.engagement import Engagement
from fasttrack.models import (
    EDGE,
    AppSelected,
    CallRescheduled,
    ContactMade,
    DeviceEnrolled,
    EligibilityVerdict,
    EngagementInput,
    Purchase,
    SourceEnvironment,
    Withdrawal,
)
from fasttrack.policy import BenefitPolicy
from register import Register
from register.store import default_url
from tests.support.scenario import make_purchase
from workers.config import WorkerSettings

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
DANGEROUS = {
    "line feed": "\n", "carriage return": "\r", "tab": "\t", "NUL": "\x00", "escape": "\x1b", "NEL (C1)": "\x85",
    "line separator": "\u2028", "paragraph separator": "\u2029", "right-to-left override": "\u202e",
    "first-strong isolate": "\u2068", "left-to-right mark": "\u200e", "lone surrogate": "\udcff",
}
PURCHASE = make_purchase(T0, organization="Contoso").model_dump(mode="json")
ENVIRONMENT = {"forests": [{"name": "corp.local", "functional_level": "2012 R2"}],
               "browsers": [{"name": "edge", "version": "12"}], "client_os": [{"platform": "ios", "version": "9.3"}],
               "gaps": [{"category": "dns", "description": "Add the CNAME"}]}
# (model, a valid document, the path of one text field in it, whether it may hold line feeds)
FIELDS = [
    (Purchase, PURCHASE, ("order_id",), False),
    (Purchase, PURCHASE, ("organization",), False),
    (Purchase, PURCHASE, ("customer_contact", "name"), False),
    (Purchase, PURCHASE, ("customer_contact", "email"), False),
    (SourceEnvironment, ENVIRONMENT, ("forests", 0, "name"), False),
    (SourceEnvironment, ENVIRONMENT, ("browsers", 0, "name"), False),
    (SourceEnvironment, ENVIRONMENT, ("browsers", 0, "version"), False),
    (SourceEnvironment, ENVIRONMENT, ("client_os", 0, "version"), False),
    (SourceEnvironment, ENVIRONMENT, ("gaps", 0, "description"), True),
    (ContactMade, {"by": "Ana", "note": "Called"}, ("by",), False),
    (ContactMade, {"by": "Ana", "note": "Called"}, ("note",), True),
    (Withdrawal, {"by": "Sam", "reason": "Postponed"}, ("reason",), True),
    (DeviceEnrolled, {"by": "Sam", "platform": "ios", "device_name": "iPhone-1"}, ("device_name",), False),
    (AppSelected, {"by": "Sam", "platform": "ios", "app_name": "Expenses", "link_type": "web_link",
                   "link": "https://apps.example/x"}, ("app_name",), False),
    (AppSelected, {"by": "Sam", "platform": "ios", "app_name": "Expenses", "link_type": "web_link",
                   "link": "https://apps.example/x"}, ("link",), False),
]


def with_value(document: dict, path: tuple, value: str) -> dict:
    copy = deepcopy(document)
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copy


def value_at(document: Any, path: tuple) -> str:
    for step in path:
        document = document[step]
    return document


@pytest.mark.parametrize("model, document, path, multi_line", FIELDS, ids=lambda v: ".".join(map(str, v))
                         if isinstance(v, tuple) else getattr(v, "__name__", ""))
@given(character=st.sampled_from(sorted(DANGEROUS)), where=st.integers(min_value=1, max_value=5))
@settings(max_examples=30, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_text_field_refuses_every_dangerous_character(model: type[BaseModel], document, path, multi_line,
                                                            character, where):
    valid = value_at(document, path)
    dangerous = DANGEROUS[character]
    if multi_line and dangerous == "\n":
        return  # notes and reasons keep their line feeds
    where = min(where, len(valid) - 1)  # inside: at either end, whitespace is stripped away harmlessly
    value = valid[:where] + dangerous + valid[where:]
    with pytest.raises(ValidationError) as refused:
        model.model_validate(with_value(document, path, value), context=EDGE)
    assert [problem["loc"][: len(path)] for problem in refused.value.errors()] == [path], refused.value.errors()


@pytest.mark.parametrize("address", [
    "a>,<victim@evil.example", "Sam <sam@contoso.example>", "sam@contoso.example\nBcc: eve@evil.example",
    "sam@@contoso.example", "sam@contoso.example, eve@evil.example",
])
def test_an_email_address_is_exactly_one_addr_spec(address):
    with pytest.raises(ValidationError, match="email"):
        Purchase.model_validate(with_value(PURCHASE, ("customer_contact", "email"), address), context=EDGE)


UNUSUAL = st.text(st.characters(categories=["L", "M", "N", "P", "S", "Zs"]), min_size=1, max_size=40).filter(
    lambda text: text.strip() and not set(text) & set(DANGEROUS.values())
)


@given(organization=UNUSUAL, manager=UNUSUAL, note=UNUSUAL)
@settings(max_examples=25, derandomize=True, database=None, deadline=None)
def test_unusual_text_is_safe_in_headers_invitations_html_and_the_terminal(organization, manager, note):
    purchase = make_purchase(T0, organization=organization,
                             customer_contact={"name": manager, "email": "it-admin@contoso.example"})
    engagement = Engagement.open(EngagementInput(purchase=purchase, policy=BenefitPolicy(business_hours=None)),
                                 "fasttrack-intune-t", T0)
    engagement.record_eligibility(EligibilityVerdict(eligible=True), T0)
    engagement.apply(ContactMade(by=manager, note=note), T0)
    call = engagement.state.kickoff_call
    assert call is not None
    engagement.apply(CallRescheduled(by=manager, call="kickoff", start=call.start + timedelta(days=1)), T0)
    engagement.apply(Withdrawal(by=manager, reason=note), T0)
    notifier = Notifier(WorkerSettings(), DeliveryLedger(Register(default_url(Path(tempfile.mkdtemp())))))
    for notification in engagement.due_messages(T0 + timedelta(days=30)):
        raw = notifier.compose(notification, notification.to or ["manager@contoso.example"], T0).as_bytes()
        parsed = email.message_from_bytes(raw, policy=email_policy.default)
        assert parsed["To"] == ", ".join(notification.to or ["manager@contoso.example"])  # header = envelope
        for part in parsed.walk():
            if part.get_content_type() == "text/html":
                html = part.get_content()
                if "<" in organization:
                    assert organization not in html  # escaped, never raw markup
            if part.get_content_type() in ("text/markdown", "text/calendar"):
                assert part.get_content_charset() == "utf-8"
            if part.get_content_type() == "text/calendar":
                event = next(iter(Calendar.from_ical(cast(bytes, part.get_payload(decode=True))).walk("VEVENT")))
                assert str(event["ATTENDEE"]) == f"mailto:{notification.to[0]}"
    screen = StringIO()
    Console(file=screen, width=200, color_system=None).print(views.status(engagement.view()))
    assert not any(ord(ch) < 0x20 and ch != "\n" for ch in screen.getvalue())
    assert views.visible("\x1b[2J\u202eabc\n") == "\\u{001B}[2J\\u{202E}abc\n"


def test_what_a_running_engagement_recorded_before_these_rules_still_decodes():
    """Decoding a history (workflow input, carried state, a handler's payload) uses
    the rules the values were accepted under, so no running engagement is wedged."""
    older = with_value(PURCHASE, ("organization",), "Contoso\tEMEA")
    older = with_value(older, ("order_id",), "ORD #1001")
    older = with_value(older, ("customer_contact", "email"), "sam@contoso.local")
    assert Purchase.model_validate(older).organization == "Contoso\tEMEA"
    with pytest.raises(ValidationError):
        Purchase.model_validate(older, context=EDGE)
