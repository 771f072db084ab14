//! Cover: what waits for someone to take it, and the team's open follow-ups with who is
//! away. These are lists of work, never scores: nothing here counts or ranks what a member
//! did.

use crate::brief::FollowUpDue;
use crate::handover::Away;
use crate::ids::{MemberId, PersonId};
use serde::{Deserialize, Serialize};

/// A person who has no present member accompanying them: those who did are away or no
/// longer in the team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonNeed {
    /// The person.
    pub person: PersonId,
    /// Their name.
    pub name: String,
    /// Who accompanied them (away or gone), by id.
    pub accompanied_by: Vec<MemberId>,
}

/// What waits for someone to take it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedsSomeone {
    /// People with no present member accompanying them, by name.
    pub people: Vec<PersonNeed>,
    /// Open follow-ups whose responsible member is away or gone, oldest due first.
    pub follow_ups: Vec<FollowUpDue>,
}

/// The team's open follow-ups, everyone's, for the team view.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamFollowUps {
    /// The follow-ups (each with its responsible member), oldest due first.
    pub follow_ups: Vec<FollowUpDue>,
    /// Members away, so a view can mark their follow-ups.
    pub away: Vec<Away>,
}
