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
        TeamCommand::Create {
            relay,
            name,
            relay_token,
        } => {
            let vault = SharedVault::new(session.open()?);
            sync::create_team_on_relay(&vault, &relay, &name, relay_token.as_deref()).map_err(
                |e| match e.code() {
                    ErrorCode::TeamCreationRefused => {
                        anyhow::Error::new(e).context(out.t("team-create-refused"))
                    }
                    _ => e.into(),
                },
            )?;
            let report = sync::sync_once(&vault, 0, &progress_bar())?;
            out.done(json!({ "relay": relay, "sync": report }), || {
                format!("{} {}", out.t("team-on-relay"), report_text(&report, out))
            })
        }
        TeamCommand::Invite { hours, qr } => {
            let vault = SharedVault::new(session.open()?);
            let code = sync::create_invite(&vault, hours * 3600)?;
            let text = code.to_string();
            out.done(json!({ "code": text, "expires_in_hours": hours }), || {
                let mut s = invite_text(&text, hours, out);
                if qr {
                    if let Ok(q) = qrcode::QrCode::new(text.as_bytes()) {
                        s.push_str("\n\n");
                        s.push_str(
                            &q.render::<qrcode::render::unicode::Dense1x2>()
                                .quiet_zone(true)
                                .build(),
                        );
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
                format!("{} {}", out.t("team-joined"), report_text(&report, out))
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
                        note.push_str(&out.t("team-device-revoked"));
                    }
                    if d.device.to_hex() == me {
                        note.push_str(&out.t("this-device"));
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
            settings_done(&mut vault, out, out.t("team-option-added"))
        }
        TeamCommand::OptionRemove { list, value } => {
            let mut vault = session.open()?;
            vault.remove_team_option(list, &value)?;
            settings_done(&mut vault, out, out.t("team-option-removed"))
        }
        TeamCommand::RecordSetup { leave_out, confirm } => {
            record_setup(session, out, &leave_out, confirm.as_deref())
        }
        TeamCommand::Revoke { device } => {
            let vault = SharedVault::new(session.open()?);
            sync::revoke_device(&vault, &device)?;
            out.done(json!({ "revoked": device }), || out.t("team-revoked"))
        }
    }
}

/// `tandem team record-setup`: the devices side by side with the plan's code, or (with
/// `--confirm CODE`) the record written from the ones kept.
fn record_setup(
    session: &Session,
    out: &Output,
    leave_out: &[String],
    confirm: Option<&str>,
) -> Result<()> {
    let vault = SharedVault::new(session.open()?);
    if let Some(code) = confirm {
        let done = sync::set_up_record(&vault, leave_out, code)?;
        return out.done(
            json!({
                "kept": done.kept,
                "left_out": done.left_out,
                "epoch": done.epoch,
                "fingerprint": done.fingerprint,
            }),
            || {
                out.t_args(
                    "record-setup-done",
                    &[
                        ("kept", done.kept.into()),
                        ("left", done.left_out.into()),
                        ("fingerprint", done.fingerprint.clone().into()),
                    ],
                )
            },
        );
    }
    let plan = sync::record_setup_plan(&vault, leave_out)?;
    let rows: Vec<_> = plan
        .devices
        .iter()
        .map(|d| {
            json!({
                "device": d.device.to_hex(),
                "member": d.member_name,
                "relay_role": d.relay_role,
                "revoked": d.revoked,
                "differs": d.differs,
                "this_device": d.is_me,
                "keep": d.keep,
            })
        })
        .collect();
    out.done(
        json!({ "devices": rows, "code": plan.code, "written": false }),
        || {
            let mut table = vec![vec![
                out.t("record-setup-device"),
                out.t("record-setup-member"),
                out.t("record-setup-keep"),
                String::new(),
            ]];
            for d in &plan.devices {
                let mut notes = Vec::new();
                if d.differs {
                    notes.push(out.t("record-setup-differs"));
                }
                if d.revoked {
                    notes.push(out.t("team-device-revoked"));
                }
                if d.relay_role.is_none() {
                    notes.push(out.t("record-setup-not-on-relay"));
                }
                if d.is_me {
                    notes.push(out.t("this-device"));
                }
                table.push(vec![
                    d.device.to_hex(),
                    d.member_name.clone().unwrap_or_else(|| "?".into()),
                    if d.keep {
                        out.t("record-setup-yes")
                    } else {
                        out.t("record-setup-no")
                    },
                    notes.join(", "),
                ]);
            }
            let mut command = format!("tandem team record-setup --confirm {}", plan.code);
            for l in leave_out {
                command.push_str(&format!(" --leave-out {l}"));
            }
            format!(
                "{}\n{}\n{}",
                crate::output::table(&table),
                out.t("record-setup-check"),
                out.t_args("record-setup-then", &[("command", command.into())])
            )
        },
    )
}

/// An invite code framed by what to do with it.
fn invite_text(code: &str, hours: u64, out: &Output) -> String {
    format!(
        "{}\n\n  {code}\n\n{}",
        out.t("team-invite-code"),
        out.t_args("team-invite-valid", &[("hours", hours.into())])
    )
}

/// After a change of the team's options: the settings as JSON, or the words `said`.
fn settings_done(vault: &mut tandem_core::Vault, out: &Output, said: String) -> Result<()> {
    let settings = vault.team()?.settings;
    out.done(json!({ "settings": settings }), || said)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_model::Lang;

    /// The words of an invite, which the CLI tests cannot reach without a relay.
    #[test]
    fn an_invite_in_both_languages() {
        let en = Output {
            json: false,
            lang: Lang::En,
        };
        assert_eq!(
            invite_text("ABCD-EFGH", 24, &en),
            "Invite code (show it in person; it works once):\n\n  ABCD-EFGH\n\n\
             Valid for 24 h. On the new device: tandem team join CODE --me NAME"
        );
        let fr = Output {
            json: false,
            lang: Lang::Fr,
        };
        assert_eq!(
            invite_text("ABCD-EFGH", 168, &fr),
            "Code d'invitation (à montrer en personne; il ne sert qu'une fois):\n\n  ABCD-EFGH\n\n\
             Valable 168 h. Sur le nouvel appareil: tandem team join CODE --me NOM"
        );
    }
}
