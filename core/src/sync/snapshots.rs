//! Snapshots: uploading one for each document whose log has grown, and checking the records
//! a first sync stored from snapshots without loading them.

use super::link::TeamLink;
use super::report::SyncProgress;
use super::sealing::seal;
use super::SyncError;
use crate::vault::SharedVault;
use tandem_protocol::EnvelopeKind;

/// A document gets a snapshot on the relay once this many of its envelopes are in the log...
const SNAPSHOT_AFTER: i64 = 64;

/// ...or this many bytes of them: a new device then stores it as received instead of
/// replaying (loading) it.
const SNAPSHOT_AFTER_BYTES: i64 = 8 * 1024;

/// Snapshots uploaded per sync, at most (each is a request: the relay's per-device rate limit
/// is shared with the changes themselves).
const SNAPSHOTS_PER_SYNC: usize = 40;

/// Uploads snapshots of documents whose log has grown, once this device is caught up; at
/// most [`SNAPSHOTS_PER_SYNC`] per sync, and it stops (for this time) when the relay says to
/// slow down, so snapshots never hold up the changes themselves.
pub(super) fn upload_snapshots(
    vault: &SharedVault,
    link: &TeamLink,
    head: u64,
) -> Result<usize, SyncError> {
    let docs = vault
        .lock()
        .docs_needing_snapshot(SNAPSHOT_AFTER, SNAPSHOT_AFTER_BYTES)?;
    let mut n = 0;
    for (doc, kind) in docs.into_iter().take(SNAPSHOTS_PER_SYNC) {
        let env = {
            let mut v = vault.lock();
            let key = v.current_team_key()?.ok_or(SyncError::NotInTeam)?;
            let payload = v.snapshot_payload(&doc.to_hex(), kind, head)?;
            seal(&v, EnvelopeKind::Snapshot, doc, kind, payload, &key)?
        };
        match link.client.put_snapshot(link.team, head, env.bytes()) {
            Ok(()) => {}
            Err(SyncError::Relay { status: 429, .. }) => break,
            Err(e) => return Err(e),
        }
        vault.lock().snapshot_uploaded(&doc, head)?;
        n += 1;
    }
    Ok(n)
}

/// Checks every record a first sync stored as received without loading it
/// ([`Vault::check_deferred`](crate::Vault::check_deferred)), reporting progress; returns how many were checked. The app's
/// background sync does the same a few at a time.
pub fn check_deferred(
    vault: &SharedVault,
    progress: &dyn Fn(SyncProgress),
) -> Result<u64, SyncError> {
    let total = vault.lock().deferred_count()?;
    let mut left = total;
    while left > 0 {
        left = vault.lock().check_deferred(32)?;
        progress(SyncProgress::Checking(total.saturating_sub(left), total));
    }
    Ok(total)
}
