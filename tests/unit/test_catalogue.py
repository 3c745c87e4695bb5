"""The action catalogue (fasttrack/engagement/catalogue.py) is the one declaration of
every action: the workflow's hand-written update handlers, its signals, the HTTP
intake's action names and the update ids agree with it."""

from __future__ import annotations

import ast
import inspect
import textwrap

from temporalio import workflow

from fasttrack.engagement.catalogue import CATALOGUE, NAMED, RULES, update_name_of
from fasttrack.models import Action, CallKind, CallRescheduled, ContactMade, RemediationItemDone
from intake.app import ActionName
from workers.update_ids import subject_of
from workflows.action_signals import SIGNALLED_ACTIONS
from workflows.engagement import EngagementWorkflow

DEFINITION = workflow._Definition.from_class(EngagementWorkflow)


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


def test_the_update_id_names_what_the_row_says():
    assert update_name_of(ContactMade(by="Ana")) == "record_contact"
    assert subject_of(RemediationItemDone(by="Ana", item_id="dns-1")) == "dns-1"
    assert subject_of(ContactMade(by="Ana")) is None
    moved = CallRescheduled.model_construct(by="Ana", call=CallKind.KICKOFF)
    assert subject_of(moved) == CallKind.KICKOFF.value
