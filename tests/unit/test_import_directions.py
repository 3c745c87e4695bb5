"""Arrows one way: the domain knows nothing of Temporal or of the processes
around it; activities get their settings from the worker; nothing shipped, and
no tool, imports the tests."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = {"fasttrack", "workflows", "activities", "register", "engagement_client", "process_support", "workers",
           "cli", "intake", "codec_server", "customer_page", "board", "simulation", "devstack", "bench", "tests"}
FORBIDDEN = {
    "fasttrack": PRODUCT - {"fasttrack"} | {"temporalio", "sqlalchemy", "alembic", "fastapi"},
    "register": {"temporalio", "workflows", "activities", "workers", "cli", "simulation", "devstack", "bench", "tests",
                 "engagement_client", "intake", "codec_server", "customer_page", "board"},
    "workflows": {"workers", "cli", "simulation", "devstack", "bench", "tests", "register", "sqlalchemy",
                  "engagement_client", "intake", "codec_server", "customer_page", "board"},
    "activities": {"workflows", "workers", "cli", "simulation", "devstack", "bench", "tests", "engagement_client",
                   "intake", "codec_server", "customer_page", "board"},
    # What every process shares: it knows none of them.
    "process_support": PRODUCT - {"process_support"},
    # The client side, for every caller: it knows no caller and no process.
    "engagement_client": {"workers", "cli", "intake", "codec_server", "customer_page", "board", "simulation", "devstack",
                          "bench", "tests", "activities"},
    # The worker process only: nothing else of the product lives there.
    "workers": {"cli", "intake", "codec_server", "customer_page", "board", "simulation", "devstack", "bench", "tests"},
    # The command line only; its processes are started by name from cli/processes.py (below).
    "cli": {"workers", "intake", "codec_server", "customer_page", "board", "devstack", "bench", "tests"},
    "intake": {"cli", "workers", "codec_server", "customer_page", "board", "simulation", "devstack", "bench", "tests"},
    "codec_server": {"cli", "workers", "intake", "customer_page", "board", "simulation", "devstack", "bench", "tests"},
    "customer_page": {"cli", "workers", "intake", "codec_server", "board", "simulation", "devstack", "bench", "tests"},
    # The board reads the intake's tokens (intake/settings.py), and nothing else of another process.
    "board": {"cli", "workers", "codec_server", "customer_page", "simulation", "devstack", "bench", "tests"},
    "devstack": {"cli", "simulation", "bench", "tests"},  # it starts the processes: their settings are its words
    "simulation": {"bench", "tests", "cli", "intake", "codec_server", "customer_page", "board"},
    "bench": {"tests", "cli"},
}
# The documented exceptions: the sandbox's file reads for time-zone and holiday data, and the
# subcommands that start the processes.
ALLOWED = {("fasttrack/sandbox.py", "temporalio")} | {
    # `fasttrack worker|intake|codec-server|customer-page|dev`: the one program starts each process by its name.
    ("cli/processes.py", process) for process in ("workers", "intake", "codec_server", "customer_page", "board",
                                                  "devstack")
}


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
