//! Envelopes set aside: signed by a device of the team, but not readable here.
//!
//! One member's bad envelope (random bytes sealed under no key, an epoch nobody has, bytes
//! that are not Automerge, a change that would inflate past the bound) must not stop the
//! whole team's sync. It is kept with why, counted for the admins, and the pull moves on; one
//! sealed under a key this device lacks is tried again when new keys arrive. Only what fails
//! its signature, or comes out of order, still stops a pull: that is the relay's doing, not a
//! member's, and skipping it could skip real changes.

use super::*;

/// Why an envelope was set aside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SetAsideReason {
    /// Sealed under a key epoch this device does not hold (tried again when keys arrive).
    UnknownEpoch,
    /// Does not open with the key of its epoch.
    DoesNotOpen,
    /// Opened, but it is not a change (a snapshot in the log, or for another document).
    NotAChange,
    /// Opened, but not Automerge data of the document it names.
    Unreadable,
    /// Would inflate past the bound on Automerge input.
    TooLarge,
    /// Signed by a device the team record had removed by then (never applied).
    AfterRemoval,
    /// Written before a migrated team's record, by a device that record does not know or
    /// not with its key: history the record cannot vouch for (never applied).
    LegacyUnverified,
}

impl SetAsideReason {
    fn as_str(self) -> &'static str {
        match self {
            Self::UnknownEpoch => "unknown_epoch",
            Self::DoesNotOpen => "does_not_open",
            Self::NotAChange => "not_a_change",
            Self::Unreadable => "unreadable",
            Self::TooLarge => "too_large",
            Self::AfterRemoval => "after_removal",
            Self::LegacyUnverified => "legacy_unverified",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            Self::UnknownEpoch,
            Self::DoesNotOpen,
            Self::NotAChange,
            Self::Unreadable,
            Self::TooLarge,
            Self::AfterRemoval,
            Self::LegacyUnverified,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }

    /// The reason Automerge bytes were refused with.
    pub(crate) fn of(e: &VaultError) -> Self {
        match e {
            VaultError::RefusedInput {
                source:
                    crate::automerge_input::InputError::TooLarge { .. }
                    | crate::automerge_input::InputError::TooManyRows { .. },
                ..
            } => Self::TooLarge,
            _ => Self::Unreadable,
        }
    }
}

/// Where a pulled change came from: enough to set it aside alone if it cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkOrigin {
    /// Its place in the team's log.
    pub seq: u64,
    /// The device that signed it (hex).
    pub author: String,
    /// The key epoch it was sealed under.
    pub epoch: u32,
}

/// One envelope set aside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAside {
    /// Where it came from.
    pub origin: ChunkOrigin,
    /// The document it names.
    pub doc_id: String,
    /// Why.
    pub reason: SetAsideReason,
    /// The envelope as received (`true`) or the change it held (`false`).
    pub sealed: bool,
    /// Those bytes.
    pub bytes: Vec<u8>,
}

/// Envelopes set aside tried again per sync, at most.
pub(crate) const RETRY_BATCH: usize = 200;

impl Vault {
    /// How many envelopes are set aside, by reason (an admin's "2 changes could not be read").
    pub fn set_aside_counts(&self) -> Result<Vec<(SetAsideReason, u64)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT reason, count(*) FROM set_aside GROUP BY reason ORDER BY 1")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows
            .into_iter()
            .filter_map(|(reason, n)| Some((SetAsideReason::parse(&reason)?, n as u64)))
            .collect())
    }

    /// How many envelopes are set aside.
    pub fn set_aside_count(&self) -> Result<u64> {
        Ok(self.set_aside_counts()?.iter().map(|(_, n)| n).sum())
    }

    /// The envelopes set aside for want of a key epoch this device now holds.
    /// At most [`RETRY_BATCH`] at a time (a member may have set many aside): the rest wait
    /// for the next sync.
    pub(crate) fn set_aside_to_retry(&self, epochs: &[u32]) -> Result<Vec<(u64, Vec<u8>)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, bytes FROM set_aside
             WHERE sealed = 1 AND reason = ?1 AND epoch = ?2 ORDER BY seq LIMIT ?3",
        )?;
        let mut out = Vec::new();
        for epoch in epochs {
            let left = RETRY_BATCH.saturating_sub(out.len()) as i64;
            let rows = stmt
                .query_map(
                    params![SetAsideReason::UnknownEpoch.as_str(), epoch, left],
                    |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, Vec<u8>>(1)?)),
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            out.extend(rows);
        }
        Ok(out)
    }

    /// The key epochs that envelopes set aside are waiting for.
    pub(crate) fn set_aside_epochs_waiting(&self) -> Result<Vec<u32>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT epoch FROM set_aside WHERE sealed = 1 AND reason = ?1 ORDER BY 1",
        )?;
        let rows = stmt
            .query_map([SetAsideReason::UnknownEpoch.as_str()], |r| {
                r.get::<_, i64>(0)
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows
            .into_iter()
            .filter_map(|e| u32::try_from(e).ok())
            .collect())
    }

    /// Forgets what was set aside for a document erased at the person's request.
    pub(crate) fn forget_set_aside_of(conn: &Connection, doc_id: &str) -> Result<()> {
        conn.execute("DELETE FROM set_aside WHERE doc_id = ?1", [doc_id])?;
        Ok(())
    }
}

/// Writes what a page sets aside, and forgets those read at last, in the page's transaction.
pub(super) fn record(tx: &Connection, set_aside: &[SetAside], resolved: &[u64]) -> Result<()> {
    let mut forget = tx.prepare_cached("DELETE FROM set_aside WHERE seq = ?1")?;
    for seq in resolved {
        forget.execute([*seq as i64])?;
    }
    let mut keep = tx.prepare_cached(
        "INSERT OR REPLACE INTO set_aside
         (seq, doc_id, author, epoch, reason, sealed, bytes, noted_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let now = Utc::now().timestamp_millis();
    for s in set_aside {
        keep.execute(params![
            s.origin.seq as i64,
            s.doc_id,
            s.origin.author,
            s.origin.epoch,
            s.reason.as_str(),
            s.sealed,
            s.bytes,
            now
        ])?;
    }
    Ok(())
}
