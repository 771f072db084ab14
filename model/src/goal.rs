//! Goals, in the person's own words, with small steps.

use crate::ids::{GoalId, StepId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Where a goal stands. The person says; the peer writes it down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    /// Thinking about it, not started.
    Exploring,
    /// Working on it.
    WorkingOnIt,
    /// Set aside for now.
    Paused,
    /// Reached.
    Reached,
    /// Let go (not a failure: the person chose another path).
    LetGo,
}

impl GoalStatus {
    /// Every status, in display order.
    pub const ALL: [GoalStatus; 5] = [
        Self::Exploring,
        Self::WorkingOnIt,
        Self::Paused,
        Self::Reached,
        Self::LetGo,
    ];

    /// The stable code stored in documents.
    pub fn code(self) -> &'static str {
        match self {
            Self::Exploring => "exploring",
            Self::WorkingOnIt => "working_on_it",
            Self::Paused => "paused",
            Self::Reached => "reached",
            Self::LetGo => "let_go",
        }
    }

    /// Parses a stored code (also accepts `-` for `_` and a few spoken forms).
    pub fn from_code(code: &str) -> Option<Self> {
        let c = code.trim().to_lowercase().replace(['-', ' '], "_");
        match c.as_str() {
            "working" | "working_on" => return Some(Self::WorkingOnIt),
            "letgo" => return Some(Self::LetGo),
            _ => {}
        }
        Self::ALL.into_iter().find(|s| s.code() == c)
    }

    /// True while the goal is still something to walk toward.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Exploring | Self::WorkingOnIt | Self::Paused)
    }
}

/// A small step toward a goal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// Its id.
    pub id: StepId,
    /// The step, in words.
    pub text: String,
    /// When it was ticked, if it was.
    pub done_at: Option<DateTime<Utc>>,
    /// When it was added (steps are shown in this order).
    pub created_at: DateTime<Utc>,
}

/// A goal the person set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goal {
    /// Its id.
    pub id: GoalId,
    /// The goal in the person's own words.
    pub words: String,
    /// The life domain it touches (a code from the team's settings).
    pub domain: Option<String>,
    /// Where it stands.
    pub status: GoalStatus,
    /// Small steps, oldest first.
    pub steps: Vec<Step>,
    /// When to check in on it next.
    pub next_check_in: Option<NaiveDate>,
    /// When it was set.
    pub created_at: DateTime<Utc>,
}

impl Goal {
    /// The next small step: the oldest one not yet done.
    pub fn next_step(&self) -> Option<&Step> {
        self.steps.iter().find(|s| s.done_at.is_none())
    }
}

/// A goal to add.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewGoal {
    /// The goal in the person's own words.
    pub words: String,
    /// Life domain code.
    #[serde(default)]
    pub domain: Option<String>,
    /// Status (exploring if `None`).
    #[serde(default)]
    pub status: Option<GoalStatus>,
    /// First small steps.
    #[serde(default)]
    pub steps: Vec<String>,
    /// When to check in next.
    #[serde(default)]
    pub next_check_in: Option<NaiveDate>,
}

/// A change to a goal: `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalUpdate {
    /// New words (merged character by character with concurrent edits).
    pub words: Option<String>,
    /// New domain; `Some("")` clears it.
    pub domain: Option<String>,
    /// New status.
    pub status: Option<GoalStatus>,
    /// New check-in date; `Some(None)` clears it.
    pub next_check_in: Option<Option<NaiveDate>>,
}

impl GoalUpdate {
    /// True when nothing would change.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}
