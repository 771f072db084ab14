//! `tandem followup …`

use super::find;
use crate::args::FollowupCommand;
use crate::output::Output;
use crate::render;
use crate::session::Session;
use anyhow::Result;
use chrono::Local;
use serde_json::json;
use tandem_model::{FollowUpId, NewFollowUp};

pub fn run(command: FollowupCommand, session: &Session, out: &Output) -> Result<()> {
    match command {
        FollowupCommand::Add { person, what, due } => {
            let mut vault = session.open()?;
            let id = find(&vault, &person)?;
            out.made(
                vault
                    .add_follow_up(&id, &NewFollowUp { what, due })?
                    .as_str(),
            )
        }
        FollowupCommand::Done { person, followup } => {
            let mut vault = session.open()?;
            let id = find(&vault, &person)?;
            vault.complete_follow_up(&id, &FollowUpId(followup.clone()))?;
            out.done(json!({ "id": followup }), || out.t("followup-done"))
        }
        FollowupCommand::Due { until, team: false } => {
            let vault = session.open()?;
            let until = until.unwrap_or_else(|| Local::now().date_naive());
            let due = vault.my_follow_ups_due(until)?;
            out.show(&due, |d| render::follow_ups_due(d, until, out))
        }
        FollowupCommand::Due { until, team: true } => {
            let mut vault = session.open()?;
            let until = until.unwrap_or_else(|| Local::now().date_naive());
            let team = vault.team_follow_ups(until)?;
            let names = vault.member_directory()?;
            out.show(&team, |t| {
                crate::render_cover::team_follow_ups(t, &names, until, out)
            })
        }
    }
}
