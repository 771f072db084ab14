//! The verified team records, kept in memory per team so that a post is judged without
//! replaying its team's record: each state is keyed by the head it was verified at
//! `(seq, hash)`, and used only for a request that read that same head. A state behind
//! the head is brought forward with the entries after it (verified again); anything else
//! (a miss, a head it does not lead to) replays the record from seq 0. Entries are never
//! changed once stored, so a state verified at a head stays right for that head.

use crate::storage::{replay_record, RecordHead, Refusal, Result, Storage, StorageError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use tandem_protocol::api::RECORD_PAGE;
use tandem_protocol::record::{RecordState, UncheckedEntry};
use tandem_protocol::TeamId;

/// At most this many teams' records are kept; past it the cache starts again empty (a
/// miss costs one replay, and record posts are rare).
const MAX_TEAMS: usize = 4096;

/// The verified records, by team (cheap to share).
#[derive(Debug, Default)]
pub struct RecordCache {
    teams: Mutex<HashMap<TeamId, Arc<RecordState>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Only whole states are put in: one left by a panicking holder is still a whole state.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn at(state: &RecordState, head: RecordHead) -> bool {
    state.seq() == head.seq && state.head() == head.hash
}

impl RecordCache {
    /// The team's record verified up to `head` (a head the caller read from storage).
    pub async fn state_at(
        &self,
        storage: &Storage,
        team: TeamId,
        head: RecordHead,
    ) -> Result<Arc<RecordState>> {
        let cached = lock(&self.teams).get(&team).cloned();
        if let Some(state) = &cached {
            if at(state, head) {
                return Ok(state.clone());
            }
        }
        let forward = match cached {
            Some(state) if state.seq() < head.seq => {
                bring_forward((*state).clone(), storage, team, head).await?
            }
            _ => None,
        };
        let state = match forward {
            Some(state) => state,
            None => replay(storage, team, head).await?,
        };
        let state = Arc::new(state);
        self.put_arc(state.clone());
        Ok(state)
    }

    /// Keeps a state just verified (after a post is stored).
    pub fn put(&self, state: RecordState) {
        self.put_arc(Arc::new(state));
    }

    fn put_arc(&self, state: Arc<RecordState>) {
        let mut teams = lock(&self.teams);
        if teams.len() >= MAX_TEAMS && !teams.contains_key(&state.team()) {
            teams.clear();
        }
        let newer = teams
            .get(&state.team())
            .is_none_or(|known| known.seq() <= state.seq());
        if newer {
            teams.insert(state.team(), state);
        }
    }
}

/// Every stored entry of the team up to `head.seq`, page by page.
async fn entries_up_to(
    storage: &Storage,
    team: TeamId,
    from: u64,
    head: RecordHead,
) -> Result<Vec<(u64, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut next = from;
    while next <= head.seq {
        let page = storage.record_page(team, next, RECORD_PAGE).await?;
        if page.head.is_none() {
            return Err(Refusal::NoRecord.into());
        }
        let before = out.len();
        out.extend(page.entries.into_iter().filter(|(seq, _)| *seq <= head.seq));
        match out.last() {
            Some((seq, _)) if out.len() > before => next = seq + 1,
            _ => break,
        }
    }
    Ok(out)
}

/// `state` brought forward to `head` with the entries after it; `None` if they do not
/// lead there (then the caller replays from seq 0).
async fn bring_forward(
    mut state: RecordState,
    storage: &Storage,
    team: TeamId,
    head: RecordHead,
) -> Result<Option<RecordState>> {
    for (_, bytes) in entries_up_to(storage, team, state.seq() + 1, head).await? {
        let applied = UncheckedEntry::parse(&bytes)
            .ok()
            .and_then(|entry| state.apply(&entry).ok());
        if applied.is_none() {
            return Ok(None);
        }
    }
    Ok(at(&state, head).then_some(state))
}

async fn replay(storage: &Storage, team: TeamId, head: RecordHead) -> Result<RecordState> {
    let entries = entries_up_to(storage, team, 0, head).await?;
    let state = replay_record(team, entries.iter().map(|(_, b)| b.as_slice()))?;
    if !at(&state, head) {
        tracing::error!(%team, seq = head.seq, "the stored record does not lead to its head");
        return Err(StorageError::Corrupt(
            "the stored record does not lead to its head",
        ));
    }
    Ok(state)
}
