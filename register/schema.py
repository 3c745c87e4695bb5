"""The register's tables. Changed only through a new Alembic revision
(register/migrations/versions), never in place."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKey, Integer, MetaData, String, Table, Text, true

metadata = MetaData()

# One engagement record per run of the benefit for a tenant: an ineligible
# purchase closes its record, and a later one for the tenant opens another.
engagements = Table(
    "engagements",
    metadata,
    Column("record_id", String(200), primary_key=True, comment="The order that opened the engagement"),
    Column("engagement_id", String(250), nullable=False, index=True, comment="The Temporal workflow id"),
    Column("tenant_id", String(64), nullable=False, index=True),
    Column("first_run_id", String(64), comment="Set by the workflow once it runs"),
    Column("latest_run_id", String(64)),
    Column("phase", String(32), nullable=False),
    Column("phase_since", DateTime(timezone=True), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True), index=True),
    Column("outcome", JSON, comment="Status, date, reasons and what was left open"),
    Column("progress", Integer, nullable=False, comment="Timeline entries so far: a write never goes back"),
    Column("final_state", Text, comment="The engagement's whole record at closing (JSON)"),
    Column("report", Text, comment="The closing report (Markdown)"),
    Column("contact_made_at", DateTime(timezone=True), comment="Null until contact, and in records written before"),
    Column("contact_sla_breached", Boolean, comment="Null until known: the contact SLA met (false) or missed (true)"),
)

# R4: one row per tenant, naming its current engagement record. The primary key
# makes two purchases for a new tenant, at the same moment, open one engagement.
tenants = Table(
    "tenants",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("record_id", String(200), ForeignKey("engagements.record_id"), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Every order seen, once: the same order sent again is recognised by its key.
orders = Table(
    "orders",
    metadata,
    Column("order_id", String(200), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("record_id", String(200), ForeignKey("engagements.record_id"), nullable=False, index=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

# The messages the mail server accepted, by Message-ID: every worker replica sees
# them, so a retried attempt anywhere sends nothing twice.
deliveries = Table(
    "deliveries",
    metadata,
    Column("message_id", String(300), primary_key=True),
    Column("delivered_at", DateTime(timezone=True), nullable=False),
)

# Signed requests seen in the last minutes: the same request sent again is refused
# (replay protection shared by every intake replica).
signed_requests = Table(
    "signed_requests",
    metadata,
    Column("signature", String(100), primary_key=True),
    Column("seen_at", DateTime(timezone=True), nullable=False, index=True),
    # False while the request is being handled: a claim nobody answered lapses, and the request may come again.
    Column("answered", Boolean, nullable=False, server_default=true()),
)

# The Idempotency-Keys operators sent with actions, with a digest of the request each came with:
# the same key with another request is refused.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("key_digest", String(64), primary_key=True),
    Column("request_digest", String(64), nullable=False),
    Column("first_seen_at", DateTime(timezone=True), nullable=False, index=True),
)

# When each engagement's customer last opened their page (`fasttrack status` says it):
# a page view writes here, never to the engagement's history.
page_visits = Table(
    "page_visits",
    metadata,
    Column("engagement_id", String(200), primary_key=True),
    Column("last_opened_at", DateTime(timezone=True), nullable=False),
)

# Every phase each engagement record entered, and when: the board's trends (time in
# each phase, open engagements by phase over time) outlive Temporal's retention.
phase_changes = Table(
    "phase_changes",
    metadata,
    Column("record_id", String(200), ForeignKey("engagements.record_id"), primary_key=True),
    Column("phase", String(32), primary_key=True),
    Column("since", DateTime(timezone=True), nullable=False, index=True),
)
