//! What the vault reads out of a person's document: the whole record, the brief before a
//! visit, a line in a list, the history of changes.

use crate::encounter::{Encounter, FollowUp};
use crate::goal::Goal;
use crate::handover::HandoverNote;
use crate::ids::{MemberId, PersonId};
use crate::person::{Consent, Profile};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Two or more values written concurrently to one field on different devices. Nothing is
/// dropped: every value is kept until someone picks one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    /// Where the field is, from the document root (e.g. `["goals", "<id>", "status"]`).
    pub path: Vec<String>,
    /// Every value, as text; the first is the one shown by default.
    pub values: Vec<String>,
}

impl Conflict {
    /// The field's name (the last element of the path).
    pub fn field(&self) -> &str {
        self.path.last().map(String::as_str).unwrap_or("")
    }
}

/// Everything written about a person: what they can see and take away.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRecord {
    /// Their id.
    pub id: PersonId,
    /// How they want to be known and reached.
    pub profile: Profile,
    /// What they agreed to.
    pub consents: Vec<Consent>,
    /// Their goals, oldest first.
    pub goals: Vec<Goal>,
    /// Encounters, newest first.
    pub encounters: Vec<Encounter>,
    /// Follow-ups, by due date.
    pub follow_ups: Vec<FollowUp>,
    /// When the record was started.
    pub created_at: DateTime<Utc>,
    /// Fields edited concurrently on different devices.
    pub conflicts: Vec<Conflict>,
    /// The members who accompany them.
    #[serde(default)]
    pub accompanied_by: Vec<MemberId>,
    /// Notes left when someone took over, newest first.
    #[serde(default)]
    pub handovers: Vec<HandoverNote>,
    /// Other records of the same person merged into this one (their encounters, goals,
    /// follow-ups and consents are shown here; their ids still find this record).
    #[serde(default)]
    pub merged: Vec<MergedRecord>,
}

/// A record merged into another: nothing of it was moved or deleted, its document says
/// which record it is part of now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergedRecord {
    /// Its id.
    pub id: PersonId,
    /// The name it had.
    pub name: String,
    /// Who merged it.
    pub by: Option<MemberId>,
    /// When.
    pub at: Option<DateTime<Utc>>,
}

impl PersonRecord {
    /// When they were last met, if ever.
    pub fn last_seen(&self) -> Option<DateTime<Utc>> {
        self.encounters.iter().map(|e| e.at).max()
    }

    /// The nearest check-in date among open goals.
    pub fn next_check_in(&self) -> Option<NaiveDate> {
        self.goals
            .iter()
            .filter(|g| g.status.is_open())
            .filter_map(|g| g.next_check_in)
            .min()
    }

    /// The brief: what a peer reads before a visit.
    pub fn brief(&self, last_encounters: usize) -> PersonBrief {
        let mut goals: Vec<Goal> = self.goals.clone();
        // Open goals first (working on it, exploring, paused), then reached and let go.
        goals.sort_by_key(|g| (!g.status.is_open(), g.status, g.created_at));
        PersonBrief {
            id: self.id.clone(),
            name: self.profile.name.clone(),
            nicknames: self.profile.nicknames.clone(),
            pronouns: self.profile.pronouns.clone(),
            languages: self.profile.languages.clone(),
            contact: self.profile.contact.clone(),
            remember: self.profile.remember.clone(),
            goals,
            last_encounters: self
                .encounters
                .iter()
                .take(last_encounters)
                .cloned()
                .collect(),
            encounter_count: self.encounters.len(),
            open_follow_ups: self
                .follow_ups
                .iter()
                .filter(|f| f.done_at.is_none())
                .cloned()
                .collect(),
            consents: self.consents.clone(),
            last_seen: self.last_seen(),
            conflicts: self.conflicts.clone(),
            accompanied_by: self.accompanied_by.clone(),
            handovers: self.handovers.clone(),
            member_names: Vec::new(),
            merged: self.merged.clone(),
        }
    }
}

/// What a peer reads before seeing someone, on one phone screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonBrief {
    /// Their id.
    pub id: PersonId,
    /// How they want to be called.
    pub name: String,
    /// Other names.
    pub nicknames: Vec<String>,
    /// Pronouns.
    pub pronouns: Option<String>,
    /// Languages.
    pub languages: Vec<String>,
    /// How to reach them.
    pub contact: String,
    /// Things to remember.
    pub remember: String,
    /// Goals, open ones first, each with its next step.
    pub goals: Vec<Goal>,
    /// The last encounters, newest first.
    pub last_encounters: Vec<Encounter>,
    /// How many encounters in all.
    pub encounter_count: usize,
    /// Follow-ups not yet done.
    pub open_follow_ups: Vec<FollowUp>,
    /// Consents.
    pub consents: Vec<Consent>,
    /// When last seen.
    pub last_seen: Option<DateTime<Utc>>,
    /// Fields edited concurrently, with every value.
    pub conflicts: Vec<Conflict>,
    /// The members who accompany them.
    #[serde(default)]
    pub accompanied_by: Vec<MemberId>,
    /// Notes left when someone took over, newest first.
    #[serde(default)]
    pub handovers: Vec<HandoverNote>,
    /// The names of the members this brief mentions (accompanying, responsible, wrote a
    /// note), filled in by the vault from the team it knows.
    #[serde(default)]
    pub member_names: Vec<(MemberId, String)>,
    /// Other records of the same person merged into this one.
    #[serde(default)]
    pub merged: Vec<MergedRecord>,
}

impl PersonBrief {
    /// A member's name as the brief knows it, or a short form of the id.
    pub fn member_name(&self, id: &MemberId) -> String {
        self.member_names
            .iter()
            .find(|(m, _)| m == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| id.as_str().chars().take(8).collect())
    }
}

/// A person in a list or a search result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonSummary {
    /// Their id.
    pub id: PersonId,
    /// How they want to be called.
    pub name: String,
    /// Other names.
    pub nicknames: Vec<String>,
    /// Pronouns.
    pub pronouns: Option<String>,
    /// When last seen.
    pub last_seen: Option<DateTime<Utc>>,
    /// Nearest check-in among open goals.
    pub next_check_in: Option<NaiveDate>,
    /// Goals still open.
    pub open_goals: u32,
    /// Follow-ups not yet done.
    pub open_follow_ups: u32,
    /// Whether some field has concurrent values to look at.
    pub has_conflicts: bool,
}

/// A follow-up in the list of what is due, across people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpDue {
    /// The person it is for.
    pub person: PersonId,
    /// Their name.
    pub person_name: String,
    /// The follow-up.
    pub follow_up: FollowUp,
}

/// One change to a person's record: who, when, what (never the content itself).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// When the change was made (the device's clock).
    pub at: DateTime<Utc>,
    /// The member who made it, when the team knows the device.
    pub by: Option<MemberId>,
    /// Their name, when known.
    pub by_name: Option<String>,
    /// The device that made it (hex).
    pub device: String,
    /// What was done, as a code (`person.add`, `goal.edit`, `encounter.add`…).
    pub action: String,
    /// The id of what it was done to (a goal, an encounter…), when there is one.
    pub target: Option<String>,
}
