//! The team: its members and settings.

use crate::ids::MemberId;
use serde::{Deserialize, Serialize};

/// A member's role in the team.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    /// Can invite and revoke devices.
    Admin,
    /// A member of the care team.
    Member,
}

/// A member of the team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// Their id.
    pub id: MemberId,
    /// Their name.
    pub name: String,
    /// Their role.
    pub role: MemberRole,
    /// Their devices' ids (hex).
    pub devices: Vec<String>,
}

/// The team's shared settings: the lists the forms offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamSettings {
    /// Encounter kind codes.
    pub encounter_kinds: Vec<String>,
    /// Life domain codes.
    pub life_domains: Vec<String>,
    /// Codes of what can be given.
    pub given_items: Vec<String>,
}

impl Default for TeamSettings {
    fn default() -> Self {
        Self {
            encounter_kinds: crate::labels::ENCOUNTER_KINDS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            life_domains: crate::labels::LIFE_DOMAINS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            given_items: crate::labels::GIVEN_ITEMS
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }
}

/// The team as this device knows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamInfo {
    /// The team document's id.
    pub id: String,
    /// The team's name.
    pub name: String,
    /// Its members.
    pub members: Vec<Member>,
    /// Its settings.
    pub settings: TeamSettings,
    /// The member using this device.
    pub me: MemberId,
    /// This device's id (hex).
    pub device: String,
}
