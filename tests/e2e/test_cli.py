"""The `fasttrack` command, run as a user runs it (a subprocess), against the real dev server."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import yaml
from temporalio.client import WorkflowExecutionStatus

from engagement_client.purchases import record_purchase
from fasttrack.business_time import next_business_moment
from fasttrack.engagement import engagement_id_for
from fasttrack.models import NotificationKind, Phase
from fasttrack.policy import BenefitPolicy
from tests.support.cli_process import ok, refused
from tests.support.scenario import (
    EVERY_DAY_NINE_TO_FIVE,
    LOCAL_HOUR,
    mail_for,
    make_purchase,
    running_worker,
    wait_for_phase,
    zone_where_it_is,
)
from tests.support.workflow_checks import stop_if_running
from workflows.message_delivery import MessageDeliveryWorkflow

def purchase_document(tenant_id: str | None = None, **overrides) -> str:
    purchase = make_purchase(datetime.now(timezone.utc), **overrides)
    if tenant_id:
        purchase = purchase.model_copy(update={"tenant_id": tenant_id})
    return purchase.model_dump_json()


async def state_json(cli, engagement: str) -> dict:
    return json.loads(await ok(cli, "status", engagement, "--json"))


async def test_every_action_from_the_command_line_to_completed(cli, dev_server_env, task_queue, tmp_path, mail_sink):
    async with running_worker(dev_server_env.client, task_queue, mail_sink, tmp_path):
        purchase_file = tmp_path / "purchase.json"
        purchase_file.write_text(purchase_document(organization="Contoso"))
        tenant = json.loads(purchase_file.read_text())["tenant_id"]
        engagement = engagement_id_for(tenant)

        assert "started" in await ok(cli, "purchase", str(purchase_file))
        second = await ok(cli, "purchase", "-", stdin=purchase_document(tenant_id=tenant))
        assert "already has engagement" in second and "attached" in second
        await wait_for_phase(dev_server_env.client.get_workflow_handle(engagement), Phase.INITIATE)

        assert "There is no engagement" in await refused(cli, "status", str(uuid.uuid4()), code=3)
        assert "neither an engagement id" in await refused(cli, "status", "contoso", code=2)
        assert "record the contact or the customer's request" in await refused(
            cli, "kickoff", tenant, "--goal", "mdm", "--identity", "cloud", "--mdm-authority", "intune",
            "--language", "fr", "--pm-name", "Paula", "--pm-email", "paula@contoso.example",
        )
        await ok(cli, "contact", tenant, "--note", "Phone call with the IT lead")
        sunday = datetime.now(timezone.utc).date() + timedelta(days=7)
        sunday += timedelta(days=6 - sunday.weekday())
        assert "a 30-minute call). The next possible time is" in await refused(
            cli, "reschedule", tenant, "--call", "kickoff", "--start", f"{sunday.isoformat()}T10:00:00+01:00"
        )
        assert "Invalid --start: must be a date and time such as '2026-12-03 10:00'" in await refused(
            cli, "reschedule", tenant, "--call", "kickoff", "--start", "next tuesday", code=2
        )
        assert "Contact was already recorded" in await refused(cli, "contact", tenant)
        assert "MDM authority is needed" in await refused(
            cli, "kickoff", engagement, "--goal", "mdm", "--identity", "cloud", "--mdm-authority", "none",
            "--language", "fr", "--pm-name", "Paula", "--pm-email", "paula@contoso.example",
        )
        assert "Invalid --pm-email: is not an email address" in await refused(
            cli, "kickoff", engagement, "--goal", "mdm", "--identity", "cloud", "--mdm-authority", "intune",
            "--language", "fr", "--pm-name", "Paula", "--pm-email", "not-an-email", code=2,
        )
        await ok(
            cli, "kickoff", engagement, "--goal", "mdm", "--goal", "mam", "--identity", "synchronized",
            "--mdm-authority", "intune", "--language", "fr", "--pm-name", "Paula", "--pm-email", "paula@contoso.example",
        )
        environment_file = tmp_path / "environment.yaml"
        environment_file.write_text(yaml.safe_dump({
            "forests": [{"name": "corp.local", "functional_level": "2003"}],
            "gaps": [{"category": "dns", "description": "Add the enrollment CNAME"}],
        }))
        shown = await ok(cli, "environment", engagement, str(environment_file))
        assert "forest-level-corp-local" in shown and "dns-1" in shown
        await ok(cli, "plan", engagement, "--target-date", (datetime.now(timezone.utc).date() + timedelta(days=45)).isoformat())
        assert "There is no checklist item 'nope'" in await refused(cli, "item-done", engagement, "nope")
        await ok(cli, "item-done", engagement, "forest-level-corp-local")
        await ok(cli, "item-done", engagement, "dns-1")
        await ok(cli, "checkpoint", engagement, "--note", "Both items reviewed")
        assert "Say --approve or --reject" in await refused(cli, "verify", engagement, code=2)
        await ok(cli, "verify", engagement, "--reject", "--reopen", "dns-1", "--note", "CNAME not resolving yet")
        await ok(cli, "action", "complete_remediation_item", engagement, "--file", "-", stdin='{"item_id": "dns-1"}')
        item_file = tmp_path / "item.json"
        item_file.write_text('{"item_id": "dns-1"}')
        assert "Checklist item 'dns-1' is already done" in await refused(
            cli, "action", "complete_remediation_item", engagement, "--file", str(item_file))
        await ok(cli, "verify", engagement, "--approve")

        state = await state_json(cli, engagement)
        assert state["phase"] == "enable_core"
        assert "begins only once the core capabilities are enabled" in await refused(
            cli, "task-done", engagement, "intune.assign_licenses"
        )
        for task in state["tasks"]:
            await ok(cli, "task-done", engagement, task["id"])
        await ok(cli, "device", engagement, "--platform", "ios", "--name", "iPhone-1")
        await ok(cli, "device", engagement, "--platform", "ios", "--name", "iPhone-2")
        assert "At most 2 test devices per platform" in await refused(
            cli, "device", engagement, "--platform", "ios", "--name", "iPhone-3"
        )
        await ok(cli, "app", engagement, "--platform", "ios", "--name", "Expenses", "--link-type", "web_link",
                 "--link", "https://apps.contoso.example/expenses")
        status_text = await ok(cli, "status", engagement)
        assert "enable_intune" in status_text
        assert "select an app first" not in status_text and "enroll a test device first" not in status_text
        for task in (await state_json(cli, engagement))["tasks"]:
            if task["status"] == "open":
                await ok(cli, "task-done", engagement, task["id"])

        final = await state_json(cli, engagement)
        assert final["phase"] == "completed"
        assert final["outcome"]["status"] == "completed"
        assert "closed (completed)" in await refused(cli, "checkpoint", engagement)
        timeline = await ok(cli, "timeline", engagement)
        for what in ("contact_made", "kickoff_held", "verification_rejected", "intune_enabled", "additional_purchase"):
            assert what in timeline
        report_file = tmp_path / "report.md"
        await ok(cli, "report", engagement, "--file", str(report_file))
        report = report_file.read_text()
        for heading in ("## Outcome", "## Scope", "## Remediation checklist", "## Enable tasks", "## Timeline"):
            assert heading in report
        assert "| dns-1: Add the enrollment CNAME | dns | verified |" in report
        again = await cli("purchase", "-", stdin=purchase_document(tenant_id=tenant))
        assert again.code == 1 and "has used the benefit" in again.err and "closed as completed" in again.err


async def test_bad_purchase_events_are_refused_with_the_field_named(cli, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"order_id": "X", "tenant_id": "nope"')
    assert "is not valid JSON" in await refused(cli, "purchase", str(broken), code=2)
    wrong = tmp_path / "wrong.json"
    document = json.loads(purchase_document())
    document["licenses"] = "many"
    document.pop("region")
    wrong.write_text(json.dumps(document))
    message = await refused(cli, "purchase", str(wrong), code=2)
    assert "licenses" in message and "region: is required" in message
    assert "Cannot read" in await refused(cli, "purchase", str(tmp_path / "missing.json"), code=2)
    result = await cli("purchase", "-", stdin="[1, 2]")
    assert result.code == 2 and "must hold one object" in result.err


async def test_unreachable_temporal_is_a_clear_error(cli):
    result = await cli("--address", "127.0.0.1:1", "list")
    assert result.code == 4
    assert "Cannot reach Temporal at 127.0.0.1:1" in result.err
    result = await cli("--address", "nope", "list")
    assert result.code == 2 and "must be host:port" in result.err


async def test_list_filters_by_phase_region_and_risk_through_visibility(
    cli, dev_server_env, task_queue, tmp_path, mail_sink
):
    client = dev_server_env.client
    now = datetime.now(timezone.utc)
    async with running_worker(client, task_queue, mail_sink, tmp_path):
        waiting = await record_purchase(client, make_purchase(now, region="americas"), task_queue)
        assessing = await record_purchase(client, make_purchase(now, region="emea"), task_queue)
        # A compressed policy: the 30-day contact window passes in 6 s, the whole
        # year in 73 s, well after this test ends on a busy machine.
        unreachable = await record_purchase(
            client, make_purchase(now, region="asia_pacific"), task_queue,
            BenefitPolicy.compressed(timedelta(seconds=0.2)),
        )
        ours = {started.handle.id for started in (waiting, assessing, unreachable)}
        await wait_for_phase(assessing.handle, Phase.INITIATE)
        await ok(cli, "contact", assessing.handle.id)
        await ok(cli, "kickoff", assessing.handle.id, "--goal", "mam", "--identity", "cloud", "--mdm-authority",
                 "none", "--language", "en", "--pm-name", "Kim", "--pm-email", "kim@example.com")

        async def listed(*arguments: str) -> set[str]:
            rows = json.loads(await ok(cli, "list", "--json", *arguments))
            return {row["engagement_id"] for row in rows} & ours

        async def eventually(arguments: tuple[str, ...], expected: set[str]) -> None:
            for _ in range(100):
                found = await listed(*arguments)
                if found == expected:
                    return
                await asyncio.sleep(0.2)
            assert found == expected, arguments

        await eventually(("--phase", "assess"), {assessing.handle.id})
        await eventually(("--phase", "initiate"), {waiting.handle.id, unreachable.handle.id})
        await eventually(("--region", "emea"), {assessing.handle.id})
        await eventually(("--at-risk",), {unreachable.handle.id})  # contact SLA breached
        await eventually(("--at-risk", "--deadline-within", "400"), ours)  # every deadline within 400 days
        # Its near deadline already made it at risk: its contact SLA breaches after 30 compressed days.
        for _ in range(100):
            rows = json.loads(await ok(cli, "list", "--json", "--at-risk"))
            row = next(row for row in rows if row["engagement_id"] == unreachable.handle.id)
            if row["contact_sla_breached"]:
                break
            await asyncio.sleep(0.2)
        assert row["contact_sla_breached"] is True and "contact SLA breached" in row["risks"]
        table = await ok(cli, "list", "--phase", "assess")
        assert assessing.handle.id.removeprefix("fasttrack-intune-") in table
        for started in (waiting, assessing, unreachable):
            await stop_if_running(started.handle)


@pytest.mark.parametrize("moment", list(LOCAL_HOUR))
async def test_a_closed_engagement_is_closed_at_once_whatever_the_customer_s_hour(
    moment, cli, dev_server_env, task_queue, tmp_path, mail_sink
):
    client = dev_server_env.client
    now = datetime.now(timezone.utc)
    zone = zone_where_it_is(LOCAL_HOUR[moment], now)
    inside = moment == "inside business hours"
    async with running_worker(client, task_queue, mail_sink, tmp_path):
        purchase = make_purchase(now, time_zone=zone)
        started = await record_purchase(client, purchase, task_queue, EVERY_DAY_NINE_TO_FIVE)
        tenant, handle = purchase.tenant_id, started.handle
        await wait_for_phase(handle, Phase.INITIATE)
        await ok(cli, "withdraw", tenant, "--reason", "Project postponed")

        # The outcome is there within seconds, whatever the customer's hour.
        result = await asyncio.wait_for(handle.result(), timeout=15)
        assert result.outcome.status is Phase.WITHDRAWN
        assert (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED
        slot = next_business_moment(result.outcome.at, zone, purchase.country, EVERY_DAY_NINE_TO_FIVE.business_hours)
        assert (slot == result.outcome.at) is inside
        assert result.message_delivery_id and "messages_handed_over" in [event.what for event in result.timeline]

        # Closed everywhere: a purchase is refused with the reason, lists show it closed.
        again = await cli("purchase", "-", stdin=purchase_document(tenant_id=tenant))
        assert again.code == 1
        assert "has used the benefit" in again.err and "closed as withdrawn" in again.err

        async def listed(*arguments: str) -> bool:
            rows = json.loads(await ok(cli, "list", "--json", *arguments))
            return handle.id in {row["engagement_id"] for row in rows}

        for _ in range(100):  # visibility is eventually consistent
            if await listed("--phase", "withdrawn"):
                break
            await asyncio.sleep(0.2)
        assert await listed("--phase", "withdrawn")
        assert not await listed("--open") and not await listed("--at-risk", "--deadline-within", "400")

        # The closing message goes out once, in the customer's business hours.
        delivery = client.get_workflow_handle_for(MessageDeliveryWorkflow.run, result.message_delivery_id)
        if inside:
            (closing,) = [m for m in (await asyncio.wait_for(delivery.result(), 30)).messages
                          if m.kind is NotificationKind.ENGAGEMENT_CLOSED]
            assert closing.sent_at is not None and closing.failure is None
            assert len(mail_for(mail_sink, handle.id, "engagement_closed")) == 1
        else:
            (closing,) = [m for m in (await delivery.query(MessageDeliveryWorkflow.outcomes)).messages
                          if m.kind is NotificationKind.ENGAGEMENT_CLOSED]
            assert closing.send_at == slot and closing.sent_at is None
            assert slot.astimezone(ZoneInfo(zone)).time() == time(9, 0)
            assert not mail_for(mail_sink, handle.id, "engagement_closed")
        status_text = " ".join((await ok(cli, "status", tenant)).split())
        assert "withdrawn" in status_text and f"Messages after closing (workflow {delivery.id})" in status_text
        assert ("Engagement withdrawn — sent" if inside else "Engagement withdrawn — waiting for") in status_text
        if not inside:
            await delivery.terminate("test finished")  # its time is hours away
