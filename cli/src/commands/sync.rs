//! `tandem sync` and `tandem status`.

use crate::output::Output;
use crate::session::Session;
use anyhow::Result;
use serde_json::json;
use std::io::{IsTerminal, Write};
use tandem_core::sync::{self, SyncProgress, SyncReport};
use tandem_core::SharedVault;

/// A progress bar on stderr when it is a terminal (a long first sync), nothing otherwise.
pub fn progress_bar() -> impl Fn(SyncProgress) {
    let tty = std::io::stderr().is_terminal();
    move |p| {
        if !tty {
            return;
        }
        let (label, done, total) = match p {
            SyncProgress::Pushing(d, t) => ("sending  ", d, t),
            SyncProgress::Pulling(d, t) => ("receiving", d, t),
            SyncProgress::Checking(d, t) => ("checking ", d, t),
        };
        let frac = if total == 0 {
            1.0
        } else {
            (done as f64 / total as f64).min(1.0)
        };
        let filled = (frac * 30.0) as usize;
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r{label} [{}{}] {:>3}% {done}/{total}",
            "#".repeat(filled),
            "-".repeat(30 - filled),
            (frac * 100.0) as u32
        );
        if done >= total {
            let _ = writeln!(err);
        }
    }
}

pub fn report_text(r: &SyncReport, out: &Output) -> String {
    let mut s = match out.lang {
        tandem_model::Lang::Fr => format!(
            "Envoyé: {} changement(s). Reçu: {} ({} dossier(s) mis à jour).",
            r.pushed, r.pulled, r.documents_updated
        ),
        tandem_model::Lang::En => format!(
            "Sent {} change(s). Received {} ({} record(s) updated).",
            r.pushed, r.pulled, r.documents_updated
        ),
    };
    if r.refused > 0 {
        s.push_str(&format!(
            " {}: {}.",
            out.t(
                "Refused (not from the team, or altered)",
                "Refusé (hors équipe, ou altéré)"
            ),
            r.refused
        ));
    }
    s
}

pub fn run(session: &Session, out: &Output) -> Result<()> {
    let vault = SharedVault::new(session.open()?);
    let report = sync::sync_once(&vault, 0, &progress_bar())?;
    // Records a first sync stored as received are checked before returning.
    sync::check_deferred(&vault, &progress_bar())?;
    out.done(serde_json::to_value(&report)?, || report_text(&report, out))
}

pub fn status(session: &Session, out: &Output) -> Result<()> {
    let vault = session.open()?;
    let waiting = vault.outbox_len()?;
    let last = vault.last_synced_at()?;
    let relay = vault.relay()?;
    let reachable = match &relay {
        Some(r) => sync::relay_info(&r.url).is_ok(),
        None => false,
    };
    let state = match (&relay, reachable) {
        (None, _) => "not_in_team",
        (Some(_), false) => "offline",
        (Some(_), true) if waiting > 0 => "waiting",
        (Some(_), true) => "synced",
    };
    let local_last = last.map(|t| t.with_timezone(&chrono::Local).format("%H:%M").to_string());
    out.done(
        json!({
            "state": state,
            "waiting": waiting,
            "last_synced_at": last,
            "relay": relay.as_ref().map(|r| r.url.clone()),
        }),
        || {
            let mut parts = Vec::new();
            match state {
                "not_in_team" => parts.push(
                    out.t(
                        "Not in a team on a relay yet.",
                        "Pas encore dans une équipe sur un relais.",
                    )
                    .to_owned(),
                ),
                "offline" => parts.push(out.t("Offline.", "Hors ligne.").to_owned()),
                _ => {}
            }
            if waiting > 0 {
                parts.push(match out.lang {
                    tandem_model::Lang::Fr => format!("{waiting} changement(s) en attente."),
                    tandem_model::Lang::En => format!("{waiting} change(s) waiting."),
                });
            }
            match local_last {
                Some(t) => parts.push(match out.lang {
                    tandem_model::Lang::Fr => format!("Synchronisé à {t}."),
                    tandem_model::Lang::En => format!("Synced at {t}."),
                }),
                None if relay.is_some() => {
                    parts.push(out.t("Never synced.", "Jamais synchronisé.").to_owned())
                }
                None => {}
            }
            parts.join(" ")
        },
    )
}
