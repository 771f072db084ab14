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
                    format!(
                        "{} {} ({}: {})",
                        out.t("Created the vault in", "Coffre créé dans"),
                        vault.dir().display(),
                        out.t("team", "équipe"),
                        team.name
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
                let mut text = format!("{}: {}\n", out.t("Unlocked", "Déverrouillé"), team.name);
                text.push_str(&table(&[
                    row(out.t("people", "personnes"), "people"),
                    row(out.t("team members", "membres de l'équipe"), "members"),
                    row(out.t("documents", "documents"), "documents"),
                    row(out.t("changes to send", "changements à envoyer"), "outbox"),
                ]));
                text
            })
        }
        VaultCommand::Passphrase => {
            let current = current_passphrase()?;
            let mut vault = session.open_with(&current)?;
            let new = changed_passphrase()?;
            vault.change_passphrase(&current, &new)?;
            out.done(json!({}), || {
                out.t("Passphrase changed.", "Phrase de passe changée.")
                    .into()
            })
        }
        VaultCommand::RebuildIndex => {
            session.open()?.rebuild_indexes()?;
            out.done(json!({}), || {
                out.t("Indexes rebuilt.", "Index reconstruits.").into()
            })
        }
        VaultCommand::Compact => {
            session.open()?.compact()?;
            out.done(json!({}), || {
                out.t("Vault compacted.", "Coffre compacté.").into()
            })
        }
    }
}
