"""Every sentence of the customer's page and of the link in their mail, in English.

Registered in the same catalog as the mail (``fasttrack/wording/source.py``
imports this module), so a translator finds them beside the messages they
follow, under the ``page.`` context."""

from __future__ import annotations

from fasttrack.wording.entries import entry, plural_entry

# ------------------------------------------------------------------ the link in each mail to the customer
# Translators: the last paragraph of a mail to the customer; the link follows on its own line.
entry("common.page_link", "See what is open and mark your steps done on your onboarding page:")

# ------------------------------------------------------------------ the page's frame
entry("page.title", "Your FastTrack onboarding for Intune")
# Translators: under the title; {organization} is the customer's company, {tenant_id} a GUID.
entry("page.for_tenant", "{organization} · tenant {tenant_id}")
entry("page.tenant", "Tenant {tenant_id}")
entry("page.standing.heading", "Where your onboarding stands")
# Translators: {phase} is a phase's name (Initiate, Assess, …), {day} a date.
entry("page.standing.phase", "Phase: {phase}, since {day}.")
entry("page.standing.eligibility", "We are checking that your purchase qualifies for the FastTrack benefit.")
entry("page.standing.initiate",
      "FastTrack is getting in touch with you to agree on the scope of the onboarding at a kickoff call.")
entry("page.standing.assess", "FastTrack is assessing your source environment against the requirements of Intune.")
entry("page.standing.remediate",
      "Your environment is being brought up to the requirements: each item of the checklist below is yours "
      "or FastTrack's to complete.")
entry("page.standing.enable_core", "FastTrack is enabling the core capabilities with you.")
entry("page.standing.enable_intune", "FastTrack is enabling Intune with you.")

# ------------------------------------------------------------------ what is open for the customer
entry("page.yours.heading", "What we need from you")
entry("page.yours.none", "Nothing is waiting on you right now. We will write to you when something is.")
entry("page.yours.contact",
      "Reply to our mail, or ask for assistance here: FastTrack will then propose the kickoff call.")
entry("page.yours.environment",
      "Send your FastTrack specialist the assessment of your source environment, as agreed at the kickoff.")
entry("page.yours.plan", "Agree on the remediation plan and the checkpoint calls with your FastTrack specialist.")
entry("page.yours.verification",
      "All items are done: the joint verification with your FastTrack specialist comes next.")
entry("page.item.steps",
      "Mark it done once it is in place. FastTrack checks every item with you at the joint verification.")
entry("page.task.steps", "Mark it done once it is in place. FastTrack confirms it with you.")
entry("page.task.needs_device", "This task needs an enrolled test device first; FastTrack records it with you.")
entry("page.task.needs_app", "This task needs a selected app first; FastTrack records it with you.")
entry("page.reopened", "Reopened after the joint verification.")
entry("page.note.label", "A note for FastTrack (optional)")
entry("page.note.hint", "At most {limit} characters.")
entry("page.mark_done", "Mark as done")
entry("page.assistance.button", "Request assistance")
entry("page.assistance.requested", "You requested assistance on {day}.")

# ------------------------------------------------------------------ what FastTrack does, calls, deadlines, contact
entry("page.ours.heading", "What FastTrack is doing")
entry("page.ours.eligibility", "FastTrack checks your purchase, then gets in touch with you.")
entry("page.ours.initiate", "FastTrack proposes the kickoff call, where you agree on the scope together.")
entry("page.ours.assess", "FastTrack reviews your source environment and prepares the remediation checklist from it.")
entry("page.ours.remediate",
      "FastTrack holds the checkpoint calls with you and checks every item with you at the joint verification.")
entry("page.ours.enable_core", "FastTrack works through the tasks with you and does those on its side.")
entry("page.ours.enable_intune", "FastTrack works through the tasks with you and does those on its side.")
entry("page.call.heading", "Next call")
entry("page.call.kickoff", "Kickoff call: {moment}")
entry("page.call.checkpoint", "Checkpoint call: {moment}")
entry("page.call.none", "No call is planned yet.")
entry("page.deadlines.heading", "Deadlines")
entry("page.deadline.contact", "First contact with FastTrack: by {day}")
entry("page.deadline.onboarding", "The onboarding window ends on {day}")
entry("page.contact.heading", "Who to contact")
entry("page.contact.text", "Write to your FastTrack manager at {email}, or reply to any of our mails.")
entry("page.done.heading", "Done")
plural_entry("page.done.count", "{count} step is done.", "{count} steps are done.", "count")

# ------------------------------------------------------------------ answers to a step the customer sent
entry("page.answer.heading", "Your answer")
# Translators: {what} is the item or task, as listed on the page.
entry("page.answer.done", "Recorded: “{what}” is marked done.")
entry("page.answer.assistance", "Recorded: your request for assistance. FastTrack will get in touch with you.")
# Translators: {reference} is a technical id FastTrack can look up; {moment} a date and time.
entry("page.answer.reference", "Reference: {reference}, {moment}.")
entry("page.refused.already_done", "This was already marked done on {day}.")
entry("page.refused.no_longer_open",
      "This step is no longer open. The page below shows where your onboarding stands now.")
entry("page.refused.unavailable", "We could not record this just now. Please try again in a few minutes.")
entry("page.refused.note", "The note could not be sent: keep it to {limit} characters of plain text.")
entry("page.refused.form", "This form has expired. Please send it again from the page below.")

# ------------------------------------------------------------------ a closed engagement, a link that does not open
entry("page.closed.read_only", "This page is read-only now. It stays available until {day}.")
entry("page.invalid.title", "This link cannot be opened")
entry("page.invalid.body",
      "It may have expired or been replaced by a newer one. Use the link in our latest mail, or reply to that "
      "mail and FastTrack will help you.")
entry("page.too_many.title", "Please wait a moment")
entry("page.too_many.body", "This page received too many requests. Please try again in a minute.")
entry("page.unavailable.title", "Your page is not available right now")
entry("page.unavailable.body", "Please try again in a few minutes, or reply to our latest mail.")
