"""The logs' last line of defence: an address or a phone number that a library's
exception quotes never reaches the log."""

from __future__ import annotations

import json
import logging

import pytest

from workers.logs import configure_logging


@pytest.fixture(autouse=True)
def root_logger_restored():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_addresses_and_phone_numbers_in_messages_fields_and_tracebacks_are_masked(capsys):
    configure_logging("json", "INFO")
    log = logging.getLogger("fasttrack.test")
    try:
        raise RuntimeError("550 5.1.1 <it-admin@contoso.example>: user unknown; call +33 1 23 45 67 89")
    except RuntimeError:
        log.exception("send failed", extra={"detail": "for pat@customer.example", "attempt": 3,
                                            "tenant_id": "0a9ca7d1-af61-4722-86c3-091da0c0f921"})
    line = capsys.readouterr().err.strip().splitlines()[-1]
    record = json.loads(line)
    assert "contoso.example" not in line and "customer.example" not in line and "45 67 89" not in line
    assert record["detail"] == "for [email]"
    assert "<[email]>: user unknown; call [phone]" in record["exception"]
    assert record["attempt"] == 3 and record["tenant_id"] == "0a9ca7d1-af61-4722-86c3-091da0c0f921"  # ids stay
