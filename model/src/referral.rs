//! What came of an encounter afterwards: whether each referral happened, and whether the
//! debrief the peer asked for took place.
//!
//! Encounters recorded before these existed read with every referral's outcome unknown and
//! no place linked (their referrals are words only), and their debriefs not done.

use crate::ids::{EncounterId, MemberId, PersonId, PlaceId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Whether a referral happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The person went, was seen, got the place.
    Done,
    /// It did not happen (no show, refused, full, closed…).
    #[serde(rename = "didnt_happen")]
    DidNotHappen,
}

impl Outcome {
    /// Both, in display order.
    pub const ALL: [Outcome; 2] = [Self::Done, Self::DidNotHappen];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::DidNotHappen => "didnt_happen",
        }
    }

    /// Parses a stored code (and `didnt-happen`, `not-done`, as typed on a command line).
    pub fn from_code(s: &str) -> Option<Self> {
        match s.trim() {
            "done" => Some(Self::Done),
            "didnt_happen" | "didnt-happen" | "not_done" | "not-done" => Some(Self::DidNotHappen),
            _ => None,
        }
    }
}

/// Who noted an outcome, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Noted<T> {
    /// What was noted.
    pub what: T,
    /// When.
    pub at: DateTime<Utc>,
    /// By whom.
    pub by: Option<MemberId>,
}

/// One referral of an encounter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referral {
    /// In words (a place's name as it was when the referral was made, or what was typed).
    pub text: String,
    /// The team's place it was to, if one was picked.
    pub place: Option<PlaceId>,
    /// Whether it happened; `None` while no one knows.
    pub outcome: Option<Noted<Outcome>>,
}

/// A peer's request for a debrief, for the team's list. It names the peer who asked and
/// when, never the person met nor the notes: opening the encounter shows those.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebriefRequest {
    /// The encounter it was asked on (its id is the request's).
    pub encounter: EncounterId,
    /// The person's record the encounter is in (`None` for the street log).
    pub person: Option<PersonId>,
    /// When the encounter was.
    pub at: DateTime<Utc>,
    /// The peer who asked.
    pub asked_by: Option<MemberId>,
    /// Their name, as the team knows it.
    pub asked_by_name: Option<String>,
    /// When it happened and who noted it.
    pub done: Option<Noted<()>>,
}
