"""Structured logs: structlog renders every record, including the SDK's and
``workflow.logger``'s, which reach it through the standard ``logging`` module."""

from __future__ import annotations

import logging
import re
import sys
import traceback

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

_TEMPORAL_FIELDS = ("workflow_id", "run_id", "workflow_type", "activity_id", "activity_type", "attempt", "update_id")


def _lift_temporal_context(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """The SDK puts workflow and activity ids in ``extra``; make them top-level fields."""
    for key in ("temporal_workflow", "temporal_activity"):
        context = event_dict.pop(key, None)
        if isinstance(context, dict):
            for field in _TEMPORAL_FIELDS:
                if field in context and field not in event_dict:
                    event_dict[field] = context[field]
    return event_dict


WITHHELD = "(message withheld: it may quote customer data)"
# A last line of defence: log lines carry ids, but a library's words (a mail
# server's answer, a driver's) can quote an address or a phone number.
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w.:-])(?:\+\d|\(\d|0\d)[\d ().-]{7,}\d(?![\w:-])")


def redacted(text: str) -> str:
    return _PHONE.sub("[phone]", _EMAIL.sub("[email]", text))


def _redacted_value(value):
    if isinstance(value, str):
        return redacted(value)
    if isinstance(value, (list, tuple)):
        return [_redacted_value(item) for item in value]
    if isinstance(value, dict):
        return {key: _redacted_value(item) for key, item in value.items()}
    return value


def _redact(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    return {key: _redacted_value(value) for key, value in event_dict.items()}


def traceback_without_messages(error: BaseException) -> str:
    """The traceback's frames and each exception's type, but not what the exceptions
    say (the SDK logs every failed activity this way, whatever its error quotes);
    an operating-system error's words (a refused connection, a missing file) stay."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    lines = ["Traceback (most recent call last):\n"]
    for link in reversed(chain):
        lines += traceback.format_tb(link.__traceback__)
        said = str(link) if isinstance(link, OSError) else WITHHELD
        lines.append(f"{type(link).__module__}.{type(link).__qualname__}: {said}\n")
    return "".join(lines)


def _withhold_exception_messages(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    exc_info = event_dict.pop("exc_info", None)
    if exc_info is True:
        exc_info = sys.exc_info()
    error = exc_info if isinstance(exc_info, BaseException) else (exc_info[1] if exc_info else None)
    if error is not None:
        event_dict["exception"] = traceback_without_messages(error)
    return event_dict


def configure_logging(log_format: str = "auto", level: str = "INFO") -> None:
    use_json = log_format == "json" or (log_format == "auto" and not sys.stderr.isatty())
    renderer = structlog.processors.JSONRenderer() if use_json else structlog.dev.ConsoleRenderer()
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.ExtraAdder(), _lift_temporal_context],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            _withhold_exception_messages,
            _redact,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("alembic.runtime.plugins").setLevel(max(logging.getLevelName(level), logging.WARNING))  # its set-up, at every start
    # The ids travel as structured fields; do not also append them to the message.
    from temporalio import activity, workflow

    workflow.logger.workflow_info_on_message = False
    activity.logger.activity_info_on_message = False
