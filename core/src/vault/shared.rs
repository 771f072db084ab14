//! The vault as several threads use it: the app's commands and its background sync, or the
//! CLI's team and sync commands. Each takes the lock for a moment, never across a network
//! call, and a panic in one of them does not lock the others out.

use super::Vault;
use std::sync::{Mutex, MutexGuard};

/// An unlocked vault behind a lock, as the sync functions take it. Put it in an
/// [`Arc`](std::sync::Arc) to hand it to the background sync, which holds it weakly.
#[derive(Debug)]
pub struct SharedVault(Mutex<Vault>);

impl SharedVault {
    /// Shares `vault`.
    pub fn new(vault: Vault) -> Self {
        Self(Mutex::new(vault))
    }

    /// The vault, for as long as the guard lives.
    pub fn lock(&self) -> MutexGuard<'_, Vault> {
        // A panic elsewhere while holding the vault must not stop it being used forever: its
        // state on disk is transactional, so its memory is dropped and reloaded instead.
        self.0.lock().unwrap_or_else(|poisoned| {
            let mut v = poisoned.into_inner();
            v.forget_cached_documents();
            v
        })
    }

    /// The vault itself again, once no one else shares it.
    pub fn into_inner(self) -> Vault {
        self.0.into_inner().unwrap_or_else(|poisoned| {
            let mut v = poisoned.into_inner();
            v.forget_cached_documents();
            v
        })
    }
}

impl From<Vault> for SharedVault {
    fn from(vault: Vault) -> Self {
        Self::new(vault)
    }
}
