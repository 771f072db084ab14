//! A person accompanied by the team: how they want to be called, and what they agreed to.

use crate::ids::{ConsentId, MemberId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// How a person wants to be known and reached. Every field is theirs to choose.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// The name they choose to be called (not necessarily a legal name).
    pub name: String,
    /// Other names they go by (nicknames, street names); search finds these too.
    pub nicknames: Vec<String>,
    /// Their pronouns, in their words.
    pub pronouns: Option<String>,
    /// Languages they speak, in the order they prefer.
    pub languages: Vec<String>,
    /// How to reach them (a phone, a shelter, a place and time), free text.
    pub contact: String,
    /// Things to remember ("meet at the park, not the clinic").
    pub remember: String,
}

/// A new person: only the name is required.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPerson {
    /// The name they choose to be called.
    pub name: String,
    /// Other names they go by.
    #[serde(default)]
    pub nicknames: Vec<String>,
    /// Their pronouns.
    #[serde(default)]
    pub pronouns: Option<String>,
    /// Languages they speak.
    #[serde(default)]
    pub languages: Vec<String>,
    /// How to reach them.
    #[serde(default)]
    pub contact: String,
    /// Things to remember.
    #[serde(default)]
    pub remember: String,
}

/// A change to a profile: `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileUpdate {
    /// New name.
    pub name: Option<String>,
    /// New list of other names (replaces the list).
    pub nicknames: Option<Vec<String>>,
    /// New pronouns; `Some("")` clears them.
    pub pronouns: Option<String>,
    /// New list of languages (replaces the list).
    pub languages: Option<Vec<String>>,
    /// New contact text (merged character by character with concurrent edits).
    pub contact: Option<String>,
    /// New things to remember (merged character by character with concurrent edits).
    pub remember: Option<String>,
}

impl ProfileUpdate {
    /// True when nothing would change.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// What a piece of consent allows the team to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentUse {
    /// Keep notes to accompany them.
    Accompaniment,
    /// Share with the care team (nurse, doctor, social worker).
    TeamSharing,
    /// Count them, anonymously, in statistics and research.
    Research,
    /// Contact them (calls, texts).
    Contact,
}

impl ConsentUse {
    /// Every use, in display order.
    pub const ALL: [ConsentUse; 4] = [
        Self::Accompaniment,
        Self::TeamSharing,
        Self::Research,
        Self::Contact,
    ];

    /// The stable code stored in documents.
    pub fn code(self) -> &'static str {
        match self {
            Self::Accompaniment => "accompaniment",
            Self::TeamSharing => "team_sharing",
            Self::Research => "research",
            Self::Contact => "contact",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|u| u.code() == code)
    }
}

/// A consent the person gave (or withdrew).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// Its id.
    pub id: ConsentId,
    /// What they agreed to, in plain words.
    pub what: String,
    /// For what uses.
    pub uses: Vec<ConsentUse>,
    /// When they gave it.
    pub given_on: NaiveDate,
    /// How it was given (spoken, written, signed form…).
    pub how: Option<String>,
    /// The member who recorded it.
    pub recorded_by: Option<MemberId>,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// When they withdrew it, if they did.
    pub withdrawn_on: Option<NaiveDate>,
}

/// A consent to record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewConsent {
    /// What they agree to, in plain words.
    pub what: String,
    /// For what uses.
    pub uses: Vec<ConsentUse>,
    /// When they gave it (today if `None`).
    pub given_on: Option<NaiveDate>,
    /// How it was given.
    pub how: Option<String>,
}
