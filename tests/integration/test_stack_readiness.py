"""The dev stack's start waits for what it uses: an open port is not a served namespace.

The server here is started without the stack's namespace, which the test creates
only after the stack has asked for it and been refused: as a server whose port
opens before its namespace answers."""

from __future__ import annotations

import subprocess
import threading

import pytest

import devstack.processes as processes
from devstack.ports import free_port, port_is_open
from devstack.processes import DevStack, StackStartError, local_environment
from devstack.settings import StackSettings, namespace_describe_command, server_command, temporal_cli

LATE_NAMESPACE = "opens-late"


def _server_without_its_namespace(settings: StackSettings, codec_token: str | None = None) -> list[str]:
    command = server_command(settings, codec_token)
    at = command.index("--namespace")
    return command[:at] + command[at + 2:]


class RecordedDescribes:
    """Counts the stack's questions to the server whether its namespace is ready."""

    def __init__(self) -> None:
        self.count = 0
        self.asked = threading.Event()
        self._run = subprocess.run

    def __call__(self, command, *args, **kwargs):
        answer = self._run(command, *args, **kwargs)
        if "describe" in command:
            self.count += 1
            self.asked.set()
        return answer


@pytest.fixture
def late_stack(tmp_path, monkeypatch):
    monkeypatch.setattr(processes, "server_command", _server_without_its_namespace)
    describes = RecordedDescribes()
    monkeypatch.setattr(processes.subprocess, "run", describes)
    settings = StackSettings(data_dir=tmp_path, temporal_port=free_port(), ui_port=free_port(),
                             temporal_namespace=LATE_NAMESPACE)
    stack = DevStack(settings, ui=False)
    yield stack, describes
    stack.stop_server()


def _namespace(settings: StackSettings, verb: str, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(temporal_cli()), "operator", "namespace", verb, "--address", f"127.0.0.1:{settings.temporal_port}",
         "--namespace", LATE_NAMESPACE, *flags], capture_output=True, text=True, timeout=60, env=local_environment())


@pytest.mark.timeout(150)
def test_the_stack_waits_for_a_namespace_that_answers_after_the_port_opens(late_stack):
    stack, describes = late_stack
    created: list[subprocess.CompletedProcess] = []

    def create_the_namespace_once_refused() -> None:
        describes.asked.wait(120)  # the port is open and the stack asked: it was refused
        created.append(_namespace(stack.settings, "create", "--retention", "24h"))

    creator = threading.Thread(target=create_the_namespace_once_refused)
    creator.start()
    stack.start_server(subprocess.DEVNULL)
    creator.join(120)

    assert created and created[0].returncode == 0, created
    assert describes.count >= 2  # refused first, then answered: the stack waited
    assert port_is_open(stack.settings.temporal_port)
    described = subprocess.run(namespace_describe_command(stack.settings), capture_output=True, text=True,
                               timeout=60, env=local_environment())
    assert "720h" in described.stdout or "30d" in described.stdout, described.stdout  # the stack's retention


@pytest.mark.timeout(150)
def test_a_namespace_that_never_answers_is_said_in_a_sentence_with_the_servers_words(late_stack, monkeypatch):
    stack, _ = late_stack
    monkeypatch.setattr(processes, "ADMIN_DEADLINE_SECONDS", 3)
    with pytest.raises(StackStartError) as refused:
        stack.start_server(subprocess.DEVNULL)
    sentence = str(refused.value)
    assert f"namespace {LATE_NAMESPACE!r}" in sentence and "within 3s" in sentence
    assert "not found" in sentence.lower(), sentence  # the server's own reason, from the command's stderr
