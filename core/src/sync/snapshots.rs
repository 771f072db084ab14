//! Snapshots: uploading one for each document whose log has grown, and checking the records
//! a first sync stored from snapshots without loading them.

use super::link::TeamLink;
use super::report::SyncProgress;
use super::sealing::seal;
use super::SyncError;
use crate::vault::{snapshot_payloads, SharedVault};
use crate::DocKind;
use tandem_protocol::api::SNAPSHOT_BATCH;
use tandem_protocol::{DocId, EnvelopeKind};

/// A document gets a snapshot on the relay once this many of its envelopes are in the log...
const SNAPSHOT_AFTER: i64 = 64;

/// ...or this many bytes of them: a new device then stores it as received instead of
/// replaying (loading) it.
const SNAPSHOT_AFTER_BYTES: i64 = 8 * 1024;

/// Snapshots uploaded per sync, at most: a founder putting a large team on a relay uploads
/// them in a few syncs, while the changes themselves never wait long behind them.
const SNAPSHOTS_PER_SYNC: usize = 2_048;

/// Bytes of snapshots per batch, about (the relay accepts 16 MiB by default).
const BATCH_BYTES: usize = 4 * 1024 * 1024;

/// Snapshots made at once (on every core), at most: what a batch holds in memory before it
/// is sealed stays small.
const MADE_AT_ONCE: usize = 16;

/// Snapshots uploaded one by one per sync, at most, to a relay without batches (or one
/// refusing a batch as too large): each is a request, and the relay's per-device rate
/// limit is shared with the changes themselves.
const SINGLES_PER_SYNC: usize = 40;

/// Uploads snapshots of documents whose log has grown, once this device is caught up, in
/// batches of [`SNAPSHOT_BATCH`] (one request each; one by one to a relay from before
/// batches); at most [`SNAPSHOTS_PER_SYNC`] per sync, and it stops (for this time) when the
/// relay says to slow down, so snapshots never hold up the changes themselves.
pub(super) fn upload_snapshots(
    vault: &SharedVault,
    link: &TeamLink,
    head: u64,
) -> Result<usize, SyncError> {
    let cap = |batches: bool| {
        if batches {
            SNAPSHOTS_PER_SYNC
        } else {
            SINGLES_PER_SYNC
        }
    };
    let mut n = 0;
    let mut batches = true;
    while n < cap(batches) {
        let docs = vault
            .lock()
            .docs_needing_snapshot(SNAPSHOT_AFTER, SNAPSHOT_AFTER_BYTES)?;
        if docs.is_empty() {
            break;
        }
        let mut docs = docs.into_iter().peekable();
        while docs.peek().is_some() && n < cap(batches) {
            let most = if batches { SNAPSHOT_BATCH } else { 1 }.min(cap(batches) - n);
            let mut batch = Vec::new();
            let mut ids = Vec::new();
            let mut bytes = 0;
            while batch.len() < most && bytes < BATCH_BYTES {
                // A few at a time (made on every core, the vault's lock held only to read
                // and to seal), until the batch is full.
                let some: Vec<(DocId, DocKind)> = docs
                    .by_ref()
                    .take((most - batch.len()).min(MADE_AT_ONCE))
                    .collect();
                if some.is_empty() {
                    break;
                }
                let named: Vec<(String, DocKind)> =
                    some.iter().map(|(d, k)| (d.to_hex(), *k)).collect();
                let sources = vault.lock().snapshot_sources(&named, head)?;
                let payloads = snapshot_payloads(sources)?;
                let v = vault.lock();
                let key = v.current_team_key()?.ok_or(SyncError::NotInTeam)?;
                for ((doc, kind), payload) in some.into_iter().zip(payloads) {
                    let env = seal(&v, EnvelopeKind::Snapshot, doc, kind, payload, &key)?;
                    bytes += env.bytes().len();
                    batch.push((head, env.into_bytes()));
                    ids.push(doc);
                }
            }
            let sent = match batches {
                true => send_batch(link, &batch, &mut batches)?,
                false => None,
            };
            let sent = match sent {
                Some(sent) => sent,
                None => send_one_by_one(link, &batch)?,
            };
            for doc in &ids[..sent] {
                vault.lock().snapshot_uploaded(doc, head)?;
            }
            n += sent;
            if sent < batch.len() {
                // Slowed down: the rest next time.
                return Ok(n);
            }
        }
    }
    Ok(n)
}

/// Sends a batch; how many the relay took (all, or none when it says to slow down), or
/// `None` (and no more batches this sync) from a relay from before batches.
fn send_batch(
    link: &TeamLink,
    batch: &[(u64, Vec<u8>)],
    batches: &mut bool,
) -> Result<Option<usize>, SyncError> {
    match link.client.put_snapshots(link.team, batch) {
        Ok(Some(_)) => Ok(Some(batch.len())),
        // A relay from before batches, or one whose body limit is below a batch: one by
        // one (each snapshot fits a single upload's limit, or it never will).
        Ok(None) | Err(SyncError::Relay { status: 413, .. }) => {
            *batches = false;
            Ok(None)
        }
        Err(SyncError::Relay { status: 429, .. }) => Ok(Some(0)),
        Err(e) => Err(e),
    }
}

/// Sends each snapshot of a batch on its own; how many the relay took before it said to
/// slow down.
fn send_one_by_one(link: &TeamLink, batch: &[(u64, Vec<u8>)]) -> Result<usize, SyncError> {
    for (i, (covers, env)) in batch.iter().enumerate() {
        match link.client.put_snapshot(link.team, *covers, env) {
            Ok(()) => {}
            Err(SyncError::Relay { status: 429, .. }) => return Ok(i),
            Err(e) => return Err(e),
        }
    }
    Ok(batch.len())
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
