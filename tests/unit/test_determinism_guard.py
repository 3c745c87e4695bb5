"""The workflow and domain code never reads the wall clock, randomness or the
machine. The sandbox no longer checks this at run time for modules it passes through
(workers/runner.py passes all of them, for memory and speed; bench/results), so it
is checked here, on the source, for every module a workflow runs."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUARDED = ("workflows", "fasttrack")
FORBIDDEN_MODULES = {"random", "time", "uuid", "os", "socket", "threading", "subprocess", "secrets", "httpx",
                     "requests", "sqlalchemy", "smtplib", "aiosmtplib", "pathlib", "io", "shutil", "tempfile"}
CLOCK_READS = {"now", "utcnow", "today", "fromtimestamp"}
FORBIDDEN_BUILTINS = {"open", "input", "print"}
# Static files shipped inside the package, the same on every replay, read at import: the layouts of
# messages and the translators' catalogs (compiled in memory).
ALLOWED = {"fasttrack/messages.py imports from pathlib", "fasttrack/wording/catalogs.py imports from pathlib",
           "fasttrack/wording/catalogs.py imports from io"}


def _clock_classes(tree: ast.AST) -> set[str]:
    """Every name the source binds to datetime.datetime or datetime.date, aliases included."""
    names = {"datetime", "date"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "datetime":
            names |= {alias.asname or alias.name for alias in node.names if alias.name in ("datetime", "date")}
    return names


def _reads_the_clock(node: ast.Attribute, clock_classes: set[str]) -> bool:
    """``datetime.now``, ``D.today``, ``datetime.datetime.utcnow``…"""
    if node.attr not in CLOCK_READS:
        return False
    owner = node.value
    return (isinstance(owner, ast.Name) and owner.id in clock_classes) or (
        isinstance(owner, ast.Attribute) and owner.attr in ("datetime", "date"))


def problems(source: str) -> list[str]:
    found, tree = [], ast.parse(source)
    clock_classes = _clock_classes(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"imports {alias.name}" for alias in node.names if alias.name.split(".")[0] in FORBIDDEN_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in FORBIDDEN_MODULES:
            found.append(f"imports from {node.module}")
        elif isinstance(node, ast.Attribute) and _reads_the_clock(node, clock_classes):
            found.append(f"reads the clock: {ast.unparse(node)}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FORBIDDEN_BUILTINS:
            found.append(f"calls {node.func.id}()")
    return found


@pytest.mark.parametrize("package", GUARDED)
def test_no_clock_randomness_or_io(package):
    found = [f"{path.relative_to(ROOT)} {problem}" for path in sorted((ROOT / package).rglob("*.py"))
             for problem in problems(path.read_text())]
    assert [problem for problem in found if problem not in ALLOWED] == []


def test_the_guard_catches_each_kind():
    assert problems("from datetime import datetime\nx = datetime.now()") == ["reads the clock: datetime.now"]
    assert problems("import datetime\ndatetime.datetime.utcnow()") == ["reads the clock: datetime.datetime.utcnow"]
    assert problems("from datetime import datetime as D\nD.now()") == ["reads the clock: D.now"]
    assert problems("from datetime import date\ndate.today()") == ["reads the clock: date.today"]
    assert problems("import random") == ["imports random"]
    assert problems("from uuid import uuid4") == ["imports from uuid"]
    assert problems("from pathlib import Path") == ["imports from pathlib"]
    assert problems("open('x').read()") == ["calls open()"]
    assert problems("from temporalio import workflow\nworkflow.now()") == []
