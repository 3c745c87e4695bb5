"""What the customer's page shows of each state, in every language; the page's sentences
are all said by some state, an answer or a notice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from customer_page.rendering import Answer, notice_html, page_html
from fasttrack.customer_view import StepKind, customer_people, customer_view, customers_step
from fasttrack.engagement import Engagement
from fasttrack.models import (
    AssistanceRequested,
    DeviceEnrolled,
    EngagementInput,
    Owner,
    Person,
    Phase,
    VerificationResult,
    Withdrawal,
)
from fasttrack.policy import BenefitPolicy, MdmPlatform
from fasttrack.wording import catalogs
from fasttrack.wording.catalogs import available_languages, say
from fasttrack.wording.source import ENTRIES
from tests.support.engagement_states import (
    T0,
    contacted,
    eligible,
    enabling_core,
    enabling_intune,
    every_item_done,
    in_assess,
    in_remediate,
)
from tests.support.recording import Recording
from tests.support.scenario import make_purchase

PAULA = Person(name="Paula PM", email="paula@contoso.example")


def purchased() -> Engagement:
    """Eligibility not yet recorded."""
    return Engagement.open(EngagementInput(purchase=make_purchase(T0), policy=BenefitPolicy(business_hours=None)),
                           "fasttrack-intune-t", T0)


def assisted() -> Engagement:
    engagement = eligible()
    engagement.apply(AssistanceRequested(by="Sam"), T0)
    engagement.state.phase = Phase.INITIATE  # as the workflow moves it once eligibility is recorded
    return engagement


def reopened() -> Engagement:
    engagement = every_item_done(in_remediate())
    engagement.apply(VerificationResult(by="Ana", approved=False, reopen_item_ids=[engagement.state.checklist[0].id]),
                     T0)
    engagement.state.checklist[-1].owner = Owner.FASTTRACK
    engagement.state.checklist[-1].status = engagement.state.checklist[0].status
    return engagement


def with_device() -> Engagement:
    engagement = enabling_intune()
    engagement.apply(DeviceEnrolled(by="Ana", platform=MdmPlatform.IOS, device_name="iPhone 1"), T0)
    return engagement


def withdrawn() -> Engagement:
    engagement = in_remediate()
    engagement.apply(Withdrawal(by="Ana", reason="Budget frozen"), T0)
    return engagement


STATES = {
    "purchased": purchased, "eligible": eligible, "contacted": contacted, "assisted": assisted, "assess": in_assess,
    "remediate": in_remediate, "reopened": reopened, "all done": lambda: every_item_done(in_remediate()),
    "core": enabling_core, "intune": enabling_intune, "intune with a device": with_device, "withdrawn": withdrawn,
}
ANSWERS = [Answer(recorded="Recorded.", reference="Reference."), Answer(refused="Refused.")]
NOTICES = [("page.invalid.title", "page.invalid.body"), ("page.too_many.title", "page.too_many.body"),
           ("page.unavailable.title", "page.unavailable.body")]
# Said by the page's app after a step, with their values (tests/integration/test_customer_page.py sends them).
ANSWER_SENTENCES = {
    "page.answer.done": {"what": "Raise the forest level"}, "page.answer.assistance": {},
    "page.answer.reference": {"reference": "customer-page/x", "moment": "Monday"},
    "page.refused.already_done": {"day": "7 December 2026"}, "page.refused.no_longer_open": {},
    "page.refused.unavailable": {}, "page.refused.note": {"limit": "2000"}, "page.refused.form": {},
}


def render_everything(language: str) -> list[str]:
    pages = []
    for name, build in STATES.items():
        state = build().state
        state.language = language
        state.purchase.organization = "Contoso" if name == "remediate" else None
        view = customer_view(state, PAULA, T0 + timedelta(days=1))
        for answer in (None, *ANSWERS):
            pages.append(page_html(view, answer=answer, csrf_token="t", request_id="r",
                                   manager_email="manager@fasttrack.example"))
    pages += [notice_html(language, *keys) for keys in NOTICES]
    for key, values in ANSWER_SENTENCES.items():
        said = say(language, key, values)
        assert said and all(f"{{{name}}}" not in said for name in values)
    return pages


@pytest.mark.parametrize("language", available_languages())
def test_every_state_renders_in_every_language(language):
    pages = render_everything(language)
    assert all(f'<html lang="{language}">' in page for page in pages)
    assert not [page for page in pages if "{" in page.split("<main", 1)[1]]  # no placeholder left unfilled


def test_the_states_answers_and_notices_say_every_sentence_of_the_page(monkeypatch):
    english = Recording()
    monkeypatch.setitem(catalogs._TRANSLATIONS, "en", english)
    render_everything("en")
    page_entries = {key for key in ENTRIES if key.startswith("page.")}
    assert sorted(page_entries - english.said) == []


def test_the_customer_is_offered_their_own_steps_only():
    remediating = reopened().state
    view = customer_view(remediating, PAULA, T0)
    fasttracks = [item for item in remediating.checklist if item.owner is Owner.FASTTRACK]
    assert fasttracks and all(step.id != fasttracks[0].id for step in view.steps)
    assert customers_step(remediating, "item", fasttracks[0].id) is None
    assert any(step.reopened for step in view.steps)
    core = enabling_core().state
    shared = {task.id for task in core.tasks if task.owner is Owner.JOINT}
    assert shared and shared == {step.id for step in customer_view(core, PAULA, T0).steps}
    assert any(task.owner is Owner.FASTTRACK for task in core.tasks)  # listed under FastTrack's part instead
    intune = enabling_intune().state
    owned = {task.id for task in intune.tasks if task.owner is not Owner.FASTTRACK}
    offered = {step.id for step in customer_view(intune, PAULA, T0).steps}
    assert offered == {task.id for task in intune.tasks if task.id in owned and task.status.value == "open"}
    for task in intune.tasks:
        assert (customers_step(intune, "task", task.id) is StepKind.TASK) == (task.id in owned)
    assert customers_step(intune, "verify", "approved") is None


def test_a_page_without_an_organization_names_the_tenant():
    state = eligible().state
    state.purchase.organization, state.language = None, "en"
    assert customer_view(state, Person(name="Sam", email="sam@contoso.example"), T0).for_tenant == f"Tenant {state.tenant_id}"


def test_the_people_a_link_may_name_are_the_customers_side():
    before = eligible().state
    assert [person.email for person in customer_people(before)] == [before.purchase.customer_contact.email]
    after = in_assess().state
    assert after.scope is not None and after.scope.project_manager in customer_people(after)
