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

/// One of the lists in [`TeamSettings`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptionList {
    /// Encounter kinds.
    EncounterKinds,
    /// Life domains.
    LifeDomains,
    /// What can be given.
    GivenItems,
}

impl OptionList {
    /// Every list, in display order.
    pub const ALL: [OptionList; 3] = [Self::EncounterKinds, Self::LifeDomains, Self::GivenItems];

    /// The stable code (also the key in the team document).
    pub fn code(self) -> &'static str {
        match self {
            Self::EncounterKinds => "encounter_kinds",
            Self::LifeDomains => "life_domains",
            Self::GivenItems => "given_items",
        }
    }

    /// Parses a code, or a short name (`kinds`, `domains`, `given`).
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "encounter_kinds" | "kinds" | "kind" => Some(Self::EncounterKinds),
            "life_domains" | "domains" | "domain" => Some(Self::LifeDomains),
            "given_items" | "given" => Some(Self::GivenItems),
            _ => None,
        }
    }
}

impl TeamSettings {
    /// One of the lists.
    pub fn list(&self, which: OptionList) -> &[String] {
        match which {
            OptionList::EncounterKinds => &self.encounter_kinds,
            OptionList::LifeDomains => &self.life_domains,
            OptionList::GivenItems => &self.given_items,
        }
    }
}

/// The longest option a team may add, in characters.
pub const MAX_OPTION_CHARS: usize = 60;

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
    /// The team record's fingerprint (six groups of five digits), the same on every device of
    /// the team: read between people to check no one else wrote the record. `None` for a
    /// team without a record.
    #[serde(default)]
    pub record_fingerprint: Option<String>,
}
