"""One root for every error the product raises on purpose, so a caller can tell
them from bugs: a refusal by the rules, bad configuration, a missing template."""

from __future__ import annotations


class FastTrackError(Exception):
    """Something the product says no to, with a sentence a person understands."""


class ActionRejected(FastTrackError, ValueError):
    """An action that the rules do not allow now; the message is for a person."""


class BenefitAlreadyUsed(FastTrackError):
    """R4: each eligible service is onboarded once per tenant."""
