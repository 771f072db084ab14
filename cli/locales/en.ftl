### The words of the `tandem` command, in English. fr.ftl has the same keys (the tests in
### src/i18n.rs check it); the CLI tests compare this text, so it changes only on purpose.

## Shared by several views
list-none = (none)
life-domains = life domains
this-device = this device

## People (`person list`, `person search`)
people-none-found = Nobody found.
people-column-name = NAME
people-column-pronouns = PRONOUNS
people-column-last-seen = LAST SEEN
people-column-goals = GOALS
people-column-follow-ups = FOLLOW-UPS

## A person's profile (`brief`, `person show`)
profile-nicknames = also known as
profile-pronouns = pronouns
profile-languages = languages
profile-contact = contact
profile-remember = remember
profile-started = record started

## Headings of the brief and the record
heading-goals = Goals
heading-last-encounters = Last encounters
heading-open-follow-ups = Open follow-ups
heading-consent = Consent
heading-follow-ups = Follow-ups
heading-encounters = Encounters ({ $count })

## The brief
brief-last-seen = last seen { $time }
brief-never-met = never met yet
brief-encounter-count = { $count } encounters
brief-next-step = next step

## Goals
goal-check-in = check-in { $date }
goal-updated = Goal updated.
goal-step-ticked = Step ticked.
goal-step-unticked = Step unticked.

## Encounters
encounters-none = No encounters.
encounter-someone-not-known = someone not known
encounter-given = given
encounter-referrals = referrals
encounter-debrief = debrief asked for
encounter-notes-updated = Notes updated.

## Follow-ups
followup-by = by { $date }
followup-late = late
followup-done = Done.
followups-nothing-due = Nothing due by { $date }.
due-column-due = DUE
due-column-person = PERSON
due-column-what = WHAT

## Consent
consent-given-on = given on { $date }
consent-withdrawn-on = WITHDRAWN on { $date }
consent-withdrawn = Consent withdrawn.

## Edits made on two devices at once
conflict-two-devices = ⚠ edited on two devices
conflict-several-devices = ⚠ edited on several devices
conflict-keep = to keep value N
conflict-kept = Kept that value.

## `person …`
person-profile-updated = Profile updated.
person-export-written = Written to { $path }
person-erase-needs-yes = erasing cannot be undone: run it again with --yes
person-erase-name-merged = records merged into this one, erased with it: {$count}; name each with --also ID (as `person show` lists them), or unmerge them first
person-erased = Erased here; the team's devices and the relay drop it at the next sync.

## `vault …`
vault-created = Created the vault in { $dir } (team: { $team })
vault-unlocked = Unlocked: { $team }
vault-people = people
vault-members = team members
vault-documents = documents
vault-outbox = changes to send
vault-passphrase-changed = Passphrase changed.
vault-indexes-rebuilt = Indexes rebuilt.
vault-compacted = Vault compacted.

## `team …`
team-members = Members
team-device-count = { $count } device(s)
team-you = you
team-settings = Settings
team-encounter-kinds = encounter kinds
team-given-items = given items
team-on-relay = The team is on the relay.
team-create-refused = The relay did not let this device create a team. Ask its operator for the team-creation token and give it with --relay-token (or TANDEM_RELAY_TOKEN).
team-invite-code = Invite code (show it in person; it works once):
team-invite-valid = Valid for { $hours } h. On the new device: tandem team join CODE --me NAME
team-joined = Joined the team.
team-device-revoked = revoked
team-revoked = Revoked: the relay refuses that device from now on.
team-option-added = Added; the team's devices offer it after their next sync.
team-option-removed = Removed from the forms; records written with it keep it.

## `sync` and `status`
sync-report = Sent { $pushed } change(s). Received { $pulled } ({ $updated } record(s) updated).
sync-refused = Refused (not from the team, or altered): { $count }.
sync-set-aside = { $count } change(s) from the team could not be read here; set aside, the rest is in.
sync-set-aside-read = { $count } change(s) set aside earlier could be read now.
sync-set-aside-held = { $count } change(s) from the team could not be read (set aside; an admin should look).
sync-team-doc-claims = The team document claims { $count } thing(s) about members, roles or keys that the team record does not say: ignored.
sync-dropped-erased = { $count } change(s) were not kept: the person they were about was erased at their request.
sync-not-in-team = Not in a team on a relay yet.
sync-offline = Offline.
sync-relay-went-back = The relay's log went back past what this device saw (restored from a backup?): nothing is sent or taken until an admin checks it, then `tandem sync --accept-restored-relay`.
sync-team-record-refused = The relay offered a change to the team that no admin signed, or went back on the team record ({ $problem }): it was refused; nothing is sent or taken until its answers check out again. Tell an admin.
sync-relay-accepted = The relay is trusted again: its log is pulled from the start and { $count } record(s) are sent again.
sync-waiting = { $count } change(s) waiting.
sync-synced-at = Synced at { $time }.
sync-never = Never synced.

## `demo`
demo-people = people
demo-encounters = encounters
demo-follow-ups = follow-ups
demo-time = time

record-setup-device = device
record-setup-member = member
record-setup-keep = keep
record-setup-yes = yes
record-setup-no = no
record-setup-differs = differs (team document and relay disagree)
record-setup-not-on-relay = not on the relay
record-setup-check = Before you write the record, check: every device kept belongs to someone on the team today and is still in their hands; leave out lost, replaced, unknown and test devices, and any row that differs unless you know why (its owner joins again with a new invite).
record-setup-then = To write it: { $command } (add --leave-out DEVICE for any you do not keep, then look again). Then read the fingerprint to each member and check their device shows the same one.
record-setup-done = Team record written: { $kept } devices kept, { $left } left out, and a new team key for those kept. Fingerprint: { $fingerprint } (read it to each member: their device must show the same).
team-record-fingerprint = Team record fingerprint (the same on every device of the team): { $fingerprint }
## `report`
report-title = The team's work from { $from } to { $to } ({ $zone })
report-encounters = Encounters
report-people-met = People met
report-new-people = New people
report-anonymous = Anonymous street contacts
report-naloxone = Naloxone given
report-referrals = Referrals made
report-referrals-done = … of them done
report-referrals-not-happened = … of them did not happen
report-follow-ups-done = Follow-ups done
report-follow-ups-overdue = Follow-ups overdue
report-goals-reached = Goals reached
report-debriefs = Debriefs asked for
report-time = Time spent ({ $count } encounters with a length)
report-hours = { $hours } h { $minutes } min
report-by-kind = Encounters by kind
report-given = What was given
report-goals-by-status = Goals by status
report-goals-by-domain = Goals by life domain
report-per-week = Encounters per week
report-none = none
report-not-recorded = not recorded
report-csv-written = The report's counts are in { $path } (every count below 5 written "<5").
report-research-written = Written to { $path }: { $encounters } encounters of { $people } people whose consent covers research, one row each, with a key made for this file only, no name, note, place or text. { $left } people met in the period are left out (their consent does not cover research).
## `places`
places-none = No places on the list.
place-column-name = Name
place-column-kind = Kind
place-column-phone = Phone
place-column-checked = Last checked
place-column-address = Address
place-column-hours = Hours
place-column-notes = Notes
place-checked-on = checked on { $date } by { $member }
place-never-checked = never checked
place-off-the-list = off the list
place-conflict = { $field }: edited on two devices at once; keep one with `tandem places choose`
place-updated = Place updated.
place-checked = Noted: still right as of today.
place-removed = Taken off the list (referrals to it keep it).
place-conflict-settled = Kept; the other value is gone on every device after the next sync.
## What came of an encounter (`encounter referral`, `debriefs`)
referral-done = done
referral-didnt-happen = did not happen
referral-noted = Noted.
encounter-debrief-done = debrief asked for, done
debriefs-none = No debrief waiting.
debrief-column-encounter = Encounter
debrief-column-asked-by = Asked by
debrief-column-when = When
debrief-column-done = Done
debrief-not-yet = not yet
debrief-noted-done = Noted: the debrief took place.
## `cover`: hand-over and cover
cover-present = Members who can take work
cover-away = Away
cover-away-since = since { $date }
cover-reason-leave = on leave
cover-reason-left = left the team
cover-is-away = away
cover-column-responsible = Responsible
cover-marked-away = Marked away: their people and open follow-ups now need someone.
cover-marked-back = Marked back.
cover-needs-people = People who need someone
cover-needs-follow-ups = Follow-ups that need someone
cover-nobody = nobody
cover-was-accompanied = accompanied by { $members }
cover-taken-person = You now accompany them.
cover-taken-followup = The follow-up is yours now.
cover-assigned = Follow-up given.
cover-accompany-changed = Who accompanies them is changed.
brief-accompanied-by = Accompanied by
brief-handover-notes = Hand-over notes
brief-handover-by = { $member }, { $time }

## Street contacts that become people, records merged
street-linked-to = linked to { $name } ({ $id })
street-linked-unknown = linked to a record this device does not hold ({ $id })
street-link-also = also linked at the same time, on another device, to: { $names } (link it again to choose)
street-linked = Linked to { $name }: the entry shows on their record.
street-unlinked = The link is off: an anonymous street contact again.
street-was-not-linked = That entry was not linked to anyone.
report-street-linked = … of which later linked to a person
person-merged = { $other } is merged into { $keep }: everything of both is kept.
person-unmerged = Merge undone: { $name } is a record of its own again.
heading-merged = Records merged into this one
merged-line = { $name }, merged on { $date }
