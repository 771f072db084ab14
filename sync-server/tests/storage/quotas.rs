//! Per-team quotas on envelopes and stored bytes, each case over any backend: a push that
//! would go past either is refused whole and stores nothing; what collection and erasure
//! drop makes room again; snapshots are bounded too, with a margin that lets a full team
//! upload the snapshots that free it.

use crate::support::{doc, envelope, new_team, queue, Backend, NOW};
use tandem_protocol::{DocId, TeamId};
use tandem_relay::storage::{
    NewEnvelope, PageRequest, Quota, Refusal, SnapshotOutcome, Storage, StorageError,
};

/// Every envelope of `support::envelope` is this long.
const ENVELOPE: u64 = 200;

fn quota(max_envelopes: u64, max_bytes: u64) -> Quota {
    Quota {
        max_bytes,
        max_envelopes,
    }
}

fn envelopes(d: DocId, n: usize) -> Vec<NewEnvelope> {
    (0..n).map(|_| envelope(d)).collect()
}

fn refused(result: Result<impl std::fmt::Debug, StorageError>) -> Refusal {
    match result {
        Err(StorageError::Refused(r)) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

use crate::support::sized_snapshot as snapshot;

async fn stored_seqs(s: &Storage, t: TeamId) -> Vec<u64> {
    let page = s
        .page(
            t,
            PageRequest {
                after: 0,
                limit: 100_000,
                skip_covered: false,
                max_bytes: usize::MAX,
            },
        )
        .await
        .unwrap();
    page.items.iter().map(|(seq, _)| *seq).collect()
}

pub async fn envelope_quota_refuses_a_push_whole(s: &Backend) {
    let (t, _) = new_team(s).await;
    let q = quota(5, u64::MAX);
    let d = doc();
    let first = envelopes(d, 3);
    s.push_within(t, first.clone(), 1, q, NOW).await.unwrap();
    // Three more would make six: refused whole, nothing of it stored or numbered.
    let over = envelopes(d, 3);
    assert_eq!(
        refused(s.push_within(t, over.clone(), 1, q, NOW).await),
        Refusal::QuotaEnvelopes
    );
    assert_eq!(s.usage(t).await.unwrap(), (3, 3 * ENVELOPE));
    assert_eq!(stored_seqs(s, t).await, vec![1, 2, 3]);
    // Up to the quota exactly is fine.
    let fit = s
        .push_within(t, over[..2].to_vec(), 1, q, NOW)
        .await
        .unwrap();
    assert_eq!(fit.iter().map(|o| o.seq).collect::<Vec<_>>(), vec![4, 5]);
    // At the quota: a retry of what is stored is still answered (it stores nothing), a new
    // envelope is not, nor one repeated within a push.
    let again = s.push_within(t, first.clone(), 1, q, NOW).await.unwrap();
    assert!(again.iter().all(|o| o.duplicate));
    let one = envelope(d);
    assert_eq!(
        refused(s.push_within(t, vec![one.clone(), one], 1, q, NOW).await),
        Refusal::QuotaEnvelopes
    );
    // Another team has its own quota.
    let (t2, _) = new_team(s).await;
    s.push_within(t2, envelopes(doc(), 5), 1, q, NOW)
        .await
        .unwrap();
    assert_eq!(s.head(t).await.unwrap(), 5);
    // A relay's own appends (not a device's push) are not judged.
    s.append(t, envelopes(d, 1), NOW).await.unwrap();
    assert_eq!(s.usage(t).await.unwrap(), (6, 6 * ENVELOPE));
}

pub async fn byte_quota_holds_until_collection_frees_room(s: &Backend) {
    let (t, admin) = new_team(s).await;
    let q = quota(1000, 5 * ENVELOPE);
    let d = doc();
    s.push_within(t, envelopes(d, 4), 1, q, NOW).await.unwrap();
    assert_eq!(
        refused(s.push_within(t, envelopes(d, 2), 1, q, NOW).await),
        Refusal::QuotaBytes
    );
    assert_eq!(s.usage(t).await.unwrap(), (4, 4 * ENVELOPE));
    s.push_within(t, envelopes(d, 1), 1, q, NOW).await.unwrap();
    assert_eq!(
        refused(s.push_within(t, envelopes(doc(), 1), 1, q, NOW).await),
        Refusal::QuotaBytes
    );
    // A snapshot of the document (within its margin), and the one device pulls past it:
    // the five covered envelopes lose their bytes, and the team has room again.
    let snap = snapshot(d, 5, admin, 100);
    assert_eq!(
        s.put_snapshot_within(t, snap, q).await.unwrap(),
        SnapshotOutcome::Stored
    );
    assert_eq!(s.usage(t).await.unwrap(), (5, 5 * ENVELOPE + 100));
    assert_eq!(s.set_cursor(t, admin, 5).await.unwrap(), 5);
    assert_eq!(s.usage(t).await.unwrap(), (5, 100));
    s.push_within(t, envelopes(d, 4), 1, q, NOW).await.unwrap();
    assert_eq!(s.usage(t).await.unwrap(), (9, 100 + 4 * ENVELOPE));
}

pub async fn snapshots_are_bounded_but_may_help_a_full_team(s: &Backend) {
    let (t, admin) = new_team(s).await;
    // 800 bytes, so snapshots may take the team to 900.
    let q = quota(1000, 4 * ENVELOPE);
    let d = doc();
    s.push_within(t, envelopes(d, 4), 1, q, NOW).await.unwrap();
    // Snapshots of made-up documents (a hostile member's) stop at the margin.
    assert_eq!(
        s.put_snapshot_within(t, snapshot(doc(), 4, admin, 60), q)
            .await
            .unwrap(),
        SnapshotOutcome::Stored
    );
    assert_eq!(
        refused(
            s.put_snapshot_within(t, snapshot(doc(), 4, admin, 60), q)
                .await
        ),
        Refusal::QuotaBytes
    );
    assert_eq!(s.snapshots(t).await.unwrap().len(), 1);
    assert_eq!(s.usage(t).await.unwrap(), (4, 4 * ENVELOPE + 60));
    // Up to the margin exactly; then replacing a snapshot with a smaller one is taken (and
    // counted as such) even at the margin, and a larger one is not.
    assert_eq!(
        s.put_snapshot_within(t, snapshot(d, 3, admin, 40), q)
            .await
            .unwrap(),
        SnapshotOutcome::Stored
    );
    assert_eq!(s.usage(t).await.unwrap(), (4, 900));
    assert_eq!(
        refused(s.put_snapshot_within(t, snapshot(d, 4, admin, 41), q).await),
        Refusal::QuotaBytes
    );
    assert_eq!(
        s.put_snapshot_within(t, snapshot(d, 4, admin, 30), q)
            .await
            .unwrap(),
        SnapshotOutcome::Stored
    );
    assert_eq!(s.usage(t).await.unwrap(), (4, 890));
    // One that would not be kept (it covers no more than the one there) is not judged.
    assert_eq!(
        s.put_snapshot_within(t, snapshot(d, 4, admin, 10_000), q)
            .await
            .unwrap(),
        SnapshotOutcome::Superseded
    );
    assert_eq!(s.usage(t).await.unwrap(), (4, 890));
    let kept = s.snapshots(t).await.unwrap();
    assert_eq!(kept.iter().map(|k| k.bytes.len()).sum::<usize>(), 90);
}

pub async fn erasing_frees_the_bytes_it_drops(s: &Backend) {
    let (t, admin) = new_team(s).await;
    let q = quota(1000, 6 * ENVELOPE);
    let (gone, kept) = (doc(), doc());
    s.push_within(t, envelopes(gone, 3), 1, q, NOW)
        .await
        .unwrap();
    s.push_within(t, envelopes(kept, 2), 1, q, NOW)
        .await
        .unwrap();
    s.put_snapshot_within(t, snapshot(gone, 5, admin, 50), q)
        .await
        .unwrap();
    assert_eq!(s.usage(t).await.unwrap(), (5, 5 * ENVELOPE + 50));
    s.erase_doc(t, gone, NOW).await.unwrap();
    assert_eq!(s.usage(t).await.unwrap(), (5, 2 * ENVELOPE));
    // Erasing again, or a document with nothing stored, takes nothing more.
    s.erase_doc(t, gone, NOW).await.unwrap();
    s.erase_doc(t, doc(), NOW).await.unwrap();
    assert_eq!(s.usage(t).await.unwrap(), (5, 2 * ENVELOPE));
    // A late push of the erased document stores nothing, so it is never over the quota.
    s.push_within(t, envelopes(gone, 2), 1, quota(5, 0), NOW)
        .await
        .unwrap();
    s.push_within(t, envelopes(kept, 4), 1, q, NOW)
        .await
        .unwrap();
    assert_eq!(s.usage(t).await.unwrap(), (9, 6 * ENVELOPE));
}

pub async fn one_group_judges_each_push_quota_as_if_alone(s: &Backend) {
    let (t, _) = new_team(s).await;
    let (t2, _) = new_team(s).await;
    let q = quota(4, u64::MAX);
    let d = doc();
    // Sent while the writer is held: one group, in this order.
    let hold = s.hold_writer().await.unwrap();
    let pushes = [
        (t, envelopes(d, 3)),
        // Would make five: refused, and only this push.
        (t, envelopes(d, 2)),
        (t2, envelopes(d, 4)),
        // Fits after the refused one: numbered as if that one never came.
        (t, envelopes(d, 1)),
    ];
    let mut tasks = Vec::new();
    for (i, (to, batch)) in pushes.into_iter().enumerate() {
        let storage = s.storage.clone();
        tasks.push(
            queue(s, i + 1, async move {
                storage.push_within(to, batch, 1, q, NOW).await
            })
            .await,
        );
    }
    drop(hold);
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    let seqs =
        |i: usize| -> Vec<u64> { answers[i].as_ref().unwrap().iter().map(|o| o.seq).collect() };
    assert_eq!(seqs(0), vec![1, 2, 3]);
    assert!(matches!(
        answers[1],
        Err(StorageError::Refused(Refusal::QuotaEnvelopes))
    ));
    assert_eq!(seqs(2), vec![1, 2, 3, 4]);
    assert_eq!(seqs(3), vec![4]);
    assert_eq!(s.usage(t).await.unwrap(), (4, 4 * ENVELOPE));
    assert_eq!(stored_seqs(s, t).await, vec![1, 2, 3, 4]);
}

/// A relay made before quotas (schema 4) has no count of what its teams store: the
/// migration makes it from what is there (envelopes that hold bytes, and snapshots).
pub async fn stored_bytes_are_counted_when_a_relay_is_upgraded(s: &Backend) {
    let (t, admin) = new_team(s).await;
    let (gone, kept) = (doc(), doc());
    s.append(t, envelopes(gone, 2), NOW).await.unwrap();
    s.append(t, envelopes(kept, 3), NOW).await.unwrap();
    s.put_snapshot(t, snapshot(kept, 5, admin, 70))
        .await
        .unwrap();
    s.erase_doc(t, gone, NOW).await.unwrap();
    let expected = (5, 3 * ENVELOPE + 70);
    assert_eq!(s.usage(t).await.unwrap(), expected);
    // Back to schema 4: the columns of 5 and 6 (and the record of 7) gone, the version
    // with them.
    match &s.reopen {
        crate::support::Reopen::Sqlite(path) => {
            let conn = rusqlite::Connection::open(path).unwrap();
            conn.execute_batch(
                "ALTER TABLE team_heads DROP COLUMN stored_bytes; \
                 ALTER TABLE envelopes DROP COLUMN author; \
                 DROP TABLE record_entries; DROP INDEX invites_by_invite_id; \
                 ALTER TABLE team_heads DROP COLUMN record_seq; \
                 ALTER TABLE team_heads DROP COLUMN record_hash; \
                 ALTER TABLE invites DROP COLUMN invite_id; \
                 ALTER TABLE invites DROP COLUMN revoked_at_ms",
            )
            .unwrap();
            conn.pragma_update(None, "user_version", 4).unwrap();
        }
        crate::support::Reopen::Postgres { url, schema } => {
            let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(connection);
            client
                .batch_execute(&format!(
                    "ALTER TABLE {schema}.team_heads DROP COLUMN stored_bytes; \
                     DELETE FROM {schema}.relay_schema WHERE version >= 5; ALTER TABLE {schema}.envelopes DROP COLUMN author; \
                     DROP TABLE {schema}.record_entries; \
                     ALTER TABLE {schema}.team_heads DROP COLUMN record_seq, DROP COLUMN record_hash; \
                     ALTER TABLE {schema}.invites DROP COLUMN invite_id, DROP COLUMN revoked_at_ms"
                ))
                .await
                .unwrap();
        }
    }
    let upgraded = s.reopen().await.unwrap();
    assert_eq!(upgraded.usage(t).await.unwrap(), expected);
    let (empty, _) = new_team(&upgraded).await;
    assert_eq!(upgraded.usage(empty).await.unwrap(), (0, 0));
}
