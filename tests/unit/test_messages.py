"""Every message kind renders in every assistance language (pure)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from fasttrack.messages import available_languages, catalog, localize, phrase, render_message
from fasttrack.models import Audience, CallKind, Notification, NotificationKind, Phrase, ScheduledCall
from fasttrack.policy import BenefitPolicy

LANGUAGES = BenefitPolicy().languages
START = datetime(2026, 12, 3, 9, 30, tzinfo=timezone.utc)


def flatten(tree: dict, prefix: str = "") -> dict[str, str]:
    flat = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def sample(kind: NotificationKind, language: str, **changes) -> Notification:
    call = ScheduledCall(kind=CallKind.CHECKPOINT, number=2, uid="checkpoint-2.x@fasttrack-orchestrator",
                         start=START, end=START + timedelta(minutes=30))
    values = dict(
        engagement_id="fasttrack-intune-x",
        kind=kind,
        key=f"ORD-1/{kind.value}/1",
        audience=Audience.CUSTOMER,
        to=["paula@contoso.example"],
        recipient_name="Paula Martin",
        language=language,
        time_zone="Europe/Paris",
        country="FR",
        send_at=START,
        summary="test",
        facts={"tenant_id": "0f8fad5b", "organization": "Contoso", "attempt": "2", "outreach_attempts": "5",
               "project_manager": "Paula Martin",
               "item_count": "3", "number": "2", "outcome": "expired", "updated": ""},
        moments={"contact_deadline": START, "call_start": START, "since": START, "deadline": START},
        lines=[
            Phrase(text="Add the enrollment CNAME", ref="dns-1"),  # the customer's own words
            phrase("items.browser", ref="browser-ie-9", browser="internet_explorer", version="9", supported="edge 12+"),
            phrase("tasks.core.dns", ref="core.dns", label_key="phases.enable_core"),
        ],
        call=call if kind.value.endswith(("invitation", "cancelled")) else None,
        attachment_markdown="# Report" if kind is NotificationKind.ENGAGEMENT_CLOSED else None,
    )
    values.update(changes)
    return Notification(**values)


def test_the_eight_languages_have_catalogs_with_the_same_keys():
    assert set(LANGUAGES) <= set(available_languages())
    english = flatten(catalog("en"))
    assert {key.split(".")[1] for key in english if key.startswith("messages.")} == {
        kind.value for kind in NotificationKind
    }
    for language in LANGUAGES:
        assert set(flatten(catalog(language))) == set(english), language


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", list(NotificationKind))
def test_every_message_renders_with_no_english_left(kind, language):
    rendered = render_message(sample(kind, language))
    assert rendered.subject and rendered.text and rendered.html
    assert "{{" not in rendered.text + rendered.subject and "[dns-1]" in rendered.text
    if language == "en":
        return
    english = [text for text in flatten(catalog("en")).values() if len(text) > 15]
    for sentence in english:
        plain = re.sub(r"{{.*?}}", "", sentence).strip()
        for fragment in re.split(r"[.:,;!?()]", plain):
            fragment = fragment.strip()
            if len(fragment.split()) >= 3:  # product names like "FastTrack Center" may stay
                assert fragment not in rendered.text, (language, kind, fragment)


@pytest.mark.parametrize(
    "language, month",
    [("fr", "décembre"), ("de", "Dezember"), ("it", "dicembre"), ("es", "diciembre"), ("pt-BR", "dezembro"),
     ("ja", "12月"), ("zh-Hant", "12月"), ("en", "December")],
)
def test_dates_are_in_the_customer_locale_and_time_zone(language, month):
    text = render_message(sample(NotificationKind.OUTREACH, language)).text
    assert month in text
    assert "10:30" in text  # 09:30 UTC is 10:30 in Paris


def test_outreach_after_the_window_asks_for_no_past_date():
    late = render_message(sample(NotificationKind.OUTREACH, "fr", facts={
        "tenant_id": "x", "organization": "Contoso", "after_window": "yes"}))
    assert "décembre" not in late.text and "plusieurs reprises" in late.text


def test_updated_invitations_say_so_and_outcomes_are_translated():
    new = render_message(sample(NotificationKind.KICKOFF_INVITATION, "de"))
    updated = render_message(sample(NotificationKind.KICKOFF_INVITATION, "de", facts={
        "tenant_id": "x", "organization": "Contoso", "updated": "yes"}))
    assert new.subject != updated.subject and new.event_title
    closed = render_message(sample(NotificationKind.ENGAGEMENT_CLOSED, "fr"))
    assert catalog("fr")["outcomes"]["expired"] in closed.text


def test_html_is_escaped_and_text_is_not():
    hostile = sample(NotificationKind.REMEDIATION_CHECKLIST, "en", lines=[Phrase(text="<script>alert(1)</script> & co")])
    rendered = render_message(hostile)
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html
    assert "<script>alert(1)</script> & co" in rendered.text


PHRASE_SECTIONS = ("phases", "work", "items", "notes", "reasons", "tasks")
PHRASE_VALUES = {
    "forest": "corp.local", "found": "2003", "minimum": "2008", "browser": "internet_explorer", "version": "9",
    "supported": "edge 12+", "platform": "ios", "needed": "iOS 7.1+", "plan": "office_365_e3",
    "eligible": "intune", "licenses": "120",
}


@pytest.mark.parametrize("language", [language for language in LANGUAGES if language != "en"])
def test_checklist_items_tasks_and_reasons_are_said_in_every_language(language):
    english = catalog("en")
    for section in PHRASE_SECTIONS:
        for name in english[section]:
            words = phrase(f"{section}.{name}", **PHRASE_VALUES)
            said = localize(words, language)
            assert said and said != words.text, (language, section, name)
    checklist = render_message(sample(NotificationKind.REMEDIATION_CHECKLIST, language))
    assert "[browser-ie-9]" in checklist.text and "Replace or update the browser" not in checklist.text
    assert "Configure the DNS records" not in checklist.text
    assert "Add the enrollment CNAME" in checklist.text  # the customer's own words stay as written
