from __future__ import annotations

import pytest

from tests.support.stack_process import Stack


@pytest.fixture
def stack(tmp_path, request):
    """The `make run` stack as a subprocess, in a folder and on ports of its own."""
    stack = Stack(tmp_path / "data", keys_in_data_dir=getattr(request, "param", False))
    yield stack
    stack.kill()
