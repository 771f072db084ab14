//! `tandem cover …`: hand-over and cover, each a short call into `tandem_core::Vault`.

use super::find;
use crate::args_cover::CoverCommand;
use crate::output::Output;
use crate::render_cover;
use crate::session::Session;
use anyhow::{Context, Result};
use serde_json::json;
use tandem_core::Vault;
use tandem_model::{AwayReason, FollowUpId, MemberId};

/// The member a MEMBER argument names.
fn member(vault: &mut Vault, query: &str) -> Result<MemberId> {
    vault
        .find_member(query)
        .with_context(|| format!("finding the member \"{query}\""))
}

pub fn run(command: CoverCommand, session: &Session, out: &Output) -> Result<()> {
    let mut vault = session.open()?;
    match command {
        CoverCommand::Members => {
            let present = vault.present_members()?;
            let away = vault.away_members()?;
            let value = json!({ "present": present, "away": away });
            out.show(&value, |_| render_cover::members(&present, &away, out))
        }
        CoverCommand::Away { member: m, reason } => {
            let id = member(&mut vault, &m)?;
            let reason = AwayReason::from(reason);
            vault.mark_away(&id, reason)?;
            out.done(json!({ "member": id, "reason": reason }), || {
                out.t("cover-marked-away")
            })
        }
        CoverCommand::Back { member: m } => {
            let id = member(&mut vault, &m)?;
            vault.mark_back(&id)?;
            out.done(json!({ "member": id }), || out.t("cover-marked-back"))
        }
        CoverCommand::Needs => {
            let needs = vault.needs_someone()?;
            let names = vault.member_directory()?;
            out.show(&needs, |n| render_cover::needs(n, &names, out))
        }
        CoverCommand::Take { person, note } => {
            let id = find(&vault, &person)?;
            vault.take_person(&id, note.as_deref())?;
            out.done(json!({ "person": id }), || out.t("cover-taken-person"))
        }
        CoverCommand::TakeFollowup {
            person,
            followup,
            note,
        } => {
            let id = find(&vault, &person)?;
            vault.take_follow_up(&id, &FollowUpId(followup.clone()), note.as_deref())?;
            out.done(json!({ "followup": followup }), || {
                out.t("cover-taken-followup")
            })
        }
        CoverCommand::Assign {
            person,
            followup,
            to,
        } => {
            let id = find(&vault, &person)?;
            let to = member(&mut vault, &to)?;
            vault.reassign_follow_up(&id, &FollowUpId(followup.clone()), &to)?;
            out.done(json!({ "followup": followup, "responsible": to }), || {
                out.t("cover-assigned")
            })
        }
        CoverCommand::Accompany {
            person,
            add,
            remove,
        } => {
            let id = find(&vault, &person)?;
            let add = add
                .iter()
                .map(|m| member(&mut vault, m))
                .collect::<Result<Vec<_>>>()?;
            let remove = remove
                .iter()
                .map(|m| member(&mut vault, m))
                .collect::<Result<Vec<_>>>()?;
            vault.change_accompanied(&id, &add, &remove)?;
            let now = vault.person(&id)?.accompanied_by;
            out.done(json!({ "person": id, "accompanied_by": now }), || {
                out.t("cover-accompany-changed")
            })
        }
    }
}
