//! The team record on SQLite: entries appended with their effects in one job of the writer,
//! whose single write lock makes the compare-and-swap on the head exact; pages read with
//! the head in one read transaction.

use super::super::rules;
use super::super::sql::{self, for_sqlite, id16, role_name, seq_from_db, seq_to_db};
use super::super::{
    NewInvite, NewRecordEntry, RecordAppend, RecordDevice, RecordHead, RecordPage, Refusal, Result,
    StoredInvite,
};
use super::queries::{collect, current_epoch, in_one_read};
use super::SqliteStorage;
use rusqlite::{params, Connection, OptionalExtension};
use tandem_protocol::{DeviceId, TeamId};

/// The team's record head ([`Refusal::NotFound`] for no team).
pub(super) fn record_head(c: &Connection, team: TeamId) -> Result<Option<RecordHead>> {
    let row: Option<(Option<i64>, Option<Vec<u8>>)> = c
        .prepare_cached(&for_sqlite(sql::RECORD_HEAD))?
        .query_row([team.0], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (seq, hash) = row.ok_or(Refusal::NotFound)?;
    sql::record_head(seq, hash.as_deref())
}

/// [`Refusal::UseTeamRecord`] if the team has a record: the older membership writes are not
/// for it.
pub(super) fn refuse_record_team(c: &Connection, team: TeamId) -> Result<()> {
    match record_head(c, team) {
        Ok(Some(_)) => Err(Refusal::UseTeamRecord.into()),
        Ok(None) => Ok(()),
        // No team: the caller's own checks say so.
        Err(super::super::StorageError::Refused(Refusal::NotFound)) => Ok(()),
        Err(e) => Err(e),
    }
}

fn insert_entry(c: &Connection, team: TeamId, e: &NewRecordEntry, now_ms: i64) -> Result<()> {
    c.prepare_cached(&for_sqlite(sql::INSERT_RECORD_ENTRY))?
        .execute(params![
            team.0,
            seq_to_db(e.seq),
            e.hash,
            i64::from(e.kind),
            e.author.0,
            e.bytes,
            now_ms
        ])?;
    Ok(())
}

fn enrol(c: &Connection, team: TeamId, d: &RecordDevice, now_ms: i64) -> Result<()> {
    let inserted = c
        .prepare_cached(&for_sqlite(sql::INSERT_DEVICE_WITH_ROLE))?
        .execute(params![
            team.0,
            d.device.0,
            d.public_key,
            role_name(d.role),
            now_ms
        ])?;
    Ok(rules::inserted(inserted as u64)?)
}

impl SqliteStorage {
    pub(in crate::storage) async fn create_record_team(
        &self,
        team: TeamId,
        devices: Vec<RecordDevice>,
        founding: NewRecordEntry,
        now_ms: i64,
    ) -> Result<()> {
        self.write(move |c| {
            let inserted = c.execute(&for_sqlite(sql::INSERT_TEAM), params![team.0, now_ms])?;
            rules::inserted(inserted as u64)?;
            c.execute(&for_sqlite(sql::INSERT_TEAM_HEAD), [team.0])?;
            insert_entry(c, team, &founding, now_ms)?;
            c.execute(
                &for_sqlite(sql::SET_RECORD_HEAD),
                params![team.0, seq_to_db(founding.seq), founding.hash],
            )?;
            for d in &devices {
                enrol(c, team, d, now_ms)?;
            }
            Ok(())
        })
        .await
    }

    pub(in crate::storage) async fn record_head(&self, team: TeamId) -> Result<Option<RecordHead>> {
        self.read(move |c| record_head(c, team)).await
    }

    pub(in crate::storage) async fn record_page(
        &self,
        team: TeamId,
        from: u64,
        limit: usize,
    ) -> Result<RecordPage> {
        self.read(move |c| {
            in_one_read(c, |tx| {
                let head = record_head(tx, team)?;
                let Some(at) = head else {
                    return Ok(RecordPage {
                        head,
                        entries: Vec::new(),
                        more: false,
                    });
                };
                let asked = i64::try_from(limit.saturating_add(1)).unwrap_or(i64::MAX);
                let mut entries = tx
                    .prepare_cached(&for_sqlite(sql::RECORD_ENTRIES))?
                    .query_map(params![team.0, seq_to_db(from), asked], |r| {
                        Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
                    })?
                    .map(|row| {
                        let (seq, bytes) = row?;
                        Ok((seq_from_db(seq)?, bytes))
                    })
                    .collect::<Result<Vec<_>>>()?;
                entries.retain(|(seq, _)| *seq <= at.seq);
                let more = entries.len() > limit;
                entries.truncate(limit);
                Ok(RecordPage {
                    head,
                    entries,
                    more,
                })
            })
        })
        .await
    }

    pub(in crate::storage) async fn append_record(
        &self,
        append: RecordAppend,
    ) -> Result<RecordHead> {
        let erases = !append.effects.erase.is_empty();
        let head = self
            .write(move |c| {
                // The writer holds the write lock for the whole group: the head read here
                // is the head the entries are written on.
                let team = append.team;
                let on = rules::record_on_base(
                    record_head(c, team)?,
                    || {
                        let devices: i64 = c
                            .prepare_cached(&for_sqlite(sql::DEVICE_COUNT))?
                            .query_row([team.0], |r| r.get(0))?;
                        Ok((current_epoch(c, team)?, u64::try_from(devices).unwrap_or(0)))
                    },
                    append.on,
                )?;
                for e in &append.entries {
                    insert_entry(c, team, e, append.now_ms)?;
                }
                let last = rules::head_after(on, &append.entries)?;
                c.execute(
                    &for_sqlite(sql::SET_RECORD_HEAD),
                    params![team.0, seq_to_db(last.seq), last.hash],
                )?;
                apply_effects(c, &append)?;
                Ok(last)
            })
            .await?;
        if erases {
            self.truncate_wal().await;
        }
        Ok(head)
    }

    pub(in crate::storage) async fn create_record_invite(
        &self,
        invite: NewInvite,
        invite_id: [u8; 16],
    ) -> Result<()> {
        self.write(move |c| {
            let inserted = c.execute(
                &for_sqlite(sql::INSERT_RECORD_INVITE),
                params![
                    invite.token_hash,
                    invite.team.0,
                    invite.created_by.0,
                    invite.sealed_team_key,
                    invite.created_at_ms,
                    invite.expires_at_ms,
                    invite.epoch,
                    invite_id
                ],
            )?;
            Ok(rules::inserted(inserted as u64)?)
        })
        .await
    }

    pub(in crate::storage) async fn record_invite(
        &self,
        token_hash: [u8; 32],
    ) -> Result<Option<StoredInvite>> {
        self.read(move |c| {
            let row = c
                .prepare_cached(&for_sqlite(sql::RECORD_INVITE))?
                .query_row([token_hash], |r| {
                    Ok((
                        r.get::<_, Vec<u8>>(0)?,
                        r.get::<_, Vec<u8>>(1)?,
                        r.get::<_, Vec<u8>>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, Option<i64>>(4)?,
                        r.get::<_, Option<Vec<u8>>>(5)?,
                        r.get::<_, Option<Vec<u8>>>(6)?,
                        r.get::<_, Option<i64>>(7)?,
                    ))
                })
                .optional()?;
            let Some((team, by, sealed, expires, used_at, used_by, invite_id, revoked)) = row
            else {
                return Ok(None);
            };
            Ok(Some(StoredInvite {
                team: TeamId(id16(&team)?),
                created_by: DeviceId(id16(&by)?),
                sealed_team_key: sealed,
                expires_at_ms: expires,
                used_at_ms: used_at,
                used_by: used_by.as_deref().map(id16).transpose()?.map(DeviceId),
                invite_id: invite_id.as_deref().map(id16).transpose()?,
                revoked: revoked.is_some(),
            }))
        })
        .await
    }
}

/// Keeps the relay's tables in step with the entries just stored.
fn apply_effects(c: &Connection, append: &RecordAppend) -> Result<()> {
    let (team, fx, now) = (append.team, &append.effects, append.now_ms);
    if let Some(used) = fx.use_invite {
        let changed = c.execute(
            &for_sqlite(sql::USE_RECORD_INVITE),
            params![used.token_hash, now, used.device.0, Vec::<u8>::new()],
        )?;
        if changed == 0 {
            return Err(Refusal::InviteUsed.into());
        }
    }
    for d in &fx.enrol {
        enrol(c, team, d, now)?;
    }
    for (device, role) in &fx.roles {
        c.execute(
            &for_sqlite(sql::SET_ROLE),
            params![team.0, device.0, role_name(*role)],
        )?;
    }
    for device in &fx.revoke {
        c.execute(&for_sqlite(sql::REVOKE), params![team.0, device.0, now])?;
    }
    for (epoch, p) in &fx.key_packages {
        c.execute(
            &for_sqlite(sql::INSERT_KEY_PACKAGE),
            params![team.0, epoch, p.to.0, p.from.0, p.bytes, now],
        )?;
    }
    for doc in &fx.erase {
        c.execute(&for_sqlite(sql::INSERT_ERASED), params![team.0, doc.0, now])?;
        c.execute(&for_sqlite(sql::RELEASE_DOC_BYTES), params![team.0, doc.0])?;
        c.execute(&for_sqlite(sql::ERASE_ENVELOPES), params![team.0, doc.0])?;
        c.execute(&for_sqlite(sql::ERASE_SNAPSHOT), params![team.0, doc.0])?;
    }
    for id in &fx.revoke_invites {
        c.execute(&for_sqlite(sql::REVOKE_INVITE), params![team.0, id, now])?;
    }
    if !fx.revoke.is_empty() {
        // A revoked device no longer holds garbage collection back.
        collect(c, team)?;
    }
    Ok(())
}
