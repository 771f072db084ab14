//! The team record's storage: compare-and-swap on the head, all or nothing, and the tables
//! kept in step with it. Entries here are opaque bytes (the judge, `rules`, is the HTTP
//! suite's business): storage stores what it is handed, on the head it is told.

use crate::support::{device, doc, envelope, random16, random32, team, Backend, NOW};
use tandem_protocol::api::DeviceRole;
use tandem_protocol::{DeviceId, DocId, TeamId};
use tandem_relay::storage::{
    DeviceLookup, NewInvite, NewKeyPackage, NewRecordEntry, RecordAppend, RecordBase, RecordDevice,
    RecordEffects, RecordHead, Refusal, StorageError, UsedInvite,
};

fn entry(seq: u64, author: DeviceId) -> NewRecordEntry {
    let mut bytes = vec![seq as u8; 120];
    bytes.extend_from_slice(&random32());
    NewRecordEntry {
        seq,
        hash: tandem_protocol::envelope::envelope_id(&bytes),
        kind: 1,
        author,
        bytes,
    }
}

fn head_of(e: &NewRecordEntry) -> RecordHead {
    RecordHead {
        seq: e.seq,
        hash: e.hash,
    }
}

/// A team with a record: its founder (an admin) and the founding entry's head.
async fn record_team(storage: &Backend) -> (TeamId, DeviceId, RecordHead) {
    let (t, admin) = (team(), device());
    let founding = entry(0, admin);
    let head = head_of(&founding);
    storage
        .create_record_team(
            t,
            vec![RecordDevice {
                device: admin,
                public_key: random32(),
                role: DeviceRole::Admin,
            }],
            founding,
            NOW,
        )
        .await
        .unwrap();
    (t, admin, head)
}

fn append(team: TeamId, on: RecordHead, entries: Vec<NewRecordEntry>) -> RecordAppend {
    RecordAppend {
        team,
        on: RecordBase::Head(on),
        entries,
        effects: RecordEffects::default(),
        now_ms: NOW,
    }
}

fn refused(result: Result<impl std::fmt::Debug, StorageError>) -> Refusal {
    match result {
        Err(StorageError::Refused(r)) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn all_entries(storage: &Backend, t: TeamId) -> Vec<(u64, Vec<u8>)> {
    storage.record_page(t, 0, 1000).await.unwrap().entries
}

pub async fn a_record_team_starts_at_its_founding_entry(storage: &Backend) {
    let (t, admin, head) = record_team(storage).await;
    assert_eq!(storage.record_head(t).await.unwrap(), Some(head));
    let page = storage.record_page(t, 0, 10).await.unwrap();
    assert_eq!(page.head, Some(head));
    assert_eq!(page.entries.len(), 1);
    assert!(!page.more);
    let DeviceLookup::Member(found) = storage.lookup_device(t, admin).await.unwrap() else {
        panic!("the founder is enrolled");
    };
    assert_eq!(found.role, DeviceRole::Admin);
    // Twice: the team exists.
    let again = storage
        .create_record_team(t, Vec::new(), entry(0, admin), NOW)
        .await;
    assert_eq!(refused(again), Refusal::Exists);
    // No such team.
    assert_eq!(
        refused(storage.record_head(team()).await),
        Refusal::NotFound
    );
}

pub async fn a_team_without_a_record_keeps_the_older_rules(storage: &Backend) {
    let (t, admin) = crate::support::new_team(storage).await;
    assert_eq!(storage.record_head(t).await.unwrap(), None);
    let page = storage.record_page(t, 0, 10).await.unwrap();
    assert_eq!((page.head, page.entries.len()), (None, 0));
    let on = RecordHead {
        seq: 0,
        hash: [0; 32],
    };
    assert_eq!(
        refused(
            storage
                .append_record(append(t, on, vec![entry(1, admin)]))
                .await
        ),
        Refusal::NoRecord
    );
    // …and its older membership writes still work.
    let member = crate::support::enrol(storage, t, admin).await;
    storage.revoke(t, member, NOW).await.unwrap();
}

pub async fn a_team_from_before_gets_its_record_once_at_its_epoch(storage: &Backend) {
    let (t, admin) = crate::support::new_team(storage).await;
    let (kept, left_out) = (
        crate::support::enrol(storage, t, admin).await,
        crate::support::enrol(storage, t, admin).await,
    );
    let migration = |epoch, devices| RecordAppend {
        on: RecordBase::Legacy { epoch, devices },
        effects: RecordEffects {
            revoke: vec![left_out],
            ..RecordEffects::default()
        },
        ..append(
            t,
            RecordHead {
                seq: 0,
                hash: [0; 32],
            },
            vec![entry(0, admin), entry(1, admin)],
        )
    };
    // Written on another epoch than the team's (a rotation through the older route
    // meanwhile): a conflict, nothing stored.
    assert_eq!(
        refused(storage.append_record(migration(2, 3)).await),
        Refusal::RecordConflict { seq: 0 }
    );
    // A device enrolled meanwhile through the older route: a conflict too.
    assert_eq!(
        refused(storage.append_record(migration(1, 2)).await),
        Refusal::RecordConflict { seq: 0 }
    );
    assert_eq!(storage.record_head(t).await.unwrap(), None);
    let first = migration(1, 3);
    let last = first.entries[1].clone();
    let head = storage.append_record(first).await.unwrap();
    assert_eq!(head, head_of(&last));
    assert_eq!(storage.record_head(t).await.unwrap(), Some(head));
    assert_eq!(all_entries(storage, t).await.len(), 2);
    let devices = storage.devices(t).await.unwrap();
    let revoked = |d: DeviceId| {
        devices
            .iter()
            .find(|r| r.device == d)
            .unwrap()
            .revoked_at_ms
            .is_some()
    };
    assert!(!revoked(kept) && revoked(left_out));
    // A second migration (another admin's, racing) finds the record there.
    assert_eq!(
        refused(storage.append_record(migration(1, 3)).await),
        Refusal::RecordConflict { seq: 1 }
    );
    // From then on the team keeps the record's rules only.
    assert_eq!(
        refused(storage.revoke(t, kept, NOW).await),
        Refusal::UseTeamRecord
    );
}

pub async fn older_membership_writes_refused_on_record_team(storage: &Backend) {
    let (t, admin, _) = record_team(storage).await;
    assert_eq!(
        refused(storage.revoke(t, admin, NOW).await),
        Refusal::UseTeamRecord
    );
    let package = NewKeyPackage {
        to: admin,
        from: admin,
        bytes: vec![1; 224],
    };
    assert_eq!(
        refused(storage.put_key_packages(t, 2, vec![package], NOW).await),
        Refusal::UseTeamRecord
    );
    let token = random32();
    storage
        .create_invite(NewInvite {
            token_hash: token,
            team: t,
            created_by: admin,
            sealed_team_key: vec![1],
            created_at_ms: NOW,
            expires_at_ms: NOW + 60_000,
            epoch: None,
        })
        .await
        .unwrap();
    assert_eq!(
        refused(
            storage
                .redeem_invite(token, device(), random32(), NOW)
                .await
        ),
        Refusal::UseTeamRecord
    );
    assert_eq!(storage.devices(t).await.unwrap().len(), 1);
}

pub async fn record_entries_go_on_the_head_only(storage: &Backend) {
    let (t, admin, founding) = record_team(storage).await;
    let (one, two) = (entry(1, admin), entry(2, admin));
    let after_two = head_of(&two);
    let head = storage
        .append_record(append(t, founding, vec![one.clone(), two]))
        .await
        .unwrap();
    assert_eq!(head, after_two);
    // On a head it no longer has: refused with the head now, nothing stored.
    let stale = storage
        .append_record(append(t, founding, vec![entry(1, admin)]))
        .await;
    assert_eq!(refused(stale), Refusal::RecordConflict { seq: 2 });
    let wrong_hash = RecordHead {
        seq: 2,
        hash: one.hash,
    };
    let forked = storage
        .append_record(append(t, wrong_hash, vec![entry(3, admin)]))
        .await;
    assert_eq!(refused(forked), Refusal::RecordConflict { seq: 2 });
    assert_eq!(all_entries(storage, t).await.len(), 3);
    assert_eq!(storage.record_head(t).await.unwrap(), Some(after_two));
    // Pages from a seq, bounded, with the head.
    let page = storage.record_page(t, 1, 1).await.unwrap();
    assert_eq!(page.entries, vec![(1, one.bytes)]);
    assert!(page.more);
    assert_eq!(page.head, Some(after_two));
    let tail = storage.record_page(t, 3, 10).await.unwrap();
    assert!(tail.entries.is_empty() && !tail.more);
}

pub async fn of_two_posts_on_one_head_exactly_one_is_stored(storage: &Backend) {
    let (t, admin, founding) = record_team(storage).await;
    for round in 0..10u64 {
        let on = storage.record_head(t).await.unwrap().unwrap();
        let posts: Vec<_> = (0..4)
            .map(|_| {
                let storage = storage.storage.clone();
                let post = append(
                    t,
                    on,
                    vec![entry(on.seq + 1, admin), entry(on.seq + 2, admin)],
                );
                tokio::spawn(async move { storage.append_record(post).await })
            })
            .collect();
        let mut won = 0;
        for post in posts {
            match post.await.unwrap() {
                Ok(head) => {
                    won += 1;
                    assert_eq!(head.seq, on.seq + 2);
                }
                Err(StorageError::Refused(Refusal::RecordConflict { seq })) => {
                    assert_eq!(seq, on.seq + 2, "the loser is told the winner's head")
                }
                Err(e) => panic!("round {round}: {e}"),
            }
        }
        assert_eq!(won, 1, "round {round}");
    }
    let entries = all_entries(storage, t).await;
    assert_eq!(entries.len(), 21);
    assert!(entries
        .iter()
        .enumerate()
        .all(|(i, (seq, _))| *seq == i as u64));
    let _ = founding;
}

pub async fn a_refused_effect_stores_nothing(storage: &Backend) {
    let (t, admin, founding) = record_team(storage).await;
    let (token, invite_id) = (random32(), random16());
    storage
        .create_record_invite(
            NewInvite {
                token_hash: token,
                team: t,
                created_by: admin,
                sealed_team_key: vec![7; 40],
                created_at_ms: NOW,
                expires_at_ms: NOW + 60_000,
                epoch: None,
            },
            invite_id,
        )
        .await
        .unwrap();
    let (first, second) = (device(), device());
    let join = |joiner: DeviceId, on: RecordHead| RecordAppend {
        effects: RecordEffects {
            enrol: vec![RecordDevice {
                device: joiner,
                public_key: random32(),
                role: DeviceRole::Member,
            }],
            use_invite: Some(UsedInvite {
                token_hash: token,
                device: joiner,
            }),
            ..RecordEffects::default()
        },
        ..append(t, on, vec![entry(on.seq + 1, joiner)])
    };
    let head = storage.append_record(join(first, founding)).await.unwrap();
    let used = storage.record_invite(token).await.unwrap().unwrap();
    assert_eq!(used.used_by, Some(first));
    assert!(used.sealed_team_key.is_empty(), "forgotten once used");
    // The invite is used: the whole append is refused, its entry and device with it.
    assert_eq!(
        refused(storage.append_record(join(second, head)).await),
        Refusal::InviteUsed
    );
    assert_eq!(storage.record_head(t).await.unwrap(), Some(head));
    assert_eq!(all_entries(storage, t).await.len(), 2);
    assert_eq!(
        storage.lookup_device(t, second).await.unwrap(),
        DeviceLookup::Unknown
    );
    // The invite id is the team's once: another token for it is refused.
    let twin = storage
        .create_record_invite(
            NewInvite {
                token_hash: random32(),
                team: t,
                created_by: admin,
                sealed_team_key: vec![7; 40],
                created_at_ms: NOW,
                expires_at_ms: NOW + 60_000,
                epoch: None,
            },
            invite_id,
        )
        .await;
    assert_eq!(refused(twin), Refusal::Exists);
}

pub async fn record_effects_keep_the_tables_in_step(storage: &Backend) {
    let (t, admin, founding) = record_team(storage).await;
    let (member, other) = (device(), device());
    let enrol = |d| RecordDevice {
        device: d,
        public_key: random32(),
        role: DeviceRole::Member,
    };
    let mut post = append(t, founding, vec![entry(1, member), entry(2, other)]);
    post.effects.enrol = vec![enrol(member), enrol(other)];
    let head = storage.append_record(post).await.unwrap();
    assert_eq!(storage.devices(t).await.unwrap().len(), 3);

    // A document with envelopes, then erased by the record with a role change, a removal, a
    // key epoch and an invite revoked, all in one append.
    let d: DocId = doc();
    storage
        .append(t, vec![envelope(d), envelope(d)], NOW)
        .await
        .unwrap();
    let (token, invite_id) = (random32(), random16());
    storage
        .create_record_invite(
            NewInvite {
                token_hash: token,
                team: t,
                created_by: member,
                sealed_team_key: vec![7; 40],
                created_at_ms: NOW,
                expires_at_ms: NOW + 60_000,
                epoch: None,
            },
            invite_id,
        )
        .await
        .unwrap();
    let package = |to: DeviceId| {
        (
            2,
            NewKeyPackage {
                to,
                from: admin,
                bytes: vec![to.0[0]; 224],
            },
        )
    };
    let mut post = append(
        t,
        head,
        vec![entry(3, admin), entry(4, admin), entry(5, admin)],
    );
    post.effects = RecordEffects {
        roles: vec![(member, DeviceRole::Admin)],
        revoke: vec![other],
        key_packages: vec![package(admin), package(member)],
        erase: vec![d],
        revoke_invites: vec![invite_id],
        ..RecordEffects::default()
    };
    storage.append_record(post).await.unwrap();

    let devices = storage.devices(t).await.unwrap();
    let of = |d: DeviceId| devices.iter().find(|r| r.device == d).unwrap();
    assert_eq!(of(member).role, DeviceRole::Admin);
    assert!(of(other).revoked_at_ms.is_some());
    assert!(of(admin).revoked_at_ms.is_none());
    let keys = storage.key_packages(t, member, 1).await.unwrap();
    assert_eq!(keys.current_epoch, 2);
    assert_eq!(keys.packages, vec![(2, vec![member.0[0]; 224])]);
    assert_eq!(storage.erased_among(t, vec![d]).await.unwrap(), vec![d]);
    let page = storage
        .page(
            t,
            tandem_relay::storage::PageRequest {
                after: 0,
                limit: 10,
                skip_covered: false,
                max_bytes: usize::MAX,
            },
        )
        .await
        .unwrap();
    assert!(
        page.items.is_empty(),
        "the erased document's bytes are gone"
    );
    assert_eq!(storage.usage(t).await.unwrap().1, 0);
    assert!(storage.record_invite(token).await.unwrap().unwrap().revoked);
    // A push under the old epoch is refused now, as after `POST /keys`.
    assert_eq!(
        refused(storage.push(t, vec![envelope(doc())], 1, NOW).await),
        Refusal::StaleEpoch
    );
}
