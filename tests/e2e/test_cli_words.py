"""The `fasttrack` command's words, run as a subprocess: errors name the flag the
operator typed, suggest the value meant, give an example, and never show a traceback;
times are read in the engagement's time zone; the next step said is the true one."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from engagement_client.purchases import record_purchase
from fasttrack.models import Phase
from fasttrack.policy import BenefitPolicy
from tests.support.cli_process import ok, refused
from tests.support.scenario import make_purchase, running_worker, wait_for_phase
from tests.support.workflow_checks import eventually

TENANT = "5b1d1d1f-0000-4000-8000-000000000001"
KICKOFF = ("--goal", "mdm", "--mdm-authority", "intune", "--language", "fr", "--pm-email", "paula@contoso.example")


@pytest.mark.parametrize(("arguments", "words"), [
    (("kickoff", TENANT, *KICKOFF, "--pm-name", "Paula", "--identity", "cloudd"),
     "Invalid value for '--identity': 'cloudd' is not one of cloud, synchronized, federated. Did you mean 'cloud'?"),
    (("list", "--phase", "asess"), "Did you mean 'assess'?"),
    (("reschedule", TENANT, "--call", "kickof", "--start", "2026-12-03 10:00"), "Did you mean 'kickoff'?"),
    (("stauts", TENANT), "No such command 'stauts'. Did you mean 'status'?"),
    (("kickoff", TENANT, *KICKOFF, "--identity", "cloud", "--pm-name", ""), "Invalid --pm-name: must not be empty"),
    (("verify", TENANT, "--reject", "--reopen", "bad id!"), "Invalid --reopen: must be letters, digits"),
    (("plan", TENANT, "--target-date", "tomorrow"),
     "Invalid --target-date: must be a date such as 2027-02-15 (YYYY-MM-DD), not 'tomorrow'"),
    (("plan", TENANT, "--target-date", "2026-1x-03"), "Invalid --target-date: must be a date such as 2027-02-15"),
    (("reschedule", TENANT, "--call", "kickoff", "--start", "next tuesday"),
     "Invalid --start: must be a date and time such as '2026-12-03 10:00' (in the engagement's time zone) or "
     "2026-12-03T10:00+01:00 (ISO 8601, with its offset), not 'next tuesday'"),
    (("contact", TENANT, "--request-id", "two words"), "Invalid --request-id: must be 1 to 200 printable ASCII"),
    (("--namespace", "nope", "list"), "Temporal has no namespace 'nope'"),
    (("--namespace", "nope", "status", TENANT), "Temporal has no namespace 'nope'"),
    (("--namespace", "nope", "contact", TENANT), "Temporal has no namespace 'nope'"),
    (("report", TENANT, "--output", "report.md"),
     "'report.md' is not one of markdown, json. To write the report to a file: --file FILE."),
])
async def test_errors_name_the_flag_and_say_what_was_meant(cli, arguments, words):
    said = " ".join((await refused(cli, *arguments, code=2)).replace("│", " ").split())  # and no traceback
    assert words in said
    for model_word in ("identity_model", "reopen_item_ids", "project_manager", "Value error", "Input should"):
        assert model_word not in said


async def test_a_time_without_offset_is_the_engagement_s_own(cli, dev_server_env, task_queue, tmp_path, mail_sink):
    async with running_worker(dev_server_env.client, task_queue, mail_sink, tmp_path):
        purchase = make_purchase(datetime.now(timezone.utc))
        started = await record_purchase(dev_server_env.client, purchase, task_queue,
                                        BenefitPolicy(business_hours=None))
        await wait_for_phase(started.handle, Phase.INITIATE)
        await ok(cli, "contact", purchase.tenant_id)
        helped = await ok(cli, "assistance", purchase.tenant_id)
        assert "Next: the kickoff, proposed for" in helped and "contacts the customer" not in helped

        zone = json.loads(await ok(cli, "status", purchase.tenant_id, "-o", "json"))["time_zone"]
        day = (datetime.now(timezone.utc) + timedelta(days=7)).date().isoformat()
        moved = await ok(cli, "reschedule", purchase.tenant_id, "--call", "kickoff", "--start", f"{day} 10:00")
        assert f"moved to {day} 10:00 {zone}" in moved

        shown = await ok(cli, "status", purchase.tenant_id)  # every time with its zone
        assert f"Kickoff call: {day} 10:00 {zone}" in shown and "outreach attempt(s) sent" in shown
        assert zone == "Europe/Paris" and " UTC" not in shown  # a French customer
        assert f"when ({zone})" in await ok(cli, "timeline", purchase.tenant_id)


async def test_list_names_the_organization_and_filters_on_it(cli, dev_server_env, task_queue):
    """Read from each engagement's memo, so visibility never holds the customer's name."""
    mark = uuid.uuid4().hex[:8]  # the session's server holds other tests' Contosos
    tenants = {}
    for organization in (f"Contoso {mark}", f"Fabrikam {mark}"):
        purchase = make_purchase(datetime.now(timezone.utc), organization=organization)
        await record_purchase(dev_server_env.client, purchase, task_queue, BenefitPolicy(business_hours=None))
        tenants[organization] = purchase.tenant_id

    async def listed() -> bool:
        rows = json.loads(await ok(cli, "list", "-o", "json", "--organization", f"CONTOSO {mark.upper()}"))
        return [(row["organization"], row["tenant_id"]) for row in rows] == [
            (f"Contoso {mark}", tenants[f"Contoso {mark}"])]

    await eventually(listed, 20, "Contoso was never listed alone")
    table = await ok(cli, "list", "--organization", mark)
    assert "organization" in table and f"Fabrikam {mark}" in table and tenants[f"Fabrikam {mark}"] in table
