"""The customer's personal link: opaque, signed, expiring, and opened only by a configured key."""

from __future__ import annotations

import base64
import os
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagement_client.customer_links import LinkKeys, PageLinks, contact_digest, link_keys
from engagement_client.settings import ConfigurationError, CustomerLinkSettings

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)
LIFETIME = timedelta(days=60)
ENGAGEMENT = "fasttrack-intune-0f8fad5b-d9cb-469f-a165-70867728950e"


def key(name: str) -> str:
    return f"{name}:{base64.b64encode(os.urandom(32)).decode()}"


OLD, NEW = key("2026-05"), key("2026-11")


def test_a_link_names_its_engagement_and_contact_and_nothing_personal_can_be_read_from_it():
    token = LinkKeys(NEW).make(ENGAGEMENT, "Sam@Contoso.example", NOW)
    claims = LinkKeys(NEW).read(token, NOW + timedelta(days=59), LIFETIME)
    assert claims is not None and claims.engagement_id == ENGAGEMENT and claims.made_at == NOW
    assert claims.names_contact("sam@contoso.example ") and not claims.names_contact("kim@contoso.example")
    decoded = base64.urlsafe_b64decode(token + "==")
    digest = contact_digest("sam@contoso.example").encode()
    for personal in (b"sam", b"contoso", b"0f8fad5b", ENGAGEMENT.encode(), digest):
        assert personal not in decoded.lower()
    assert token.isascii() and "/" not in token and "?" not in token and len(token) < 300


def test_a_link_expires_and_a_changed_character_breaks_it():
    keys = LinkKeys(NEW)
    token = keys.make(ENGAGEMENT, "sam@contoso.example", NOW)
    assert keys.read(token.rstrip("="), NOW, LIFETIME) is not None  # its padding is optional
    for other_spelling in (token[:50] + " " + token[50:], token + "\n", f" {token}", token[:50] + "\t" + token[50:]):
        assert keys.read(other_spelling, NOW, LIFETIME) is None
    assert keys.read(token, NOW + LIFETIME + timedelta(seconds=1), LIFETIME) is None
    for position in (10, 60, len(token) - 5):
        changed = token[:position] + ("A" if token[position] != "A" else "B") + token[position + 1:]
        assert keys.read(changed, NOW, LIFETIME) is None


def test_links_survive_a_rotation_while_their_key_is_configured():
    before = LinkKeys(OLD).make(ENGAGEMENT, "sam@contoso.example", NOW)
    rotated = LinkKeys(f"{NEW},{OLD}")
    assert rotated.read(before, NOW, LIFETIME) is not None
    after = rotated.make(ENGAGEMENT, "sam@contoso.example", NOW)
    assert LinkKeys(NEW).read(after, NOW, LIFETIME) is not None  # made with the current key, the first
    assert LinkKeys(NEW).read(before, NOW, LIFETIME) is None  # the old key retired


@given(st.text(max_size=600))
def test_any_text_for_a_token_reads_as_nothing(text):
    assert LinkKeys(NEW).read(text, NOW, LIFETIME) is None


def test_the_mail_link_points_at_the_configured_page():
    links = PageLinks(LinkKeys(NEW), "https://onboarding.example")
    link = links.link(ENGAGEMENT, "sam@contoso.example", NOW)
    assert link.startswith("https://onboarding.example/e/gAAAAA")


def test_bad_or_missing_link_keys_stop_a_process_with_a_sentence(tmp_path):
    with pytest.raises(ConfigurationError, match="No link key: set FASTTRACK_LINK_KEYS"):
        link_keys(CustomerLinkSettings(data_dir=tmp_path, link_keys=None))
    with pytest.raises(ConfigurationError, match="Link keys: Key .* is not valid base64"):
        link_keys(CustomerLinkSettings(data_dir=tmp_path, link_keys="k1:not base64!"))
    with pytest.raises(ConfigurationError, match="FASTTRACK_LINK_KEYS_FILE: .* does not exist"):
        link_keys(CustomerLinkSettings(link_keys_file=tmp_path / "missing"))
