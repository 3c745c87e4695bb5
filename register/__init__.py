"""The benefit register: the engagements, tenants and orders that must outlive
Temporal's retention (R4 holds forever; a closed engagement's report stays
readable), in a real database through SQLAlchemy, its schema kept by Alembic."""

from register.store import (Claim, ClaimKind, ClosedRecord, EngagementRecord, Register, RegisterUnavailable, Sighting,
                            TrendRecord)

__all__ = ["Claim", "ClosedRecord", "ClaimKind", "EngagementRecord", "Register", "RegisterUnavailable", "Sighting",
           "TrendRecord"]
