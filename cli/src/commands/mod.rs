//! One module per noun; each command is a short call into `tandem_core::Vault`.

mod brief;
mod cover;
mod debriefs;
mod demo;
mod encounter;
mod followup;
mod goal;
mod person;
mod places;
mod report;
mod street;
mod sync;
mod team;
mod vault;

use crate::args::Command;
use crate::output::Output;
use crate::session::Session;
use anyhow::{Context, Result};
use tandem_core::Vault;
use tandem_model::PersonId;

pub fn run(command: Command, session: &Session, out: &Output) -> Result<()> {
    match command {
        Command::Vault(c) => vault::run(c, session, out),
        Command::Person(c) => person::run(c, session, out),
        Command::Goal(c) => goal::run(c, session, out),
        Command::Encounter(c) => encounter::run(c, session, out),
        Command::Followup(c) => followup::run(c, session, out),
        Command::Brief(a) => brief::run(&a, session, out),
        Command::Team(c) => team::run(c, session, out),
        Command::Sync {
            accept_restored_relay,
        } => sync::run(session, accept_restored_relay, out),
        Command::Status => sync::status(session, out),
        Command::Demo(a) => demo::run(&a, session, out),
        Command::Report(a) => report::run(&a, session, out),
        Command::Places(c) => places::run(c, session, out),
        Command::Debriefs(a) => debriefs::run(a, session, out),
        Command::Cover(c) => cover::run(c, session, out),
        Command::Street(c) => street::run(c, session, out),
    }
}

/// The person a PERSON argument names (an id, the start of one, or a unique name).
fn find(vault: &Vault, person: &str) -> Result<PersonId> {
    vault
        .find_person(person)
        .with_context(|| format!("finding the person \"{person}\""))
}
