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
    let mut s = out.t_args(
        "sync-report",
        &[
            ("pushed", r.pushed.into()),
            ("pulled", r.pulled.into()),
            ("updated", r.documents_updated.into()),
        ],
    );
    if r.refused > 0 {
        s.push(' ');
        s.push_str(&out.t_args("sync-refused", &[("count", r.refused.into())]));
    }
    if r.set_aside > 0 {
        s.push(' ');
        s.push_str(&out.t_args("sync-set-aside", &[("count", r.set_aside.into())]));
    }
    if r.set_aside_read > 0 {
        s.push(' ');
        s.push_str(&out.t_args("sync-set-aside-read", &[("count", r.set_aside_read.into())]));
    }
    if r.dropped_erased > 0 {
        s.push(' ');
        s.push_str(&out.t_args("sync-dropped-erased", &[("count", r.dropped_erased.into())]));
    }
    s
}

pub fn run(session: &Session, accept_restored_relay: bool, out: &Output) -> Result<()> {
    let mut opened = session.open()?;
    if accept_restored_relay {
        let queued = opened.accept_restored_relay()?;
        if !out.json {
            eprintln!(
                "{}",
                out.t_args("sync-relay-accepted", &[("count", queued.into())])
            );
        }
    }
    let vault = SharedVault::new(opened);
    let report = sync::sync_once(&vault, 0, &progress_bar())?;
    // Records a first sync stored as received are checked before returning.
    sync::check_deferred(&vault, &progress_bar())?;
    out.done(serde_json::to_value(&report)?, || report_text(&report, out))
}

pub fn status(session: &Session, out: &Output) -> Result<()> {
    let mut vault = session.open()?;
    let waiting = vault.outbox_len()?;
    let set_aside = vault.set_aside_count()?;
    let went_back = vault.relay_went_back()?;
    let trust = vault.trust_problem()?;
    let claims = vault.team_doc_claims()?;
    let last = vault.last_synced_at()?;
    let relay = vault.relay()?;
    let reachable = match &relay {
        Some(r) => sync::relay_info(&r.url).is_ok(),
        None => false,
    };
    let state = match (&relay, reachable) {
        _ if went_back.is_some() => "relay_went_back",
        _ if trust.is_some() => "team_record_refused",
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
            "set_aside": set_aside,
            "last_synced_at": last,
            "relay": relay.as_ref().map(|r| r.url.clone()),
            "trust": trust.map(|(problem, since)| json!({
                "problem": problem.code(),
                "since_ms": since,
            })),
            "team_record": vault.has_team_record()?,
            "team_doc_claims": claims,
        }),
        || {
            status_text(
                state,
                trust.map(|(p, _)| p.code()),
                (waiting, set_aside, claims),
                local_last,
                relay.is_some(),
                out,
            )
        },
    )
}

/// The status in words: the state if it is a problem, what waits, what could not be read, and
/// when it last synced (`last` in local time).
fn status_text(
    state: &str,
    trust: Option<&str>,
    (waiting, set_aside, claims): (u64, u64, u64),
    last: Option<String>,
    has_relay: bool,
    out: &Output,
) -> String {
    let mut parts = Vec::new();
    match state {
        "not_in_team" => parts.push(out.t("sync-not-in-team")),
        "offline" => parts.push(out.t("sync-offline")),
        "relay_went_back" => parts.push(out.t("sync-relay-went-back")),
        "team_record_refused" => parts.push(out.t_args(
            "sync-team-record-refused",
            &[("problem", trust.unwrap_or("?").into())],
        )),
        _ => {}
    }
    if waiting > 0 {
        parts.push(out.t_args("sync-waiting", &[("count", waiting.into())]));
    }
    if set_aside > 0 {
        parts.push(out.t_args("sync-set-aside-held", &[("count", set_aside.into())]));
    }
    if claims > 0 {
        parts.push(out.t_args("sync-team-doc-claims", &[("count", claims.into())]));
    }
    match last {
        Some(t) => parts.push(out.t_args("sync-synced-at", &[("time", t.into())])),
        None if has_relay => parts.push(out.t("sync-never")),
        None => {}
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_model::Lang;

    const EN: Output = Output {
        json: false,
        lang: Lang::En,
    };
    const FR: Output = Output {
        json: false,
        lang: Lang::Fr,
    };

    /// The words of a sync, which the CLI tests cannot reach without a relay.
    #[test]
    fn a_sync_report_in_both_languages() {
        let report = SyncReport {
            pushed: 3,
            pulled: 12,
            documents_updated: 2,
            ..SyncReport::default()
        };
        assert_eq!(
            report_text(&report, &EN),
            "Sent 3 change(s). Received 12 (2 record(s) updated)."
        );
        assert_eq!(
            report_text(&report, &FR),
            "Envoyé: 3 changement(s). Reçu: 12 (2 dossier(s) mis à jour)."
        );
        let refused = SyncReport {
            refused: 1,
            ..report.clone()
        };
        assert_eq!(
            report_text(&refused, &EN),
            "Sent 3 change(s). Received 12 (2 record(s) updated). \
             Refused (not from the team, or altered): 1."
        );
        assert_eq!(
            report_text(&refused, &FR),
            "Envoyé: 3 changement(s). Reçu: 12 (2 dossier(s) mis à jour). \
             Refusé (hors équipe, ou altéré): 1."
        );
        let set_aside = SyncReport {
            set_aside: 2,
            set_aside_read: 1,
            ..report.clone()
        };
        assert_eq!(
            report_text(&set_aside, &EN),
            "Sent 3 change(s). Received 12 (2 record(s) updated). \
             2 change(s) from the team could not be read here; set aside, the rest is in. \
             1 change(s) set aside earlier could be read now."
        );
        assert_eq!(
            report_text(&set_aside, &FR),
            "Envoyé: 3 changement(s). Reçu: 12 (2 dossier(s) mis à jour). \
             2 changement(s) de l'équipe illisible(s) ici: mis de côté, le reste est arrivé. \
             1 changement(s) mis de côté plus tôt ont pu être lus."
        );
        let dropped = SyncReport {
            dropped_erased: 2,
            ..report.clone()
        };
        assert!(report_text(&dropped, &EN).ends_with(
            "2 change(s) were not kept: the person they were about was erased at their request."
        ));
        assert!(report_text(&dropped, &FR).ends_with(
            "2 modification(s) non conservée(s) : la personne concernée a été effacée à sa demande."
        ));
    }

    #[test]
    fn a_status_in_both_languages() {
        let synced = |out| status_text("waiting", None, (2, 0, 0), Some("14:02".into()), true, out);
        assert_eq!(synced(&EN), "2 change(s) waiting. Synced at 14:02.");
        assert_eq!(
            synced(&FR),
            "2 changement(s) en attente. Synchronisé à 14:02."
        );
        let held = |out| status_text("synced", None, (0, 3, 0), Some("14:02".into()), true, out);
        assert_eq!(
            held(&EN),
            "3 change(s) from the team could not be read (set aside; an admin should look). \
             Synced at 14:02."
        );
        assert_eq!(
            held(&FR),
            "3 changement(s) de l'équipe illisible(s) (mis de côté; un·e admin devrait regarder). \
             Synchronisé à 14:02."
        );
        let offline = |out| status_text("offline", None, (0, 0, 0), None, true, out);
        assert_eq!(offline(&EN), "Offline. Never synced.");
        assert_eq!(offline(&FR), "Hors ligne. Jamais synchronisé.");
        let refused = |out| {
            status_text(
                "team_record_refused",
                Some("forged_change"),
                (1, 0, 0),
                None,
                true,
                out,
            )
        };
        assert!(refused(&EN).starts_with(
            "The relay offered a change to the team that no admin signed, or went back on the \
             team record (forged_change)"
        ));
        assert!(refused(&FR)
            .starts_with("Le relais a proposé un changement d'équipe qu'aucun·e admin n'a signé"));
        let claimed = |out| status_text("synced", None, (0, 0, 2), None, true, out);
        assert!(claimed(&EN).starts_with(
            "The team document claims 2 thing(s) about members, roles or keys that the team \
             record does not say: ignored."
        ));
        assert!(claimed(&FR).starts_with(
            "Le document d'équipe affirme 2 chose(s) sur les membres, rôles ou clés que le \
             registre de l'équipe ne dit pas : ignoré."
        ));
        let alone = |out| status_text("not_in_team", None, (1, 0, 0), None, false, out);
        assert_eq!(
            alone(&EN),
            "Not in a team on a relay yet. 1 change(s) waiting."
        );
        assert_eq!(
            alone(&FR),
            "Pas encore dans une équipe sur un relais. 1 changement(s) en attente."
        );
    }
}
