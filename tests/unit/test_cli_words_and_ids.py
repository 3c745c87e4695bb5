"""The update ids the actions are sent with, and the command line's wording of errors."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from pydantic import ValidationError

from cli.wording import flag_for, reword_usage, sentence
from engagement_client.update_ids import REQUEST_ID, update_id_for
from fasttrack.models import (
    EDGE,
    CallKind,
    CallRescheduled,
    CheckpointHeld,
    PlanAgreed,
    RemediationItemDone,
    VerificationResult,
)

AT = datetime(2027, 1, 12, 13, 0, tzinfo=timezone.utc)


def test_the_same_request_for_the_same_action_is_the_same_update_and_names_its_item():
    done = RemediationItemDone(by="Sam", item_id="dns-1")
    first = update_id_for("complete_remediation_item", done, "ticket-7")
    assert first == update_id_for("complete_remediation_item", done.model_copy(update={"note": "again"}), "ticket-7")
    assert first.startswith("complete_remediation_item/dns-1/") and len(first.rsplit("/", 1)[1]) == 12
    assert update_id_for("hold_checkpoint", CheckpointHeld(by="Ana"), "t").startswith("hold_checkpoint/")


@pytest.mark.parametrize(("one", "other"), [
    (CallRescheduled(by="Ana", call=CallKind.KICKOFF, start=AT),
     CallRescheduled(by="Ana", call=CallKind.KICKOFF, start=AT.replace(hour=14))),
    (VerificationResult(by="Ana", approved=False, reopen_item_ids=["dns-1"]),
     VerificationResult(by="Ana", approved=False, reopen_item_ids=["dns-2"])),
    (PlanAgreed(by="Ana", target_date=AT.date()), PlanAgreed(by="Ana", target_date=AT.date().replace(day=13))),
    (RemediationItemDone(by="Sam", item_id="dns-1"), RemediationItemDone(by="Ana", item_id="dns-1")),
])
def test_a_request_id_reused_for_another_action_is_another_update(one, other):
    assert update_id_for("update", one, "ticket-7") != update_id_for("update", other, "ticket-7")


def test_request_ids_are_one_printable_word():
    assert REQUEST_ID.fullmatch("ticket-4711") and not REQUEST_ID.fullmatch("ticket-4711\n")
    assert not REQUEST_ID.fullmatch("two words") and not REQUEST_ID.fullmatch("x" * 201)


def test_usage_errors_suggest_the_value_meant_and_say_must_be():
    said = reword_usage("Value error, 'asess' is not one of 'assess', 'initiate'.")
    assert said == "'asess' is not one of assess, initiate. Did you mean 'assess'?"
    assert reword_usage("Input should be greater than or equal to 0") == "must be greater than or equal to 0"
    assert "Did you mean" not in reword_usage("Value error, 'zzz' is not one of 'assess', 'initiate'.")


def test_model_errors_name_the_flag_with_an_example():
    with pytest.raises(ValidationError) as raised:
        PlanAgreed.model_validate({"by": "Ana", "target_date": "tomorrow"}, context=EDGE)
    (problem,) = raised.value.errors()
    assert flag_for(problem["loc"]) == "--target-date"
    assert sentence(problem) == "must be a date such as 2027-02-15 (YYYY-MM-DD), not 'tomorrow'"
    assert flag_for(("scope", "project_manager", "email")) == "--pm-email"
    assert flag_for(("scope", "project_manager", "given_name")) == "--pm-given-name"
    assert flag_for(("reopen_item_ids", 0)) == "--reopen"
