//! Arguments of `tandem street …` (street contacts that become people).

use crate::parse;
use clap::Subcommand;

/// Street-log commands.
#[derive(Debug, Subcommand)]
pub enum StreetCommand {
    /// Encounters with people not known, for a month, with those linked to a person since
    List {
        /// The month, YYYY-MM [default: this month]
        #[arg(long, value_name = "YYYY-MM", value_parser = parse::month)]
        month: Option<String>,
    },
    /// Say whom a street-log entry was ("this was Marc"): it shows on their record, with
    /// its time and who wrote it; the month still counts it as a street contact
    Link {
        /// The entry's id (or its first 6 characters or more), as `street list` shows it
        entry: String,
        /// The person
        person: String,
    },
    /// Take the link off a street-log entry: an anonymous contact again
    Unlink {
        /// The entry's id (or its first 6 characters or more)
        entry: String,
    },
}
