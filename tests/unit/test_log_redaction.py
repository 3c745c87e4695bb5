"""The logs' last line of defence: an address or a phone number that a library's
exception quotes never reaches the log."""

from __future__ import annotations

import json
import logging

import pytest

from process_support.logs import configure_logging


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
    assert "builtins.RuntimeError: (message withheld: it may quote customer data)" in record["exception"]
    assert "raise RuntimeError(" in record["exception"]  # the frames stay
    assert record["attempt"] == 3 and record["tenant_id"] == "0a9ca7d1-af61-4722-86c3-091da0c0f921"  # ids stay


QUOTED_BY_A_LIBRARY = "record for Camille Martin, 06 12 34 56 78, (555) 123-4567"


def test_a_library_error_chain_keeps_its_frames_and_types_but_not_its_words(capsys):
    configure_logging("json", "INFO")
    try:
        try:
            raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 2525)")
        except OSError as refused:
            raise ValueError(QUOTED_BY_A_LIBRARY) from refused  # the frame shows this line, not the words
    except ValueError:
        logging.getLogger("temporalio.activity").warning("Completing activity as failed", exc_info=True)
    line = capsys.readouterr().err.strip().splitlines()[-1]
    exception = json.loads(line)["exception"]
    assert "Camille" not in line and "12 34 56 78" not in line and "123-4567" not in line
    assert "ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 2525)" in exception  # system words stay
    assert exception.index("ConnectionRefusedError") < exception.index("builtins.ValueError: (message withheld")


def test_national_phone_formats_and_nested_values_are_masked(capsys):
    configure_logging("json", "INFO")
    logging.getLogger("fasttrack.test").info("noted", extra={
        "contact": {"phone": "06 12 34 56 78", "us": ["(555) 123-4567"]}, "at": "2026-11-27T10:00:00+01:00",
        "order": "DEMO-640EB5-1", "tenant_id": "0a9ca7d1-af61-4722-86c3-091da0c0f921"})
    record = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert record["contact"] == {"phone": "[phone]", "us": ["[phone]"]}
    assert (record["at"], record["order"]) == ("2026-11-27T10:00:00+01:00", "DEMO-640EB5-1")
    assert record["tenant_id"] == "0a9ca7d1-af61-4722-86c3-091da0c0f921"
