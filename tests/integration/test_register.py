"""The benefit register on real databases, SQLite and a throwaway PostgreSQL:
migrations from empty, R4 and the same order decided by keys even under a race,
and writes that a retry, a replay or a late replica never duplicate or undo."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, inspect, select

from fasttrack.contract import engagement_id_for
from fasttrack.engagement import Engagement
from fasttrack.models import EngagementInput, Outcome, Phase, RegisterClosing, RegisterProgress
from fasttrack.policy import BenefitPolicy
from register import ClaimKind, Register
from register.migrations import downgrade
from register.schema import deliveries, engagements
from tests.support.scenario import make_purchase

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)


def progress_of(purchase, phase: Phase, progress: int, run_id: str = "run-1") -> RegisterProgress:
    return RegisterProgress(
        record_id=purchase.order_id, engagement_id=engagement_id_for(purchase.tenant_id),
        tenant_id=purchase.tenant_id, first_run_id="run-1", run_id=run_id, phase=phase,
        phase_since=NOW + timedelta(minutes=progress), opened_at=purchase.purchased_at, progress=progress,
    )


def closing_of(purchase, status: Phase, progress: int) -> RegisterClosing:
    engagement = Engagement.open(EngagementInput(purchase=purchase, policy=BenefitPolicy()),
                                 engagement_id_for(purchase.tenant_id), NOW)
    state = engagement.state.model_copy(update={
        "phase": status, "outcome": Outcome(status=status, at=NOW + timedelta(days=40)),
    })
    return RegisterClosing(progress=progress_of(purchase, status, progress), outcome=state.outcome,
                           final_state=state)


def claim(register: Register, purchase, at: datetime = NOW):
    return register.claim(purchase, engagement_id_for(purchase.tenant_id), at)


def test_migrations_build_the_schema_from_an_empty_database_and_take_it_down_again(database_url):
    register = Register(database_url)
    register.migrate()
    tables = set(inspect(register.engine).get_table_names())
    assert {"engagements", "tenants", "orders", "deliveries", "alembic_version"} <= tables
    downgrade(register.engine, "base")
    assert set(inspect(register.engine).get_table_names()) <= {"alembic_version"}
    Register(database_url).migrate()  # and up again
    assert "engagements" in inspect(register.engine).get_table_names()


def test_r4_and_the_same_order_are_decided_by_the_register(database_url):
    register = Register(database_url)
    first = make_purchase(NOW)
    assert claim(register, first).kind is ClaimKind.START
    again = claim(register, first)
    assert again.kind is ClaimKind.RECOGNISED and not again.running  # its workflow has not written yet
    second = make_purchase(NOW, tenant_id=first.tenant_id, order_id="ORD-second")
    assert claim(register, second).kind is ClaimKind.ATTACH
    register.record_progress(progress_of(first, Phase.INITIATE, 3))
    assert claim(register, first).running
    register.record_closing(closing_of(first, Phase.COMPLETED, 40), "# report")
    refused = claim(register, make_purchase(NOW, tenant_id=first.tenant_id, order_id="ORD-third"))
    assert refused.kind is ClaimKind.REFUSE
    assert f"has used the benefit: engagement {engagement_id_for(first.tenant_id)} closed as completed on" in \
        refused.message
    assert claim(register, second).kind is ClaimKind.RECOGNISED  # an order seen before is never refused
    assert register.counts()["orders"] == 2  # a refused order is not recorded


def test_after_an_ineligible_closing_a_new_order_starts_again_and_the_old_one_is_recognised(database_url):
    register = Register(database_url)
    small = make_purchase(NOW, licenses=100)
    claim(register, small)
    register.record_closing(closing_of(small, Phase.INELIGIBLE, 2), "# report")
    assert claim(register, small).kind is ClaimKind.RECOGNISED  # the same ineligible order: nothing starts
    bigger = make_purchase(NOW, tenant_id=small.tenant_id, order_id="ORD-bigger")
    assert claim(register, bigger).kind is ClaimKind.START_AGAIN
    records = register.records_of(small.tenant_id)
    assert [record.record_id for record in records] == [small.order_id, "ORD-bigger"]
    latest = register.latest(engagement_id_for(small.tenant_id))
    assert latest is not None and latest.record_id == "ORD-bigger"


def test_purchases_racing_for_one_tenant_open_one_engagement(database_url):
    register = Register(database_url)
    register.migrate()
    tenant = make_purchase(NOW).tenant_id
    purchases = [make_purchase(NOW, tenant_id=tenant, order_id=f"ORD-race-{number}") for number in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        kinds = list(pool.map(lambda purchase: claim(Register(database_url), purchase).kind, purchases))
    assert kinds.count(ClaimKind.START) == 1 and kinds.count(ClaimKind.ATTACH) == 7
    assert len(register.records_of(tenant)) == 1 and register.counts()["orders"] == 8
    same = make_purchase(NOW, order_id="ORD-same")
    with ThreadPoolExecutor(max_workers=4) as pool:
        kinds = list(pool.map(lambda _: claim(Register(database_url), same).kind, range(4)))
    assert sorted(kinds) == sorted([ClaimKind.START] + [ClaimKind.RECOGNISED] * 3)


def test_writes_are_idempotent_and_never_move_an_engagement_back(database_url):
    register = Register(database_url)
    purchase = make_purchase(NOW)
    claim(register, purchase)
    for _ in range(3):  # a retried activity, a replayed workflow
        register.record_progress(progress_of(purchase, Phase.ASSESS, 10))
    register.record_progress(progress_of(purchase, Phase.INITIATE, 4))  # late, from an older attempt
    latest = register.latest(engagement_id_for(purchase.tenant_id))
    assert latest is not None and latest.phase is Phase.ASSESS
    closing = closing_of(purchase, Phase.COMPLETED, 50)
    register.record_closing(closing, "# report")
    register.record_closing(closing, "# report")
    register.record_progress(progress_of(purchase, Phase.ENABLE_INTUNE, 45))  # still on its way at closing
    record = register.latest(engagement_id_for(purchase.tenant_id))
    assert record is not None and record.outcome is not None and record.final_state is not None
    assert record.phase is Phase.COMPLETED and record.outcome.status is Phase.COMPLETED
    assert record.report == "# report" and record.final_state.purchase.order_id == purchase.order_id
    assert register.counts() == {"engagements": 1, "tenants": 1, "orders": 1, "deliveries": 0}
    with register.engine.connect() as db:
        assert db.execute(select(engagements.c.latest_run_id)).scalar_one() == "run-1"
    register.record_delivered("<m1@fasttrack-orchestrator>", NOW)
    register.record_delivered("<m1@fasttrack-orchestrator>", NOW)
    assert register.was_delivered("<m1@fasttrack-orchestrator>") and register.counts()["deliveries"] == 1


def test_an_engagement_from_before_the_register_claims_its_tenant_on_its_first_write(database_url):
    register = Register(database_url)
    running = make_purchase(NOW)
    register.record_progress(progress_of(running, Phase.REMEDIATE, 30))  # never claimed: it started earlier
    later = make_purchase(NOW, tenant_id=running.tenant_id, order_id="ORD-later")
    assert claim(register, later).kind is ClaimKind.ATTACH
    assert claim(register, running).kind is ClaimKind.RECOGNISED


def test_only_an_unstarted_open_engagement_may_be_started_again_by_its_order(database_url):
    register = Register(database_url)
    purchase = make_purchase(NOW)
    claim(register, purchase)
    assert claim(register, purchase).may_start  # a start that may not have reached Temporal
    register.record_vanished(purchase.order_id, NOW)
    again = claim(register, purchase)
    assert again.kind is ClaimKind.RECOGNISED and not again.may_start
    attached = make_purchase(NOW, tenant_id=purchase.tenant_id, order_id="ORD-next")
    assert claim(register, attached).kind is ClaimKind.START_AGAIN  # gone without an outcome
    assert not claim(register, make_purchase(NOW, tenant_id=purchase.tenant_id, order_id="ORD-x")).may_start


def test_reading_never_waits_for_a_writer(database_url):
    register = Register(database_url)
    register.migrate()
    register.record_delivered("<sent@fasttrack>", NOW)
    with register.engine.begin() as writer:  # a replica in the middle of a write holds the write lock
        writer.execute(insert(deliveries).values(message_id="<sending@fasttrack>", delivered_at=NOW))
        assert register.was_delivered("<sent@fasttrack>")
        assert not register.was_delivered("<sending@fasttrack>")  # not until it is committed
        assert register.latest(engagement_id_for(make_purchase(NOW).tenant_id)) is None
    assert register.was_delivered("<sending@fasttrack>")
