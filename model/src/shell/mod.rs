//! The contract between the app's shell (`src-tauri`) and its front end (`src-ui`): the name of
//! every command, what each one takes ([`args`]) and the answers that are not model types of
//! their own ([`answers`]).
//!
//! Both sides compile against these types, so a field renamed on one side is renamed on the
//! other, and the list of commands is written once: the shell's build step generates one
//! permission per name, its tests check that the window's capability allows exactly these, and
//! the front end calls commands by [`Command`], never by a string of its own.

pub mod answers;
pub mod args;

/// The event the shell sends with each sync status (`tandem_core::sync::SyncStatus` as JSON).
pub const SYNC_EVENT: &str = "sync-status";

/// The error code the shell answers when a command needs the vault and it is locked (the
/// other codes are [`crate::ErrorCode`]s in snake_case).
pub const LOCKED: &str = "locked";

// One line a command: the enum, its wire name and the list cannot disagree.
macro_rules! commands {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// A command the front end may call.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Command {
            $($(#[$doc])* $variant,)*
        }

        impl Command {
            /// Every command, in the order the shell registers them.
            pub const ALL: &'static [Command] = &[$(Command::$variant,)*];

            /// Every command's wire name, in the same order (what Tauri's build step takes).
            pub const NAMES: &'static [&'static str] = &[$($name,)*];

            /// The name the shell registers it under (snake_case).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Command::$variant => $name,)*
                }
            }
        }
    };
}

commands! {
    /// Whether a vault exists and is unlocked, and the settings ([`answers::AppInfo`]).
    AppInfo = "app_info",
    /// Saves the settings ([`args::SaveSettings`]).
    SaveSettings = "save_settings",
    /// Creates this device's vault ([`args::CreateVault`]).
    CreateVault = "create_vault",
    /// Joins a team with an invite code ([`args::JoinTeam`]).
    JoinTeam = "join_team",
    /// Unlocks the vault ([`args::Unlock`]).
    Unlock = "unlock",
    /// Locks the vault.
    Lock = "lock",
    /// Puts this vault's team on a relay ([`args::CreateTeam`]).
    CreateTeam = "create_team",
    /// The Today screen ([`answers::Today`]).
    Today = "today",
    /// Everyone in the notebook.
    ListPeople = "list_people",
    /// People matching a query ([`args::Query`]).
    SearchPeople = "search_people",
    /// Adds a person ([`args::AddPerson`]).
    AddPerson = "add_person",
    /// Records an encounter ([`args::RecordEncounter`]).
    RecordEncounter = "record_encounter",
    /// A person's brief ([`args::OfPerson`]).
    Brief = "brief",
    /// A person's whole record ([`args::OfPerson`]).
    PersonRecord = "person_record",
    /// Who changed a person's record, and when ([`args::OfPerson`]).
    History = "history",
    /// Keeps one of two values edited at once ([`args::ResolveConflict`]).
    ResolveConflict = "resolve_conflict",
    /// Erases a person, at their request ([`args::ErasePerson`]).
    ErasePerson = "erase_person",
    /// Edits how a person is known and reached ([`args::UpdateProfile`]).
    UpdateProfile = "update_profile",
    /// Records a consent ([`args::RecordConsent`]).
    RecordConsent = "record_consent",
    /// Records a consent's withdrawal ([`args::WithdrawConsent`]).
    WithdrawConsent = "withdraw_consent",
    /// Adds a goal ([`args::AddGoal`]).
    AddGoal = "add_goal",
    /// Edits a goal ([`args::UpdateGoal`]).
    UpdateGoal = "update_goal",
    /// Adds a step to a goal ([`args::AddStep`]).
    AddStep = "add_step",
    /// Ticks or unticks a step ([`args::SetStepDone`]).
    SetStepDone = "set_step_done",
    /// Marks a follow-up done ([`args::CompleteFollowUp`]).
    CompleteFollowUp = "complete_follow_up",
    /// The Team & sync screen ([`answers::TeamOverview`]).
    TeamOverview = "team_overview",
    /// The lists the forms offer.
    TeamSettings = "team_settings",
    /// Adds an option to one of those lists ([`args::TeamOption`]).
    AddTeamOption = "add_team_option",
    /// Removes an option from one of those lists ([`args::TeamOption`]).
    RemoveTeamOption = "remove_team_option",
    /// The team's devices as the relay knows them ([`answers::DeviceInfo`]).
    ListDevices = "list_devices",
    /// An invite for a new device ([`args::CreateInvite`], [`answers::Invite`]).
    CreateInvite = "create_invite",
    /// Removes a device from the team ([`args::RevokeDevice`]).
    RevokeDevice = "revoke_device",
    /// Asks the background sync to run now.
    SyncNow = "sync_now",
    /// The latest sync status.
    SyncStatus = "sync_status",
    /// Changes the passphrase ([`args::ChangePassphrase`]).
    ChangePassphrase = "change_passphrase",
    /// Keeps the draft encounter in the shell's memory ([`args::DraftSave`]).
    DraftSave = "draft_save",
    /// The draft encounter, if any.
    DraftLoad = "draft_load",
    /// Forgets the draft encounter.
    DraftClear = "draft_clear",
    /// The team's work over some days, in this computer's time zone ([`args::ReportDays`],
    /// [`crate::Report`]).
    Report = "report",
    /// The report's counts saved as a CSV file for a spreadsheet ([`args::ReportDays`] →
    /// [`answers::SavedFile`]).
    ExportReportCsv = "export_report_csv",
    /// The de-identified row-per-encounter file of the people whose consent covers research,
    /// saved as CSV ([`args::ReportDays`] → [`answers::ResearchSaved`]).
    ExportResearchCsv = "export_research_csv",
    // ---- hand-over and cover ----
    /// Members present and away, and what needs someone ([`answers::Cover`]).
    Cover = "cover",
    /// Everyone's open follow-ups for the next days, with who is away
    /// ([`crate::TeamFollowUps`]).
    TeamFollowUps = "team_follow_ups",
    /// Marks a member away ([`args::MarkAway`]).
    MarkAway = "mark_away",
    /// Marks a member back ([`args::OfMember`]).
    MarkBack = "mark_back",
    /// This device's member takes a person on ([`args::TakePerson`]).
    TakePerson = "take_person",
    /// This device's member takes a follow-up ([`args::TakeFollowUp`]).
    TakeFollowUp = "take_follow_up",
    /// Gives a follow-up to another member ([`args::ReassignFollowUp`]).
    ReassignFollowUp = "reassign_follow_up",
    // ---- places and debriefs ----
    /// The team's places whose words hold every word of a query, accents ignored; all of
    /// them for an empty one ([`args::Query`], [`answers::PlaceList`]).
    SearchPlaces = "search_places",
    /// Adds a place to the team's list ([`args::AddPlace`]).
    AddPlace = "add_place",
    /// Changes a place ([`args::EditPlace`]).
    EditPlace = "edit_place",
    /// Notes that a place's details are still right, today, by this member
    /// ([`args::OfPlace`]).
    CheckPlace = "check_place",
    /// Takes a place off the list; referrals to it keep it ([`args::OfPlace`]).
    RemovePlace = "remove_place",
    /// Keeps one of two values of a place's field edited at once
    /// ([`args::ResolvePlaceConflict`]).
    ResolvePlaceConflict = "resolve_place_conflict",
    /// Notes whether a referral happened ([`args::SetReferralOutcome`]).
    SetReferralOutcome = "set_referral_outcome",
    /// The debriefs peers asked for, those not done yet first ([`answers::Debriefs`]).
    Debriefs = "debriefs",
    /// Notes that a debrief took place, now, by this member ([`args::OfEncounter`]).
    MarkDebriefDone = "mark_debrief_done",
    /// A month of the street log ([`args::OfMonth`] → [`answers::StreetMonth`]).
    StreetLog = "street_log",
    /// Links a street-log entry to the person it was ([`args::LinkStreetEntry`]).
    LinkStreetEntry = "link_street_entry",
    /// Takes a street-log entry's link off ([`args::OfEntry`]).
    UnlinkStreetEntry = "unlink_street_entry",
    /// Merges two records of the same person ([`args::MergePeople`]).
    MergePeople = "merge_people",
    /// Undoes a merge ([`args::UnmergePerson`]).
    UnmergePerson = "unmerge_person",
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_command_has_one_distinct_snake_case_name() {
        assert_eq!(Command::ALL.len(), Command::NAMES.len());
        for (c, name) in Command::ALL.iter().zip(Command::NAMES) {
            assert_eq!(c.as_str(), *name);
            assert!(
                name.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'),
                "{name}"
            );
        }
        let distinct: BTreeSet<_> = Command::NAMES.iter().collect();
        assert_eq!(distinct.len(), Command::NAMES.len());
    }
}
