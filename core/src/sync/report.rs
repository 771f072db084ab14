//! What a sync tells its caller: where it is while it runs, and what it did.

/// Where a sync is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncProgress {
    /// Sending local changes: done so far, of total.
    Pushing(u64, u64),
    /// Receiving: the log position reached, of the relay's head.
    Pulling(u64, u64),
    /// Checking records a first sync stored without loading: done so far, of total.
    Checking(u64, u64),
}

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SyncReport {
    /// Local changes sent.
    pub pushed: usize,
    /// Envelopes received (log and snapshots).
    pub pulled: usize,
    /// Documents that learnt something.
    pub documents_updated: usize,
    /// Envelopes refused (not from a device of the team, altered, or documents whose changes
    /// were not valid and came from no place in the log).
    pub refused: usize,
    /// Envelopes a device of the team signed that cannot be read here, set aside by this
    /// sync (the pull moved on; an admin sees how many, `Vault::set_aside_counts`).
    pub set_aside: usize,
    /// Envelopes set aside earlier for want of a key, read now that it came.
    pub set_aside_read: usize,
    /// Snapshots uploaded.
    pub snapshots_uploaded: usize,
    /// The relay's log head after the sync.
    pub head: u64,
}
