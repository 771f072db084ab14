//! The team record on PostgreSQL: entries appended with their effects in one transaction
//! that holds the team's counter row (`FOR UPDATE`, as appends, key epochs and erasure take
//! it), so the compare-and-swap on the head is exact across relays; pages read with the head
//! in one statement's snapshot (a repeatable-read transaction).

use super::super::rules;
use super::super::sql::{self, id16, role_name, seq_from_db, seq_to_db};
use super::super::{
    NewInvite, NewRecordEntry, RecordAppend, RecordBase, RecordDevice, RecordHead, RecordPage,
    Refusal, Result, StorageError, StoredInvite,
};
use super::queries::{collect, current_epoch};
use super::PostgresStorage;
use deadpool_postgres::GenericClient;
use tandem_protocol::{DeviceId, TeamId};

/// The team's record head, read with `statement` ([`sql::RECORD_HEAD`], perhaps locking
/// the row); [`Refusal::NotFound`] for no team.
async fn read_record_head<C: GenericClient>(
    c: &C,
    team: TeamId,
    statement: &str,
) -> Result<Option<RecordHead>> {
    let stmt = c.prepare_cached(statement).await?;
    let row = c
        .query_opt(&stmt, &[&team.0.as_slice()])
        .await?
        .ok_or(Refusal::NotFound)?;
    sql::record_head(row.try_get(0)?, row.try_get::<_, Option<&[u8]>>(1)?)
}

pub(super) async fn record_head<C: GenericClient>(
    c: &C,
    team: TeamId,
) -> Result<Option<RecordHead>> {
    read_record_head(c, team, sql::RECORD_HEAD).await
}

/// [`Refusal::UseTeamRecord`] if the team has a record: the older membership writes are not
/// for it.
pub(super) async fn refuse_record_team<C: GenericClient>(c: &C, team: TeamId) -> Result<()> {
    match record_head(c, team).await {
        Ok(Some(_)) => Err(Refusal::UseTeamRecord.into()),
        Ok(None) | Err(StorageError::Refused(Refusal::NotFound)) => Ok(()),
        Err(e) => Err(e),
    }
}

async fn insert_entry<C: GenericClient>(
    c: &C,
    team: TeamId,
    e: &NewRecordEntry,
    now_ms: i64,
) -> Result<()> {
    let stmt = c.prepare_cached(sql::INSERT_RECORD_ENTRY).await?;
    c.execute(
        &stmt,
        &[
            &team.0.as_slice(),
            &seq_to_db(e.seq),
            &e.hash.as_slice(),
            &i64::from(e.kind),
            &e.author.0.as_slice(),
            &e.bytes,
            &now_ms,
        ],
    )
    .await?;
    Ok(())
}

async fn enrol<C: GenericClient>(c: &C, team: TeamId, d: &RecordDevice, now_ms: i64) -> Result<()> {
    let stmt = c.prepare_cached(sql::INSERT_DEVICE_WITH_ROLE).await?;
    let inserted = c
        .execute(
            &stmt,
            &[
                &team.0.as_slice(),
                &d.device.0.as_slice(),
                &d.public_key.as_slice(),
                &role_name(d.role),
                &now_ms,
            ],
        )
        .await?;
    Ok(rules::inserted(inserted)?)
}

async fn set_head<C: GenericClient>(c: &C, team: TeamId, head: RecordHead) -> Result<()> {
    c.execute(
        sql::SET_RECORD_HEAD,
        &[
            &team.0.as_slice(),
            &seq_to_db(head.seq),
            &head.hash.as_slice(),
        ],
    )
    .await?;
    Ok(())
}

impl PostgresStorage {
    pub(in crate::storage) async fn create_record_team(
        &self,
        team: TeamId,
        devices: Vec<RecordDevice>,
        founding: NewRecordEntry,
        now_ms: i64,
    ) -> Result<()> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let inserted = tx
            .execute(sql::INSERT_TEAM, &[&team.0.as_slice(), &now_ms])
            .await?;
        rules::inserted(inserted)?;
        tx.execute(sql::INSERT_TEAM_HEAD, &[&team.0.as_slice()])
            .await?;
        insert_entry(&tx, team, &founding, now_ms).await?;
        set_head(
            &tx,
            team,
            RecordHead {
                seq: founding.seq,
                hash: founding.hash,
            },
        )
        .await?;
        for d in &devices {
            enrol(&tx, team, d, now_ms).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(in crate::storage) async fn record_head(&self, team: TeamId) -> Result<Option<RecordHead>> {
        let client = self.pool.get().await?;
        record_head(&client, team).await
    }

    pub(in crate::storage) async fn record_page(
        &self,
        team: TeamId,
        from: u64,
        limit: usize,
    ) -> Result<RecordPage> {
        let mut client = self.pool.get().await?;
        // One snapshot for the head and the entries: an append committed between the two
        // reads is in neither.
        let tx = client
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await?;
        let head = record_head(&tx, team).await?;
        let Some(at) = head else {
            return Ok(RecordPage {
                head,
                entries: Vec::new(),
                more: false,
            });
        };
        let asked = i64::try_from(limit.saturating_add(1)).unwrap_or(i64::MAX);
        let stmt = tx.prepare_cached(sql::RECORD_ENTRIES).await?;
        let mut entries = tx
            .query(&stmt, &[&team.0.as_slice(), &seq_to_db(from), &asked])
            .await?
            .iter()
            .map(|r| Ok((seq_from_db(r.try_get(0)?)?, r.try_get::<_, Vec<u8>>(1)?)))
            .collect::<Result<Vec<_>>>()?;
        tx.commit().await?;
        entries.retain(|(seq, _)| *seq <= at.seq);
        let more = entries.len() > limit;
        entries.truncate(limit);
        Ok(RecordPage {
            head,
            entries,
            more,
        })
    }

    pub(in crate::storage) async fn append_record(
        &self,
        append: RecordAppend,
    ) -> Result<RecordHead> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let team = append.team;
        // The team's counter row, locked until commit, as appends, key epochs, erasure and
        // redeeming lock it: two posts on one head are served one after the other, and the
        // second sees the head moved.
        let head = read_record_head(&tx, team, &format!("{} FOR UPDATE", sql::RECORD_HEAD)).await?;
        // Under the team row's lock, a key epoch through the older route waits too.
        // (Enrolling through the older route takes the same lock.)
        let legacy_now = match append.on {
            RecordBase::Legacy { .. } => {
                let stmt = tx.prepare_cached(sql::DEVICE_COUNT).await?;
                let devices: i64 = tx
                    .query_one(&stmt, &[&team.0.as_slice()])
                    .await?
                    .try_get(0)?;
                Some((
                    current_epoch(&tx, team).await?,
                    u64::try_from(devices).unwrap_or(0),
                ))
            }
            RecordBase::Head(_) => None,
        };
        let on = rules::record_on_base(head, || Ok(legacy_now.unwrap_or((0, 0))), append.on)?;
        for e in &append.entries {
            insert_entry(&tx, team, e, append.now_ms).await?;
        }
        let last = rules::head_after(on, &append.entries)?;
        set_head(&tx, team, last).await?;
        apply_effects(&tx, &append).await?;
        tx.commit().await?;
        Ok(last)
    }

    pub(in crate::storage) async fn create_record_invite(
        &self,
        invite: NewInvite,
        invite_id: [u8; 16],
    ) -> Result<()> {
        let client = self.pool.get().await?;
        let inserted = client
            .execute(
                sql::INSERT_RECORD_INVITE,
                &[
                    &invite.token_hash.as_slice(),
                    &invite.team.0.as_slice(),
                    &invite.created_by.0.as_slice(),
                    &invite.sealed_team_key,
                    &invite.created_at_ms,
                    &invite.expires_at_ms,
                    &invite.epoch.map(i64::from),
                    &invite_id.as_slice(),
                ],
            )
            .await?;
        Ok(rules::inserted(inserted)?)
    }

    pub(in crate::storage) async fn record_invite(
        &self,
        token_hash: [u8; 32],
    ) -> Result<Option<StoredInvite>> {
        let client = self.pool.get().await?;
        let Some(r) = client
            .query_opt(sql::RECORD_INVITE, &[&token_hash.as_slice()])
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(StoredInvite {
            team: TeamId(id16(r.try_get::<_, &[u8]>(0)?)?),
            created_by: DeviceId(id16(r.try_get::<_, &[u8]>(1)?)?),
            sealed_team_key: r.try_get(2)?,
            expires_at_ms: r.try_get(3)?,
            used_at_ms: r.try_get(4)?,
            used_by: r
                .try_get::<_, Option<&[u8]>>(5)?
                .map(id16)
                .transpose()?
                .map(DeviceId),
            invite_id: r.try_get::<_, Option<&[u8]>>(6)?.map(id16).transpose()?,
            revoked: r.try_get::<_, Option<i64>>(7)?.is_some(),
        }))
    }
}

/// Keeps the relay's tables in step with the entries just stored.
async fn apply_effects(
    tx: &deadpool_postgres::Transaction<'_>,
    append: &RecordAppend,
) -> Result<()> {
    let (team, fx, now) = (append.team, &append.effects, append.now_ms);
    let t = team.0.as_slice();
    if let Some(used) = fx.use_invite {
        let changed = tx
            .execute(
                sql::USE_RECORD_INVITE,
                &[
                    &used.token_hash.as_slice(),
                    &now,
                    &used.device.0.as_slice(),
                    &Vec::<u8>::new(),
                ],
            )
            .await?;
        if changed == 0 {
            return Err(Refusal::InviteUsed.into());
        }
    }
    for d in &fx.enrol {
        enrol(tx, team, d, now).await?;
    }
    for (device, role) in &fx.roles {
        tx.execute(
            sql::SET_ROLE,
            &[&t, &device.0.as_slice(), &role_name(*role)],
        )
        .await?;
    }
    for device in &fx.revoke {
        tx.execute(sql::REVOKE, &[&t, &device.0.as_slice(), &now])
            .await?;
    }
    for (epoch, p) in &fx.key_packages {
        tx.execute(
            sql::INSERT_KEY_PACKAGE,
            &[
                &t,
                &i64::from(*epoch),
                &p.to.0.as_slice(),
                &p.from.0.as_slice(),
                &p.bytes,
                &now,
            ],
        )
        .await?;
    }
    for doc in &fx.erase {
        let d = doc.0.as_slice();
        tx.execute(sql::INSERT_ERASED, &[&t, &d, &now]).await?;
        tx.execute(sql::RELEASE_DOC_BYTES, &[&t, &d]).await?;
        tx.execute(sql::ERASE_ENVELOPES, &[&t, &d]).await?;
        tx.execute(sql::ERASE_SNAPSHOT, &[&t, &d]).await?;
    }
    for id in &fx.revoke_invites {
        tx.execute(sql::REVOKE_INVITE, &[&t, &id.as_slice(), &now])
            .await?;
    }
    if !fx.revoke.is_empty() {
        // A revoked device no longer holds garbage collection back.
        collect(tx, team).await?;
    }
    Ok(())
}
