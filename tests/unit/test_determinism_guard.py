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
                     "requests", "sqlalchemy", "smtplib", "aiosmtplib"}
FORBIDDEN_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
                   ("datetime", "fromtimestamp"), ("time", "time"), ("time", "monotonic")}


def problems(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"imports {alias.name}" for alias in node.names if alias.name.split(".")[0] in FORBIDDEN_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in FORBIDDEN_MODULES:
            found.append(f"imports from {node.module}")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (node.value.id, node.attr) in FORBIDDEN_CALLS:
                found.append(f"calls {node.value.id}.{node.attr}")
    return found


@pytest.mark.parametrize("package", GUARDED)
def test_no_clock_randomness_or_io(package):
    found = [f"{path.relative_to(ROOT)} {problem}" for path in sorted((ROOT / package).rglob("*.py"))
             for problem in problems(path.read_text())]
    assert found == []


def test_the_guard_catches_each_kind():
    assert problems("from datetime import datetime\nx = datetime.now()") == ["calls datetime.now"]
    assert problems("import random") == ["imports random"]
    assert problems("from uuid import uuid4") == ["imports from uuid"]
    assert problems("from datetime import date\ndate.today()") == ["calls date.today"]
    assert problems("from temporalio import workflow\nworkflow.now()") == []
