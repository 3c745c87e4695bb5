"""The customer's page against the real engagement: the suite's dev server, a worker
process whose mail carries the links, and the page's app (httpx over ASGI, with a clock
the tests may move). The links come from the mail the worker sent to the SMTP sink."""

from __future__ import annotations

import base64
import logging
import os
import re
import secrets
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from customer_page.app import LONGEST_FORM, create_app
from customer_page.settings import CustomerPageSettings
from engagement_client.customer_links import LinkKeys
from engagement_client.engagements import perform
from engagement_client.purchases import default_register, record_purchase
from fasttrack.models import Person, Phase, Withdrawal
from simulation.page_links import page_link
from tests.support.scenario import (
    ENVIRONMENT_WITH_GAPS,
    EVERY_DAY_NINE_TO_FIVE,
    drive_through_assess,
    make_environment,
    make_purchase,
    make_scope,
    state_of,
    zone_where_it_is,
)
from tests.support.workflow_checks import eventually

PAGE_URL = "https://onboarding.example"
OLD_KEY = f"old:{base64.b64encode(os.urandom(32)).decode()}"
NEW_KEY = f"new:{base64.b64encode(os.urandom(32)).decode()}"


class Clock:
    def __init__(self) -> None:
        self.ahead = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(timezone.utc) + self.ahead


@pytest.fixture
def page_worker(worker_process):
    worker = worker_process(customer_page_url=PAGE_URL, link_keys=f"{NEW_KEY},{OLD_KEY}")
    worker.start()
    return worker


def page_app(dev_server_env, task_queue, keys: str, clock: Clock | None = None, **limits: int) -> httpx.AsyncClient:
    settings = CustomerPageSettings(task_queue=task_queue, link_keys=keys, customer_page_url=PAGE_URL
                                    ).model_copy(update=limits)
    app = create_app(settings, dev_server_env.client, default_register(), clock or Clock())
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(f"10.0.0.{secrets.randbelow(250)}", 1)),
                             base_url="https://onboarding.example", timeout=60)


async def remediating(dev_server_env, task_queue, mail_sink, language: str = "en", **purchase):
    """An engagement in Remediate whose checklist mail has gone out; its handle and that mail's link path."""
    now = datetime.now(timezone.utc)
    bought = make_purchase(now, preferred_language=language, time_zone=zone_where_it_is(12, now), **purchase)
    handle = (await record_purchase(dev_server_env.client, bought, task_queue, EVERY_DAY_NINE_TO_FIVE)).handle
    paula = Person(name="Paula PM", given_name="Paula", email="paula@contoso.example")
    await drive_through_assess(handle, make_scope(language=language, project_manager=paula),
                               make_environment(**ENVIRONMENT_WITH_GAPS), now.date())
    link = await page_link(mail_sink.folder, handle.id, seconds=60)
    assert link is not None and link.startswith(PAGE_URL), "the checklist mail with its link"
    return handle, link.removeprefix(PAGE_URL)


def form_of(page: str) -> dict[str, str]:
    """The first form's hidden fields, as the browser would send them."""
    form = page.split('<form method="post"', 1)[1].split("</form>", 1)[0]
    return dict(re.findall(r'name="([\w-]+)" value="([^"]*)"', form))


async def test_a_customer_marks_an_item_done_once_however_often_the_form_is_sent(
        dev_server_env, task_queue, mail_sink, page_worker):
    handle, link = await remediating(dev_server_env, task_queue, mail_sink)
    async with page_app(dev_server_env, task_queue, f"{NEW_KEY},{OLD_KEY}") as http:
        scanned = await http.get(link)  # a mail scanner fetching the link: not a visit
        checked = await http.head(link)  # a link checker
        assert scanned.status_code == checked.status_code == 200 and not checked.content
        assert default_register().page_last_opened(handle.id) is None
        opened = await http.get(link, headers={"Sec-Fetch-Mode": "navigate"})  # the customer's browser
        assert opened.status_code == 200, opened.text
        assert "What we need from you" in opened.text and "Hello Paula," in opened.text
        for header, value in (("content-security-policy", "frame-ancestors 'none'"), ("referrer-policy", "no-referrer"),
                              ("x-frame-options", "DENY"), ("cache-control", "no-store")):
            assert value in opened.headers[header]
        assert "script-src" not in opened.headers["content-security-policy"] and "<script" not in opened.text
        fields = form_of(opened.text)
        item_id = fields["id"]
        sent = {**fields, "note": "Done by our DNS team.\r\nTicket 42."}  # a textarea's lines end in CRLF
        first = await http.post(link, data=sent)
        again = await http.post(link, data=sent)  # a double click, or a reload of the answer
        for answer in (first, again):
            assert answer.status_code == 200, answer.text
            assert "Recorded:" in answer.text and "customer-page/complete_remediation_item/" in answer.text
        state = await state_of(handle)
        (item,) = [item for item in state.checklist if item.id == item_id]
        assert item.status.value == "done" and item.done_by == "Paula PM"
        recorded = [event for event in state.timeline if event.what == "remediation_item_done"]
        assert len(recorded) == 1 and recorded[0].by == "Paula PM"
        assert recorded[0].detail.endswith(" — Done by our DNS team.\nTicket 42.")  # the note, for FastTrack
        # Sent anew (another form), the engagement refuses it: already done, said in the customer's words.
        anew = await http.post(link, data={**sent, "request": "another-form"})
        assert anew.status_code == 409 and "This was already marked done on" in anew.text
    assert default_register().page_last_opened(handle.id) is not None


async def test_forms_without_their_token_or_for_fastTrack_steps_change_nothing(
        dev_server_env, task_queue, mail_sink, page_worker):
    handle, link = await remediating(dev_server_env, task_queue, mail_sink)
    async with page_app(dev_server_env, task_queue, NEW_KEY) as http:
        fields = form_of((await http.get(link)).text)
        no_token = {name: value for name, value in fields.items() if name != "csrf-token"}
        refused = await http.post(link, data={**no_token, "note": "Kept <for> the next try"})
        assert refused.status_code == 403 and "This form has expired" in refused.text
        assert "Kept &lt;for&gt; the next try</textarea>" in refused.text  # given back, escaped, to send again
        forged = await http.post(link, data={**fields, "csrf-token": "forged"})
        assert forged.status_code == 403
        http.cookies.clear()  # a form posted from another site carries no cookie of ours
        assert (await http.post(link, data=fields)).status_code == 403
        fields = form_of((await http.get(link)).text)
        for step, step_id in (("verify", "approved"), ("task", "core.dns"), ("item", "no-such-item")):
            answer = await http.post(link, data={**fields, "step": step, "id": step_id})
            assert answer.status_code == 409 and "This step is no longer open" in answer.text
        for note in ("x" * 2001, "Bidi \u202e override"):
            refused_note = await http.post(link, data={**fields, "note": note})
            assert refused_note.status_code == 400 and "keep it to 2000 characters" in refused_note.text
        huge = await http.post(link, data={**fields, "note": "x" * 40_000})  # refused before it is read
        assert huge.status_code == 413 and "keep it to 2000 characters" in huge.text
    state = await state_of(handle)
    assert all(item.status.value == "open" for item in state.checklist)
    assert not [event for event in state.timeline if event.by == "Paula PM"]


async def test_links_that_do_not_open_all_get_the_same_answer(dev_server_env, task_queue, mail_sink, page_worker):
    handle, link = await remediating(dev_server_env, task_queue, mail_sink)
    other, other_link = await remediating(dev_server_env, task_queue, mail_sink, organization="Fabrikam",
                                          customer_contact=Person(name="Kim Lee", email="kim@fabrikam.example"))
    token = link.removeprefix("/e/")
    old = LinkKeys(OLD_KEY)
    made_long_ago = old.make(handle.id, "sam@contoso.example", datetime.now(timezone.utc) - timedelta(days=61))
    tampered = token[:40] + ("A" if token[40] != "A" else "B") + token[41:]
    state = await state_of(other)
    # A valid signature naming the other engagement, for a contact of this engagement only:
    another_contact = LinkKeys(NEW_KEY).make(other.id, "sam@contoso.example", datetime.now(timezone.utc))
    unknown = "gAAAAA" + secrets.token_urlsafe(120)
    answers = []
    async with page_app(dev_server_env, task_queue, f"{NEW_KEY},{OLD_KEY}") as http:
        spaced = token[:50] + "%20" + token[50:]  # a spelling Fernet's decoder would take
        for path in (*(f"/e/{bad}" for bad in (made_long_ago, tampered, another_contact, unknown, "x" * 500, "%00",
                                               spaced)), f"{link}/", "/e/", "/"):
            answer = await http.get(path)
            answers.append((answer.status_code, answer.text))
        mine, theirs = await http.get(link), await http.get(other_link)
    assert {answer for answer in answers} == {answers[0]} and answers[0][0] == 404
    assert "This link cannot be opened" in answers[0][1]
    assert handle.id.removeprefix("fasttrack-intune-") in mine.text
    assert state.tenant_id not in mine.text and "Fabrikam" not in mine.text
    assert state.tenant_id in theirs.text and "Fabrikam" in theirs.text
    assert handle.id.removeprefix("fasttrack-intune-") not in theirs.text


async def test_a_link_made_with_a_retired_key_stops_opening(dev_server_env, task_queue, mail_sink, page_worker):
    handle, _ = await remediating(dev_server_env, task_queue, mail_sink)
    before_rotation = LinkKeys(OLD_KEY).make(handle.id, "sam@contoso.example", datetime.now(timezone.utc))
    async with page_app(dev_server_env, task_queue, f"{NEW_KEY},{OLD_KEY}") as http:
        assert (await http.get(f"/e/{before_rotation}")).status_code == 200  # the old key is still configured
    async with page_app(dev_server_env, task_queue, NEW_KEY) as http:
        assert (await http.get(f"/e/{before_rotation}")).status_code == 404  # retired


async def test_a_closed_engagement_shows_its_outcome_read_only_for_thirty_days(
        dev_server_env, task_queue, mail_sink, page_worker):
    handle, link = await remediating(dev_server_env, task_queue, mail_sink, language="fr")
    await perform(dev_server_env.client, handle.id, Withdrawal(by="Ana", reason="Budget frozen"))
    await eventually(lambda: _closed(handle), 30, "the engagement closed")
    clock = Clock()
    async with page_app(dev_server_env, task_queue, NEW_KEY, clock) as http:
        shown = await http.get(link)
        assert shown.status_code == 200
        assert "lecture seule" in shown.text and '<form method="post"' not in shown.text
        fields = {"csrf-token": "x", "request": "r1", "step": "item", "id": "dns-1"}
        assert (await http.post(link, data=fields)).status_code in (403, 409)
        clock.ahead = timedelta(days=31)
        assert (await http.get(link)).status_code == 404


async def _closed(handle) -> bool:
    return (await state_of(handle)).phase is Phase.WITHDRAWN


async def test_a_link_and_an_address_are_rate_limited(dev_server_env, task_queue, mail_sink, worker_process):
    worker = worker_process(customer_page_url=PAGE_URL, link_keys=NEW_KEY)
    worker.start()
    _, link = await remediating(dev_server_env, task_queue, mail_sink)
    unpadded = link.rstrip("=")  # the same link, however it is spelt
    assert unpadded != link
    # A small limit: on a busy machine thirty opens could outlast the minute the window counts.
    async with page_app(dev_server_env, task_queue, NEW_KEY, page_views_per_minute=5) as http:
        statuses = [(await http.get(link if number % 2 else unpadded)).status_code for number in range(7)]
    assert statuses[:5] == [200] * 5 and statuses[5:] == [429, 429]


async def test_no_token_reaches_the_logs(dev_server_env, task_queue, mail_sink, page_worker, caplog):
    _, link = await remediating(dev_server_env, task_queue, mail_sink)
    caplog.set_level(logging.DEBUG)
    async with page_app(dev_server_env, task_queue, NEW_KEY) as http:
        fields = form_of((await http.get(link)).text)
        await http.post(link, data=fields)
    token = link.removeprefix("/e/")
    product = [record for record in caplog.records if record.name != "httpx"]  # httpx: the test's own client
    assert any(record.name == "fasttrack.customer_page" for record in product)
    assert not [record for record in product if token[:40] in record.getMessage() or token[:40] in str(record.__dict__)]
    assert token[:40] not in page_worker.log.read_text()


async def test_a_form_sent_in_chunks_or_far_too_long_is_refused_unread(dev_server_env, task_queue, mail_sink,
                                                                      page_worker):
    handle, link = await remediating(dev_server_env, task_queue, mail_sink)

    async def chunks():
        for _ in range(64):  # 64 MiB, if it were read
            yield b"x" * 0x100000

    before = (await state_of(handle)).timeline
    async with page_app(dev_server_env, task_queue, NEW_KEY) as http:
        chunked = await http.post(link, content=chunks())
        too_long = await http.post(link, content=b"note=" + b"x" * (4 * LONGEST_FORM),
                                   headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert chunked.status_code == 411 and "not in chunks" in chunked.text
    assert too_long.status_code == 413
    after = (await state_of(handle)).timeline
    # Only the engagement's own doings (an invitation going out) may have come since: nothing of the customer's.
    assert after[:len(before)] == before and {event.by for event in after[len(before):]} <= {"fasttrack-orchestrator"}
