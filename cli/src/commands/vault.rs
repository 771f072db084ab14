//! `tandem vault …`

use crate::args::VaultCommand;
use crate::output::{table, Output};
use crate::session::{changed_passphrase, current_passphrase, Session};
use anyhow::Result;
use serde_json::json;
use tandem_core::NewVault;

pub fn run(command: VaultCommand, session: &Session, out: &Output) -> Result<()> {
    match command {
        VaultCommand::Create { me, team } => {
            let setup = NewVault {
                member_name: me,
                team_name: team,
            };
            let mut vault = session.create(&setup)?;
            let team = vault.team()?;
            out.done(
                json!({ "vault": vault.dir(), "team": team.id, "device": vault.device_id() }),
                || {
                    let dir = vault.dir().display().to_string();
                    out.t_args(
                        "vault-created",
                        &[("dir", dir.into()), ("team", team.name.as_str().into())],
                    )
                },
            )
        }
        VaultCommand::Unlock => {
            let mut vault = session.open()?;
            let team = vault.team()?;
            let counts = json!({
                "ok": true,
                "team": { "id": team.id, "name": &team.name },
                "members": team.members.len(),
                "people": vault.list_people()?.len(),
                "documents": vault.documents()?.len(),
                "outbox": vault.outbox_len()?,
            });
            out.show(&counts, |c| {
                let row = |label: &str, key: &str| vec![format!("  {label}"), c[key].to_string()];
                let unlocked = out.t_args("vault-unlocked", &[("team", team.name.as_str().into())]);
                let mut text = format!("{unlocked}\n");
                text.push_str(&table(&[
                    row(&out.t("vault-people"), "people"),
                    row(&out.t("vault-members"), "members"),
                    row(&out.t("vault-documents"), "documents"),
                    row(&out.t("vault-outbox"), "outbox"),
                ]));
                text
            })
        }
        VaultCommand::Passphrase => {
            let current = current_passphrase()?;
            let mut vault = session.open_with(&current)?;
            let new = changed_passphrase()?;
            vault.change_passphrase(&current, &new)?;
            out.done(json!({}), || out.t("vault-passphrase-changed"))
        }
        VaultCommand::RebuildIndex => {
            session.open()?.rebuild_indexes()?;
            out.done(json!({}), || out.t("vault-indexes-rebuilt"))
        }
        VaultCommand::Compact => {
            session.open()?.compact()?;
            out.done(json!({}), || out.t("vault-compacted"))
        }
    }
}
