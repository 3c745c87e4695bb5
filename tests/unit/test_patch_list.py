"""Every change made while engagements were running is declared once, in
workflows/patches.py, with the corpus folder that proves its new shape."""

from __future__ import annotations

import ast
from pathlib import Path

from fasttrack.engagement import Engagement
from fasttrack.models import EngagementInput
from tests.unit.characterization import START, purchase
from workflows import patches

ROOT = Path(__file__).resolve().parents[2]


def _asked_names() -> set[str]:
    """The ``patches.X`` constants the workflow code asks ``patched`` about."""
    asked = set()
    for source in (ROOT / "workflows").glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "patched":
                for argument in node.args:
                    name = argument.attr if isinstance(argument, ast.Attribute) else getattr(argument, "id", None)
                    if name is not None and name != "change":
                        asked.add(name)
    return asked


def test_every_change_asked_is_declared_with_its_corpus():
    declared = {name for name, value in vars(patches).items() if isinstance(value, str) and value in patches.CHANGE_NAMED}

    assert _asked_names() - declared - {"FOLDED_MARKER"} == set()
    assert _asked_names(), "the search for patched(...) calls found none"


def test_each_change_once_and_its_corpus_folder_recorded():
    names = [change.name for change in patches.CHANGES]

    assert len(names) == len(set(names))
    for change in patches.CHANGES:
        assert (ROOT / "tests" / "histories" / change.corpus).is_dir(), change
    assert [change.added for change in patches.CHANGES] == sorted(change.added for change in patches.CHANGES)


def test_an_undeclared_change_is_refused_before_it_reaches_a_history():
    asker = patches.Patches.__new__(patches.Patches)  # no workflow: the check comes first
    try:
        asker.patched("not-declared")
    except ValueError as refusal:
        assert "not declared in workflows/patches.py" in str(refusal)
    else:
        raise AssertionError("an undeclared change was asked")


def test_the_engagements_behaviour_flags_are_the_changes_that_turn_them_on():
    engagement = Engagement.open(EngagementInput(purchase=purchase("Contoso")), "fasttrack-intune-flags", START)
    flags = {name for name, value in vars(engagement).items() if isinstance(value, bool)}

    assert flags == {change.flag for change in patches.CHANGES if change.flag}
