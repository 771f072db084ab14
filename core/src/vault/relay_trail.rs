//! What this device saw of the relay's log, to notice a relay that goes back.
//!
//! A relay restored from a backup forgets what was written after it, then hands out the same
//! sequence numbers again for new envelopes: a device past the old head would never see those,
//! and nothing would say so. So a device keeps the highest head the relay announced and the id
//! of the envelope at its cursor. A relay announcing a lower head, or another envelope at that
//! place, has gone back (or shows this device another log than the others'): the device stops
//! syncing with it, keeps its own changes, and says so until someone who checked the relay
//! accepts it ([`Vault::accept_restored_relay`]).

use super::*;

/// What this device saw of the relay's log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RelayTrail {
    /// The highest head the relay announced.
    pub seen_head: u64,
    /// The envelope at the cursor: its place and id.
    pub at_cursor: Option<(u64, [u8; 32])>,
    /// Set once the relay went back: the head this device had seen, and the relay's.
    pub went_back: Option<(u64, u64)>,
}

fn meta_u64(conn: &Connection, key: &str) -> Result<Option<u64>> {
    Ok(opt_meta_string(conn, key)?.and_then(|s| s.parse().ok()))
}

impl Vault {
    pub(crate) fn relay_trail(&self) -> Result<RelayTrail> {
        let at_cursor = opt_meta_string(&self.conn, "relay_at_cursor")?.and_then(|s| {
            let (seq, id) = s.split_once(':')?;
            let mut bytes = [0u8; 32];
            hex::decode_to_slice(id, &mut bytes).ok()?;
            Some((seq.parse().ok()?, bytes))
        });
        let went_back = opt_meta_string(&self.conn, "relay_went_back")?.and_then(|s| {
            let (seen, now) = s.split_once(':')?;
            Some((seen.parse().ok()?, now.parse().ok()?))
        });
        Ok(RelayTrail {
            seen_head: meta_u64(&self.conn, "relay_head_seen")?.unwrap_or(0),
            at_cursor,
            went_back,
        })
    }

    /// Notes that the relay went back: syncing with it stops until it is accepted again.
    pub(crate) fn note_relay_went_back(&self, seen: u64, now: u64) -> Result<()> {
        set_meta(
            &self.conn,
            "relay_went_back",
            format!("{seen}:{now}").as_bytes(),
        )
    }

    /// When the relay went back (the head this device had seen, and the relay's), if it did
    /// and has not been accepted since.
    pub fn relay_went_back(&self) -> Result<Option<(u64, u64)>> {
        Ok(self.relay_trail()?.went_back)
    }

    /// After someone checked that the relay was restored from a backup (and is the team's):
    /// trusts it again from scratch. The cursor goes back to the start (the log is pulled
    /// whole again), and every document this device holds is queued whole to be sent, so what
    /// the relay lost comes back from the devices that still have it. Returns how many
    /// documents were queued.
    pub fn accept_restored_relay(&mut self) -> Result<usize> {
        let docs = self.documents()?;
        let mut whole = Vec::with_capacity(docs.len());
        for (id, kind) in docs {
            whole.push((id.clone(), kind, self.doc(&id)?.save()));
        }
        let tx = self.conn.transaction()?;
        for (id, kind, bytes) in &whole {
            store::push_outbox(&tx, id, *kind, bytes)?;
        }
        tx.execute(
            "DELETE FROM meta WHERE key IN
             ('relay_went_back', 'relay_head_seen', 'relay_at_cursor', 'sync_cursor', 'full_pull')",
            [],
        )?;
        tx.commit()?;
        Ok(whole.len())
    }
}

/// Records, in a page's transaction, the head the relay announced (only ever higher) and the
/// envelope now at the cursor.
pub(super) fn record(
    conn: &Connection,
    head: u64,
    at_cursor: Option<(u64, [u8; 32])>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('relay_head_seen', ?1)
         ON CONFLICT (key) DO UPDATE SET value = ?1
         WHERE CAST(CAST(value AS TEXT) AS INTEGER) < CAST(CAST(?1 AS TEXT) AS INTEGER)",
        [head.to_string().into_bytes()],
    )?;
    if let Some((seq, id)) = at_cursor {
        set_meta(
            conn,
            "relay_at_cursor",
            format!("{seq}:{}", hex::encode(id)).as_bytes(),
        )?;
    }
    Ok(())
}
