"""Every message kind, in every language, with one, two and many of each counted
thing, says whole sentences a native reader would send (pure)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from fasttrack.messages import localize, phrase, render_message
from fasttrack.models import Audience, CallKind, Notification, NotificationKind, Phrase, ScheduledCall
from fasttrack.policy import BenefitPolicy, Plan
from fasttrack.wording import catalogs
from fasttrack.wording.catalogs import TemplateMissing, available_languages, fill, say, text_of
from fasttrack.wording.source import ENTRIES
from fasttrack.wording.values import day_phrase, listing, moment_phrase
from simulation.mail_samples import TENANT, samples
from tests.support.recording import Recording

LANGUAGES = BenefitPolicy().languages
TRANSLATED = [language for language in LANGUAGES if language != "en"]
START = datetime(2026, 12, 3, 9, 30, tzinfo=timezone.utc)
RENDERED = {language: [(name, sample, render_message(sample)) for name, sample in samples(language)]
            for language in LANGUAGES}
RAW_IDS = ["internet_explorer", "enterprise_mobility_suite", "office_365_e3", "windows_pc", "Windows vista",
           "current branch", "_", "Europe/Paris", "{", "}", "(s)", "(en)", "(e)"]
# Words a translation keeps as Microsoft publishes them in every language.
PRODUCT_WORDS = {"FastTrack", "Center", "Intune", "Microsoft", "Windows", "Server", "AD", "FS", "Azure", "Connect",
                 "Configuration", "Manager", "Office", "Enterprise", "Mobility", "Suite", "Cloud", "Active",
                 "Directory", "Premium", "Internet", "Explorer", "Edge", "Google", "Chrome", "Mozilla", "Firefox",
                 "Safari", "iOS", "Android", "Mac", "OS", "X", "Phone", "RT", "Vista", "E3", "SSO", "DNS", "MDM",
                 "MAM", "Exchange", "Current", "Branch", "KNOX", "Samsung", "SSL", "TCP", "IP", "CNAME",
                 "tenant", "·", "+", "Security", "Entra", "ID", "P1/P2",
                 "macOS"}  # Microsoft’s Italian keeps "tenant"


def whole(rendered) -> str:
    return "\n".join([rendered.subject, rendered.text, rendered.event_title or ""])


def test_every_language_renders_every_kind_of_message_in_each_case():
    for language in LANGUAGES:
        assert {sample.kind for _, sample, _ in RENDERED[language]} == set(NotificationKind)
        for name, _, rendered in RENDERED[language]:
            assert rendered.subject and rendered.text and rendered.html, (language, name)
            closing = "common.closing_colleagues" if "escalation" in name else "common.closing"
            assert text_of(language, closing) in rendered.text, (language, name)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_raw_id_placeholder_or_time_zone_id_is_left(language):
    for name, _, rendered in RENDERED[language]:
        shown = whole(rendered)
        for raw in RAW_IDS:
            assert raw not in shown.replace(TENANT, ""), (language, name, raw)


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_english_is_left_in_a_translated_message(language):
    """No run of three English words from the source, product names aside, reaches a translated mail."""
    english_runs = set()
    for entry in ENTRIES.values():
        for text in filter(None, (entry.singular, entry.plural)):
            words = re.sub(r"{\w+}", " ", text)
            for fragment in re.split(r"[.:,;!?()'\"]", words):
                tokens = fragment.split()
                english_runs |= {" ".join(tokens[i:i + 3]) for i in range(len(tokens) - 2)
                                 if not all(token in PRODUCT_WORDS or any(c.isdigit() for c in token)
                                            for token in tokens[i:i + 3])}
    for name, _, rendered in RENDERED[language]:
        shown = whole(rendered).replace("Add the enrollment CNAME record", "")  # the customer's own words
        left = sorted(run for run in english_runs if re.search(rf"\b{re.escape(run)}\b", shown))
        assert left == [], (language, name, left)


@pytest.mark.parametrize("language", LANGUAGES)
def test_counts_take_their_plural_form(language):
    """One, two and many of items, attempts, minutes and licenses: the number is shown the locale's
    way, and a language with plural forms uses another sentence for one than for two."""
    plural_forms = len({text_of(language, "reasons.too_few_licenses", count) for count in (1, 2)})
    assert plural_forms == (1 if language in ("ja", "zh-Hant") else 2)
    counted_entries = [("remediation_checklist.subject", "item_count"), ("common.call_duration", "minutes"),
                       ("contact_escalation.body", "outreach_attempts"), ("reasons.too_few_licenses", "licenses")]
    for key, counted in counted_entries:
        for count in (1, 2, 5, 1_000_000):
            assert f"{{{counted}}}" in text_of(language, key, count) or count == 1, (language, key, count)
    if plural_forms == 2:  # every counted sentence has its own form for one
        for key, entry in ENTRIES.items():
            if entry.plural is not None:
                assert text_of(language, key, 1) != text_of(language, key, 2), (language, key)
    by_name = {name: rendered for name, _, rendered in RENDERED[language]}
    for count in (1, 2, 5):
        attempts = fill(text_of(language, "contact_escalation.body", count),
                        {"tenant_id": TENANT, "organization": "Contoso",
                         "outreach_attempts": str(count)})
        assert attempts in by_name[f"contact escalation, {count} attempt(s)"].text, (language, count)
    if language == "en":
        assert "The purchase has only one license;" in by_name["engagement closed: ineligible, 1 license(s)"].text
        assert "The purchase has 2 licenses;" in by_name["engagement closed: ineligible, 2 license(s)"].text
        assert "Duration: 1 minute\n" in by_name["kickoff invitation, 1 minute(s)"].text
        assert by_name["remediation checklist, 1 item(s)"].subject.endswith(": 1 item")


def test_large_numbers_are_written_the_locale_s_way():
    says = {language: localize(phrase("reasons.too_few_licenses", licenses=1500, minimum=150000), language)
            for language in LANGUAGES}
    assert "1,500" in says["en"] and "150,000" in says["en"]
    assert "1\u202f500" in says["fr"] and "1.500" in says["de"]


def test_french_punctuation_has_its_no_break_spaces():
    for name, _, rendered in RENDERED["fr"]:
        shown = whole(rendered)
        assert not re.search(r" [:;!?»]|« ", shown), name
        glued = re.findall(r".{0,12}[^\s\u00a0\u202f\d][:;!?]", shown)
        assert glued == [], name
    for entry in ENTRIES:
        said = text_of("fr", entry, 2)
        assert not re.search(r" [:;!?»]|« |[^\s\u00a0\u202f\d}][:;!?»]", said), (entry, said)


@pytest.mark.parametrize("language", ["ja", "zh-Hant"])
def test_japanese_and_chinese_use_full_width_punctuation_and_their_list_separator(language):
    for name, _, rendered in RENDERED[language]:
        body = whole(rendered)
        prose = re.sub(r"\[[^\]]*\]|\d{1,2}:\d{2}|https?://\S+", "", body)  # ids and times keep ASCII
        assert not re.search(r"[:()]", prose), (language, name, re.findall(r".{8}[:()].{8}", prose))
    checklist = next(rendered for name, _, rendered in RENDERED[language] if name.startswith("remediation checklist")
                     and name.endswith("7 item(s)"))
    assert "、" in checklist.text


def test_subjects_carry_dates_without_times():
    for language in LANGUAGES:
        for name, _, rendered in RENDERED[language]:
            assert not re.search(r"\d:\d\d", rendered.subject), (language, name, rendered.subject)


@pytest.mark.parametrize(
    "language, month, zone",
    [("fr", "décembre", "heure normale d’Europe centrale"), ("de", "Dezember", "Mitteleuropäische Normalzeit"),
     ("it", "dicembre", "ora standard dell’Europa centrale"), ("es", "diciembre", "hora estándar de Europa central"),
     ("pt-BR", "dezembro", "Horário Padrão da Europa Central"), ("ja", "12月", "中央ヨーロッパ標準時"),
     ("zh-Hant", "12月", "中歐標準時間"), ("en", "December", "Central European Standard Time")],
)
def test_dates_are_one_phrase_in_the_customer_s_locale_time_zone_and_its_name(language, month, zone):
    (invitation,) = [rendered for name, _, rendered in RENDERED[language] if name == "kickoff invitation, 30 minute(s)"]
    assert month in invitation.text and zone in invitation.text
    # 09:30 UTC is 10:30 in Paris
    assert {"fr": "10\u00a0h\u00a030", "pt-BR": "10h30"}.get(language, "10:30") in invitation.text
    joined = {"en": "Thursday 3 December 2026 at 10:30",  # English as written in France (the samples' country)
              "de": "2026 um 10:30 Uhr", "fr": "2026 à 10\u00a0h\u00a030", "it": "2026 alle ore 10:30",
              "es": "2026 a las 10:30", "pt-BR": "2026, às 10h30"}
    assert joined.get(language, "10:30") in invitation.text  # date and time as one phrase, with the language's word


def test_each_case_has_its_own_whole_sentences():
    for language in LANGUAGES:
        by_name = {name: rendered for name, _, rendered in RENDERED[language]}
        closings = [by_name[f"engagement closed: {outcome}"] for outcome in ("completed", "expired", "withdrawn")]
        closings.append(by_name["engagement closed: ineligible, 1 license(s)"])
        assert len({rendered.subject for rendered in closings}) == 4, language
        thanks = text_of(language, "engagement_closed.body.completed")
        assert [thanks in rendered.text for rendered in closings] == [True, False, False, False], language
        cancelled = [rendered for name, rendered in by_name.items() if name.startswith("call cancelled (")]
        assert len({rendered.text for rendered in cancelled}) == 4, language
        summary = by_name["kickoff summary"].text
        assert summary.count("Paula") == 1, language  # the greeting: the reader is addressed, not named


def test_the_work_left_is_said_in_whole_sentences():
    work = [phrase("work.not_started", label_key="phases.assess"), phrase("work.kickoff", label_key="phases.initiate")]
    for language in LANGUAGES:
        said = [localize(line, language) for line in work]
        assert said == [text_of(language, "open_work.not_started"), text_of(language, "open_work.kickoff")]
    task = Phrase(text="Configure the DNS records", key="tasks.core.dns", ref="core.dns",
                  label_key="phases.enable_core")
    for language in LANGUAGES:  # an item or a task: its own words, its phase said once above the list
        assert localize(task, language) == text_of(language, "tasks.core.dns"), language
        (enable,) = [rendered for name, _, rendered in RENDERED[language] if name == "deadline escalation in Enable"]
        for phase in ("phases.enable_core", "phases.enable_intune"):
            assert enable.text.count(text_of(language, phase)) == 1, (language, phase)


def test_display_names_replace_ids_in_every_language():
    for language in LANGUAGES:
        browser = localize(phrase("items.browser", browser="internet_explorer", version="9",
                                  supported="internet_explorer 10+, edge 12+"), language)
        assert "Internet Explorer 9" in browser and "Microsoft Edge 12" in browser, language
        plan = localize(phrase("reasons.plan_not_eligible", plan=Plan.OFFICE_365_E3.value,
                               eligible="intune, enterprise_mobility_suite"), language)
        assert "Office 365" in plan and "Enterprise Mobility + Security" in plan and "_" not in plan, language
        client = localize(phrase("items.pc_client_os", version="vista", supported="Windows vista, Windows 7"), language)
        assert "Windows Vista" in client and "Windows 7" in client, language
    assert listing(["Windows 8.1", "Windows 10"], "zh-Hant") == "Windows 8.1 和 Windows 10"  # CLDR: "8.1和Windows"
    assert listing(["Windows 8.1", "Windows 10"], "ja") == "Windows 8.1、Windows 10"
    unknown = localize(phrase("items.mdm_client_os", platform="windows_phone", version="7.5", needed="—"), "de")
    assert unknown == fill(text_of("de", "items.mdm_client_os.none"), {"platform": "Windows Phone", "version": "7.5"})
    typed = localize(phrase("items.browser", browser="netscape", version="4", supported="edge 12+"), "en")
    assert "netscape 4" in typed  # what the customer typed has no display name: shown as typed


def test_html_is_escaped_and_text_is_not():
    hostile = Notification(
        engagement_id="x", kind=NotificationKind.REMEDIATION_CHECKLIST, key="k", audience=Audience.CUSTOMER,
        to=["a@b.example"], recipient_name="<b>Paula</b>", language="en", time_zone="Europe/Paris", country="FR",
        send_at=START, summary="s", facts={"tenant_id": "t", "organization": "o", "item_count": "1"},
        lines=[Phrase(text="<script>alert(1)</script> & co")])
    rendered = render_message(hostile)
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html
    assert "<script>alert(1)</script> & co" in rendered.text


def test_a_call_says_its_time_and_duration():
    call = ScheduledCall(kind=CallKind.CHECKPOINT, number=3, uid="u", start=START, end=START + timedelta(minutes=45))
    invitation = Notification(
        engagement_id="x", kind=NotificationKind.CHECKPOINT_INVITATION, key="k", audience=Audience.CUSTOMER,
        to=["a@b.example"], language="de", time_zone="Europe/Berlin", country="DE", send_at=START, summary="s",
        facts={"tenant_id": "t", "organization": "o", "number": "3"}, moments={"call_start": START}, call=call)
    rendered = render_message(invitation)
    assert "45" in rendered.text and "3" in rendered.subject and rendered.event_title


def test_the_eight_languages_are_available():
    assert set(LANGUAGES) <= set(available_languages())


def test_a_phrase_without_its_values_is_a_missing_template_not_a_crash():
    with pytest.raises(TemplateMissing):
        localize(Phrase(text="x", key="items.browser", values={"browser": "edge"}), "fr")
    with pytest.raises(TemplateMissing):
        localize(Phrase(text="x", key="reasons.too_few_licenses", values={"licenses": "many", "minimum": "150"}), "de")


def test_the_samples_say_every_entry_so_every_translation_is_read(monkeypatch):
    """What the tests above check in every language covers the whole catalog."""
    english = Recording()
    monkeypatch.setitem(catalogs._TRANSLATIONS, "en", english)
    for _, sample in samples("en"):
        render_message(sample, "https://onboarding.example/e/token" if sample.audience is Audience.CUSTOMER else None)
    page_entries = {key for key in ENTRIES if key.startswith("page.")}  # tests/unit/test_customer_view.py says them
    assert sorted(set(ENTRIES) - page_entries - english.said) == []


ID_IN_BRACKETS = re.compile(r"\[[A-Za-z0-9][\w.:-]*\]")
TIME_ZONE_ID = re.compile(r"\b(?:Africa|America|Antarctica|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc)/\w+")
A_TIME = re.compile(r"\d{1,2}\s?[:：h]\s?\d{2}")
# The messages whose body says since when, or until when: a day, never a minute.
DAY_SENTENCES = (NotificationKind.OUTREACH, NotificationKind.REMEDIATION_STALLED, NotificationKind.STALL_ESCALATION,
                 NotificationKind.DEADLINE_ESCALATION)


def test_no_mail_shows_an_id_a_time_zone_id_or_a_time_where_a_day_is_meant():
    """A person names an item by its words and says "since December 3": every sample, every language."""
    for language in LANGUAGES:
        for name, sample, rendered in RENDERED[language]:
            ids = {line.ref for line in sample.lines if line.ref}
            for part in (rendered.subject, rendered.text, rendered.html):
                assert not [ref for ref in ids if ref in part], (language, name)
                assert not ID_IN_BRACKETS.search(part), (language, name, ID_IN_BRACKETS.findall(part))
                assert not TIME_ZONE_ID.search(part), (language, name, TIME_ZONE_ID.findall(part))
            if sample.kind in DAY_SENTENCES:
                body = "\n\n".join(rendered.text.split("\n\n")[1:3])  # after the greeting (and an opening line)
                assert not A_TIME.search(rendered.subject + body), (language, name, body)
    assert any(line.ref for _, sample, _ in RENDERED["en"] for line in sample.lines)  # the samples name items by id


@pytest.mark.parametrize("language, country, time_zone, written", [
    ("en", "GB", "Europe/London", "Tuesday 1 December 2026 at 08:05 (Greenwich Mean Time)"),
    ("en", "US", "America/New_York", "Tuesday, December 1, 2026 at 3:05\u202fAM (Eastern Standard Time)"),
    ("en", "IN", "Asia/Kolkata", "Tuesday 1 December 2026 at 1:35\u202fPM (India Standard Time)"),
    ("fr", "FR", "Europe/Paris", "mardi 1er\u00a0décembre 2026 à 9\u00a0h\u00a005 (heure normale d’Europe centrale)"),
    ("pt-BR", "BR", "America/Sao_Paulo",
     "terça-feira, 1º de dezembro de 2026, às 5h05 (Horário Padrão de Brasília)"),
    ("it", "IT", "Europe/Rome", "martedì 1 dicembre 2026 alle ore 09:05 (ora standard dell’Europa centrale)"),
    ("es", "ES", "Europe/Madrid", "martes 1 de diciembre de 2026 a las 9:05 (hora estándar de Europa central)"),
    ("ja", "JP", "Asia/Tokyo", "2026年12月1日（火）17:05（日本標準時）"),
])
def test_dates_read_as_a_person_of_the_customer_s_language_and_country_writes_them(language, country, time_zone,
                                                                                  written):
    """CLDR's output finished where a letter differs (1er, 1º, no comma after the weekday, （火）, a
    lower-case ora), in the customer's country's way (a London customer is not written US dates)."""
    first = datetime(2026, 12, 1, 8, 5, tzinfo=timezone.utc)
    assert moment_phrase(first, language, time_zone, country) == written
    assert day_phrase(first, "fr", "Europe/Paris", "FR") == "1er\u00a0décembre 2026"  # no-break: one line
    assert day_phrase(first, "en", "Europe/London", "ZZ") == "December 1, 2026"  # a country CLDR has no English for


def test_the_mail_samples_include_a_customer_in_london():
    by_name = {name: rendered for name, _, rendered in RENDERED["en"]}
    assert "by 3 December 2026," in by_name["outreach, a customer in London"].text
    assert "When: Thursday 3 December 2026 at 09:30 (Greenwich Mean Time)" in by_name[
        "kickoff invitation, a customer in London"].text


GREETINGS = {  # (given name known, only the full name known): each language's custom
    "en": ("Hello Paula,", "Hello,"), "fr": ("Bonjour Paula,", "Bonjour,"), "es": ("Hola, Paula:", "Hola:"),
    "pt-BR": ("Olá, Paula,", "Olá,"), "it": ("Gentile Paula,", "Gentile Paula Martin,"),
    "de": ("Guten Tag Paula Martin,", "Guten Tag Paula Martin,"), "ja": ("Paula Martin 様", "Paula Martin 様"),
    "zh-Hant": ("Paula Martin 您好：", "Paula Martin 您好："),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_greeting_uses_the_given_name_where_the_language_would(language):
    by_name = {name: rendered for name, _, rendered in RENDERED[language]}
    given, full_only = GREETINGS[language]
    assert by_name["outreach"].text.startswith(given + "\n\n"), language
    assert by_name["outreach, the contact's given name unknown"].text.startswith(full_only + "\n\n"), language
    assert f"<p>{given}</p>" in by_name["outreach"].html
    team = by_name["call cancelled, to the invited team's address"].text
    assert team.startswith(text_of(language, "common.greeting_team") + "\n\n")
    escalation = by_name["contact escalation, 1 attempt(s)"].text  # to FastTrack colleagues
    assert escalation.startswith(text_of(language, "common.greeting_colleagues") + "\n\n")


def test_japanese_mail_opens_as_a_japanese_business_letter_does():
    by_name = {name: rendered for name, _, rendered in RENDERED["ja"]}
    opening = {name: rendered.text.split("\n\n")[1] for name, rendered in by_name.items()}
    assert opening["outreach"].startswith("突然のご連絡失礼いたします。")
    assert opening["outreach after the contact window"].startswith("度々のご連絡失礼いたします。")
    assert opening["kickoff summary"].startswith("いつもお世話になっております。")
    assert opening["contact escalation, 1 attempt(s)"] == "お疲れ様です。Intune 向け FastTrack Center チームです。"  # to colleagues
    assert "<p>いつもお世話になっております。" in by_name["kickoff summary"].html  # a paragraph of its own
    assert all(not rendered.text.split("\n\n")[1].startswith(("突然", "度々", "いつも"))
               for _, _, rendered in RENDERED["zh-Hant"])  # a Japanese custom only


def test_work_left_undone_is_said_in_statements_and_names_its_items_and_tasks_under_a_heading():
    """In a closing or a deadline escalation, a phase's open work is a statement (in the past once the
    engagement has closed) and its items and tasks are named under a heading that says they were not done,
    never as instructions; the checklist itself lists what to do."""
    for language in LANGUAGES:
        by_name = {name: rendered for name, _, rendered in RENDERED[language]}
        tasks_heading = say(language, "open_work.tasks_heading", {"count": "2"}, {"count": 2})
        enable = by_name["deadline escalation in Enable"].text
        assert enable.count(tasks_heading) == 2, language  # one under each Enable phase
        assert f"  - {text_of(language, 'tasks.core.dns')}" in enable, language
        expired = by_name["engagement closed: expired"].text
        items_heading = say(language, "open_work.items_heading", {"count": "1"}, {"count": 1})
        assert items_heading in expired and text_of(language, "left_open.verification") in expired, language
        assert text_of(language, "open_work.verification") not in expired, language  # not "yet": it is over
        assert text_of(language, "left_open.not_started") in expired, language
        deadline = by_name["deadline escalation"].text
        assert text_of(language, "open_work.verification") in deadline, language  # still ahead
        assert items_heading not in by_name["remediation checklist, 1 item(s)"].text, language


def test_configuration_manager_s_current_branch_is_not_a_version():
    said = localize(phrase("items.configmgr_version", minimum="current branch", found="2012 SP1"), "en")
    assert said == "Upgrade Configuration Manager from 2012 SP1 to Current Branch for hybrid management."
    none = localize(phrase("items.configmgr_version", minimum="current branch", found="—"), "en")
    assert none == "Install Configuration Manager (Current Branch) for hybrid management; no installation was found."
    assert "or later" in localize(phrase("items.configmgr_version", minimum="2012 R2", found="2012"), "en")


def test_the_text_signature_has_its_separator_and_the_html_a_font_for_every_script():
    """RFC 3676's "-- " (a mail reader folds what follows), and fonts for Japanese and Chinese."""
    for language in LANGUAGES:
        for name, _, rendered in RENDERED[language]:
            assert "\n-- \n" in rendered.text, (language, name)
    html = RENDERED["ja"][0][2].html
    assert "Yu Gothic UI" in html and "Microsoft JhengHei" in html


def test_chinese_alternatives_that_already_say_or_are_enumerated():
    assert listing(["Windows 10 或更新版本", "macOS 10.9 或更新版本"], "zh-Hant", "or") == (
        "Windows 10 或更新版本、macOS 10.9 或更新版本")


def test_a_browser_s_minimum_versions_are_listed_once_without_or_later_after_each():
    values = {"browser": "internet_explorer", "version": "9", "supported": "firefox 40+, safari 8+"}
    assert localize(phrase("items.browser", **values), "en") == (
        "Update or replace Internet Explorer 9 (minimum supported versions: Mozilla Firefox 40 and "
        "Safari 8).")
    for language in LANGUAGES:
        said = localize(phrase("items.browser", **values), language)
        or_later = fill(text_of(language, "values.or_later"), {"product": "", "version": ""}).strip()
        assert "Mozilla Firefox 40" in said and not (or_later and or_later in said), (language, said)