//! Pushing: the outbox sealed in batches and sent, its rows leaving only once the relay has
//! acknowledged them; then the erasures the relay is asked to carry out.

use super::key_epochs::fetch_key_packages;
use super::link::TeamLink;
use super::report::SyncProgress;
use super::sealing::seal;
use super::SyncError;
use crate::vault::SharedVault;
use tandem_protocol::envelope::envelope_id;
use tandem_protocol::{DocId, EnvelopeKind};

/// Outbox entries sealed and pushed per request, at most.
const PUSH_BATCH: usize = 200;

/// Bytes pushed per request, about (the relay accepts 16 MiB by default).
const PUSH_BYTES: usize = 4 * 1024 * 1024;

/// What a push did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pushed {
    /// Local changes the relay acknowledged (those dropped for an erasure included).
    pub sent: usize,
    /// Of them, those the relay dropped because their record was erased at the person's
    /// request (written before this device heard of it).
    pub dropped_erased: usize,
}

impl std::ops::AddAssign for Pushed {
    fn add_assign(&mut self, other: Self) {
        self.sent += other.sent;
        self.dropped_erased += other.dropped_erased;
    }
}

/// Sends every waiting local change.
pub fn push_pending(
    vault: &SharedVault,
    progress: &dyn Fn(SyncProgress),
) -> Result<Pushed, SyncError> {
    if let Some((seen, relay)) = vault.lock().relay_went_back()? {
        // Changes wait here until someone checked the relay.
        return Err(SyncError::RelayWentBack { seen, relay });
    }
    if let Some((problem, _)) = vault.lock().trust_problem()? {
        // Nothing goes to a relay that offered the team record what no device signed,
        // until a pull finds its answers in order again.
        return Err(SyncError::Untrusted(problem));
    }
    let link = TeamLink::of(vault)?;
    let pushed = push(vault, &link, progress)?;
    send_erasures(vault, &link)?;
    Ok(pushed)
}

/// With a team record: nothing is sealed under an older key than the record's current
/// epoch (a device it removed may hold the older one). The key is fetched first; whether
/// this device holds it after.
fn holds_the_records_epoch(vault: &SharedVault, link: &TeamLink) -> Result<bool, SyncError> {
    let behind = |v: &crate::vault::Vault| -> Result<bool, SyncError> {
        Ok(match v.team_record()? {
            Some(r) => v.team_epoch()?.is_none_or(|e| e < r.current_epoch()),
            None => false,
        })
    };
    if !behind(&vault.lock())? {
        return Ok(true);
    }
    fetch_key_packages(vault, link)?;
    Ok(!behind(&vault.lock())?)
}

/// Sends every waiting local change. Outbox rows leave only once the relay acknowledged them.
pub(super) fn push(
    vault: &SharedVault,
    link: &TeamLink,
    progress: &dyn Fn(SyncProgress),
) -> Result<Pushed, SyncError> {
    if !holds_the_records_epoch(vault, link)? {
        // The relay keeps this device's new key back: changes wait in the outbox (the pull
        // goes on, and sets aside what it cannot open yet).
        return Ok(Pushed::default());
    }
    let total = vault.lock().outbox_len()?;
    let mut refetched = false;
    let mut pushed = Pushed::default();
    loop {
        let (seqs, docs, envelopes) = {
            let v = vault.lock();
            let key = v.current_team_key()?.ok_or(SyncError::NotInTeam)?;
            let mut seqs = Vec::new();
            let mut docs = Vec::new();
            let mut envelopes = Vec::new();
            let mut bytes = 0usize;
            for entry in v.outbox(PUSH_BATCH)? {
                if bytes > 0 && bytes + entry.bytes.len() > PUSH_BYTES {
                    break;
                }
                let doc: DocId = entry
                    .doc_id
                    .parse()
                    .map_err(|_| SyncError::Protocol("a local document id is not hex"))?;
                bytes += entry.bytes.len();
                let len = entry.bytes.len();
                let env = seal(&v, EnvelopeKind::Change, doc, entry.kind, entry.bytes, &key)?;
                seqs.push(entry.seq);
                docs.push((entry.doc_id, len));
                envelopes.push(env.into_bytes());
            }
            (seqs, docs, envelopes)
        };
        if envelopes.is_empty() {
            return Ok(pushed);
        }
        let answer = match link.client.push(link.team, &envelopes) {
            Err(SyncError::Relay {
                status: 409, code, ..
            }) if code == tandem_protocol::RelayErrorCode::StaleEpoch && !refetched => {
                // The team moved to a new key epoch (a revocation) that this device has not
                // heard of, e.g. while it was offline: take the key and seal again, so what
                // it wrote meanwhile stays closed to the revoked device (once; the outbox rows
                // are still there).
                refetched = true;
                fetch_key_packages(vault, link)?;
                continue;
            }
            other => other?,
        };
        if answer.appended.len() != envelopes.len() {
            return Err(SyncError::Protocol(
                "the relay acknowledged a different number of changes",
            ));
        }
        // Dropped because the person was erased meanwhile: acknowledged (nothing more can be
        // done with them), and counted so that the peer is told, never taken for a copy the
        // relay already had.
        pushed.dropped_erased += answer.appended.iter().filter(|a| a.erased).count();
        {
            let mut v = vault.lock();
            v.acknowledge(&seqs)?;
            v.count_pushed(&docs)?;
            // Where each went in the log: pulled back, it is known by its id and skipped.
            v.note_pushed(
                envelopes
                    .iter()
                    .zip(&answer.appended)
                    .filter(|(_, a)| !a.erased && a.seq > 0)
                    .map(|(e, a)| (a.seq, envelope_id(e))),
            );
        }
        pushed.sent += envelopes.len();
        progress(SyncProgress::Pushing(pushed.sent as u64, total));
    }
}

/// Asks the relay to drop the log of each person erased here (after the team document's
/// note of the erasure has gone out with the push).
fn send_erasures(vault: &SharedVault, link: &TeamLink) -> Result<(), SyncError> {
    let erasures = vault.lock().relay_erasures()?;
    for id in erasures {
        // An id that is not a relay document id has nothing there.
        if let Ok(doc) = id.parse::<DocId>() {
            match link.client.erase_doc(link.team, doc) {
                // Only an admin or the device that opened the record may have the relay drop
                // it: kept for later (this device may become an admin), without stopping
                // the sync. The record is gone here all the same.
                Err(SyncError::Relay {
                    status: 403, code, ..
                }) if code == tandem_protocol::RelayErrorCode::NotDocAuthor
                    || code == tandem_protocol::RelayErrorCode::TeamDocNotErasable =>
                {
                    continue;
                }
                other => other?,
            }
        }
        vault.lock().relay_erased(&id)?;
    }
    Ok(())
}
