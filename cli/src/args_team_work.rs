//! The command line of the team's shared lists (the places it refers people to, the
//! debriefs asked for), as clap reads it; kept apart from `args.rs` so they stay together.

use clap::{Args, Subcommand};

/// `tandem places …`.
#[derive(Debug, Subcommand)]
pub enum PlacesCommand {
    /// The team's places, by name
    List {
        /// Also those taken off the list
        #[arg(long)]
        removed: bool,
    },
    /// Places whose name, kind, address or notes hold every word (accents and case ignored)
    Search {
        /// Words to look for
        query: String,
    },
    /// Everything about one place, with fields edited at once on two devices
    Show {
        /// The place: its id, the start of its id, or words only it matches
        place: String,
    },
    /// Add a place to the team's list; prints its id
    Add(PlaceFields),
    /// Change a place (only the options given change; "" clears a field)
    Edit {
        /// The place
        place: String,
        #[command(flatten)]
        fields: PlaceFields,
    },
    /// Note that a place's details are still right, as of today
    Check {
        /// The place
        place: String,
    },
    /// Take a place off the list (referrals to it keep it)
    Remove {
        /// The place
        place: String,
    },
    /// Keep one of the values of a field edited on two devices at once
    Choose {
        /// The place
        place: String,
        /// The field: name, kind, address, phone or hours
        field: String,
        /// Which value, as `places show` numbers them (1, 2…)
        number: usize,
    },
}

/// A place's fields.
#[derive(Debug, Args)]
pub struct PlaceFields {
    /// Its name
    #[arg(long, value_name = "TEXT")]
    pub name: Option<String>,
    /// Its kind: shelter, food_bank, health_care, mental_health_care, harm_reduction_site,
    /// detox, legal_aid, drop_in, other_place, or the team's own words
    #[arg(long, value_name = "CODE")]
    pub kind: Option<String>,
    /// Its address
    #[arg(long, value_name = "TEXT")]
    pub address: Option<String>,
    /// Its phone number
    #[arg(long, value_name = "NUMBER")]
    pub phone: Option<String>,
    /// When it is open, in words
    #[arg(long, value_name = "TEXT")]
    pub hours: Option<String>,
    /// What the team should know ("ask for Josée", "no pets")
    #[arg(long, value_name = "TEXT")]
    pub notes: Option<String>,
}

/// `tandem debriefs [--all] [done ENCOUNTER]`.
#[derive(Debug, Args)]
pub struct DebriefsArgs {
    /// Also those that took place
    #[arg(long)]
    pub all: bool,
    #[command(subcommand)]
    pub action: Option<DebriefsAction>,
}

/// What to do with a debrief.
#[derive(Debug, Subcommand)]
pub enum DebriefsAction {
    /// Note that a debrief took place (today, by you)
    Done {
        /// The encounter it was asked on: its id, or its first 6 characters or more
        encounter: String,
    },
}
