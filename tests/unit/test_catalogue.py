"""The action catalogue (fasttrack/engagement/catalogue.py) is the one declaration of
every action: the workflow's hand-written update handlers, its signals, the HTTP
intake's action names and the update ids agree with it."""

from __future__ import annotations

import ast
import inspect
import json
import textwrap
from pathlib import Path

from temporalio import workflow

from engagement_client.update_ids import subject_of, update_id_for
from fasttrack.engagement.catalogue import CATALOGUE, NAMED, RULES, update_name_of
from fasttrack.models import EDGE, Action, ContactMade
from intake.app import ActionName
from workflows.action_signals import SIGNALLED_ACTIONS
from workflows.engagement import EngagementWorkflow

DEFINITION = workflow._Definition.must_from_class(EngagementWorkflow)
ROOT = Path(__file__).resolve().parents[2]


def _model_read_by(function) -> str:
    """The model a handler or validator reads its payload into: ``read(actions.Model, payload)``
    or ``check_update(actions.Model, payload)``."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Attribute):
            if getattr(node.func, "attr", getattr(node.func, "id", None)) in ("read", "check_update"):
                return node.args[0].attr
    raise AssertionError(f"{function.__name__} reads its payload into no model")


def test_every_row_has_its_update_and_every_update_its_row():
    assert set(DEFINITION.updates) == set(NAMED)


def test_each_update_is_the_rows_name_description_model_and_validator():
    for rule in CATALOGUE:
        update = DEFINITION.updates[rule.name]
        assert update.description == rule.description, rule.name
        assert update.validator is not None, f"{rule.name} has no validator"
        assert _model_read_by(update.fn) == rule.action.__name__, rule.name
        assert _model_read_by(update.validator) == rule.action.__name__, rule.name


def test_the_signals_and_the_intake_come_from_the_catalogue_in_its_order():
    names = [rule.name for rule in CATALOGUE]

    assert list(SIGNALLED_ACTIONS) == names
    assert {name for name in DEFINITION.signals if name is not None} == {*names, "purchase_received"}
    assert [member.value for member in ActionName] == names


def test_every_action_has_one_row():
    assert set(RULES) == set(Action.__subclasses__())
    assert len(NAMED) == len(CATALOGUE)


# Each action of examples/signals.json sent with the request id "ticket-7": the ids the
# command line and the intake made before the catalogue. A rerun with the same request id
# after an upgrade must make the same id, or the server applies the action twice.
GOLDEN_UPDATE_IDS = {
    "record_contact": "record_contact/4068d532b761",
    "request_assistance": "request_assistance/0e29c60a44bf",
    "hold_kickoff": "hold_kickoff/19d6ee9672bd",
    "submit_environment": "submit_environment/2d2076d8fd04",
    "agree_plan": "agree_plan/c443366a167d",
    "complete_remediation_item": "complete_remediation_item/dns-1/c55ba3f68425",
    "hold_checkpoint": "hold_checkpoint/7fc693eb5e25",
    "verify_remediation": "verify_remediation/approved/20ecab60e218",
    "complete_task": "complete_task/core.dns/eef20c511663",
    "enroll_test_device": "enroll_test_device/ios/93f3d09f3a90",  # no longer the device's name (customer text)
    "select_app": "select_app/8f1252b8b53a",
    "reschedule_call": "reschedule_call/checkpoint/81db868c96f2",
    "withdraw": "withdraw/4941d854ac93",
}


def test_the_update_ids_stay_what_they_were():
    examples = json.loads((ROOT / "examples" / "signals.json").read_text())
    made = {}
    for name in GOLDEN_UPDATE_IDS:  # a later action has no ids from before to keep
        payload = examples[name]
        action = NAMED[name].action.model_validate(
            {key: value for key, value in payload.items() if key != "request_id"}, context=EDGE)
        assert update_name_of(action) == name
        made[name] = update_id_for(name, action, "ticket-7")

    assert made == GOLDEN_UPDATE_IDS
    assert subject_of(ContactMade(by="Ana")) is None
