//! Wakes pulls that wait for news when an append to their team commits. This instance's
//! appends ring the bell; on PostgreSQL so do other relays' appends, announced with `NOTIFY`
//! (`Storage::listen_for_appends`). Waiters also look again now and then, in case.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tandem_protocol::TeamId;
use tokio::sync::Notify;

/// One bell per team.
#[derive(Debug, Default)]
pub struct TeamBells {
    bells: Mutex<HashMap<TeamId, Arc<Notify>>>,
}

impl TeamBells {
    /// The team's bell, to wait on.
    pub fn bell(&self, team: TeamId) -> Arc<Notify> {
        self.bells
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .entry(team)
            .or_default()
            .clone()
    }

    /// Wakes everyone waiting on the team (call after the commit).
    pub fn ring(&self, team: TeamId) {
        let bell = self
            .bells
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(&team)
            .cloned();
        if let Some(bell) = bell {
            bell.notify_waiters();
        }
    }
}
