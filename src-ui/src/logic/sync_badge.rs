//! The sync badge: what the shell's `sync-status` events say, in a few words.

use chrono::{DateTime, Utc};
use serde::Deserialize;

/// The shell's sync status (`tandem_core::sync::SyncStatus`, as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
pub struct SyncView {
    /// `starting`, `syncing`, `synced`, `offline`, `revoked`, `not_in_team`, `failed`.
    pub state: String,
    /// Items done (syncing).
    #[serde(default)]
    pub done: u64,
    /// Items in all (syncing; 0 when unknown).
    #[serde(default)]
    pub total: u64,
    /// Seconds to the next try (offline).
    #[serde(default)]
    pub retry_in_s: u64,
    /// Local changes waiting to be sent.
    #[serde(default)]
    pub waiting: u64,
    /// When the last sync finished.
    #[serde(default)]
    pub last_synced_at: Option<DateTime<Utc>>,
    /// What the last sync brought.
    #[serde(default)]
    pub last_report: Option<ReportView>,
    /// Orders statuses: a higher one is newer.
    #[serde(default)]
    pub seq: u64,
}

impl SyncView {
    /// Whether `self` should replace `current`: statuses arrive from several threads and as
    /// answers to requests, possibly out of order; an older one must not overwrite a newer.
    pub fn replaces(&self, current: Option<&SyncView>) -> bool {
        current.is_none_or(|c| self.seq >= c.seq)
    }
}

/// What a sync did (`tandem_core::sync::SyncReport`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
pub struct ReportView {
    /// Sent.
    #[serde(default)]
    pub pushed: u64,
    /// Received.
    #[serde(default)]
    pub pulled: u64,
    /// Records updated.
    #[serde(default)]
    pub documents_updated: u64,
}

/// What the badge shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Badge {
    /// Sending or receiving, with progress when known.
    Syncing {
        /// Done.
        done: u64,
        /// Of.
        total: u64,
    },
    /// The relay cannot be reached.
    Offline {
        /// Changes waiting.
        waiting: u64,
    },
    /// Changes wait to be sent.
    Waiting(u64),
    /// Up to date, as of a time.
    SyncedAt(DateTime<Utc>),
    /// Not in a team on a relay: the notebook stays on this device.
    Local,
    /// This device was removed from the team.
    Revoked,
    /// The relay's log went back: nothing is sent or taken until an admin checks it.
    RelayWentBack,
    /// The relay offered the team record what no device signed: syncing is paused.
    TeamRecordRefused,
    /// Something needs a person.
    Failed,
    /// Starting up.
    Starting,
}

impl Badge {
    /// The badge for a status.
    pub fn of(s: &SyncView) -> Self {
        match s.state.as_str() {
            "syncing" => Self::Syncing {
                done: s.done,
                total: s.total,
            },
            "offline" => Self::Offline { waiting: s.waiting },
            "revoked" => Self::Revoked,
            "relay_went_back" => Self::RelayWentBack,
            "team_record_refused" => Self::TeamRecordRefused,
            "not_in_team" => Self::Local,
            "failed" => Self::Failed,
            _ if s.waiting > 0 => Self::Waiting(s.waiting),
            "synced" => match s.last_synced_at {
                Some(t) => Self::SyncedAt(t),
                None => Self::Starting,
            },
            _ => Self::Starting,
        }
    }

    /// A stable name for tests and CSS (`data-state`).
    pub fn state(&self) -> &'static str {
        match self {
            Self::Syncing { .. } => "syncing",
            Self::Offline { .. } => "offline",
            Self::Waiting(_) => "waiting",
            Self::SyncedAt(_) => "synced",
            Self::Local => "local",
            Self::Revoked => "revoked",
            Self::RelayWentBack => "relay-went-back",
            Self::TeamRecordRefused => "team-record-refused",
            Self::Failed => "failed",
            Self::Starting => "starting",
        }
    }

    /// The translation key and its arguments; `clock` formats a time ("14:02").
    pub fn message(
        &self,
        clock: impl Fn(DateTime<Utc>) -> String,
    ) -> (&'static str, Vec<(&'static str, String)>) {
        match self {
            Self::Syncing { done, total } if *total > 0 => (
                "sync-syncing-progress",
                vec![("done", done.to_string()), ("total", total.to_string())],
            ),
            Self::Syncing { .. } => ("sync-syncing", vec![]),
            Self::Offline { waiting: 0 } => ("sync-offline", vec![]),
            Self::Offline { waiting } => ("sync-offline-waiting", vec![("n", waiting.to_string())]),
            Self::Waiting(n) => ("sync-waiting", vec![("n", n.to_string())]),
            Self::SyncedAt(t) => ("sync-synced-at", vec![("time", clock(*t))]),
            Self::Local => ("sync-local", vec![]),
            Self::Revoked => ("sync-revoked", vec![]),
            Self::RelayWentBack => ("sync-relay-went-back", vec![]),
            Self::TeamRecordRefused => ("sync-team-record-refused", vec![]),
            Self::Failed => ("sync-failed", vec![]),
            Self::Starting => ("sync-starting", vec![]),
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn an_older_status_does_not_replace_a_newer_one() {
        let status = |seq| SyncView {
            state: "synced".into(),
            seq,
            ..SyncView::default()
        };
        assert!(status(5).replaces(None));
        assert!(status(5).replaces(Some(&status(4))));
        assert!(status(5).replaces(Some(&status(5))));
        assert!(!status(4).replaces(Some(&status(5))));
    }

    use super::*;

    fn view(json: &str) -> SyncView {
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn reads_the_shells_status_json() {
        let s = view(
            r#"{"state":"syncing","done":3,"total":10,"waiting":2,"last_synced_at":null,"last_report":null}"#,
        );
        assert_eq!(Badge::of(&s), Badge::Syncing { done: 3, total: 10 });
        let s = view(
            r#"{"state":"offline","retry_in_s":4,"waiting":2,"last_synced_at":null,"last_report":null}"#,
        );
        assert_eq!(Badge::of(&s), Badge::Offline { waiting: 2 });
        let s = view(
            r#"{"state":"failed","message":"x","waiting":0,"last_synced_at":null,"last_report":null}"#,
        );
        assert_eq!(Badge::of(&s).state(), "failed");
    }

    #[test]
    fn waiting_changes_show_before_synced() {
        let s = view(
            r#"{"state":"synced","waiting":3,"last_synced_at":"2026-11-25T19:02:00Z","last_report":null}"#,
        );
        assert_eq!(Badge::of(&s), Badge::Waiting(3));
        let s = view(
            r#"{"state":"synced","waiting":0,"last_synced_at":"2026-11-25T19:02:00Z","last_report":{"pushed":1,"pulled":2,"documents_updated":1,"refused":0,"snapshots_uploaded":0,"head":9}}"#,
        );
        let b = Badge::of(&s);
        assert_eq!(b.state(), "synced");
        let (key, args) = b.message(|t| crate::logic::format::clock(t, -300));
        assert_eq!(key, "sync-synced-at");
        assert_eq!(args, vec![("time", "14:02".to_owned())]);
    }

    #[test]
    fn every_badge_has_a_message() {
        for b in [
            Badge::Syncing { done: 0, total: 0 },
            Badge::Offline { waiting: 0 },
            Badge::Offline { waiting: 1 },
            Badge::Waiting(1),
            Badge::Local,
            Badge::Revoked,
            Badge::Failed,
            Badge::Starting,
        ] {
            let (key, _) = b.message(|_| String::new());
            assert!(crate::i18n::has_key(key), "{key}");
        }
    }
}
