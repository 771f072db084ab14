//! The `tandem cover …` command line: hand-over and cover. Doc comments are the help text.

use clap::{Subcommand, ValueEnum};
use tandem_model::AwayReason;

/// Why a member is away, on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Reason {
    /// On leave: expected back
    Leave,
    /// Left the team
    Left,
}

impl From<Reason> for AwayReason {
    fn from(r: Reason) -> Self {
        match r {
            Reason::Leave => AwayReason::Leave,
            Reason::Left => AwayReason::Left,
        }
    }
}

/// Cover commands. A MEMBER is a member's id, the start of one, or a name only one member
/// has.
#[derive(Debug, Subcommand)]
pub enum CoverCommand {
    /// The members who can take work now (in the team, not away), and who is away
    Members,
    /// Mark a member away: their people and open follow-ups then need someone
    Away {
        /// The member
        member: String,
        /// On leave, or left the team
        #[arg(long, value_enum, default_value = "leave")]
        reason: Reason,
    },
    /// Mark a member back
    Back {
        /// The member
        member: String,
    },
    /// People no present member accompanies, and follow-ups whose member is away or gone
    Needs,
    /// Take a person on (you then accompany them), with a note for the next peer
    Take {
        /// The person
        person: String,
        /// A short hand-over note, read on their brief
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
    /// Take a follow-up (you are then responsible for it), with a note on the person's brief
    TakeFollowup {
        /// The person
        person: String,
        /// The follow-up's id
        followup: String,
        /// A short hand-over note, read on their brief
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
    /// Give a follow-up to another member
    Assign {
        /// The person
        person: String,
        /// The follow-up's id
        followup: String,
        /// The member who will do it
        #[arg(long, value_name = "MEMBER")]
        to: String,
    },
    /// Change who accompanies a person
    Accompany {
        /// The person
        person: String,
        /// A member who accompanies them too (repeat for several)
        #[arg(long = "add", value_name = "MEMBER")]
        add: Vec<String>,
        /// A member who no longer does (repeat for several)
        #[arg(long = "remove", value_name = "MEMBER")]
        remove: Vec<String>,
    },
}
