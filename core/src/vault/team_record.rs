//! The team record this device verified: who is in the team, with which role and key, and
//! which key epochs exist, as the team's own signatures say (never the relay's list, never
//! the team document).
//!
//! The entries are kept as received from the founding entry on, with the state they verify
//! to, so that unlocking never replays them and a new entry is applied to the stored state.
//! Both change in one transaction: the state never runs ahead of the entries.
//!
//! When the relay offers the record something no device of the team could have signed, the
//! device stops syncing with it and keeps what the problem was ([`TrustProblem`]) until the
//! relay's answers extend the verified record again.

use super::*;
use tandem_protocol::record::{RecordState, UncheckedEntry};

/// What the relay did that the team record does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustProblem {
    /// It offered an entry that no device allowed to make it signed (a forged signature, an
    /// author the record does not know, a member doing an admin's work, a broken rule).
    ForgedChange,
    /// It offered entries out of order, twice, or not chained to the verified head.
    OutOfOrder,
    /// Its record is behind or beside the one this device verified (restored from a backup,
    /// or showing this device another record than the others').
    RecordWentBack,
}

impl TrustProblem {
    /// The stable code (`tandem status --json`, the app's words).
    pub fn code(self) -> &'static str {
        match self {
            Self::ForgedChange => "forged_change",
            Self::OutOfOrder => "out_of_order",
            Self::RecordWentBack => "record_went_back",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        [Self::ForgedChange, Self::OutOfOrder, Self::RecordWentBack]
            .into_iter()
            .find(|p| p.code() == code)
    }
}

impl Vault {
    /// The verified team record, when the team has one (a team made before the record
    /// existed, or on no relay, has none).
    pub fn team_record(&self) -> Result<Option<RecordState>> {
        let Some(json) = opt_meta_string(&self.conn, "record_state")? else {
            return Ok(None);
        };
        serde_json::from_str(&json)
            .map(Some)
            .map_err(|_| VaultError::Internal("the stored team record does not read back"))
    }

    /// Whether the team has a verified record.
    pub fn has_team_record(&self) -> Result<bool> {
        Ok(opt_meta_string(&self.conn, "record_state")?.is_some())
    }

    /// Keeps `entries` (verified, contiguous, following what is stored) and the state they
    /// verify to, in one transaction.
    pub(crate) fn adopt_record(
        &mut self,
        entries: &[UncheckedEntry],
        state: &RecordState,
    ) -> Result<()> {
        let json = record_json(state)?;
        let tx = self.conn.transaction()?;
        adopt_in(&tx, entries, &json)?;
        tx.commit()?;
        Ok(())
    }

    /// The stored entries from `from` on, in order, as signed.
    pub(crate) fn record_entries(&self, from: u64) -> Result<Vec<Vec<u8>>> {
        let mut stmt = self
            .conn
            .prepare("SELECT bytes FROM record_entries WHERE seq >= ?1 ORDER BY seq")?;
        let rows = stmt.query_map([i64::try_from(from).unwrap_or(i64::MAX)], |r| r.get(0))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// The stored entry at `seq`, for a test acting as a relay that replays it.
    #[cfg(feature = "test-hooks")]
    pub fn test_hook_record_entry(&self, seq: u64) -> Option<Vec<u8>> {
        self.record_entries(seq).ok()?.into_iter().next()
    }

    /// When each entry was made (its author's clock, Unix ms), by seq.
    pub(crate) fn record_entry_times(&self) -> Result<Vec<u64>> {
        Ok(self
            .record_entries(0)?
            .iter()
            .map(|b| UncheckedEntry::parse(b).map_or(0, |e| e.header().time_ms))
            .collect())
    }

    /// A removal this admin asked for that has not reached the record yet (the relay went
    /// away mid-way): the next sync finishes it.
    pub(crate) fn pending_removal(&self) -> Result<Option<tandem_protocol::DeviceId>> {
        Ok(opt_meta_string(&self.conn, "pending_removal")?.and_then(|s| s.parse().ok()))
    }

    /// Keeps (or, with `None`, forgets) the removal under way.
    pub(crate) fn set_pending_removal(
        &self,
        device: Option<&tandem_protocol::DeviceId>,
    ) -> Result<()> {
        match device {
            Some(d) => set_meta(&self.conn, "pending_removal", d.to_hex().as_bytes()),
            None => {
                self.conn
                    .execute("DELETE FROM meta WHERE key = 'pending_removal'", [])?;
                Ok(())
            }
        }
    }

    /// How many things the team document claims about members' roles and devices' keys that
    /// the team record does not say: a member written as admin while the record keeps none of
    /// its devices as one, a device key other than the record's, a device the record does not
    /// know. Any member can write the team document, so none of it has any effect (roles and
    /// keys come from the record); the count is for admins to see that someone tried. 0 for a
    /// team without a record.
    pub fn team_doc_claims(&mut self) -> Result<u64> {
        let Some(record) = self.team_record()? else {
            return Ok(0);
        };
        if !self.has_team_doc()? {
            return Ok(0);
        }
        let team_id = self.team_id.clone();
        let doc = self.doc(&team_id)?;
        let mut claims = 0u64;
        for m in team::members(doc) {
            let of_member: Vec<_> = record
                .active()
                .filter(|(_, d)| hex::encode(d.member) == m.id.as_str())
                .collect();
            // A member with no device left in the team is history, not a claim.
            if m.role == MemberRole::Admin
                && !of_member.is_empty()
                && !of_member
                    .iter()
                    .any(|(_, d)| d.role == tandem_protocol::api::DeviceRole::Admin)
            {
                claims += 1;
            }
        }
        for (device, key) in team::device_keys(doc) {
            let known = device
                .parse::<tandem_protocol::DeviceId>()
                .ok()
                .and_then(|d| record.device(&d).map(|s| s.key));
            if known != Some(key) {
                claims += 1;
            }
        }
        Ok(claims)
    }

    /// What the relay did that the record does not allow, and since when (Unix ms), while
    /// it lasts.
    pub fn trust_problem(&self) -> Result<Option<(TrustProblem, i64)>> {
        Ok(opt_meta_string(&self.conn, "trust_problem")?.and_then(|s| {
            let (code, since) = s.split_once(':')?;
            Some((TrustProblem::from_code(code)?, since.parse().ok()?))
        }))
    }

    /// Notes a problem (the first time keeps its date while the same problem lasts).
    pub(crate) fn note_trust_problem(&self, problem: TrustProblem) -> Result<()> {
        if self.trust_problem()?.is_some_and(|(p, _)| p == problem) {
            return Ok(());
        }
        let now = Utc::now().timestamp_millis();
        set_meta(
            &self.conn,
            "trust_problem",
            format!("{}:{now}", problem.code()).as_bytes(),
        )
    }

    /// The relay's record checked out again.
    pub(crate) fn clear_trust_problem(&self) -> Result<()> {
        self.conn
            .execute("DELETE FROM meta WHERE key = 'trust_problem'", [])?;
        Ok(())
    }
}

pub(super) fn record_json(state: &RecordState) -> Result<String> {
    serde_json::to_string(state)
        .map_err(|_| VaultError::Internal("the team record did not serialise"))
}

/// Stores entries and the state in a transaction the caller commits (the vault's creation
/// for a device that joins, or [`Vault::adopt_record`]).
pub(super) fn adopt_in(
    conn: &Connection,
    entries: &[UncheckedEntry],
    state_json: &str,
) -> Result<()> {
    for entry in entries {
        conn.execute(
            "INSERT INTO record_entries (seq, hash, bytes) VALUES (?1, ?2, ?3)",
            params![
                i64::try_from(entry.header().seq)
                    .map_err(|_| VaultError::Internal("a record position out of range"))?,
                entry.hash().as_slice(),
                entry.bytes()
            ],
        )?;
    }
    set_meta(conn, "record_state", state_json.as_bytes())
}
