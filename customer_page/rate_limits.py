"""Rate limits per link and per client address (the ``limits`` package, a moving window
kept in memory: each replica counts its own requests)."""

from __future__ import annotations

import hashlib

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from customer_page.settings import CustomerPageSettings


def link_key(token: str) -> str:
    """A link as the limits know it: a digest, so that no token is kept, even in memory; with or
    without its padding, the same link."""
    return hashlib.sha256(token.rstrip("=").encode()).hexdigest()[:32]


class RateLimits:
    def __init__(self, settings: CustomerPageSettings) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._views = RateLimitItemPerMinute(settings.page_views_per_minute)
        self._actions = RateLimitItemPerMinute(settings.page_actions_per_minute)
        self._address = RateLimitItemPerMinute(settings.page_requests_per_address_per_minute)

    def allow(self, token: str, address: str, acting: bool) -> bool:
        """Counts the request; False once the link or the address has used its minute."""
        link = link_key(token)
        allowed = self._limiter.hit(self._address, "address", address)
        allowed = self._limiter.hit(self._views, "link", link) and allowed
        if acting:
            allowed = self._limiter.hit(self._actions, "link-action", link) and allowed
        return allowed
