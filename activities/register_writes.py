"""Writes what an engagement says of itself to the benefit register: its
progress at each phase change, and its outcome, record and report at closing."""

from __future__ import annotations

import asyncio

from sqlalchemy.exc import OperationalError, SQLAlchemyError
from temporalio import activity
from temporalio.exceptions import ApplicationError

from fasttrack.contract import ErrorType
from fasttrack.models import RegisterClosing, RegisterProgress
from fasttrack.report import engagement_report
from register import Register


class RegisterActivities:
    """Each write is an idempotent upsert (register/store.py): a retry, a second
    replica or a worker killed mid-write never adds a row or moves a record back.
    A database that does not answer fails the attempt, which is retried; a write
    the database refuses for good is not."""

    def __init__(self, register: Register) -> None:
        self._register = register

    @activity.defn(name="record_progress")
    async def record_progress(self, progress: RegisterProgress) -> None:
        await self._write(self._register.record_progress, progress)

    @activity.defn(name="record_closing")
    async def record_closing(self, closing: RegisterClosing) -> None:
        report = None
        if closing.final_state is not None:
            try:
                report = engagement_report(closing.final_state)
            except Exception as problem:  # the outcome matters more than its report
                activity.logger.error("report not rendered for the register", extra={"failure": type(problem).__name__})
        await self._write(self._register.record_closing, closing, report)

    @staticmethod
    async def _write(write, *arguments) -> None:
        try:
            await asyncio.to_thread(write, *arguments)
        except OperationalError:
            raise  # the database is down or busy: retried
        except SQLAlchemyError as refused:
            raise ApplicationError(f"The register refused the write: {refused}"[:500],
                                   type=ErrorType.REGISTER_REFUSED, non_retryable=True) from None
