from __future__ import annotations

import pytest

from tests.support.stack_process import Stack


@pytest.fixture
def stack(tmp_path):
    """The `make run` stack as a subprocess, in a folder and on ports of its own."""
    stack = Stack(tmp_path / "data")
    yield stack
    stack.kill()
