//! What each command takes: Tauri passes a command its arguments by name, so each struct here
//! is the JSON object the front end sends, field for field the shell command's parameters
//! (`src-tauri/src/commands.rs`). Commands that take nothing are sent [`NoArgs`].

use super::answers::Settings;
use crate::{
    AwayReason, ConsentId, EncounterId, FollowUpId, GoalId, GoalUpdate, MemberId, NewConsent,
    NewEncounter, NewGoal, NewPerson, NewPlace, OptionList, Outcome, PersonId, PlaceId,
    PlaceUpdate, ProfileUpdate, StepId,
};
use serde::Serialize;
use std::fmt;

/// No arguments.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct NoArgs {}

/// `save_settings`.
#[derive(Debug, Clone, Serialize)]
pub struct SaveSettings {
    /// The new settings.
    pub settings: Settings,
}

/// `create_vault`.
#[derive(Clone, Serialize)]
pub struct CreateVault {
    /// The passphrase that will open it.
    pub passphrase: String,
    /// The name of the member using this device.
    pub member_name: String,
    /// The team's name.
    pub team_name: String,
}

/// `join_team`.
#[derive(Clone, Serialize)]
pub struct JoinTeam {
    /// The invite code.
    pub code: String,
    /// The passphrase of this device's new vault.
    pub passphrase: String,
    /// The name of the member using this device.
    pub member_name: String,
}

/// `unlock`.
#[derive(Clone, Serialize)]
pub struct Unlock {
    /// The passphrase.
    pub passphrase: String,
}

/// `change_passphrase`.
#[derive(Clone, Serialize)]
pub struct ChangePassphrase {
    /// The passphrase in force.
    pub current: String,
    /// The new one.
    pub new: String,
}

// Passphrases never reach a log, even a debug one.
impl fmt::Debug for CreateVault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateVault")
            .field("member_name", &self.member_name)
            .field("team_name", &self.team_name)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for JoinTeam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinTeam")
            .field("member_name", &self.member_name)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Unlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Unlock").finish_non_exhaustive()
    }
}

impl fmt::Debug for ChangePassphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChangePassphrase").finish_non_exhaustive()
    }
}

/// `create_team`.
#[derive(Debug, Clone, Serialize)]
pub struct CreateTeam {
    /// The relay's address.
    pub relay_url: String,
    /// The team's name.
    pub team_name: String,
    /// The team-creation token the relay's operator gave (none for a demo relay).
    pub relay_token: Option<String>,
}

/// `search_people`.
#[derive(Debug, Clone, Serialize)]
pub struct Query {
    /// What was typed (accents and case ignored).
    pub query: String,
}

/// `add_person`.
#[derive(Debug, Clone, Serialize)]
pub struct AddPerson {
    /// The new person.
    pub person: NewPerson,
}

/// `record_encounter`.
#[derive(Debug, Clone, Serialize)]
pub struct RecordEncounter {
    /// The encounter.
    pub encounter: NewEncounter,
}

/// `brief`, `person_record`, `history`: one person.
#[derive(Debug, Clone, Serialize)]
pub struct OfPerson {
    /// The person.
    pub person: PersonId,
}

/// `erase_person`: the record as it was shown, with the records shown as merged into it
/// (erased with it; nothing is erased when that is no longer what the vault holds).
#[derive(Debug, Clone, Serialize)]
pub struct ErasePerson {
    /// The person.
    pub person: PersonId,
    /// The ids of the records merged into theirs, as the brief listed them.
    pub merged: Vec<PersonId>,
}

/// `resolve_conflict`.
#[derive(Debug, Clone, Serialize)]
pub struct ResolveConflict {
    /// The person.
    pub person: PersonId,
    /// The field's path in their record.
    pub path: Vec<String>,
    /// Which of the values to keep.
    pub choice: usize,
}

/// `update_profile`.
#[derive(Debug, Clone, Serialize)]
pub struct UpdateProfile {
    /// The person.
    pub person: PersonId,
    /// What changes.
    pub update: ProfileUpdate,
}

/// `record_consent`.
#[derive(Debug, Clone, Serialize)]
pub struct RecordConsent {
    /// The person.
    pub person: PersonId,
    /// The consent they gave.
    pub consent: NewConsent,
}

/// `withdraw_consent`.
#[derive(Debug, Clone, Serialize)]
pub struct WithdrawConsent {
    /// The person.
    pub person: PersonId,
    /// The consent withdrawn.
    pub consent: ConsentId,
    /// When (today if absent).
    pub on: Option<chrono::NaiveDate>,
}

/// `add_goal`.
#[derive(Debug, Clone, Serialize)]
pub struct AddGoal {
    /// The person.
    pub person: PersonId,
    /// The goal, in their words.
    pub goal: NewGoal,
}

/// `update_goal`.
#[derive(Debug, Clone, Serialize)]
pub struct UpdateGoal {
    /// The person.
    pub person: PersonId,
    /// The goal.
    pub goal: GoalId,
    /// What changes.
    pub update: GoalUpdate,
}

/// `add_step`.
#[derive(Debug, Clone, Serialize)]
pub struct AddStep {
    /// The person.
    pub person: PersonId,
    /// The goal.
    pub goal: GoalId,
    /// The step's words.
    pub text: String,
}

/// `set_step_done`.
#[derive(Debug, Clone, Serialize)]
pub struct SetStepDone {
    /// The person.
    pub person: PersonId,
    /// The goal.
    pub goal: GoalId,
    /// The step.
    pub step: StepId,
    /// Done or not.
    pub done: bool,
}

/// `complete_follow_up`.
#[derive(Debug, Clone, Serialize)]
pub struct CompleteFollowUp {
    /// The person.
    pub person: PersonId,
    /// The follow-up.
    pub follow_up: FollowUpId,
}

/// `add_team_option`, `remove_team_option`.
#[derive(Debug, Clone, Serialize)]
pub struct TeamOption {
    /// Which list.
    pub which: OptionList,
    /// The option's code or words.
    pub value: String,
}

/// `create_invite`.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CreateInvite {
    /// How long it stays valid, in hours (the shell keeps it between 1 and a week).
    pub hours: u64,
}

/// `revoke_device`.
#[derive(Debug, Clone, Serialize)]
pub struct RevokeDevice {
    /// The device's id (hex).
    pub device: String,
}

/// `draft_save`.
#[derive(Debug, Clone, Serialize)]
pub struct DraftSave {
    /// The draft encounter as the front end's own JSON.
    pub draft: String,
}

/// `report`, `export_report_csv` and `export_research_csv`: the days `from` to `to`, both included, read in this
/// computer's time zone.
#[derive(Debug, Clone, Serialize)]
pub struct ReportDays {
    /// The first day.
    pub from: chrono::NaiveDate,
    /// The last day.
    pub to: chrono::NaiveDate,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passphrases_stay_out_of_debug_output() {
        let a = CreateVault {
            passphrase: "secret words".into(),
            member_name: "Sam".into(),
            team_name: "Team".into(),
        };
        assert!(!format!("{a:?}").contains("secret"));
        let u = Unlock {
            passphrase: "secret words".into(),
        };
        assert!(!format!("{u:?}").contains("secret"));
    }
}

// ---- hand-over and cover ----

/// `mark_away`.
#[derive(Debug, Clone, Serialize)]
pub struct MarkAway {
    /// The member.
    pub member: MemberId,
    /// On leave, or left the team.
    pub reason: AwayReason,
}

/// `mark_back`.
#[derive(Debug, Clone, Serialize)]
pub struct OfMember {
    /// The member.
    pub member: MemberId,
}

/// `take_person`.
#[derive(Debug, Clone, Serialize)]
pub struct TakePerson {
    /// The person.
    pub person: PersonId,
    /// A note for the next peer, read on the brief (empty: none).
    pub note: String,
}

/// `take_follow_up`.
#[derive(Debug, Clone, Serialize)]
pub struct TakeFollowUp {
    /// The person.
    pub person: PersonId,
    /// The follow-up.
    pub follow_up: FollowUpId,
    /// A note for the next peer, read on the brief (empty: none).
    pub note: String,
}

/// `reassign_follow_up`.
#[derive(Debug, Clone, Serialize)]
pub struct ReassignFollowUp {
    /// The person.
    pub person: PersonId,
    /// The follow-up.
    pub follow_up: FollowUpId,
    /// The member who will do it.
    pub to: MemberId,
}

// ---- places and debriefs ----

/// `add_place`.
#[derive(Debug, Clone, Serialize)]
pub struct AddPlace {
    /// The new place.
    pub place: NewPlace,
}

/// `edit_place`.
#[derive(Debug, Clone, Serialize)]
pub struct EditPlace {
    /// The place.
    pub place: PlaceId,
    /// What changes (only the fields given; an empty text clears one).
    pub update: PlaceUpdate,
}

/// `check_place`, `remove_place`: one place.
#[derive(Debug, Clone, Serialize)]
pub struct OfPlace {
    /// The place.
    pub place: PlaceId,
}

/// `resolve_place_conflict`.
#[derive(Debug, Clone, Serialize)]
pub struct ResolvePlaceConflict {
    /// The place.
    pub place: PlaceId,
    /// The field (`name`, `kind`, `address`, `phone`, `hours`).
    pub field: String,
    /// Which of the values to keep, in the order the conflict lists them.
    pub choice: usize,
}

/// `set_referral_outcome`.
#[derive(Debug, Clone, Serialize)]
pub struct SetReferralOutcome {
    /// The encounter the referral was made on.
    pub encounter: EncounterId,
    /// The referral's position in the encounter's list (from 0).
    pub index: usize,
    /// Done, did not happen, or `None`: not known (again).
    pub outcome: Option<Outcome>,
}

/// `mark_debrief_done`: one encounter.
#[derive(Debug, Clone, Serialize)]
pub struct OfEncounter {
    /// The encounter.
    pub encounter: EncounterId,
}

/// `street_log`: one month of the street log.
#[derive(Debug, Clone, Serialize)]
pub struct OfMonth {
    /// `YYYY-MM`.
    pub month: String,
}

/// `link_street_entry`: "this was…".
#[derive(Debug, Clone, Serialize)]
pub struct LinkStreetEntry {
    /// The street-log entry.
    pub entry: EncounterId,
    /// The person it was.
    pub person: PersonId,
}

/// `unlink_street_entry`: the entry is an anonymous contact again.
#[derive(Debug, Clone, Serialize)]
pub struct OfEntry {
    /// The street-log entry.
    pub entry: EncounterId,
}

/// `merge_people`: two records of the same person become one.
#[derive(Debug, Clone, Serialize)]
pub struct MergePeople {
    /// The record kept (its name is the one shown).
    pub keep: PersonId,
    /// The other record, merged into it.
    pub other: PersonId,
}

/// `unmerge_person`: a record merged away is a record of its own again.
#[derive(Debug, Clone, Serialize)]
pub struct UnmergePerson {
    /// The record merged away.
    pub other: PersonId,
}
