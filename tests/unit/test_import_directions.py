"""Arrows one way: the domain knows nothing of Temporal or of the processes
around it; activities get their settings from the worker; nothing shipped, and
no tool, imports the tests."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "fasttrack": {
        "temporalio", "workflows", "activities", "workers", "cli", "simulation", "devstack", "bench", "tests",
        "register", "sqlalchemy", "alembic", "intake", "fastapi",
    },
    "register": {"temporalio", "workflows", "activities", "workers", "cli", "simulation", "devstack", "bench", "tests"},
    "workflows": {"workers", "cli", "simulation", "devstack", "bench", "tests", "register", "sqlalchemy"},
    "activities": {"workflows", "workers", "cli", "simulation", "devstack", "bench", "tests"},
    "workers": {"cli", "simulation", "devstack", "bench", "tests"},  # the worker image ships without the dev stack
    "cli": {"devstack", "bench", "tests"},  # the demo plays simulation.customer (see below)
    "devstack": {"cli", "simulation", "bench", "tests"},
    "simulation": {"bench", "tests", "cli"},
    "bench": {"tests"},
    "intake": {"simulation", "devstack", "bench", "tests"},
}
# The one documented exception: the sandbox's file reads for time-zone and holiday data.
ALLOWED = {("fasttrack/sandbox.py", "temporalio")}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_one_way(package):
    wrong = []
    for path in sorted((ROOT / package).rglob("*.py")):
        relative = str(path.relative_to(ROOT))
        for imported in imported_packages(path) & FORBIDDEN[package]:
            if (relative, imported) not in ALLOWED:
                wrong.append(f"{relative} imports {imported}")
    assert wrong == []


def test_the_demo_s_simulated_customer_needs_nothing_dev_only():
    customer = ROOT / "simulation" / "customer.py"
    assert imported_packages(customer) & {"devstack", "tests", "bench"} == set()
    assert "temporalio.testing" not in customer.read_text()
