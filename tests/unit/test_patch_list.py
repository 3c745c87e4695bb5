"""Every change made while engagements were running is declared once, in
workflows/patches.py, with the corpus folder that proves its new shape."""

from __future__ import annotations

import ast
from pathlib import Path

from fasttrack.engagement import Engagement
from fasttrack.models import EngagementInput
from simulation.characterization import START, purchase
from workflows import patches

ROOT = Path(__file__).resolve().parents[2]


def _asked() -> set[str]:
    """What the code asks ``patched`` about: a constant's value, or a name written out."""
    asked = set()
    for source in [*(ROOT / "workflows").glob("*.py"), *(ROOT / "fasttrack").rglob("*.py")]:
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "patched":
                for argument in node.args:
                    if isinstance(argument, ast.Constant):
                        asked.add(str(argument.value))
                    name = argument.attr if isinstance(argument, ast.Attribute) else getattr(argument, "id", None)
                    if name is not None and name != "change":
                        asked.add(getattr(patches, name, f"{name} (not a constant of workflows/patches.py)"))
    return asked


def test_every_change_asked_is_declared_and_every_declared_change_is_asked():
    asked_at_start = set(patches.ASKED_AT_START)  # asked in a loop, by Patches itself

    assert _asked() - set(patches.CHANGE_NAMED) == set()
    assert set(patches.CHANGE_NAMED) - _asked() - asked_at_start == set()


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
