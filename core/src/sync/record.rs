//! The team record on the relay: fetched, verified entry by entry on top of what this device
//! verified before, and kept; and new entries posted on its head.
//!
//! Every sync of a team with a record starts here, so a device never seals, opens or hands
//! out a key before it knows the record the relay has. The relay orders and serves entries;
//! it cannot make one. Anything it offers that does not verify stops the sync with that
//! relay, and the device says so ([`TrustProblem`]) until the relay's answers extend the
//! verified record again.

use super::legacy::first_record;
use super::link::TeamLink;
use super::SyncError;
use crate::vault::{SharedVault, TrustProblem};
use tandem_protocol::api::PostRecord;
use tandem_protocol::record::{RecordError, RecordState, UncheckedEntry};
use tandem_protocol::RelayErrorCode;

/// How many times an entry is built again on a head that moved before it gives up.
const POST_ATTEMPTS: usize = 3;

fn problem_of(e: &RecordError) -> TrustProblem {
    match e {
        RecordError::OutOfOrder { .. } | RecordError::BadPrev => TrustProblem::OutOfOrder,
        _ => TrustProblem::ForgedChange,
    }
}

fn untrusted(vault: &SharedVault, problem: TrustProblem) -> SyncError {
    SyncError::untrusted_noted(vault, problem)
}

/// Brings this device's verified record up to the relay's head. Returns the state (`None`
/// for a team without a record, which syncs as before; a record an admin set up for it
/// since is taken here, `legacy::first_record`). Stops, with
/// [`SyncError::Untrusted`], at anything the relay offers that the record does not allow;
/// what verified before it is kept. [`SyncError::Revoked`] once the record removed this
/// device.
pub(super) fn sync_record(
    vault: &SharedVault,
    link: &TeamLink,
) -> Result<Option<RecordState>, SyncError> {
    let stored = vault.lock().team_record()?;
    let mut state = match stored {
        Some(state) => state,
        None => match first_record(vault, link)? {
            Some(state) => state,
            None => return Ok(None),
        },
    };
    loop {
        let page = link.client.record(link.team, state.seq() + 1)?;
        let mut adopted = Vec::new();
        let mut failure = None;
        for bytes in &page.entries {
            let applied = UncheckedEntry::parse(bytes).and_then(|entry| {
                state.apply(&entry)?;
                Ok(entry)
            });
            match applied {
                Ok(entry) => adopted.push(entry),
                Err(e) => {
                    failure = Some(problem_of(&e));
                    break;
                }
            }
        }
        if !adopted.is_empty() {
            vault.lock().adopt_record(&adopted, &state)?;
        }
        if let Some(problem) = failure {
            return Err(untrusted(vault, problem));
        }
        if page.more && page.entries.is_empty() {
            // "More" with nothing in it would keep this device asking for ever.
            return Err(untrusted(vault, TrustProblem::OutOfOrder));
        }
        match page.head {
            // A relay that forgot the record, or holds a shorter or another one, has gone
            // back (or shows this device another record than the others').
            None => return Err(untrusted(vault, TrustProblem::RecordWentBack)),
            Some((seq, _)) if seq < state.seq() => {
                return Err(untrusted(vault, TrustProblem::RecordWentBack))
            }
            Some((seq, hash)) if seq == state.seq() && hash != state.head() => {
                return Err(untrusted(vault, TrustProblem::RecordWentBack))
            }
            Some((seq, _)) if seq > state.seq() && (!page.more || page.entries.is_empty()) => {
                // It announces entries it does not hand out.
                return Err(untrusted(vault, TrustProblem::OutOfOrder));
            }
            _ => {}
        }
        if !page.more {
            break;
        }
    }
    let me = link.device;
    if state.device(&me).is_none_or(|d| d.removed_at_seq.is_some()) {
        return Err(SyncError::Revoked);
    }
    vault.lock().clear_trust_problem()?;
    Ok(Some(state))
}

/// What to post: entries built on a head, and the key packages that go with a key epoch.
pub(super) struct Post {
    /// Signed entries, the first on the head the builder was given.
    pub entries: Vec<UncheckedEntry>,
    /// Sealed key packages (hex), one per recipient of a `KeyEpoch` among the entries.
    pub packages: Vec<String>,
}

/// Posts entries on the record's head: `build` makes them from the verified state; if
/// another device's entry got there first, the record is synced and `build` asked again (it
/// may answer `None`: nothing left to do). The entries are then verified and kept here like
/// any others. Returns the state after, or `None` when nothing was posted.
pub(super) fn post_entries(
    vault: &SharedVault,
    link: &TeamLink,
    mut build: impl FnMut(&RecordState) -> Result<Option<Post>, SyncError>,
) -> Result<Option<RecordState>, SyncError> {
    for attempt in 1..=POST_ATTEMPTS {
        let state = sync_record(vault, link)?.ok_or(SyncError::Config(
            "this team has no team record (it was made before Tandem kept one)",
        ))?;
        let Some(post) = build(&state)? else {
            return Ok(None);
        };
        let body = PostRecord {
            entries: post
                .entries
                .iter()
                .map(|e| hex::encode(e.bytes()))
                .collect(),
            packages: post.packages,
        };
        match link.client.post_record(link.team, &body) {
            Ok(_) => {
                let mut after = state;
                for entry in &post.entries {
                    after.apply(entry).map_err(|_| {
                        SyncError::Protocol("an entry this device made does not verify")
                    })?;
                }
                vault.lock().adopt_record(&post.entries, &after)?;
                return Ok(Some(after));
            }
            Err(SyncError::Relay { code, .. })
                if code == RelayErrorCode::RecordConflict && attempt < POST_ATTEMPTS => {}
            Err(e) => return Err(e),
        }
    }
    Err(SyncError::Protocol(
        "the team record kept moving while this device wrote to it; try again",
    ))
}
