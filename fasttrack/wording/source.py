"""Every sentence a message can say, in English, the source language.

``pybabel extract`` reads this module (see ``babel.cfg``) to write the
translators' template, ``fasttrack/locale/messages.pot``. Each entry has a
context, the stable key that workflow state and the renderer name it by, and
its English text with ``{name}`` placeholders. A plural entry also names the
placeholder that holds its count. Comments starting with ``Translators:`` reach
the translators.

Workflow code renders the English from here too; it reads no file.
"""

from __future__ import annotations

from fasttrack.wording.entries import ENGLISH, ENTRIES, Entry, entry, plural_entry

__all__ = ["ENGLISH", "ENTRIES", "OPERATOR_ENGLISH", "Entry", "entry", "plural_entry"]


# ------------------------------------------------------------------ the layout
# Translators: the salutation when the contact's given name is known ({given_name}, e.g. Paula);
# the body follows on its own line. Where your language greets a business contact by the full
# name (e.g. "Guten Tag Paula Martin", "Paula Martin 様"), write {name} instead.
entry("common.greeting", "Hello {given_name},", optional=("given_name", "name"))
# Translators: the salutation when only the contact's full name is known ({name}, e.g. Paula
# Martin). English greets without a name rather than with the full one; where your language
# greets by the full name, write {name}.
entry("common.greeting_full_name", "Hello,", optional=("name",))
# Translators: the salutation when no person is named (mail to a customer team's address).
entry("common.greeting_team", "Hello,")
# Translators: the salutation, closing and signature of the escalations, written to FastTrack colleagues.
entry("common.greeting_colleagues", "Hello,")
entry("common.closing_colleagues", "Thanks,")
entry("common.signature_colleagues", "The FastTrack Center team for Intune")
# Translators: the closing formula before the signature.
entry("common.closing", "Kind regards,")
entry("common.signature", "The FastTrack Center team for Intune")
entry("common.footer", "FastTrack Center benefit for Intune · tenant {tenant_id}")
entry("common.call_time", "When: {call_start}")
plural_entry("common.call_duration", "Duration: {minutes} minute", "Duration: {minutes} minutes", "minutes")
entry("common.attachment_report", "The engagement report is attached.")
# Translators: ends the mail that says a purchase does not qualify: no engagement took place.
entry("common.attachment_eligibility", "The details of our eligibility check are attached.")
# Translators: a date and time followed by the name of its time zone, e.g.
# "Thursday, December 3, 2026, 10:30 AM (Central European Standard Time)".
entry("common.moment", "{moment} ({zone})")
# Translators: a date (with its weekday) and a time of day, e.g. "Thursday, December 3, 2026 at 10:30 AM".
entry("common.date_at_time", "{date} at {time}")

# ------------------------------------------------------------------ headings of the lists after a body
plural_entry("lists.checklist", "The checklist has one item:", "The checklist has {count} items:", "count")
plural_entry("lists.open_items", "This item is still open:", "These {count} items are still open:", "count")
plural_entry("lists.reopened", "Item to complete before we verify again:",
             "Items to complete before we verify again:", "count")
entry("lists.still_to_do", "Still to do:")
# Translators: after an engagement has closed, the work that was never done.
entry("lists.left_open", "Work left open:")
entry("lists.notes", "Please note:")
plural_entry("lists.reasons", "The reason:", "The reasons:", "count")

# ------------------------------------------------------------------ outreach (to the customer)
entry("outreach.subject", "FastTrack for Intune: an onboarding team is ready to help you")
entry("outreach.body",
      "Your organization qualifies for the FastTrack Center benefit for Intune. Our onboarding team would like "
      "to arrange a first call with you. Please reply to this message by {contact_deadline_day}, or request "
      "assistance in the FastTrack portal (Offers tab, Request assistance).")
entry("outreach.body_followup",
      "We have tried several times to reach you about the FastTrack Center benefit for Intune that your "
      "organization is entitled to. Our onboarding team is still ready to help you: please reply to this "
      "message, or request assistance in the FastTrack portal (Offers tab, Request assistance).")

# ------------------------------------------------------------------ contact escalation (to the FastTrack manager)
entry("contact_escalation.subject", "Escalation: no contact with {organization} within the contact window")
plural_entry(
    "contact_escalation.body",
    "We have not been able to reach {organization} (tenant {tenant_id}) within the contact window; one outreach "
    "message has been sent so far. Outreach continues at a slower pace; please follow up with the customer.",
    "We have not been able to reach {organization} (tenant {tenant_id}) within the contact window; "
    "{outreach_attempts} outreach messages have been sent so far. Outreach continues at a slower pace; please "
    "follow up with the customer.",
    "outreach_attempts")

# ------------------------------------------------------------------ kickoff
entry("kickoff_invitation.subject", "Invitation: FastTrack kickoff call")
entry("kickoff_invitation.subject_updated", "Updated invitation: FastTrack kickoff call")
entry("kickoff_invitation.body",
      "We propose the kickoff call below to agree on the scope of your onboarding. Please accept the attached "
      "invitation, or reply with a time that suits you better.")
entry("kickoff_invitation.body_updated",
      "The kickoff call has been moved to the time below. The attached invitation replaces the previous one.")
entry("kickoff_invitation.event_title", "FastTrack kickoff call")
# Translators: sent to the customer's project manager after the kickoff.
entry("kickoff_summary.subject", "Your FastTrack onboarding scope is agreed")
entry("kickoff_summary.body",
      "Thank you for the kickoff call. The scope of your onboarding is agreed, and you will lead the project for "
      "your organization. The next step is the assessment of your environment: please run the assessment "
      "tools and send us their results.")

# ------------------------------------------------------------------ remediation
plural_entry("remediation_checklist.subject", "Your remediation checklist: {item_count} item",
             "Your remediation checklist: {item_count} items", "item_count")
entry("remediation_checklist.body",
      "Thank you for sending us your assessment results. Here is the remediation checklist that follows from them. "
      "Your team works through the items, and we review progress together during the checkpoint calls.")
entry("checkpoint_invitation.subject", "Invitation: FastTrack checkpoint call {number}")
entry("checkpoint_invitation.subject_updated", "Updated invitation: FastTrack checkpoint call {number}")
entry("checkpoint_invitation.body",
      "Here is the invitation to the next checkpoint call on your remediation. Please accept it, or reply with a "
      "time that suits you better.")
entry("checkpoint_invitation.body_updated",
      "The checkpoint call has been moved to the time below. The attached invitation replaces the previous one.")
entry("checkpoint_invitation.event_title", "FastTrack checkpoint call {number}")
entry("remediation_stalled.subject", "Reminder: no remediation progress since {since_day}")
entry("remediation_stalled.body",
      "No remediation item has been completed since {since_day}. Is anything blocking your team? Reply to this "
      "message and we will help.")
entry("stall_escalation.subject", "Escalation: remediation stalled at {organization}")
entry("stall_escalation.body",
      "Remediation at {organization} (tenant {tenant_id}) has not progressed since {since_day}. Please follow up "
      "with the customer.")
entry("verification_rejected.subject", "Verification: more work is needed")
entry("verification_rejected.body",
      "During the joint verification, we reopened the work listed below. Once your team has completed it, we will "
      "verify again.")
entry("deadline_escalation.subject", "Escalation: the onboarding window of {organization} ends on {deadline_day}")
entry("deadline_escalation.body",
      "The onboarding window of {organization} (tenant {tenant_id}) ends on {deadline_day}, and work is still open. "
      "Please follow up with the customer.")

# ------------------------------------------------------------------ a cancelled call, by why it was cancelled
entry("call_cancelled.subject.kickoff", "Canceled: FastTrack kickoff call")
entry("call_cancelled.subject.checkpoint", "Canceled: FastTrack checkpoint call {number}")
entry("call_cancelled.event_title.kickoff", "FastTrack kickoff call (canceled)")
entry("call_cancelled.event_title.checkpoint", "FastTrack checkpoint call {number} (canceled)")
entry("call_cancelled.body.kickoff_held",
      "The kickoff call has already taken place, so the call below is no longer needed. We have canceled it.")
entry("call_cancelled.body.remediation_done",
      "All remediation items are now complete, so the checkpoint call below is no longer needed. We have canceled "
      "it. Thank you for your team's work.")
entry("call_cancelled.body.engagement_closed",
      "Your FastTrack engagement for Intune is closed, so the call below will not take place. We have canceled "
      "it.")
entry("call_cancelled.body.other", "We have canceled the call below.")

# ------------------------------------------------------------------ the engagement closes, by outcome
entry("engagement_closed.subject.completed", "Your FastTrack onboarding for Intune is complete")
entry("engagement_closed.body.completed",
      "Intune is enabled for your organization, and your FastTrack onboarding is complete. Thank you for working "
      "with us.")
entry("engagement_closed.subject.expired", "Your FastTrack onboarding window for Intune has ended")
entry("engagement_closed.body.expired",
      "The onboarding window of your FastTrack Center benefit for Intune has ended, so your engagement is now "
      "closed.")
entry("engagement_closed.subject.withdrawn", "Your FastTrack engagement for Intune is closed at your request")
entry("engagement_closed.body.withdrawn",
      "As your organization requested, we have closed your FastTrack engagement for Intune. If you would like our "
      "help again while the benefit still applies, reply to this message.")
entry("engagement_closed.subject.ineligible",
      "Your purchase does not qualify for the FastTrack Center benefit for Intune")
entry("engagement_closed.body.ineligible",
      "We have checked your purchase: it does not qualify for the FastTrack Center benefit for Intune. If you "
      "think this is a mistake, reply to this message.")

# ------------------------------------------------------------------ the phases of an onboarding
entry("phases.initiate", "Initiate")
entry("phases.assess", "Assess")
entry("phases.remediate", "Remediate")
entry("phases.enable_core", "Enable — core capabilities")
entry("phases.enable_intune", "Enable — Intune")

# ------------------------------------------------------------------ work still to do, as whole sentences
entry("open_work.contact", "First contact with FastTrack has not been made yet.")
entry("open_work.kickoff", "The kickoff call to agree on the scope has not taken place yet.")
entry("open_work.environment", "The assessment results for the source environment have not been received yet.")
entry("open_work.plan", "The remediation plan and the checkpoint calls have not been agreed on yet.")
entry("open_work.verification", "The joint verification of the remediation has not taken place yet.")
# Translators: said of a phase, under its name in a list of the work still open.
entry("open_work.not_started", "Not started yet.")
# Translators: in the lists of work left open (a closed engagement, an approaching end), under a
# phase's name, the heading of its checklist items or its tasks that were not done.
plural_entry("open_work.items_heading", "Checklist item not completed:", "Checklist items not completed:", "count")
plural_entry("open_work.tasks_heading", "Task not completed:", "Tasks not completed:", "count")
# Translators: the work an engagement that has closed left undone, in the past.
entry("left_open.contact", "First contact with FastTrack was not made.")
entry("left_open.kickoff", "The kickoff call to agree on the scope did not take place.")
entry("left_open.environment", "The assessment results for the source environment were not received.")
entry("left_open.plan", "The remediation plan and the checkpoint calls were not agreed on.")
entry("left_open.verification", "The joint verification of the remediation did not take place.")
# Translators: said of a phase, under its name, when the engagement closed before it began.
entry("left_open.not_started", "Not started.")

# Operators' words for work still to do, shown after a phase's name in status
# and reports; never sent to a customer (mail says ``open_work``), so not translated.
OPERATOR_ENGLISH = {
    "work.contact": "first contact with FastTrack",
    "work.kickoff": "kickoff and agreed scope",
    "work.environment": "assessment of the source environment",
    "work.plan": "remediation plan and checkpoint calls",
    "work.verification": "joint verification of the remediation",
    "work.not_started": "not started",
}

# The words for what the rules found and planned, and the customer's page: modules of their own.
import fasttrack.wording.findings_source  # noqa: E402,F401  (registers their entries here)
import fasttrack.wording.page_source  # noqa: E402,F401
