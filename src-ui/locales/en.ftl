# Tandem — English. Every key here must also be in fr.ftl (a test checks).

## First run
welcome-title = Welcome to Tandem
welcome-intro = Your notebook for walking beside people. It stays on this device, locked with a passphrase only you know.
your-name = Your name (as your team knows you)
passphrase = Passphrase
passphrase-new = New passphrase
passphrase-again = The same passphrase again
passphrase-current = Current passphrase
passphrase-advice = A few words you will remember are stronger than a short password. Nobody can recover it if it is forgotten.
strength-too-short = Too short: at least 8 characters
strength-weak = Weak: add a few words
strength-fair = Fair: one or two more words make it strong
strength-strong = Strong
continue = Continue
back = Back
working = Working…
team-choice-intro = Your notebook is almost ready. How will you work?
team-create-title = Start a team on a relay
team-create-submit = Put the team on the relay
team-join-title = Join my team
team-join-submit = Join the team
team-local-title = Use without a team for now
team-local-hint = Everything stays on this device. You can put it on a relay later, from Team & sync.
team-local-submit = Start on this device only
team-local-explain = This notebook is on this device only. To share it with your team, give the address of your team's relay.
default-team-name = My notebook
relay-url = Relay address
relay-token = Team-creation token (from the relay's operator)
relay-token-hint = Leave it empty for a demo relay. It lets this device create a team on the relay; it is not kept.
team-name = Team name
invite-code = Invite code

## Unlock
unlock = Unlock
unlocking = Unlocking…
lock = Lock

## Navigation
nav-label = Main
nav-today = Today
nav-people = People
nav-team = Team & sync
nav-settings = Settings
nav-report = Report

## Today
today-title = Today
new-encounter = New encounter
followups-due = Follow-ups due
followups-none = Nothing due this week.
followup-done = Done
followup-done-saved = Follow-up marked done.
recent-encounters = Recent encounters
recent-none = No encounters yet.
street-log = Someone I don't know
# In the messages that say a day, $date is the day in words and $rel where it stands from
# today: today, yesterday, tomorrow, weekday (within six days) or date.
due-late = overdue since { $date }
due-today = due today
due-on = by { $date }

## New encounter
who = With whom
person-search-placeholder = Name or nickname
person-add-named = Add “{ $name }” as a new person
who-unknown = Someone I don't know
unknown-description = How you'll recognise them (optional)
change = Change
when = When
where = Where
notes = What happened
details = More details
kind = Kind of encounter
kind-none = Not said
duration = How long (minutes)
domains = Life domains touched
goals-touched = Their goals touched
given = What was given
referrals = Referrals
follow-up = Follow-up to do
follow-up-due = Follow-up by
debrief = I'd like a debrief
draft-saved = Draft kept
save = Save
discard = Discard
encounter-saved = Encounter saved.
invalid-form = Some fields need a look.
invalid-who = Choose the person, or “Someone I don't know”.
invalid-when = Write the date and time as 2026-11-25 14:02.
invalid-duration = Minutes, as a number (1 to 1440).
invalid-date = Write the date as 2026-11-25.
invalid-follow-up-unknown = A follow-up needs a known person.

## People
people-title = People
search = Search
person-add = Add a person
person-name = The name they choose
person-nicknames = Other names (separate with commas)
pronouns = Pronouns
remember = Things to remember
person-saved = Person added.
people-none = Nobody here yet.
last-seen = seen { $when }
next-check-in-on = { $rel ->
    [today] check in today
    [tomorrow] check in tomorrow
   *[other] check in on { $date }
}
check-in-late = check-in overdue since { $date }
open-goals = { $n ->
    [one] 1 goal
   *[other] { $n } goals
}
open-followups = { $n ->
    [one] 1 follow-up
   *[other] { $n } follow-ups
}
has-conflicts = two versions to look at
invalid-person-name = Write the name they choose.
invalid-your-name = Write your name.
invalid-passphrases-differ = The two passphrases are different.
invalid-relay-and-team = Write the relay address and the team name.
invalid-invite-code = Paste or type the invite code.

## Brief
also-called = also called { $names }
conflicts-title = Two versions
conflicts-hint = This was changed on two devices at once. Nothing was lost: choose the one to keep.
conflict-field = Field “{ $field }”:
keep = Keep
conflict-resolved = Choice saved.
contact = How to reach them
goals-title = Their goals, in their words
next-step = Next step: { $step }
goal-new = A new goal, in their words
add = Add
followups-open = Open follow-ups
last-encounters = Last encounters (of { $n })
consent-title = Consent
consent-given-on = { $rel ->
    [today] given today
    [yesterday] given yesterday
   *[other] given on { $date }
}
consent-withdrawn-on = { $rel ->
    [today] withdrawn today
    [yesterday] withdrawn yesterday
   *[other] withdrawn on { $date }
}
consent-none = No consent recorded yet.
speaks = Speaks { $languages }
options-title = What the forms offer
options-hint = The kinds of encounter, life domains and what can be given, for the whole team. Records already written keep theirs.
options-kinds = Kinds of encounter
options-domains = Life domains
options-given = What can be given
option-new = Add an option
option-remove = Remove
option-remove-named = Remove { $option }
profile-edit = Edit the profile
profile-title = Profile
profile-saved = Profile saved.
languages = Languages (separate with commas)
consent-new = Record a consent
consent-what = What they agree to, in plain words
consent-uses = For
consent-how = How it was given (spoken, signed form…)
consent-save = Record the consent
consent-saved = Consent recorded.
consent-incomplete = Say what they agree to and tick at least one use.
consent-withdraw = Withdrawn today
goal-domain = Life domain
goal-domain-none = None
erase-title = Erase this record
erase-explain = If this person asks for it, everything written about them is erased from this device, from the team's other devices and from the relay. Offer them an export first.
erase-start = Erase this record…
erase-warning = Erase everything about { $name }, for good? This cannot be undone.
erase-confirm = Erase for good
erase-cancel = Keep the record
person-erased = Record erased.

## Goal
goal-title = Goal
goal-words = In their words
goal-status = Where it stands
goal-check-in = Next check-in
goal-steps = Small steps
step-new = A new small step
goal-history = History of this goal
goal-saved = Goal saved.
someone = Someone

## Team & sync
team-title = Team & sync
sync-title = Sync
sync-now = Sync now
sync-report = Sent { $pushed }, received { $pulled } ({ $records } records updated)
members = Members
role-admin = admin
role-member = member
you = you
devices = Devices
devices-show = Show the team's devices
devices-count = { $n ->
    [one] 1 device
   *[other] { $n } devices
}
this-device = this device
revoked = removed
revoke = Remove
device-revoked = Device removed from the team.
invite-title = Invite a device
invite-hint = Show the code in person, at the clinic. It works once.
invite-valid-for = Valid for
invite-create = Make an invite code
invite-qr = The invite code as a QR code
hours = { $n ->
    [one] 1 hour
   *[other] { $n } hours
}
team-on-relay = The team is on the relay.

## Sync badge
sync-badge-label = Sync
sync-syncing = Syncing…
sync-syncing-progress = Syncing { $done }/{ $total }
sync-offline = Offline
sync-offline-waiting = Offline · { $n ->
    [one] 1 change waiting
   *[other] { $n } changes waiting
}
sync-waiting = { $n ->
    [one] 1 change waiting
   *[other] { $n } changes waiting
}
sync-set-aside = { $n ->
    [one] 1 change from the team could not be read on this device. It is set aside; everything else came in. A member's device may be damaged or misused: check the team's devices.
   *[other] { $n } changes from the team could not be read on this device. They are set aside; everything else came in. A member's device may be damaged or misused: check the team's devices.
}
team-doc-claims = { $n ->
    [one] The team document claims 1 thing about members' roles or devices' keys that the team record does not say. It was ignored: roles and keys come from the record. A member may be misusing their device: check the team's devices.
   *[other] The team document claims { $n } things about members' roles or devices' keys that the team record does not say. They were ignored: roles and keys come from the record. A member may be misusing their device: check the team's devices.
}
sync-synced-at = Synced at { $time }
sync-local = On this device only
sync-revoked = Removed from the team
sync-relay-went-back = The relay went back: changes stay here
sync-team-record-refused = The relay offered a team change no admin signed: paused, changes stay here
sync-failed = Sync needs a look
sync-starting = Starting sync…

## Settings
settings-title = Settings
settings-language = Language
settings-auto-lock = Lock after
auto-lock-hint = Tandem also locks when the window is hidden. A draft you are writing is kept.
minutes = { $n ->
    [one] 1 minute
   *[other] { $n } minutes
}
passphrase-change = Change the passphrase
passphrase-changed = Passphrase changed.
settings-saved = Saved.
settings-reminders = Daily reminder
settings-reminders-on = Remind me of what is due
settings-reminder-time = At
settings-reminders-hint = Once a day, a notification on this computer says how many of your follow-ups are due and how many of your people have a goal check-in. It never shows a name or a note.
## The reminder itself (a desktop notification, raised by the app's shell): counts only.
reminder-title = Tandem: what is due
reminder-follow-ups = { $n ->
    [one] 1 follow-up due today or late.
   *[other] { $n } follow-ups due today or late.
}
reminder-check-ins = { $n ->
    [one] 1 person has a goal check-in due.
   *[other] { $n } people have a goal check-in due.
}

## Errors
error-locked = Tandem is locked: unlock it first.
error-no-vault = There is no notebook on this device yet.
error-vault-exists = A notebook already exists on this device.
error-wrong-passphrase = That passphrase does not open this notebook.
error-too-many-attempts = Too many tries: wait a little, then try again.
error-vault-in-use = The notebook is open in another program.
error-vault-too-new = This notebook was made by a newer Tandem: update Tandem.
error-vault-damaged = A file of the notebook is damaged.
error-not-found = This is not (or no longer) in the notebook.
error-ambiguous = Several people match: be more precise.
error-invalid-input = Something written is not accepted: check the fields.
error-io = Reading or writing on this device failed.
error-disk-full = This device's storage is full: nothing was saved. Free some space, then try again.
error-offline = The relay cannot be reached. Your changes wait safely and will be sent when it answers.
error-relay-refused = The relay refused (not allowed).
error-team-creation-refused = The relay did not let this device create a team: ask its operator for the team-creation token, or check the one you typed.
error-invite-invalid = This invite code can no longer be used: it has expired, has been used, or was made before a device was removed from the team. Ask a team member for a new one.
error-revoked = This device was removed from the team.
error-relay-went-back = The relay's log went back past what this device saw (it may have been restored from a backup). Nothing is sent to it or taken from it: your changes stay on this device until an admin checks the relay.
error-team-record-refused = The relay offered a change to the team that no admin signed (or went back on the team's record). It was refused and syncing is paused: your changes stay on this device, and syncing resumes by itself once the relay's answers check out. Tell an admin.
error-not-in-team = This notebook is not in a team on a relay yet.
error-too-many-merged = A person's record can hold at most 32 records merged together: nothing was merged.
error-changed-meanwhile = This changed since it was shown (a sync brought something): nothing was done. Look again, then confirm.
error-internal = Something went wrong. Your saved work is safe.
record-fingerprint = Team record fingerprint (every device of the team shows the same):

## Report
report-title = The team's work
report-choose = Period
report-last-month = Last month
report-this-week = This week
report-this-month = This month
report-this-quarter = This quarter
report-period = From { $from } to { $to }, counted on this device
report-encounters = Encounters
report-people-met = People met
report-new-people = New people
report-anonymous = Anonymous street contacts
report-anonymous-linked = … of which later linked to a person
report-naloxone = Naloxone given
report-referrals = Referrals made
report-referrals-done = … of them done
report-referrals-not-happened = … of them did not happen
report-follow-ups-done = Follow-ups done
report-follow-ups-overdue = Follow-ups overdue
report-goals-reached = Goals reached
report-time = Time spent (where recorded)
report-debriefs = Debriefs asked for
report-per-week = Encounters per week
report-given = What was given
report-goals-by-status = Goals by status
report-week-of = Week of
report-item = Item
report-status = Status
report-export-csv = Save the counts as CSV
report-export-hint = For a spreadsheet (LibreOffice, Excel): the counts of this period only, no name, nothing per member; a count below 5 is written "<5".
report-saved = Saved: { $path }
report-export-research = Save the research export (CSV)
report-export-research-hint = One row per encounter of the people whose recorded consent covers research, each person under a key made for this file only: no name, note, place or words, nothing per member. Look it over before it leaves the team.
report-research-counts = { $encounters ->
    [one] { $encounters } encounter
   *[other] { $encounters } encounters
} of { $people ->
    [one] { $people } person
   *[other] { $people } people
}; { $left ->
    [one] { $left } person met in this period is left out
   *[other] { $left } people met in this period are left out
} (their consent does not cover research).
## Hand-over and cover
cover-open = Hand-over and cover
cover-title = Hand-over and cover
cover-hint = When a member is away, the people they accompany and their open follow-ups wait here until someone takes them. Nothing here counts anyone's work.
away-title = Away
away-none = Nobody is away.
away-who = Member
away-choose = Choose a member
away-reason = Why
away-leave = On leave
away-left = Left the team
away-submit = Mark away
away-marked = Marked away.
away-back = Back
back-marked = Marked back.
needs-title = Needs someone
needs-people = People
needs-people-none = Everyone has someone.
needs-followups = Follow-ups
needs-followups-none = No follow-up waits for someone.
nobody = nobody
accompanied-was = Accompanied by { $names }
handover-note = Note for the next peer (optional)
take-person = I'll accompany them
take-followup = I'll do it
person-taken = You now accompany them.
followup-taken = The follow-up is yours.
team-followups-title = The team's follow-ups (next 7 days)
responsible-named = Responsible: { $name }
is-away = away
accompanied-by = Accompanied by: { $names }
handover-notes = Hand-over notes
handover-by = { $name }, { $date }
followup-give = Give to
followup-give-button = Give
followup-given = Follow-up given.
handover-written-on = { $rel ->
    [today] today
    [yesterday] yesterday
   *[other] on { $date }
}
## Places, referrals and debriefs
places-open = Places
places-title = Places we refer people to
places-hint = The team's list: shelters, food banks, clinics, legal aid… On every device of the team, offline too.
places-search = Find a place
places-list = The team's list
places-none = No place on the list yet.
places-none-found = No place matches.
place-new = A new place
place-add-open = Add a place
place-name = Name
place-name-needed = A place needs a name.
place-kind = Kind of place
place-kind-none = No kind
place-address = Address
place-phone = Phone
place-hours = Opening hours
place-notes = Notes for the team
place-add = Add to the list
place-cancel = Cancel
place-added = Place added.
place-saved = Place saved.
place-checked = Noted as still right.
place-removed = Taken off the list.
place-checked-by = { $rel ->
    [today] Last checked today by { $name }
    [yesterday] Last checked yesterday by { $name }
   *[other] Last checked on { $date } by { $name }
}
place-check = Still right
place-edit = Change
place-remove = Take off the list
place-remove-warning = Take “{ $name }” off the list? Referrals already made to it keep it.
place-remove-confirm = Yes, take it off
place-conflict = “{ $field }” was changed on two devices at once. Choose the one to keep:
referral-picked = Places chosen
referral-unpick = Remove { $name }
referral-place-search = A place from the team's list
referral-no-place = No place of the list matches: write it below.
referrals-other = Other referrals, in words (separate with commas)
referred-to = Referred to
referral-done = Done
referral-didnt-happen = Didn't happen
referral-unknown = Not known
referral-unknown-yet = Not known yet
referral-noted = Noted.
noted-by = { $rel ->
    [today] noted today by { $name }
    [yesterday] noted yesterday by { $name }
   *[other] noted on { $date } by { $name }
}
debriefs-open = Debriefs
debriefs-title = Debriefs asked for
debriefs-hint = A peer who asked for a debrief after an encounter, for their own support. Nothing here counts or compares anyone.
debriefs-waiting = Not done yet
debriefs-none-waiting = No debrief is waiting.
debriefs-done = Done
debriefs-none-done = None done yet.
debrief-asked-by = Asked by { $name }
debrief-mark-done = It took place
debrief-marked = Debrief noted as done.
debrief-done-by = { $rel ->
    [today] Done: noted today by { $name }
    [yesterday] Done: noted yesterday by { $name }
   *[other] Done: noted on { $date } by { $name }
}

## Street contacts and merged records
street-open = Street contacts
street-title = Street contacts
street-hint = People met on the street whose name you don't know yet. If you learn who someone was, link the contact to their record: it shows there, and still counts in its month.
street-month = Month
street-month-before = Previous month
street-month-after = Next month
street-contact = Street contact
street-none = No street contacts this month.
street-recorded-by = recorded by { $name }
street-given = Given: { $items }
street-was = This was { $name }
street-linked-by = { $rel ->
    [today] linked today by { $by }
    [yesterday] linked yesterday by { $by }
   *[other] linked on { $date } by { $by }
}
street-link-conflict = Also linked at the same time, on another device, to: { $names }. Link it again to settle it.
street-unknown-record = a record not on this device
street-link-start = This was…
street-link-who = Who was it?
street-link-cancel = Not now
street-unlink = Not them: unlink
street-linked = Linked: it shows on their record.
street-unlinked = Unlinked: an anonymous contact again.
person-none-found = No one found by that name.
merged-title = Records merged into this one
merged-hint = Everything written in them shows here. If one is not this person, take it out.
merged-by = { $rel ->
    [today] merged today by { $by }
    [yesterday] merged yesterday by { $by }
   *[other] merged on { $date } by { $by }
}
unmerge = Not the same person: take it out
person-unmerged = Taken out: it is a record of its own again.
merge-title = Same person as another record?
merge-start = Merge another record into this one…
merge-who = Which record is also them?
merge-question = Merge “{ $other }” into “{ $keep }”? Everything of both is kept, and you can take it out again.
merge-confirm = Merge
merge-cancel = Not now
person-merged = Merged: both records show here.
erase-also = { $n ->
    [one] It also erases the record merged into it: { $names }.
   *[other] It also erases the { $n } records merged into it: { $names }.
}
