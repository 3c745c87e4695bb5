"""The customer's personal link: an opaque token that names one engagement and the
contact a mail was sent to, encrypted and signed with Fernet (the ``cryptography``
package) and stamped with the time it was made.

Nothing in the URL can be read without the key: the contact is named by a digest of
their address, inside the encrypted part. The keys are configured like the payload
keys (``<key id>:<base64 of 32 bytes>``, the current key first): new links are made
with the current key, and a link opens while its key is still configured. A token
that is unknown, tampered with, expired or made with a retired key reads as nothing,
the same for all of them."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from engagement_client.codec import KeyProblem, parse_keys
from engagement_client.settings import ConfigurationError, CustomerLinkSettings

# A token as the links spell it: base64url, its padding optional. Fernet's decoder would also take
# whitespace and other spellings of one token; they are refused here, so that one link is one string.
TOKEN = re.compile(r"[A-Za-z0-9_-]{40,400}={0,2}")  # today's claims make about 230 characters


def contact_digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


@dataclass(frozen=True)
class LinkClaims:
    engagement_id: str
    contact: str  # contact_digest of the address the mail went to
    made_at: datetime  # when its mail was sent (Fernet's timestamp, which the token shows)

    def names_contact(self, email: str) -> bool:
        return self.contact == contact_digest(email)


class LinkKeys:
    def __init__(self, configured: str) -> None:
        current, keys = parse_keys(configured)
        ordered = [keys[current]] + [key for key_id, key in keys.items() if key_id != current]
        self._fernet = MultiFernet([Fernet(base64.urlsafe_b64encode(key)) for key in ordered])

    def make(self, engagement_id: str, email: str, at: datetime) -> str:
        claims = json.dumps({"e": engagement_id, "c": contact_digest(email)}, separators=(",", ":"))
        return self._fernet.encrypt_at_time(claims.encode(), int(at.timestamp())).decode("ascii")

    def read(self, token: str, now: datetime, lifetime: timedelta) -> LinkClaims | None:
        if not TOKEN.fullmatch(token):
            return None
        try:
            plain = self._fernet.decrypt_at_time(token.encode("ascii"), int(lifetime.total_seconds()),
                                                 int(now.timestamp()))
            made_at = datetime.fromtimestamp(self._fernet.extract_timestamp(token.encode("ascii")), tz=now.tzinfo)
            claims = json.loads(plain)
            return LinkClaims(engagement_id=str(claims["e"]), contact=str(claims["c"]), made_at=made_at)
        except (InvalidToken, ValueError, KeyError, TypeError):
            return None


PAGE_PATH = "/e/"  # the page of a link: <page url>/e/<token>


@dataclass(frozen=True)
class PageLinks:
    """The links that mail to the customer carries: made with the current key, at the time of sending."""

    keys: LinkKeys
    page_url: str

    def link(self, engagement_id: str, email: str, at: datetime) -> str:
        return f"{self.page_url}{PAGE_PATH}{self.keys.make(engagement_id, email, at)}"


def page_links(settings: CustomerLinkSettings) -> PageLinks | None:
    """The links the worker's mail carries, once the page has an address."""
    page_url = settings.page_url
    return None if page_url is None else PageLinks(link_keys(settings), page_url)


def link_keys(settings: CustomerLinkSettings) -> LinkKeys:
    try:
        return LinkKeys(settings.link_keys_text())
    except KeyProblem as problem:
        raise ConfigurationError(f"Link keys: {problem}") from None
