//! The cases, each over any backend.

use crate::support::{
    device, doc, enrol, envelope, new_team, queue, random32, team, until_queued, Backend, NOW,
};
use tandem_protocol::api::DeviceRole;
use tandem_relay::storage::{
    DeviceLookup, KeyEpochOutcome, NewInvite, NewKeyPackage, NewSnapshot, PageRequest, Refusal,
    SnapshotOutcome, Storage, StorageError,
};

fn all(after: u64) -> PageRequest {
    PageRequest {
        after,
        limit: 100_000,
        skip_covered: false,
        max_bytes: usize::MAX,
    }
}

async fn seqs(storage: &Storage, team: tandem_protocol::TeamId, request: PageRequest) -> Vec<u64> {
    let page = storage.page(team, request).await.unwrap();
    page.items.iter().map(|(s, _)| *s).collect()
}

pub async fn teams_and_devices(s: &Backend) {
    let (t, admin) = (team(), device());
    let key = random32();
    s.create_team(t, admin, key, NOW).await.unwrap();
    assert!(matches!(
        s.create_team(t, device(), random32(), NOW).await,
        Err(StorageError::Refused(Refusal::Exists))
    ));
    match s.lookup_device(t, admin).await.unwrap() {
        DeviceLookup::Member(d) => {
            assert_eq!(
                (d.public_key, d.role, d.cursor),
                (key, DeviceRole::Admin, 0)
            );
            assert_eq!(d.revoked_at_ms, None);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        s.lookup_device(team(), admin).await.unwrap(),
        DeviceLookup::UnknownTeam
    );
    assert_eq!(
        s.lookup_device(t, device()).await.unwrap(),
        DeviceLookup::Unknown
    );
    // The same device id in another team: known, but not here.
    let (t2, _) = new_team(s).await;
    assert_eq!(
        s.lookup_device(t2, admin).await.unwrap(),
        DeviceLookup::OtherTeam(key)
    );

    let member = enrol(s, t, admin).await;
    let devices = s.devices(t).await.unwrap();
    assert_eq!(
        devices
            .iter()
            .map(|d| (d.device, d.role))
            .collect::<Vec<_>>(),
        vec![(admin, DeviceRole::Admin), (member, DeviceRole::Member)]
    );
    assert_eq!(s.head(t).await.unwrap(), 0);
}

pub async fn revoking(s: &Backend) {
    let (t, admin) = new_team(s).await;
    let member = enrol(s, t, admin).await;
    s.revoke(t, member, NOW + 5).await.unwrap();
    // Again is fine and keeps the first time.
    s.revoke(t, member, NOW + 9).await.unwrap();
    match s.lookup_device(t, member).await.unwrap() {
        DeviceLookup::Member(d) => assert_eq!(d.revoked_at_ms, Some(NOW + 5)),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        s.revoke(t, device(), NOW).await,
        Err(StorageError::Refused(Refusal::NotFound))
    ));
    // A device of another team cannot be revoked through this one.
    let (t2, other_admin) = new_team(s).await;
    assert!(matches!(
        s.revoke(t, other_admin, NOW).await,
        Err(StorageError::Refused(Refusal::NotFound))
    ));
    assert!(matches!(
        s.lookup_device(t2, other_admin).await.unwrap(),
        DeviceLookup::Member(d) if d.revoked_at_ms.is_none()
    ));
}

fn invite(
    team: tandem_protocol::TeamId,
    by: tandem_protocol::DeviceId,
    hash: [u8; 32],
    expires: i64,
) -> NewInvite {
    NewInvite {
        token_hash: hash,
        team,
        created_by: by,
        sealed_team_key: b"sealed key".to_vec(),
        created_at_ms: NOW,
        expires_at_ms: expires,
        epoch: None,
    }
}

pub async fn invites_expire_and_are_single_use(s: &Backend) {
    let (t, admin) = new_team(s).await;
    let hash = random32();
    s.create_invite(invite(t, admin, hash, NOW + 1000))
        .await
        .unwrap();
    assert!(matches!(
        s.create_invite(invite(t, admin, hash, NOW + 1000)).await,
        Err(StorageError::Refused(Refusal::Exists))
    ));
    // A device already in the team cannot use it, and does not use it up.
    assert!(matches!(
        s.redeem_invite(hash, admin, random32(), NOW + 1).await,
        Err(StorageError::Refused(Refusal::Exists))
    ));
    let newcomer = device();
    let redeemed = s
        .redeem_invite(hash, newcomer, random32(), NOW + 2)
        .await
        .unwrap();
    assert_eq!(redeemed.team, t);
    assert_eq!(redeemed.sealed_team_key, b"sealed key");
    assert!(matches!(
        s.lookup_device(t, newcomer).await.unwrap(),
        DeviceLookup::Member(d) if d.role == DeviceRole::Member
    ));
    assert!(matches!(
        s.redeem_invite(hash, device(), random32(), NOW + 3).await,
        Err(StorageError::Refused(Refusal::InviteUsed))
    ));

    let late = random32();
    s.create_invite(invite(t, admin, late, NOW + 1000))
        .await
        .unwrap();
    assert!(matches!(
        s.redeem_invite(late, device(), random32(), NOW + 1000)
            .await,
        Err(StorageError::Refused(Refusal::InviteExpired))
    ));
    assert!(matches!(
        s.redeem_invite(random32(), device(), random32(), NOW).await,
        Err(StorageError::Refused(Refusal::NotFound))
    ));
    assert_eq!(s.devices(t).await.unwrap().len(), 2);
}

pub async fn invites_older_than_the_team_key_are_refused(s: &Backend) {
    let (t, admin) = new_team(s).await;
    let at = |epoch: Option<u32>| {
        let hash = random32();
        (
            hash,
            NewInvite {
                epoch,
                ..invite(t, admin, hash, NOW + 60_000)
            },
        )
    };
    let (stale, stale_invite) = at(Some(1));
    let (unknown, unknown_invite) = at(None);
    s.create_invite(stale_invite).await.unwrap();
    s.create_invite(unknown_invite).await.unwrap();
    // The team moves to epoch 2.
    s.put_key_packages(t, 2, vec![package(admin, admin)], NOW)
        .await
        .unwrap();
    let (fresh, fresh_invite) = at(Some(2));
    s.create_invite(fresh_invite).await.unwrap();

    assert!(matches!(
        s.redeem_invite(stale, device(), random32(), NOW + 1).await,
        Err(StorageError::Refused(Refusal::InviteStale))
    ));
    assert_eq!(s.devices(t).await.unwrap().len(), 1, "nobody enrolled");
    s.redeem_invite(fresh, device(), random32(), NOW + 2)
        .await
        .unwrap();
    // Made by an older client (no epoch): not checked.
    s.redeem_invite(unknown, device(), random32(), NOW + 3)
        .await
        .unwrap();
    assert_eq!(s.devices(t).await.unwrap().len(), 3);
}

pub async fn concurrent_redeems_enrol_one_device(s: &Backend) {
    let (t, admin) = new_team(s).await;
    let hash = random32();
    s.create_invite(invite(t, admin, hash, NOW + 1000))
        .await
        .unwrap();
    let tasks: Vec<_> = (0..12)
        .map(|_| {
            let storage = s.storage.clone();
            tokio::spawn(
                async move { storage.redeem_invite(hash, device(), random32(), NOW).await },
            )
        })
        .collect();
    let mut won = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => won += 1,
            Err(StorageError::Refused(Refusal::InviteUsed)) => {}
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(won, 1);
    assert_eq!(s.devices(t).await.unwrap().len(), 2);
}

pub async fn appends_are_idempotent(s: &Backend) {
    let (t, _) = new_team(s).await;
    let d = doc();
    let (a, b, c) = (envelope(d), envelope(d), envelope(d));
    let first = s.append(t, vec![a.clone(), b.clone()], NOW).await.unwrap();
    assert_eq!(
        first
            .iter()
            .map(|o| (o.seq, o.duplicate))
            .collect::<Vec<_>>(),
        vec![(1, false), (2, false)]
    );
    // Known ones keep their number; a repeat inside one push is stored once.
    let second = s
        .append(t, vec![b.clone(), c.clone(), a.clone(), c.clone()], NOW)
        .await
        .unwrap();
    assert_eq!(
        second
            .iter()
            .map(|o| (o.seq, o.duplicate))
            .collect::<Vec<_>>(),
        vec![(2, true), (3, false), (1, true), (3, true)]
    );
    assert_eq!(s.head(t).await.unwrap(), 3);
    let page = s.page(t, all(0)).await.unwrap();
    assert_eq!(page.items, vec![(1, a.bytes), (2, b.bytes), (3, c.bytes)]);
    // Ids are per team: the same envelope in another team is new there.
    let (t2, _) = new_team(s).await;
    let other = s.append(t2, vec![envelope(d)], NOW).await.unwrap();
    assert_eq!((other[0].seq, other[0].duplicate), (1, false));
    assert!(matches!(
        s.append(team(), vec![envelope(d)], NOW).await,
        Err(StorageError::Refused(Refusal::NotFound))
    ));
}

pub async fn concurrent_appends_are_gap_free_in_commit_order(s: &Backend) {
    const TASKS: usize = 20;
    const PER_TASK: usize = 50;
    const BATCH: usize = 5;
    let (t, _) = new_team(s).await;

    // A reader follows the log while it grows: if a number were handed out before an
    // earlier one committed, it would see a gap and its cursor would skip a row.
    let reader = {
        let storage = s.storage.clone();
        tokio::spawn(async move {
            let mut cursor = 0u64;
            while cursor < (TASKS * PER_TASK) as u64 {
                let page = storage
                    .page(
                        t,
                        PageRequest {
                            after: cursor,
                            limit: 37,
                            skip_covered: false,
                            max_bytes: usize::MAX,
                        },
                    )
                    .await
                    .unwrap();
                for (seq, _) in &page.items {
                    assert_eq!(*seq, cursor + 1, "a reader saw a gap");
                    cursor = *seq;
                }
                tokio::task::yield_now().await;
            }
            cursor
        })
    };

    let writers: Vec<_> = (0..TASKS)
        .map(|_| {
            let storage = s.storage.clone();
            tokio::spawn(async move {
                let d = doc();
                let envelopes: Vec<_> = (0..PER_TASK).map(|_| envelope(d)).collect();
                let mut mine = Vec::new();
                for batch in envelopes.chunks(BATCH) {
                    let outcomes = storage.append(t, batch.to_vec(), NOW).await.unwrap();
                    // Pushing the same batch again changes nothing.
                    let again = storage.append(t, batch.to_vec(), NOW).await.unwrap();
                    assert_eq!(
                        again.iter().map(|o| o.seq).collect::<Vec<_>>(),
                        outcomes.iter().map(|o| o.seq).collect::<Vec<_>>()
                    );
                    assert!(again.iter().all(|o| o.duplicate));
                    for (e, o) in batch.iter().zip(outcomes) {
                        assert!(!o.duplicate);
                        mine.push((o.seq, e.bytes.clone()));
                    }
                }
                mine
            })
        })
        .collect();
    let mut expected = Vec::new();
    for w in writers {
        expected.extend(w.await.unwrap());
    }
    assert_eq!(reader.await.unwrap(), (TASKS * PER_TASK) as u64);

    expected.sort();
    let page = s.page(t, all(0)).await.unwrap();
    assert_eq!(page.head, (TASKS * PER_TASK) as u64);
    assert_eq!(
        page.items.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        (1..=(TASKS * PER_TASK) as u64).collect::<Vec<_>>()
    );
    assert_eq!(
        page.items, expected,
        "every envelope once, under the number it was given"
    );
}

pub async fn pulls_are_paged(s: &Backend) {
    let (t, _) = new_team(s).await;
    let d = doc();
    for _ in 0..5 {
        s.append(t, (0..5).map(|_| envelope(d)).collect(), NOW)
            .await
            .unwrap();
    }
    let request = |after| PageRequest {
        after,
        limit: 10,
        skip_covered: false,
        max_bytes: usize::MAX,
    };
    let p1 = s.page(t, request(0)).await.unwrap();
    assert_eq!((p1.head, p1.items.len(), p1.more), (25, 10, true));
    assert_eq!(p1.items.first().map(|i| i.0), Some(1));
    let p2 = s.page(t, request(10)).await.unwrap();
    assert_eq!((p2.items.len(), p2.more), (10, true));
    let p3 = s.page(t, request(20)).await.unwrap();
    assert_eq!((p3.items.len(), p3.more), (5, false));
    assert_eq!(p3.items.last().map(|i| i.0), Some(25));
    let exact = s
        .page(
            t,
            PageRequest {
                limit: 5,
                ..request(20)
            },
        )
        .await
        .unwrap();
    assert_eq!((exact.items.len(), exact.more), (5, false));
    let past = s.page(t, request(25)).await.unwrap();
    assert_eq!((past.head, past.items.len(), past.more), (25, 0, false));
    assert!(matches!(
        s.page(team(), request(0)).await,
        Err(StorageError::Refused(Refusal::NotFound))
    ));

    // Pages also stop at a byte budget (each envelope here is 200 bytes), but never come
    // back empty while envelopes wait.
    let budget = |after, max_bytes| PageRequest {
        max_bytes,
        ..request(after)
    };
    let p = s.page(t, budget(0, 450)).await.unwrap();
    assert_eq!(
        (p.items.iter().map(|i| i.0).collect::<Vec<_>>(), p.more),
        (vec![1, 2], true)
    );
    let p = s.page(t, budget(2, 1)).await.unwrap();
    assert_eq!(
        (p.items.iter().map(|i| i.0).collect::<Vec<_>>(), p.more),
        (vec![3], true)
    );
    let p = s.page(t, budget(20, 1000)).await.unwrap();
    assert_eq!((p.items.len(), p.more), (5, false));
}

/// A page comes with the key epoch of the same moment as its envelopes, not a later one: a
/// puller deciding whether it needs a newer key must see the state its page comes from.
/// A writer appends one envelope and then starts the next epoch, over and over. On SQLite
/// both go in one group commit, so every committed state has `epoch == head + 1`; on
/// PostgreSQL the epoch is its own transaction, so `epoch` is `head` or `head + 1`. A pull
/// that read its page, then the epoch after a later commit, would see `head + 2`.
pub async fn a_page_comes_with_the_key_epoch_of_its_own_moment(s: &Backend) {
    use std::sync::atomic::{AtomicBool, Ordering};
    let (t, admin) = new_team(s).await;
    let done = std::sync::Arc::new(AtomicBool::new(false));
    let mut pullers = Vec::new();
    for _ in 0..3 {
        let (storage, done) = (s.storage.clone(), done.clone());
        pullers.push(tokio::spawn(async move {
            let mut pulls = 0u64;
            while !done.load(Ordering::Relaxed) {
                let (page, epoch) = storage.page_with_epoch(t, all(0)).await.unwrap();
                let ahead = u64::from(epoch).checked_sub(page.head);
                assert!(
                    matches!(ahead, Some(0 | 1)),
                    "a page up to {} came with key epoch {epoch}",
                    page.head
                );
                pulls += 1;
            }
            pulls
        }));
    }
    let grouped = s.backend() == "sqlite";
    for epoch in 2..=100u32 {
        let append = {
            let storage = s.storage.clone();
            async move { storage.append(t, vec![envelope(doc())], NOW).await }
        };
        let rotate = {
            let storage = s.storage.clone();
            async move {
                storage
                    .put_key_packages(t, epoch, vec![package(admin, admin)], NOW)
                    .await
            }
        };
        let rotated = if grouped {
            // Queued in this order behind the held writer, then committed as one group.
            let hold = s.hold_writer().await.unwrap();
            let append = queue(s, 1, append).await;
            let rotate = queue(s, 2, rotate).await;
            drop(hold);
            append.await.unwrap().unwrap();
            rotate.await.unwrap()
        } else {
            append.await.unwrap();
            rotate.await
        };
        assert_eq!(rotated.unwrap(), KeyEpochOutcome::Stored);
    }
    done.store(true, Ordering::Relaxed);
    for puller in pullers {
        assert!(puller.await.unwrap() > 0);
    }
    let (page, epoch) = s.page_with_epoch(t, all(0)).await.unwrap();
    assert_eq!((page.head, epoch), (99, 100));
}

fn snapshot(
    doc: tandem_protocol::DocId,
    covers: u64,
    author: tandem_protocol::DeviceId,
) -> NewSnapshot {
    let bytes = random32().to_vec();
    NewSnapshot {
        doc,
        covers,
        id: tandem_protocol::envelope::envelope_id(&bytes),
        bytes,
        author,
        stored_at_ms: NOW,
    }
}

pub async fn snapshots_keep_the_latest_and_skip_covered(s: &Backend) {
    let (t, admin) = new_team(s).await;
    let (a, b) = (doc(), doc());
    for d in [a, a, b, a, b] {
        s.append(t, vec![envelope(d)], NOW).await.unwrap(); // a: 1 2 4, b: 3 5
    }
    assert!(matches!(
        s.put_snapshot(t, snapshot(a, 6, admin)).await,
        Err(StorageError::Refused(Refusal::CoversBeyondHead))
    ));
    let two = snapshot(a, 2, admin);
    assert_eq!(
        s.put_snapshot(t, two.clone()).await.unwrap(),
        SnapshotOutcome::Stored
    );
    let four = snapshot(a, 4, admin);
    assert_eq!(
        s.put_snapshot(t, four.clone()).await.unwrap(),
        SnapshotOutcome::Stored
    );
    // An older or equal one does not replace it.
    assert_eq!(
        s.put_snapshot(t, snapshot(a, 3, admin)).await.unwrap(),
        SnapshotOutcome::Superseded
    );
    assert_eq!(
        s.put_snapshot(t, snapshot(a, 4, admin)).await.unwrap(),
        SnapshotOutcome::Superseded
    );
    let stored = s.snapshots(t).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!((stored[0].doc, stored[0].covers), (a, 4));
    assert_eq!(stored[0].bytes, four.bytes);

    let skip = |after| PageRequest {
        after,
        limit: 100,
        skip_covered: true,
        max_bytes: usize::MAX,
    };
    assert_eq!(seqs(s, t, skip(0)).await, vec![3, 5]);
    assert_eq!(seqs(s, t, all(0)).await, vec![1, 2, 3, 4, 5]);
    // Paging still works when skipping: limit 1 then the rest.
    let first = s
        .page(
            t,
            PageRequest {
                limit: 1,
                ..skip(0)
            },
        )
        .await
        .unwrap();
    assert_eq!((first.items[0].0, first.more), (3, true));
    assert_eq!(seqs(s, t, skip(3)).await, vec![5]);
    assert!(s.snapshots(team()).await.unwrap().is_empty());
}

pub async fn garbage_waits_for_every_active_device(s: &Backend) {
    let (t, admin) = new_team(s).await;
    let member = enrol(s, t, admin).await;
    let (a, b) = (doc(), doc());
    let mut a1 = None;
    for d in [a, a, b, a, b] {
        let e = envelope(d);
        if a1.is_none() {
            a1 = Some(e.clone());
        }
        s.append(t, vec![e], NOW).await.unwrap(); // a: 1 2 4, b: 3 5
    }
    s.put_snapshot(t, snapshot(a, 4, admin)).await.unwrap();
    // Nobody has pulled: nothing goes.
    assert_eq!(s.collect_garbage(t).await.unwrap(), 0);
    assert_eq!(s.set_cursor(t, admin, 5).await.unwrap(), 0);
    assert_eq!(seqs(s, t, all(0)).await, vec![1, 2, 3, 4, 5]);
    // The member is behind the snapshot: still nothing.
    assert_eq!(s.set_cursor(t, member, 3).await.unwrap(), 0);
    assert_eq!(s.set_cursor(t, member, 4).await.unwrap(), 3);
    assert_eq!(seqs(s, t, all(0)).await, vec![3, 5]);
    assert_eq!(s.head(t).await.unwrap(), 5);

    // A dropped envelope pushed again is still recognised, under its old number.
    let again = s.append(t, vec![a1.unwrap()], NOW).await.unwrap();
    assert_eq!((again[0].seq, again[0].duplicate), (1, true));
    assert_eq!(s.head(t).await.unwrap(), 5);

    // A newcomer that never pulled holds the next collection back, until it is revoked.
    let newcomer = enrol(s, t, admin).await;
    s.put_snapshot(t, snapshot(b, 5, member)).await.unwrap();
    assert_eq!(s.set_cursor(t, member, 5).await.unwrap(), 0);
    assert_eq!(seqs(s, t, all(0)).await, vec![3, 5]);
    s.revoke(t, newcomer, NOW).await.unwrap();
    assert_eq!(seqs(s, t, all(0)).await, Vec::<u64>::new());
    assert_eq!(s.collect_garbage(t).await.unwrap(), 0);
    // Snapshots stay, and so does the head.
    assert_eq!(s.snapshots(t).await.unwrap().len(), 2);
    assert_eq!(s.head(t).await.unwrap(), 5);
    let next = s.append(t, vec![envelope(a)], NOW).await.unwrap();
    assert_eq!(next[0].seq, 6);
}

pub async fn replay_table_refuses_twice_and_prunes(s: &Backend) {
    let (h1, h2) = (random32(), random32());
    assert!(s.record_signature(h1, NOW + 10).await.unwrap());
    assert!(!s.record_signature(h1, NOW + 10).await.unwrap());
    assert!(s.record_signature(h2, NOW + 1000).await.unwrap());
    assert_eq!(s.prune_signatures(NOW + 11).await.unwrap(), 1);
    assert!(!s.record_signature(h2, NOW + 1000).await.unwrap());
    assert!(s.record_signature(h1, NOW + 10).await.unwrap());

    // Racing relays (or tasks): exactly one sees it first.
    let h = random32();
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let storage = s.storage.clone();
            tokio::spawn(async move { storage.record_signature(h, NOW).await.unwrap() })
        })
        .collect();
    let mut fresh = 0;
    for task in tasks {
        fresh += usize::from(task.await.unwrap());
    }
    assert_eq!(fresh, 1);
}

pub async fn relay_id_is_stable_and_newer_schemas_are_refused(s: &Backend) {
    let id = s.relay_id().to_owned();
    assert_eq!(id.len(), 32);
    let (t, _) = new_team(s).await;
    s.append(t, vec![envelope(doc())], NOW).await.unwrap();
    let again = s.reopen().await.unwrap();
    assert_eq!(again.relay_id(), id);
    assert_eq!(again.head(t).await.unwrap(), 1);
    s.ping().await.unwrap();

    // A database from a newer relay is refused, not half-used.
    match &s.reopen {
        crate::support::Reopen::Sqlite(path) => {
            let conn = rusqlite::Connection::open(path).unwrap();
            conn.pragma_update(None, "user_version", 99).unwrap();
        }
        crate::support::Reopen::Postgres { url, schema } => {
            let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(connection);
            client
                .batch_execute(&format!("INSERT INTO {schema}.relay_schema VALUES (99)"))
                .await
                .unwrap();
        }
    }
    let refused = s.reopen().await;
    assert!(
        matches!(
            refused,
            Err(StorageError::NewerSchema {
                found: 99,
                supported: 7
            })
        ),
        "{refused:?}"
    );
}

fn package(to: tandem_protocol::DeviceId, from: tandem_protocol::DeviceId) -> NewKeyPackage {
    NewKeyPackage {
        to,
        from,
        bytes: random32().to_vec(),
    }
}

pub async fn key_epochs_go_one_at_a_time_to_active_devices_only(s: &Backend) {
    let (t, admin) = new_team(s).await;
    let (m1, m2) = (enrol(s, t, admin).await, enrol(s, t, admin).await);
    s.revoke(t, m2, NOW).await.unwrap();
    let none = s.key_packages(t, m1, 0).await.unwrap();
    assert_eq!((none.current_epoch, none.packages.len()), (1, 0));

    for epoch in [0, 1, 3] {
        assert!(
            matches!(
                s.put_key_packages(t, epoch, vec![package(m1, admin)], NOW)
                    .await,
                Err(StorageError::Refused(Refusal::WrongEpoch { current: 1 }))
            ),
            "epoch {epoch}"
        );
    }
    // A package for the revoked device, or a stranger, refuses the whole epoch.
    for bad in [m2, device()] {
        assert!(matches!(
            s.put_key_packages(t, 2, vec![package(m1, admin), package(bad, admin)], NOW)
                .await,
            Err(StorageError::Refused(Refusal::InactiveRecipient))
        ));
    }
    assert_eq!(s.key_packages(t, m1, 0).await.unwrap().current_epoch, 1);
    // Leaving out an active device (one enrolled while the packages were sealed) is refused.
    assert!(matches!(
        s.put_key_packages(t, 2, vec![package(m1, admin)], NOW)
            .await,
        Err(StorageError::Refused(Refusal::MissingRecipient))
    ));
    assert_eq!(s.key_packages(t, m1, 0).await.unwrap().current_epoch, 1);

    let p1 = package(m1, admin);
    let p_admin = package(admin, admin);
    assert_eq!(
        s.put_key_packages(t, 2, vec![p1.clone(), p_admin.clone()], NOW)
            .await
            .unwrap(),
        KeyEpochOutcome::Stored
    );
    // A push sealed under epoch 1 is refused whole from now on; under epoch 2 it is stored.
    let head = s.head(t).await.unwrap();
    assert!(matches!(
        s.push(t, vec![envelope(doc())], 1, NOW).await,
        Err(StorageError::Refused(Refusal::StaleEpoch))
    ));
    assert_eq!(s.head(t).await.unwrap(), head);
    s.push(t, vec![envelope(doc())], 2, NOW).await.unwrap();
    assert_eq!(s.head(t).await.unwrap(), head + 1);
    // The same again (a lost answer) is fine; anything else for epoch 2 is not.
    assert_eq!(
        s.put_key_packages(t, 2, vec![p_admin.clone(), p1.clone()], NOW)
            .await
            .unwrap(),
        KeyEpochOutcome::AlreadyThere
    );
    for other in [
        vec![package(m1, admin), p_admin.clone()],
        vec![p1.clone()],
        vec![p1.clone(), p_admin.clone(), package(m2, admin)],
    ] {
        assert!(matches!(
            s.put_key_packages(t, 2, other, NOW).await,
            Err(StorageError::Refused(Refusal::Exists))
        ));
    }

    // Each device gets its own, nothing else.
    let got = s.key_packages(t, m1, 0).await.unwrap();
    assert_eq!(got.current_epoch, 2);
    assert_eq!(got.packages, vec![(2, p1.bytes.clone())]);
    assert!(s.key_packages(t, m1, 2).await.unwrap().packages.is_empty());
    assert!(s.key_packages(t, m2, 0).await.unwrap().packages.is_empty());
    let (t2, _) = new_team(s).await;
    let other_team = s.key_packages(t2, m1, 0).await.unwrap();
    assert_eq!(
        (other_team.current_epoch, other_team.packages.len()),
        (1, 0)
    );

    let p3 = package(m1, admin);
    s.put_key_packages(t, 3, vec![p3.clone(), package(admin, admin)], NOW)
        .await
        .unwrap();
    let got = s.key_packages(t, m1, 0).await.unwrap();
    assert_eq!(got.current_epoch, 3);
    assert_eq!(got.packages, vec![(2, p1.bytes), (3, p3.bytes.clone())]);
    assert_eq!(
        s.key_packages(t, m1, 2).await.unwrap().packages,
        vec![(3, p3.bytes)]
    );
    // Kept across a restart.
    let again = s.reopen().await.unwrap();
    assert_eq!(
        again.key_packages(t, m1, 0).await.unwrap().packages.len(),
        2
    );
}

pub async fn one_group_answers_each_push_as_if_alone(s: &Backend) {
    let (t, admin) = new_team(s).await;
    let (t2, _) = new_team(s).await;
    let revoked = enrol(s, t, admin).await;
    s.revoke(t, revoked, NOW).await.unwrap();
    let d = doc();
    let (a, b, c, e) = (envelope(d), envelope(d), envelope(d), envelope(d));
    let before = s.group_commits();

    // Everything sent while the writer is held goes in one group, in the order sent.
    let hold = s.hold_writer().await.unwrap();
    let pushes = [
        (t, vec![a.clone(), b.clone()]),
        // One known from the push before in the same group, one new, then a repeat of it.
        (t, vec![b.clone(), c.clone(), c.clone()]),
        // No such team: refused, and only this push.
        (team(), vec![e.clone()]),
        // Ids are per team: new in another one.
        (t2, vec![a.clone()]),
        (t, vec![a.clone()]),
    ];
    let mut tasks = Vec::new();
    for (i, (to, envelopes)) in pushes.into_iter().enumerate() {
        let storage = s.storage.clone();
        tasks.push(
            queue(
                s,
                i + 1,
                async move { storage.append(to, envelopes, NOW).await },
            )
            .await,
        );
    }
    // A write that fails half-way (its first package is fine, the second is for a revoked
    // device) in the same group on SQLite, where every write is grouped; PostgreSQL groups
    // pushes only and runs it on its own.
    let keys = {
        let storage = s.storage.clone();
        let grouped = if s.backend() == "sqlite" { 6 } else { 5 };
        queue(s, grouped, async move {
            storage
                .put_key_packages(
                    t,
                    2,
                    vec![package(admin, admin), package(revoked, admin)],
                    NOW,
                )
                .await
        })
        .await
    };
    drop(hold);

    let mut results = Vec::new();
    for task in tasks {
        results.push(
            task.await
                .unwrap()
                .map(|o| o.iter().map(|o| (o.seq, o.duplicate)).collect::<Vec<_>>()),
        );
    }
    assert_eq!(results[0].as_ref().unwrap(), &[(1, false), (2, false)]);
    assert_eq!(
        results[1].as_ref().unwrap(),
        &[(2, true), (3, false), (3, true)]
    );
    assert!(matches!(
        results[2],
        Err(StorageError::Refused(Refusal::NotFound))
    ));
    assert_eq!(results[3].as_ref().unwrap(), &[(1, false)]);
    assert_eq!(results[4].as_ref().unwrap(), &[(1, true)]);
    assert!(matches!(
        keys.await.unwrap(),
        Err(StorageError::Refused(Refusal::InactiveRecipient))
    ));

    // One group, holding every push (and on SQLite the key epoch and the hold itself).
    let after = s.group_commits();
    assert_eq!(after.0 - before.0, 1);
    assert_eq!(
        after.1 - before.1,
        if s.backend() == "sqlite" { 7 } else { 5 }
    );
    // What the failed write did before failing is gone; the rest is stored once, gap-free.
    let fetched = s.key_packages(t, admin, 0).await.unwrap();
    assert_eq!((fetched.current_epoch, fetched.packages.len()), (1, 0));
    let page = s.page(t, all(0)).await.unwrap();
    assert_eq!(page.head, 3);
    assert_eq!(
        page.items,
        vec![(1, a.bytes.clone()), (2, b.bytes), (3, c.bytes)]
    );
    assert_eq!(s.page(t2, all(0)).await.unwrap().items, vec![(1, a.bytes)]);
}

pub async fn same_envelopes_pushed_at_once_are_stored_once(s: &Backend) {
    const TASKS: usize = 32;
    const SHARED: usize = 30;
    let (t, _) = new_team(s).await;
    let d = doc();
    let shared: Vec<_> = (0..SHARED).map(|_| envelope(d)).collect();

    // Twice: once with every push in one group (the writer held while they queue), once as
    // they come.
    let mut expected_head = 0u64;
    for held in [true, false] {
        let hold = if held {
            Some(s.hold_writer().await.unwrap())
        } else {
            None
        };
        let tasks: Vec<_> = (0..TASKS)
            .map(|i| {
                let storage = s.storage.clone();
                // Every task pushes all the shared envelopes (from a different starting
                // point, so pushes overlap in every order) and two of its own.
                let mut envelopes: Vec<_> = shared
                    .iter()
                    .cycle()
                    .skip(i)
                    .take(SHARED)
                    .cloned()
                    .collect();
                envelopes.insert(i % SHARED, envelope(d));
                envelopes.push(envelope(d));
                tokio::spawn(async move {
                    let outcomes = storage.append(t, envelopes.clone(), NOW).await.unwrap();
                    envelopes.into_iter().zip(outcomes).collect::<Vec<_>>()
                })
            })
            .collect();
        if let Some(hold) = hold {
            until_queued(s, TASKS).await;
            drop(hold);
        }
        let mut stored: std::collections::HashMap<[u8; 32], (u64, usize)> = Default::default();
        for task in tasks {
            for (envelope, outcome) in task.await.unwrap() {
                let entry = stored.entry(envelope.id).or_insert((outcome.seq, 0));
                // Every push learns the same number for an envelope...
                assert_eq!(entry.0, outcome.seq);
                entry.1 += usize::from(!outcome.duplicate);
            }
        }
        // ...and exactly one push stored it (the shared ones only the first time round).
        let fresh = if held { SHARED + 2 * TASKS } else { 2 * TASKS };
        assert_eq!(stored.values().filter(|(_, new)| *new == 1).count(), fresh);
        assert!(stored.values().all(|(_, new)| *new <= 1));
        expected_head += fresh as u64;
        let page = s.page(t, all(0)).await.unwrap();
        assert_eq!(page.head, expected_head);
        assert_eq!(
            page.items.iter().map(|(seq, _)| *seq).collect::<Vec<_>>(),
            (1..=expected_head).collect::<Vec<_>>(),
            "gap-free"
        );
        for (id, (seq, _)) in &stored {
            let bytes = &page.items[usize::try_from(*seq).unwrap() - 1].1;
            assert_eq!(&tandem_protocol::envelope::envelope_id(bytes), id);
        }
    }
}

pub async fn one_group_records_signatures_and_cursors_as_if_alone(s: &Backend) {
    let (t, admin) = new_team(s).await;
    let member = enrol(s, t, admin).await;
    let (h1, h2) = (random32(), random32());
    let before = s.group_commits();
    let hold = s.hold_writer().await.unwrap();
    let mut signatures = Vec::new();
    // The same signature twice in one group: only the first is new (the second a replay).
    for (i, hash) in [h1, h2, h1].into_iter().enumerate() {
        let storage = s.storage.clone();
        signatures.push(
            queue(s, i + 1, async move {
                storage.record_signature(hash, NOW + 60_000).await
            })
            .await,
        );
    }
    // Two moves of one device: the last one counts.
    let mut cursors = Vec::new();
    for (i, (device, cursor)) in [(member, 5), (member, 7), (admin, 3)]
        .into_iter()
        .enumerate()
    {
        let storage = s.storage.clone();
        cursors.push(
            queue(s, 4 + i, async move {
                storage.set_cursor(t, device, cursor).await
            })
            .await,
        );
    }
    drop(hold);
    let mut recorded = Vec::new();
    for task in signatures {
        recorded.push(task.await.unwrap().unwrap());
    }
    assert_eq!(recorded, vec![true, true, false]);
    for task in cursors {
        assert_eq!(task.await.unwrap().unwrap(), 0);
    }
    let after = s.group_commits();
    assert_eq!(after.0 - before.0, 1);
    assert_eq!(
        after.1 - before.1,
        if s.backend() == "sqlite" { 7 } else { 6 }
    );
    let devices = s.devices(t).await.unwrap();
    let cursor_of = |d| devices.iter().find(|r| r.device == d).unwrap().cursor;
    assert_eq!((cursor_of(member), cursor_of(admin)), (7, 3));
    // Both are remembered: a replay in a later group is refused too.
    assert!(!s.record_signature(h2, NOW + 60_000).await.unwrap());
}

pub async fn erasing_a_document_drops_its_bytes_and_snapshot(s: &Backend) {
    let (t, admin) = new_team(s).await;
    let (gone, kept) = (doc(), doc());
    let envs: Vec<_> = [gone, kept, gone].into_iter().map(envelope).collect();
    s.append(t, envs.clone(), NOW).await.unwrap();
    s.put_snapshot(t, snapshot(gone, 3, admin)).await.unwrap();
    s.put_snapshot(t, snapshot(kept, 3, admin)).await.unwrap();
    assert!(s
        .erased_among(t, vec![gone, kept])
        .await
        .unwrap()
        .is_empty());

    assert_eq!(s.erase_doc(t, gone, NOW).await.unwrap(), 2);
    assert_eq!(
        s.erase_doc(t, gone, NOW).await.unwrap(),
        0,
        "once is enough"
    );
    assert_eq!(
        s.erased_among(t, vec![kept, gone]).await.unwrap(),
        vec![gone]
    );
    // Per team: the same id in another team is not erased.
    let (t2, _) = new_team(s).await;
    assert!(s.erased_among(t2, vec![gone]).await.unwrap().is_empty());
    // The log keeps its numbers (gap-free) but only the other document's bytes.
    assert_eq!(s.head(t).await.unwrap(), 3);
    let page = s.page(t, all(0)).await.unwrap();
    assert_eq!(page.items, vec![(2, envs[1].bytes.clone())]);
    let snaps = s.snapshots(t).await.unwrap();
    assert_eq!(snaps.len(), 1);
    assert_eq!(snaps[0].doc, kept);
    // A re-push of an erased envelope is still recognised (its row stays).
    let again = s.append(t, vec![envs[0].clone()], NOW).await.unwrap();
    assert_eq!((again[0].seq, again[0].duplicate), (1, true));
    // A new change or snapshot of it (written offline) is acknowledged and not stored.
    let late = s
        .push(t, vec![envelope(gone), envelope(kept)], 1, NOW)
        .await
        .unwrap();
    assert_eq!((late[0].seq, late[0].duplicate), (0, true));
    assert_eq!((late[1].seq, late[1].duplicate), (4, false));
    assert_eq!(s.head(t).await.unwrap(), 4);
    assert_eq!(
        s.put_snapshot(t, snapshot(gone, 4, admin)).await.unwrap(),
        SnapshotOutcome::Erased
    );
    assert_eq!(s.snapshots(t).await.unwrap().len(), 1);
}
