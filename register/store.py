"""Reads and writes the benefit register. Every write is idempotent: a retried
activity, a replayed workflow or a worker killed mid-write never adds a row or
moves an engagement back."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import StrEnum
from pathlib import Path

from alembic.util import CommandError
from sqlalchemy import Engine, create_engine, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError

from fasttrack.benefit_use import ExistingEngagement, PurchaseDecision, decide_purchase
from fasttrack.errors import FastTrackError
from fasttrack.models import EngagementState, Outcome, Phase, Purchase, RegisterClosing, RegisterProgress
from register import sqlite_settings
from register.schema import (deliveries, engagements, idempotency_keys, orders, page_visits, phase_changes,
                             signed_requests, tenants)

_MIGRATING = threading.Lock()
CLAIM_ATTEMPTS = 5  # a lost race with another purchase for the tenant is decided again


class RegisterUnavailable(FastTrackError):
    """The register's database cannot be reached or is not a database URL."""


class ClaimKind(StrEnum):
    START = "start"  # a new engagement for the tenant
    START_AGAIN = "start_again"  # the tenant's last engagement closed as ineligible
    ATTACH = "attach"  # another order for the tenant's open engagement
    RECOGNISED = "recognised"  # this order was seen before
    REFUSE = "refuse"  # the tenant has used the benefit


class Sighting(StrEnum):
    NEW = "new"  # claimed now: handle it
    BEING_HANDLED = "being_handled"  # claimed by another request a moment ago
    ANSWERED = "answered"  # handled: the same bytes again are a replay


@dataclass(frozen=True)
class Claim:
    kind: ClaimKind
    message: str
    record_id: str | None = None
    running: bool = False  # the engagement's workflow has written to the register
    may_start: bool = False  # an order seen before whose engagement never started, and may still


@dataclass(frozen=True)
class EngagementRecord:
    record_id: str
    engagement_id: str
    tenant_id: str
    first_run_id: str | None
    phase: Phase
    phase_since: datetime
    opened_at: datetime
    closed_at: datetime | None
    outcome: Outcome | None
    final_state: EngagementState | None
    report: str | None


@dataclass(frozen=True)
class TrendRecord:
    """What the board's trends read of one engagement record: no customer data."""

    opened_at: datetime
    closed_at: datetime | None
    phase: Phase  # now, or how it closed
    contact_made_at: datetime | None
    contact_sla_breached: bool | None  # None: not known (yet, or written before it was kept)
    phases: list[tuple[Phase, datetime]]  # every phase it entered, and when, in order


@dataclass(frozen=True)
class ClosedRecord:
    engagement_id: str
    phase: Phase
    closed_at: datetime
    organization: str | None


@contextmanager
def reachable() -> Iterator[None]:
    """A database that does not answer, as the register's callers catch it."""
    try:
        yield
    except OperationalError as error:
        raise RegisterUnavailable(f"The benefit register cannot be reached: {error.orig}") from None


def _utc(moment: datetime) -> datetime:
    # SQLite keeps no zone: every moment written is UTC.
    if moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)


def default_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir.resolve() / 'register.db'}"


def safe_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a database URL)"


class Register:
    def __init__(self, url: str, create: bool = True) -> None:
        """``create``: a SQLite file that does not exist yet is created (the worker's
        way); a client refuses instead, so that it never decides R4 against an
        empty register of its own."""
        self.url = url
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise RegisterUnavailable(
                "FASTTRACK_DATABASE_URL is not a database URL; use sqlite:///path/register.db "
                "or postgresql+psycopg://user:password@host/database."
            ) from None
        if parsed.get_backend_name() not in ("sqlite", "postgresql"):
            raise RegisterUnavailable(f"The benefit register runs on SQLite or PostgreSQL, not {parsed.drivername}.")
        if parsed.get_backend_name() == "sqlite" and parsed.database and not parsed.database.startswith("file:"):
            if not create and not Path(parsed.database).exists():
                raise RegisterUnavailable(
                    f"There is no benefit register at {parsed.database}. Start the stack (`make run`) first, or set "
                    "FASTTRACK_DATA_DIR or FASTTRACK_DATABASE_URL to the worker's."
                )
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # Hidden parameters: a database error's text would quote the record it was writing, into logs.
        self.engine: Engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
        if parsed.get_backend_name() == "sqlite":
            sqlite_settings.configure(self.engine)
        self._migrated = False

    def __repr__(self) -> str:
        return f"Register({safe_url(self.url)})"

    def migrate(self) -> None:
        """Brings the schema to the latest revision (Alembic); cheap once it is there."""
        if self._migrated:
            return
        from register.migrations import upgrade  # Alembic only where the schema may change

        with _MIGRATING:  # Alembic's context is one per process
            if self._migrated:
                return
            try:
                upgrade(self.engine)
            except OperationalError as error:
                raise RegisterUnavailable(
                    f"The benefit register at {safe_url(self.url)} cannot be reached: {error.orig}"
                ) from None
            except CommandError as error:  # a schema from a later release, say
                raise RegisterUnavailable(f"The benefit register's schema cannot be brought up to date: {error}") from None
            self._migrated = True

    def dispose(self) -> None:
        self.engine.dispose()

    # ---------------------------------------------------------------- the start path

    def claim(self, purchase: Purchase, engagement_id: str, now: datetime) -> Claim:
        """Decides what a purchase leads to (R4) and records it, in one transaction.
        Two purchases racing for one tenant collide on a key; the loser decides again."""
        self.migrate()
        for _ in range(CLAIM_ATTEMPTS):
            try:
                with self.engine.begin() as db:
                    return self._claim(db, purchase, engagement_id, now)
            except IntegrityError:
                continue
            except OperationalError as error:
                raise RegisterUnavailable(
                    f"The benefit register at {safe_url(self.url)} cannot be reached: {error.orig}"
                ) from None
        raise RegisterUnavailable(f"Order {purchase.order_id} could not be recorded: the register stayed busy.")

    def _claim(self, db, purchase: Purchase, engagement_id: str, now: datetime) -> Claim:
        seen = db.execute(select(orders).where(orders.c.order_id == purchase.order_id)).first()
        tenant = db.execute(select(tenants).where(tenants.c.tenant_id == purchase.tenant_id).with_for_update()).first()
        if seen is not None:
            record = self._record_row(db, seen.record_id)
            if seen.tenant_id != purchase.tenant_id:
                return Claim(ClaimKind.REFUSE, f"Order {purchase.order_id} is already recorded for another tenant.")
            current = tenant is not None and tenant.record_id == record.record_id
            return Claim(ClaimKind.RECOGNISED,
                         f"Order {purchase.order_id} is already recorded on engagement {record.engagement_id}.",
                         record.record_id, running=record.first_run_id is not None,
                         may_start=current and record.first_run_id is None and record.closed_at is None
                         and record.record_id == purchase.order_id)
        if tenant is None:
            self._open_record(db, purchase, engagement_id, now)
            db.execute(insert(tenants).values(tenant_id=purchase.tenant_id, record_id=purchase.order_id,
                                              updated_at=now))
            self._add_order(db, purchase, purchase.order_id, now)
            return Claim(ClaimKind.START, f"Engagement {engagement_id} started.", purchase.order_id)
        record = self._record_row(db, tenant.record_id)
        seen_orders = db.execute(select(orders.c.order_id).where(orders.c.record_id == record.record_id)).scalars()
        outcome = Outcome.model_validate(record.outcome) if record.outcome else None
        existing = ExistingEngagement(record.engagement_id, outcome, frozenset(seen_orders))
        decision = decide_purchase(purchase, existing, run_ended=record.closed_at is not None)
        if decision.kind is PurchaseDecision.REFUSE:
            return Claim(ClaimKind.REFUSE, decision.message, record.record_id, running=True)
        if decision.kind is PurchaseDecision.ATTACH:
            self._add_order(db, purchase, record.record_id, now)
            return Claim(ClaimKind.ATTACH, decision.message, record.record_id, running=record.first_run_id is not None)
        self._open_record(db, purchase, engagement_id, now)
        moved = db.execute(
            update(tenants)
            .where(tenants.c.tenant_id == purchase.tenant_id, tenants.c.record_id == record.record_id)
            .values(record_id=purchase.order_id, updated_at=now)
        )
        if moved.rowcount != 1:
            raise IntegrityError("tenant moved on", None, Exception("another purchase won the race"))
        self._add_order(db, purchase, purchase.order_id, now)
        return Claim(ClaimKind.START_AGAIN, decision.message, purchase.order_id)

    @staticmethod
    def _record_row(db, record_id: str):
        return db.execute(select(engagements).where(engagements.c.record_id == record_id).with_for_update()).one()

    @staticmethod
    def _open_record(db, purchase: Purchase, engagement_id: str, now: datetime) -> None:
        db.execute(insert(engagements).values(
            record_id=purchase.order_id, engagement_id=engagement_id, tenant_id=purchase.tenant_id,
            phase=Phase.ELIGIBILITY.value, phase_since=now, opened_at=now, progress=0,
        ))

    @staticmethod
    def _add_order(db, purchase: Purchase, record_id: str, now: datetime) -> None:
        db.execute(insert(orders).values(order_id=purchase.order_id, tenant_id=purchase.tenant_id,
                                         record_id=record_id, received_at=now))

    def record_vanished(self, record_id: str, now: datetime) -> None:
        """The engagement's workflow is gone without an outcome (terminated): the
        tenant's next purchase may start again."""
        self.migrate()
        with self.engine.begin() as db:
            db.execute(update(engagements).where(engagements.c.record_id == record_id,
                                                 engagements.c.closed_at.is_(None)).values(closed_at=now))

    def adopt(self, claimed_order: str, earlier: RegisterProgress, closing: RegisterClosing | None,
              report: str | None) -> None:
        """An engagement that began before the register existed, found in Temporal
        when its tenant's next order was claimed: the claim is withdrawn and the
        engagement recorded instead, so that the order can be decided again."""
        self.migrate()
        with self.engine.begin() as db:
            db.execute(delete(orders).where(orders.c.order_id == claimed_order))
            db.execute(delete(tenants).where(tenants.c.record_id == claimed_order))
            db.execute(delete(engagements).where(engagements.c.record_id == claimed_order,
                                                 engagements.c.first_run_id.is_(None)))
            self._upsert(db, earlier, self._closing_values(closing, report) if closing else {})

    # ---------------------------------------------------------------- from the workflow

    def record_progress(self, progress: RegisterProgress) -> None:
        self.migrate()
        with self.engine.begin() as db:
            self._upsert(db, progress, {})

    def record_closing(self, closing: RegisterClosing, report: str | None) -> None:
        self.migrate()
        with self.engine.begin() as db:
            self._upsert(db, closing.progress, self._closing_values(closing, report))

    @staticmethod
    def _closing_values(closing: RegisterClosing, report: str | None) -> dict:
        outcome = closing.outcome
        return {
            "closed_at": outcome.at if outcome else closing.progress.phase_since,
            "outcome": outcome.model_dump(mode="json") if outcome else None,
            "final_state": closing.final_state.model_dump_json() if closing.final_state else None,
            "report": report,
        }

    def _upsert(self, db, progress: RegisterProgress, closing: dict) -> None:
        """Writes what the engagement says of itself; an older write arriving late
        (a retry, a replica) never overwrites a newer one, and the same write twice
        changes nothing."""
        values = {
            "record_id": progress.record_id, "engagement_id": progress.engagement_id,
            "tenant_id": progress.tenant_id, "first_run_id": progress.first_run_id,
            "latest_run_id": progress.run_id, "phase": progress.phase.value, "phase_since": progress.phase_since,
            "opened_at": progress.opened_at, "progress": progress.progress, **closing,
            # Older writes know nothing of the contact: what a newer write said stays.
            **{key: value for key, value in (("contact_made_at", progress.contact_made_at),
                                             ("contact_sla_breached", progress.contact_sla_breached))
               if value is not None},
        }
        changing = {key: value for key, value in values.items() if key not in ("record_id", "opened_at")}
        statement = self._insert(engagements).values(**values)
        db.execute(statement.on_conflict_do_update(
            index_elements=[engagements.c.record_id],
            set_=changing,
            where=engagements.c.progress <= statement.excluded.progress,
        ))
        phase = self._insert(phase_changes).values(record_id=progress.record_id, phase=progress.phase.value,
                                                    since=progress.phase_since)
        db.execute(phase.on_conflict_do_nothing(index_elements=[phase_changes.c.record_id, phase_changes.c.phase]))
        # An engagement that ran before the register existed claims its tenant on its first write.
        tenant = self._insert(tenants).values(tenant_id=progress.tenant_id, record_id=progress.record_id,
                                                updated_at=progress.phase_since)
        db.execute(tenant.on_conflict_do_nothing(index_elements=[tenants.c.tenant_id]))
        order = self._insert(orders).values(order_id=progress.record_id, tenant_id=progress.tenant_id,
                                              record_id=progress.record_id, received_at=progress.opened_at)
        db.execute(order.on_conflict_do_nothing(index_elements=[orders.c.order_id]))

    def _insert(self, table):
        """An INSERT that can say ON CONFLICT, in the register's own dialect."""
        return {"sqlite": sqlite, "postgresql": postgresql}[self.engine.dialect.name].insert(table)

    # ---------------------------------------------------------------- reading

    def latest(self, engagement_id: str) -> EngagementRecord | None:
        """The tenant's current record, for an engagement id (one per tenant)."""
        self.migrate()
        with self._reading() as db:
            row = db.execute(
                select(engagements).join(tenants, tenants.c.record_id == engagements.c.record_id)
                .where(engagements.c.engagement_id == engagement_id)
            ).first()
        return None if row is None else _record(row)

    def records_of(self, tenant_id: str) -> list[EngagementRecord]:
        self.migrate()
        with self._reading() as db:
            rows = db.execute(select(engagements).where(engagements.c.tenant_id == tenant_id)
                              .order_by(engagements.c.opened_at)).all()
        return [_record(row) for row in rows]

    # ---------------------------------------------------------------- the delivery ledger

    def was_delivered(self, message_id: str) -> bool:
        self.migrate()
        with self._reading() as db:
            return db.execute(select(deliveries.c.message_id).where(deliveries.c.message_id == message_id)).first() \
                is not None

    def record_delivered(self, message_id: str, at: datetime) -> None:
        self.migrate()
        with self.engine.begin() as db:
            db.execute(self._insert(deliveries).values(message_id=message_id, delivered_at=at)
                       .on_conflict_do_nothing(index_elements=[deliveries.c.message_id]))

    # ---------------------------------------------------------------- signed requests

    def claim_signature(self, signature: str, now: datetime, forget_before: datetime, lapse_before: datetime
                        ) -> Sighting:
        """Whether a signed request is new (and now claimed), being handled, or answered. A claim made
        before ``lapse_before`` and never answered lapses: whoever held it stopped, and the request may
        be handled again. Those signed before ``forget_before`` are forgotten."""
        self.migrate()
        with reachable(), self.engine.begin() as db:
            db.execute(delete(signed_requests).where(signed_requests.c.seen_at < forget_before))
            added = db.execute(self._insert(signed_requests).values(signature=signature, seen_at=now, answered=False)
                               .on_conflict_do_nothing(index_elements=[signed_requests.c.signature]))
            if added.rowcount == 1:
                return Sighting.NEW
            lapsed = db.execute(update(signed_requests).where(
                signed_requests.c.signature == signature, signed_requests.c.answered.is_(False),
                signed_requests.c.seen_at < lapse_before).values(seen_at=now))
            if lapsed.rowcount == 1:
                return Sighting.NEW
            answered = db.execute(select(signed_requests.c.answered)
                                  .where(signed_requests.c.signature == signature)).scalar_one()
        return Sighting.ANSWERED if answered else Sighting.BEING_HANDLED

    def answer_signature(self, signature: str) -> None:
        """The signed request was handled: the same bytes again are a replay."""
        with reachable(), self.engine.begin() as db:
            db.execute(update(signed_requests).where(signed_requests.c.signature == signature).values(answered=True))

    def release_signature(self, signature: str) -> None:
        """A signed request that could not be handled may be sent again as it was."""
        with reachable(), self.engine.begin() as db:
            db.execute(delete(signed_requests).where(signed_requests.c.signature == signature,
                                                     signed_requests.c.answered.is_(False)))

    # ---------------------------------------------------------------- idempotency keys

    def same_request(self, key_digest: str, request_digest: str, now: datetime, forget_before: datetime) -> bool:
        """Whether an Idempotency-Key comes with the request it first came with (or is new)."""
        self.migrate()
        with reachable(), self.engine.begin() as db:
            db.execute(delete(idempotency_keys).where(idempotency_keys.c.first_seen_at < forget_before))
            db.execute(self._insert(idempotency_keys)
                       .values(key_digest=key_digest, request_digest=request_digest, first_seen_at=now)
                       .on_conflict_do_nothing(index_elements=[idempotency_keys.c.key_digest]))
            first = db.execute(select(idempotency_keys.c.request_digest)
                               .where(idempotency_keys.c.key_digest == key_digest)).scalar_one()
        return bool(first == request_digest)

    # ---------------------------------------------------------------- the customer's page

    def record_page_visit(self, engagement_id: str, at: datetime) -> None:
        """The customer opened their page at ``at`` (a visit that arrives late keeps the latest)."""
        self.migrate()
        with reachable(), self.engine.begin() as db:
            statement = self._insert(page_visits).values(engagement_id=engagement_id, last_opened_at=at)
            db.execute(statement.on_conflict_do_update(
                index_elements=[page_visits.c.engagement_id], set_={"last_opened_at": at},
                where=page_visits.c.last_opened_at < at))

    def page_last_opened(self, engagement_id: str) -> datetime | None:
        self.migrate()
        with reachable(), self._reading() as db:
            moment = db.execute(select(page_visits.c.last_opened_at)
                                .where(page_visits.c.engagement_id == engagement_id)).scalar_one_or_none()
        return None if moment is None else _utc(moment)

    def trend_records(self, since: datetime) -> list[TrendRecord]:
        """Every record open at some moment since ``since``, with the phases it entered: the board's trends."""
        self.migrate()
        with reachable(), self._reading() as db:
            relevant = (engagements.c.closed_at.is_(None)) | (engagements.c.closed_at >= since)
            rows = db.execute(select(engagements.c.record_id, engagements.c.opened_at, engagements.c.closed_at,
                                     engagements.c.phase, engagements.c.contact_made_at,
                                     engagements.c.contact_sla_breached).where(relevant)).all()
            entered: dict[str, list[tuple[Phase, datetime]]] = {}
            changes = select(phase_changes.c.record_id, phase_changes.c.phase, phase_changes.c.since).join(
                engagements, engagements.c.record_id == phase_changes.c.record_id).where(relevant)
            for change in db.execute(changes):
                entered.setdefault(change.record_id, []).append((Phase(change.phase), _utc(change.since)))
        return [TrendRecord(opened_at=_utc(row.opened_at), closed_at=_utc(row.closed_at) if row.closed_at else None,
                            phase=Phase(row.phase),
                            contact_made_at=_utc(row.contact_made_at) if row.contact_made_at else None,
                            contact_sla_breached=row.contact_sla_breached,
                            phases=sorted(entered.get(row.record_id, []), key=lambda change: change[1]))
                for row in rows]

    def recently_closed(self, limit: int) -> list[ClosedRecord]:
        """The engagements closed last, newest first, with the organization their record names."""
        self.migrate()
        with reachable(), self._reading() as db:
            rows = db.execute(select(engagements.c.engagement_id, engagements.c.phase, engagements.c.closed_at,
                                     engagements.c.final_state)
                              .where(engagements.c.closed_at.is_not(None), engagements.c.phase != Phase.INELIGIBLE.value)
                              .order_by(engagements.c.closed_at.desc()).limit(limit)).all()
        return [ClosedRecord(engagement_id=row.engagement_id, phase=Phase(row.phase), closed_at=_utc(row.closed_at),
                             organization=EngagementState.model_validate_json(row.final_state).purchase.organization
                             if row.final_state else None)
                for row in rows]

    def _reading(self):
        return self.engine.connect().execution_options(**{sqlite_settings.READ_ONLY: True})

    def ping(self) -> None:
        """Raises if the database does not answer: the worker's readiness check."""
        with self._reading() as db:
            db.execute(select(1))

    def counts(self) -> dict[str, int]:
        self.migrate()
        with self._reading() as db:
            return {table.name: db.execute(select(func.count()).select_from(table)).scalar_one()
                    for table in (engagements, tenants, orders, deliveries)}


def _record(row) -> EngagementRecord:
    return EngagementRecord(
        record_id=row.record_id, engagement_id=row.engagement_id, tenant_id=row.tenant_id,
        first_run_id=row.first_run_id, phase=Phase(row.phase), phase_since=_utc(row.phase_since),
        opened_at=_utc(row.opened_at), closed_at=_utc(row.closed_at) if row.closed_at is not None else None,
        outcome=Outcome.model_validate(row.outcome) if row.outcome else None,
        final_state=EngagementState.model_validate_json(row.final_state) if row.final_state else None,
        report=row.report,
    )
