//! The command line, as clap reads it. Doc comments are the help text.

use crate::parse;
use chrono::{DateTime, NaiveDate, Utc};
use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use tandem_model::{ConsentUse, GoalStatus, Lang};

const AFTER_HELP: &str = "\
The passphrase comes from TANDEM_PASSPHRASE; when it is not set and the command runs in a \
terminal, it is asked for. A PERSON is an id, the start of an id (6 characters or more), or a \
name or nickname that matches only one person (accents and case do not matter).";

/// Tandem: the notebook of a peer support team, from the command line.
///
/// The same operations as the app, on the same encrypted vault: for scripts, the clinic's
/// data steward, demos and tests.
#[derive(Debug, Parser)]
#[command(name = "tandem", version, propagate_version = true, after_help = AFTER_HELP)]
pub struct Cli {
    /// The vault's folder [default: "vault" in the user's data folder]
    #[arg(long, global = true, env = "TANDEM_VAULT", value_name = "DIR")]
    pub vault: Option<PathBuf>,
    /// Print machine-readable JSON on stdout, errors included
    #[arg(long, global = true)]
    pub json: bool,
    /// Language of labels and dates, fr or en [default: from LANG, else en]
    #[arg(long, global = true, env = "TANDEM_LANG", value_parser = parse::lang)]
    pub lang: Option<Lang>,
    #[command(subcommand)]
    pub command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create, unlock and look after the vault
    #[command(subcommand)]
    Vault(VaultCommand),
    /// The people the team accompanies: add, find, show, edit, export, consent
    #[command(subcommand)]
    Person(PersonCommand),
    /// A person's goals, in their own words, with small steps
    #[command(subcommand)]
    Goal(GoalCommand),
    /// Encounters: with a person, or with someone not known (the street log)
    #[command(subcommand)]
    Encounter(EncounterCommand),
    /// Things to do for or with someone, by a date
    #[command(subcommand)]
    Followup(FollowupCommand),
    /// What to read before seeing someone
    Brief(BriefArgs),
    /// The team this vault belongs to
    #[command(subcommand)]
    Team(TeamCommand),
    /// Send what waits and receive what is new from the team's relay
    Sync {
        /// After an admin checked that the relay was restored from a backup (sync stops when
        /// the relay's log goes back): trust it again, pull its log from the start, and send
        /// every record this device holds again, so what the relay lost comes back
        #[arg(long)]
        accept_restored_relay: bool,
    },
    /// Offline, changes waiting, or synced at what time
    Status,
    /// Fill a vault with a synthetic team (no real person), creating it if needed
    Demo(DemoArgs),
    /// The team's work over a period, counted on this device (never per member): as text,
    /// JSON or CSV, or the de-identified export for research
    Report(ReportArgs),
    /// The places the team refers people to (shelters, food banks, clinics…), on every
    /// device of the team
    #[command(subcommand)]
    Places(crate::args_team_work::PlacesCommand),
    /// Debriefs peers asked for after an encounter: who asked and when (never whom they met)
    Debriefs(crate::args_team_work::DebriefsArgs),
    /// Hand-over and cover: who accompanies whom, who does a follow-up, members away, and
    /// what needs someone
    #[command(subcommand)]
    Cover(crate::args_cover::CoverCommand),
    /// The street log: encounters with people not known, and linking one to a person later
    #[command(subcommand)]
    Street(crate::args_links::StreetCommand),
}

/// Vault commands.
#[derive(Debug, Subcommand)]
pub enum VaultCommand {
    /// Create a new vault, as a team of one (asks for the passphrase twice)
    Create {
        /// Your name, as the team will see it in the history of records
        #[arg(long, value_name = "NAME")]
        me: String,
        /// The team's name
        #[arg(long, value_name = "NAME", default_value = "My team")]
        team: String,
    },
    /// Check the passphrase, and show the team and what the vault holds
    Unlock,
    /// Change the passphrase (the new one comes from TANDEM_NEW_PASSPHRASE, or is asked twice)
    Passphrase,
    /// Rebuild the search and list indexes from the documents
    RebuildIndex,
    /// Fold each document's stored changes into one snapshot
    Compact,
}

/// Person commands.
#[derive(Debug, Subcommand)]
pub enum PersonCommand {
    /// Start a record for a person; prints the new id
    Add(PersonAdd),
    /// Everyone, by name
    List,
    /// People whose name or nickname matches (accents and case ignored)
    Search {
        /// Part of a name or nickname
        query: String,
    },
    /// Everything written about a person, with the ids other commands take
    Show {
        /// The person
        person: String,
    },
    /// Change how a person is known and reached (only the options given change)
    Edit(PersonEdit),
    /// Who changed what in a person's record, and when (never the content)
    History {
        /// The person
        person: String,
    },
    /// Everything written about a person, for them to read or take away
    Export(ExportArgs),
    /// Record a consent the person gave; prints its id
    Consent(ConsentArgs),
    /// Record that the person withdrew a consent
    WithdrawConsent {
        /// The person
        person: String,
        /// The consent's id (see `person show`)
        consent: String,
        /// When they withdrew it, YYYY-MM-DD [default: today]
        #[arg(long, value_name = "DATE", value_parser = parse::date)]
        on: Option<NaiveDate>,
    },
    /// Settle a field edited on two devices by keeping one of its values (see `brief`)
    Resolve {
        /// The person
        person: String,
        /// The field's path, its parts joined with dots, as `brief` shows it
        #[arg(long, value_name = "PATH")]
        field: String,
        /// Which value to keep: 1 for the first one listed, 2 for the second…
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        choice: u32,
    },
    /// Merge two records of the same person (made on two devices): everything of both is
    /// kept, OTHER's id still finds the merged record, and the history says who merged
    Merge {
        /// The record to keep (its name is the one shown)
        keep: String,
        /// The other record
        other: String,
    },
    /// Undo a merge: the record merged away is a record of its own again
    Unmerge {
        /// The merged record (its id, or the start of it, as `person show` lists it)
        other: String,
    },
    /// Erase everything about a person, at their request, on every device of the team and on
    /// the relay (export it first if they want a copy); cannot be undone
    Erase {
        /// The person
        person: String,
        /// Confirms: the record is gone for good
        #[arg(long)]
        yes: bool,
        /// A record merged into theirs, erased with it, as `person show` lists it (each one
        /// must be named: a merge nobody looked at never takes a record with it)
        #[arg(long = "also", value_name = "ID")]
        also: Vec<String>,
    },
}

/// `person add`.
#[derive(Debug, Args)]
pub struct PersonAdd {
    /// The name they choose to be called
    #[arg(long)]
    pub name: String,
    /// Another name they go by (repeat for several)
    #[arg(long = "nickname", value_name = "NAME")]
    pub nicknames: Vec<String>,
    /// Their pronouns, in their words
    #[arg(long)]
    pub pronouns: Option<String>,
    /// A language they speak, preferred first (repeat for several)
    #[arg(long = "language", value_name = "LANGUAGE")]
    pub languages: Vec<String>,
    /// How to reach them
    #[arg(long, value_name = "TEXT")]
    pub contact: Option<String>,
    /// Things to remember ("meet at the park, not the clinic")
    #[arg(long, value_name = "TEXT")]
    pub remember: Option<String>,
}

/// `person edit`.
#[derive(Debug, Args)]
pub struct PersonEdit {
    /// The person
    pub person: String,
    /// New name
    #[arg(long)]
    pub name: Option<String>,
    /// Other names: replaces the whole list (repeat for several; `--nickname ""` clears it)
    #[arg(long = "nickname", value_name = "NAME")]
    pub nicknames: Option<Vec<String>>,
    /// New pronouns (`--pronouns ""` clears them)
    #[arg(long)]
    pub pronouns: Option<String>,
    /// Languages: replaces the whole list (repeat for several; `--language ""` clears it)
    #[arg(long = "language", value_name = "LANGUAGE")]
    pub languages: Option<Vec<String>>,
    /// New text for how to reach them
    #[arg(long, value_name = "TEXT")]
    pub contact: Option<String>,
    /// New text for things to remember
    #[arg(long, value_name = "TEXT")]
    pub remember: Option<String>,
}

/// Export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// Readable text, in French or English
    Text,
    /// The whole record as JSON
    Json,
    /// The person's Automerge document (binary; any Automerge tool can read it)
    Automerge,
}

/// `person export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The person
    pub person: String,
    /// What to write
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Write to this file (created readable by you only) instead of stdout
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `person consent`.
#[derive(Debug, Args)]
pub struct ConsentArgs {
    /// The person
    pub person: String,
    /// What they agree to, in plain words
    #[arg(long, value_name = "TEXT")]
    pub what: String,
    /// For what use: accompaniment, team_sharing, research or contact (repeat for several)
    #[arg(long = "use", value_name = "USE", required = true, value_parser = parse::consent_use)]
    pub uses: Vec<ConsentUse>,
    /// When they gave it, YYYY-MM-DD [default: today]
    #[arg(long, value_name = "DATE", value_parser = parse::date)]
    pub on: Option<NaiveDate>,
    /// How it was given (spoken, written, signed form…)
    #[arg(long, value_name = "TEXT")]
    pub how: Option<String>,
}

/// Goal commands.
#[derive(Debug, Subcommand)]
pub enum GoalCommand {
    /// Add a goal in the person's own words; prints its id
    Add(GoalAdd),
    /// Change a goal (only the options given change)
    Edit(GoalEdit),
    /// Add a small step to a goal; prints its id
    Step {
        /// The person
        person: String,
        /// The goal's id (see `goal list`)
        goal: String,
        /// The step, in words
        #[arg(long, value_name = "TEXT")]
        add: String,
    },
    /// Tick a step as done (or untick it with --undo)
    Tick {
        /// The person
        person: String,
        /// The goal's id
        goal: String,
        /// The step's id (see `goal list`)
        step: String,
        /// Untick it instead
        #[arg(long)]
        undo: bool,
    },
    /// A person's goals, with their steps and ids
    List {
        /// The person
        person: String,
    },
}

/// `goal add`.
#[derive(Debug, Args)]
pub struct GoalAdd {
    /// The person
    pub person: String,
    /// The goal, as the person says it
    #[arg(long, value_name = "TEXT")]
    pub words: String,
    /// Life domain code (housing, health, income, papers…)
    #[arg(long, value_name = "CODE")]
    pub domain: Option<String>,
    /// exploring, working_on_it, paused, reached or let_go [default: exploring]
    #[arg(long, value_parser = parse::goal_status)]
    pub status: Option<GoalStatus>,
    /// A first small step (repeat for several, in order)
    #[arg(long = "step", value_name = "TEXT")]
    pub steps: Vec<String>,
    /// When to check in next, YYYY-MM-DD
    #[arg(long, value_name = "DATE", value_parser = parse::date)]
    pub check_in: Option<NaiveDate>,
}

/// `goal edit`.
#[derive(Debug, Args)]
pub struct GoalEdit {
    /// The person
    pub person: String,
    /// The goal's id (see `goal list`)
    pub goal: String,
    /// New words
    #[arg(long, value_name = "TEXT")]
    pub words: Option<String>,
    /// New life domain code (`--domain ""` clears it)
    #[arg(long, value_name = "CODE")]
    pub domain: Option<String>,
    /// exploring, working_on_it, paused, reached or let_go
    #[arg(long, value_parser = parse::goal_status)]
    pub status: Option<GoalStatus>,
    /// Next check-in, YYYY-MM-DD, or `none` to clear it
    #[arg(long, value_name = "DATE|none", value_parser = parse::check_in)]
    pub check_in: Option<parse::CheckIn>,
}

/// Encounter commands.
#[derive(Debug, Subcommand)]
pub enum EncounterCommand {
    /// Record an encounter with a person, or with someone not known; prints its id
    Add(Box<EncounterAdd>),
    /// The latest encounters, across everyone or with one person, newest first
    List {
        /// Only this person's encounters
        person: Option<String>,
        /// How many to show
        #[arg(long, short = 'n', default_value_t = 20)]
        limit: usize,
    },
    /// Encounters with people not known, for a month
    Street {
        /// The month, YYYY-MM [default: this month]
        #[arg(long, value_name = "YYYY-MM", value_parser = parse::month)]
        month: Option<String>,
    },
    /// Note whether a referral made during an encounter happened
    Referral {
        /// The encounter's id (or its first 6 characters or more)
        encounter: String,
        /// Which referral, as `encounter list` numbers them (1, 2…)
        number: usize,
        /// done, didnt-happen, or unknown (not known any more)
        #[arg(value_name = "OUTCOME", value_parser = parse::outcome)]
        outcome: parse::Known<tandem_model::Outcome>,
    },
    /// Rewrite what happened during an encounter
    EditNotes {
        /// The person
        person: String,
        /// The encounter's id
        encounter: String,
        /// The new notes
        #[arg(long, value_name = "TEXT")]
        notes: String,
    },
}

/// `encounter add`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("with").required(true).args(["person", "anonymous"])))]
pub struct EncounterAdd {
    /// The person met
    pub person: Option<String>,
    /// Someone not (yet) known: goes in the month's street log, no record is made
    #[arg(long, conflicts_with = "person")]
    pub anonymous: bool,
    /// How you will recognise them ("green coat, by the station"); never required
    #[arg(long, value_name = "TEXT", requires = "anonymous")]
    pub who: Option<String>,
    /// When it started: "YYYY-MM-DD HH:MM" (local time) or RFC 3339 [default: now]
    #[arg(long, value_name = "WHEN", value_parser = parse::when)]
    pub at: Option<DateTime<Utc>>,
    /// How long, in minutes
    #[arg(long, value_name = "N")]
    pub minutes: Option<u32>,
    /// Where, in words
    #[arg(long, value_name = "TEXT")]
    pub place: Option<String>,
    /// Kind: street_outreach, accompaniment, clinic, home, phone_or_text, group…
    #[arg(long, value_name = "CODE")]
    pub kind: Option<String>,
    /// A life domain touched (repeat for several)
    #[arg(long = "domain", value_name = "CODE")]
    pub domains: Vec<String>,
    /// A goal touched, by id (repeat for several)
    #[arg(long = "goal", value_name = "GOAL_ID", conflicts_with = "anonymous")]
    pub goals: Vec<String>,
    /// What happened
    #[arg(long, value_name = "TEXT")]
    pub notes: Option<String>,
    /// What was given: food, hygiene_kit, harm_reduction, naloxone… (repeat for several)
    #[arg(long = "given", value_name = "CODE")]
    pub given: Vec<String>,
    /// A referral made, in words (repeat for several)
    #[arg(long = "referral", value_name = "TEXT")]
    pub referrals: Vec<String>,
    /// A referral to one of the team's places (`tandem places`): its id, or words only it
    /// matches (repeat for several)
    #[arg(long = "refer-to", value_name = "PLACE")]
    pub refer_to: Vec<String>,
    /// Something to do after this encounter
    #[arg(long, value_name = "TEXT", conflicts_with = "anonymous")]
    pub follow_up: Option<String>,
    /// When the follow-up is due, YYYY-MM-DD
    #[arg(long, value_name = "DATE", requires = "follow_up", value_parser = parse::date)]
    pub due: Option<NaiveDate>,
    /// I'd like a debrief, for my own support
    #[arg(long)]
    pub debrief: bool,
}

/// Follow-up commands.
#[derive(Debug, Subcommand)]
pub enum FollowupCommand {
    /// Add a follow-up for a person; prints its id
    Add {
        /// The person
        person: String,
        /// What to do
        #[arg(long, value_name = "TEXT")]
        what: String,
        /// By when, YYYY-MM-DD
        #[arg(long, value_name = "DATE", value_parser = parse::date)]
        due: Option<NaiveDate>,
    },
    /// Mark a follow-up done
    Done {
        /// The person
        person: String,
        /// The follow-up's id
        followup: String,
    },
    /// Your open follow-ups due by a date (overdue ones included); --team for everyone's
    Due {
        /// Up to this date, YYYY-MM-DD [default: today]
        #[arg(long, value_name = "DATE", value_parser = parse::date)]
        until: Option<NaiveDate>,
        /// Everyone's, with who is responsible and who is away (the team view)
        #[arg(long)]
        team: bool,
    },
}

/// `brief`.
#[derive(Debug, Args)]
pub struct BriefArgs {
    /// The person
    pub person: String,
}

/// Team commands.
#[derive(Debug, Subcommand)]
pub enum TeamCommand {
    /// The team's name, members and settings
    Show,
    /// Put this vault's team on a relay (this device becomes its first admin)
    Create {
        /// The relay's address (https://…; http:// only for this machine)
        #[arg(long, value_name = "URL")]
        relay: String,
        /// The team's name
        #[arg(long, value_name = "NAME")]
        name: String,
        /// The team-creation token the relay's operator gave you (a demo relay needs none)
        #[arg(
            long,
            value_name = "TOKEN",
            env = "TANDEM_RELAY_TOKEN",
            hide_env_values = true
        )]
        relay_token: Option<String>,
    },
    /// Show a one-time invite code for a new device (in person: it carries the team key)
    Invite {
        /// Hours before the code expires
        #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u64).range(1..=168))]
        hours: u64,
        /// Also draw the code as a QR code in the terminal
        #[arg(long)]
        qr: bool,
    },
    /// Join a team with an invite code: creates this device's vault and syncs it
    Join {
        /// The invite code (URL#XXXX-XXXX-…)
        code: String,
        /// Your name, as the team will see it
        #[arg(long, value_name = "NAME")]
        me: String,
    },
    /// The team's devices, as the relay knows them
    Devices,
    /// Remove a device from the team (admins): the relay refuses it at once
    Revoke {
        /// The device id (from `tandem team devices`)
        device: String,
    },
    /// For a team made before the team record (admins, once): list the devices and a code,
    /// then with --confirm CODE write the record from those kept and move to a new key
    RecordSetup {
        /// Leave this device out (it is listed as removed; repeat for several)
        #[arg(long, value_name = "DEVICE")]
        leave_out: Vec<String>,
        /// Write the record, as the list with this code showed it (the same --leave-out)
        #[arg(long, value_name = "CODE")]
        confirm: Option<String>,
    },
    /// Add an option to what the team's forms offer (all devices, after a sync)
    OptionAdd {
        /// The list: kinds, domains or given
        #[arg(value_parser = parse_option_list)]
        list: tandem_model::OptionList,
        /// The option, as the team should see it (one line, at most 60 characters)
        value: String,
    },
    /// Remove an option from what the team's forms offer (records keep it)
    OptionRemove {
        /// The list: kinds, domains or given
        #[arg(value_parser = parse_option_list)]
        list: tandem_model::OptionList,
        /// The option (its code for the built-in ones, e.g. `clothing`)
        value: String,
    },
}

fn parse_option_list(s: &str) -> Result<tandem_model::OptionList, String> {
    tandem_model::OptionList::from_code(s).ok_or_else(|| "one of: kinds, domains, given".to_owned())
}

/// `demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// People to make up
    #[arg(long, default_value_t = 40)]
    pub persons: usize,
    /// Encounters in all (about 5% of them anonymous)
    #[arg(long, default_value_t = 400)]
    pub encounters: usize,
    /// Seed for names, words and dates
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Your name, if the vault has to be created
    #[arg(long, value_name = "NAME", default_value = "Demo")]
    pub me: String,
    /// The team's name, if the vault has to be created
    #[arg(long, value_name = "NAME", default_value = "My team")]
    pub team: String,
}

/// How `report` prints the counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Readable text, in French or English
    Text,
    /// The report as JSON (the same as --json)
    Json,
    /// CSV for a spreadsheet (UTF-8 with BOM; every count below 5 written "<5")
    Csv,
}

/// `report`: one period (last month when none is given).
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("period").args(["from", "month", "last_month", "week", "quarter"])))]
pub struct ReportArgs {
    /// First day, YYYY-MM-DD (with --to)
    #[arg(long, value_name = "DATE", value_parser = parse::date, requires = "to")]
    pub from: Option<NaiveDate>,
    /// Last day, YYYY-MM-DD, included (with --from)
    #[arg(long, value_name = "DATE", value_parser = parse::date, requires = "from")]
    pub to: Option<NaiveDate>,
    /// A calendar month, YYYY-MM
    #[arg(long, value_name = "MONTH", value_parser = parse::month)]
    pub month: Option<String>,
    /// The calendar month before this one (the default)
    #[arg(long)]
    pub last_month: bool,
    /// This week, Monday to Sunday
    #[arg(long)]
    pub week: bool,
    /// This calendar quarter
    #[arg(long)]
    pub quarter: bool,
    /// The time zone the days are read in, an IANA name such as America/Montreal [default:
    /// this computer's]
    #[arg(long, value_name = "ZONE", env = "TANDEM_TIME_ZONE")]
    pub tz: Option<String>,
    /// How to print the counts
    #[arg(long, value_enum, default_value = "text")]
    pub format: ReportFormat,
    /// Write the CSV to FILE (readable by you only) instead of printing it
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Instead of the counts, write the de-identified export for research to FILE: one row
    /// per encounter of the people whose consent covers research (not withdrawn), with a
    /// key made afresh for this file instead of who they are; no name, note, place or text
    #[arg(long, value_name = "FILE", conflicts_with_all = ["format", "output"])]
    pub research_csv: Option<PathBuf>,
}
