//! Hand-over: members away, and the notes left for the next peer when someone takes over.
//! The lists of what waits are in [`crate::cover`].

use crate::ids::MemberId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The longest hand-over note, in characters: a few lines for the next peer, not a file.
pub const MAX_HANDOVER_CHARS: usize = 1000;

/// Why a member is away.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AwayReason {
    /// On leave (holidays, sick leave, a break): expected back.
    Leave,
    /// Left the team.
    Left,
}

impl AwayReason {
    /// Both reasons, in display order.
    pub const ALL: [AwayReason; 2] = [Self::Leave, Self::Left];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Leave => "leave",
            Self::Left => "left",
        }
    }

    /// Parses a stored code.
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "leave" => Some(Self::Leave),
            "left" => Some(Self::Left),
            _ => None,
        }
    }
}

/// A member marked away.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Away {
    /// Who is away.
    pub member: MemberId,
    /// Their name, as the team knows it.
    pub name: String,
    /// Leave, or left the team.
    pub reason: AwayReason,
    /// Since when.
    pub since: DateTime<Utc>,
    /// Who marked them away.
    pub by: Option<MemberId>,
}

/// A note left for the next peer when someone takes over a person or a follow-up. It is about
/// the person, so it lives in their record and is read on their brief.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandoverNote {
    /// The note's id.
    pub id: String,
    /// What the next peer should know.
    pub note: String,
    /// Who wrote it (the member who took over).
    pub by: Option<MemberId>,
    /// When.
    pub at: DateTime<Utc>,
}
