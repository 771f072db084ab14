//! `tandem team …`

use super::sync::{progress_bar, report_text};
use crate::args::TeamCommand;
use crate::output::{Failure, Output};
use crate::render;
use crate::session::{new_passphrase, Session};
use anyhow::Result;
use serde_json::json;
use tandem_core::{sync, SharedVault};
use tandem_model::ErrorCode;

pub fn run(command: TeamCommand, session: &Session, out: &Output) -> Result<()> {
    match command {
        TeamCommand::Show => {
            let team = session.open()?.team()?;
            out.show(&team, |t| render::team(t, out))
        }
        TeamCommand::Create { relay, name } => {
            let vault = SharedVault::new(session.open()?);
            sync::create_team_on_relay(&vault, &relay, &name)?;
            let report = sync::sync_once(&vault, 0, &progress_bar())?;
            out.done(json!({ "relay": relay, "sync": report }), || {
                format!(
                    "{} {}",
                    out.t("The team is on the relay.", "L'équipe est sur le relais."),
                    report_text(&report, out)
                )
            })
        }
        TeamCommand::Invite { hours, qr } => {
            let vault = SharedVault::new(session.open()?);
            let code = sync::create_invite(&vault, hours * 3600)?;
            let text = code.to_string();
            out.done(json!({ "code": text, "expires_in_hours": hours }), || {
                let mut s = format!(
                    "{}\n\n  {text}\n\n{}",
                    out.t(
                        "Invite code (show it in person; it works once):",
                        "Code d'invitation (à montrer en personne; il ne sert qu'une fois):"
                    ),
                    match out.lang {
                        tandem_model::Lang::Fr => format!("Valable {hours} h. Sur le nouvel appareil: tandem team join CODE --me NOM"),
                        tandem_model::Lang::En => format!("Valid for {hours} h. On the new device: tandem team join CODE --me NAME"),
                    }
                );
                if qr {
                    if let Ok(q) = qrcode::QrCode::new(text.as_bytes()) {
                        s.push_str("\n\n");
                        s.push_str(&q.render::<qrcode::render::unicode::Dense1x2>().quiet_zone(true).build());
                    }
                }
                s
            })
        }
        TeamCommand::Join { code, me } => {
            if session.exists() {
                return Err(Failure::new(
                    ErrorCode::VaultExists,
                    "a vault already exists here: join with a new one (--vault DIR)",
                )
                .into());
            }
            let passphrase =
                new_passphrase("TANDEM_PASSPHRASE", "Passphrase for this device's vault: ")?;
            let (vault, first) =
                sync::join_team(&session.dir, &passphrase, &me, &code, &progress_bar())?;
            let report = first?;
            sync::check_deferred(&vault, &progress_bar())?;
            out.done(json!({ "joined": true, "sync": report }), || {
                format!(
                    "{} {}",
                    out.t("Joined the team.", "Équipe rejointe."),
                    report_text(&report, out)
                )
            })
        }
        TeamCommand::Devices => {
            let vault = SharedVault::new(session.open()?);
            let devices = sync::list_devices(&vault)?;
            let me = vault.lock().device_id().to_owned();
            out.show(&devices, |list| {
                let mut rows = vec![vec![
                    "device".to_owned(),
                    "role".into(),
                    "since".into(),
                    "".into(),
                ]];
                for d in list {
                    let since = chrono::DateTime::from_timestamp_millis(d.enrolled_at_ms)
                        .map(|t| tandem_model::export::format_date(t.date_naive(), out.lang))
                        .unwrap_or_default();
                    let mut note = String::new();
                    if d.revoked_at_ms.is_some() {
                        note.push_str(out.t("revoked", "révoqué"));
                    }
                    if d.device.to_hex() == me {
                        note.push_str(out.t("this device", "cet appareil"));
                    }
                    rows.push(vec![
                        d.device.to_hex(),
                        format!("{:?}", d.role).to_lowercase(),
                        since,
                        note,
                    ]);
                }
                crate::output::table(&rows)
            })
        }
        TeamCommand::OptionAdd { list, value } => {
            let mut vault = session.open()?;
            vault.add_team_option(list, &value)?;
            settings_done(&mut vault, out, (
                "Added; the team's devices offer it after their next sync.",
                "Ajouté; les appareils de l'équipe le proposent après leur prochaine synchronisation.",
            ))
        }
        TeamCommand::OptionRemove { list, value } => {
            let mut vault = session.open()?;
            vault.remove_team_option(list, &value)?;
            settings_done(
                &mut vault,
                out,
                (
                    "Removed from the forms; records written with it keep it.",
                    "Retiré des formulaires; les fiches qui l'ont le gardent.",
                ),
            )
        }
        TeamCommand::Revoke { device } => {
            let vault = SharedVault::new(session.open()?);
            sync::revoke_device(&vault, &device)?;
            out.done(json!({ "revoked": device }), || {
                out.t(
                    "Revoked: the relay refuses that device from now on.",
                    "Révoqué: le relais refuse cet appareil dès maintenant.",
                )
                .into()
            })
        }
    }
}

/// After a change of the team's options: the settings as JSON, or `said` (English, French).
fn settings_done(
    vault: &mut tandem_core::Vault,
    out: &Output,
    said: (&'static str, &'static str),
) -> Result<()> {
    let settings = vault.team()?.settings;
    out.done(json!({ "settings": settings }), || {
        out.t(said.0, said.1).into()
    })
}
