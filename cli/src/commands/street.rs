//! `tandem street …`

use super::find;
use crate::args_links::StreetCommand;
use crate::output::Output;
use crate::render;
use crate::session::Session;
use anyhow::Result;
use chrono::Utc;
use serde_json::json;
use std::collections::HashMap;

pub fn run(command: StreetCommand, session: &Session, out: &Output) -> Result<()> {
    match command {
        StreetCommand::List { month } => {
            let month = month.unwrap_or_else(|| tandem_core::month_of(Utc::now()));
            let mut vault = session.open()?;
            let log = vault.street_log(&month)?;
            let names: HashMap<_, _> = vault
                .list_people()?
                .into_iter()
                .map(|p| (p.id, p.name))
                .collect();
            out.show(&log, |e| render::encounters(e, &names, out))
        }
        StreetCommand::Link { entry, person } => {
            let mut vault = session.open()?;
            let to = find(&vault, &person)?;
            let (id, _, _) = vault.find_encounter(&entry)?;
            let to = vault.link_street_entry(&id, &to)?;
            let name = vault.person(&to)?.profile.name;
            out.done(json!({ "entry": id, "person": to }), || {
                out.t_args("street-linked", &[("name", name.clone().into())])
            })
        }
        StreetCommand::Unlink { entry } => {
            let mut vault = session.open()?;
            let (id, _, _) = vault.find_encounter(&entry)?;
            let had = vault.unlink_street_entry(&id)?;
            out.done(json!({ "entry": id, "was_linked": had }), || {
                if had {
                    out.t("street-unlinked")
                } else {
                    out.t("street-was-not-linked")
                }
            })
        }
    }
}
