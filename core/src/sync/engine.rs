//! One sync, its jobs in order: bring the team record up to the relay's head (a team with
//! one), finish a key rotation left pending, push, pull, add this device to the team
//! document if it just joined, upload snapshots once caught up.

use super::key_epochs::finish_rotation;
use super::link::TeamLink;
use super::pull::pull;
use super::push::{push, push_pending};
use super::record::sync_record;
use super::report::{SyncProgress, SyncReport};
use super::snapshots::upload_snapshots;
use super::SyncError;
use crate::vault::SharedVault;
use tandem_protocol::record::RecordState;

/// One sync: push what waits, pull what is new (waiting up to `wait_ms` for news when there
/// is none), add this device to the team document if it just joined, upload snapshots.
pub fn sync_once(
    vault: &SharedVault,
    wait_ms: u64,
    progress: &dyn Fn(SyncProgress),
) -> Result<SyncReport, SyncError> {
    let link = TeamLink::of(vault)?;
    // The record first: nothing is pushed to a relay whose record does not check out. The
    // pull that follows uses the same verified record (one request for it per sync).
    let record = sync_record(vault, &link)?;
    let pushed = push_pending(vault, progress)?;
    let mut report = pull_with_record(vault, &link, record, wait_ms, progress)?;
    report.pushed += pushed.sent;
    report.dropped_erased += pushed.dropped_erased;
    Ok(report)
}

/// Pulls what is new (waiting up to `wait_ms` when there is nothing), then adds this device
/// to the team document if it just joined and uploads snapshots when caught up.
pub fn pull_new(
    vault: &SharedVault,
    wait_ms: u64,
    progress: &dyn Fn(SyncProgress),
) -> Result<SyncReport, SyncError> {
    let link = TeamLink::of(vault)?;
    // Before anything is opened or sealed: who is in the team, by its own signatures.
    let record = sync_record(vault, &link)?;
    pull_with_record(vault, &link, record, wait_ms, progress)
}

/// [`pull_new`] once the record is brought up to the relay's head (`record`: its state, for
/// a team with one).
fn pull_with_record(
    vault: &SharedVault,
    link: &TeamLink,
    record: Option<RecordState>,
    wait_ms: u64,
    progress: &dyn Fn(SyncProgress),
) -> Result<SyncReport, SyncError> {
    let mut report = SyncReport::default();
    finish_rotation(vault, link, record.as_ref())?;
    pull(vault, link, wait_ms, &mut report, progress)?;
    if vault.lock().ensure_registered()? {
        let pushed = push(vault, link, progress)?;
        report.pushed += pushed.sent;
        report.dropped_erased += pushed.dropped_erased;
    }
    if vault.lock().outbox_len()? == 0 {
        report.snapshots_uploaded = upload_snapshots(vault, link, report.head)?;
    }
    vault.lock().set_last_synced_at(chrono::Utc::now())?;
    Ok(report)
}
