"""The `fasttrack` command run as a user runs it: a subprocess, its exit code and its words."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path

FASTTRACK = str(Path(sys.executable).parent / "fasttrack")


@dataclass
class Result:
    code: int
    out: str
    err: str


def cli_runner(env: dict[str, str]):
    async def run(*arguments: str, stdin: str | None = None) -> Result:
        process = await asyncio.create_subprocess_exec(
            FASTTRACK, *arguments, env=env,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(stdin.encode() if stdin is not None else b""), timeout=60)
        return Result(await process.wait(), out.decode(), err.decode())

    return run


async def ok(cli, *arguments: str, stdin: str | None = None) -> str:
    result = await cli(*arguments, stdin=stdin)
    assert result.code == 0, (arguments, result.out, result.err)
    return result.out


async def refused(cli, *arguments: str, code: int = 1) -> str:
    """The command's error, its lines joined: it exited with ``code`` and showed no traceback."""
    result = await cli(*arguments)
    assert result.code == code, (arguments, result.out, result.err)
    assert "Traceback" not in result.err
    return " ".join(result.err.split())
