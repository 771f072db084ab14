//! Tests of the team record: layout, crypto helpers and the rule book.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::api::DeviceRole::{Admin, Member};
use ed25519_dalek::SigningKey;
use proptest::prelude::*;

const TEAM: TeamId = TeamId([7; 16]);
const T0: u64 = 1_700_000_000_000;
const DAY: u64 = 24 * 60 * 60 * 1000;

#[derive(Clone)]
struct Dev {
    id: DeviceId,
    key: SigningKey,
}

fn dev(n: u8) -> Dev {
    Dev {
        id: DeviceId([n; 16]),
        key: SigningKey::from_bytes(&[n.wrapping_add(100); 32]),
    }
}

fn pk(d: &Dev) -> [u8; 32] {
    d.key.verifying_key().to_bytes()
}

fn epoch_key(epoch: u32) -> [u8; 32] {
    [epoch as u8; 32]
}

fn wrap(n: u8) -> [u8; 10] {
    [n; 10]
}

fn new_founding(founder: &Dev) -> UncheckedEntry {
    NewEntry {
        team: TEAM,
        seq: 0,
        prev: [0; 32],
        author: founder.id,
        time_ms: T0,
        body: EntryBody::Founding {
            origin: Origin::New,
            devices: vec![FoundingDevice {
                device: founder.id,
                key: pk(founder),
                role: Admin,
                removed: false,
                member: [1; 16],
            }],
            epochs: vec![(1, key_commitment(TEAM, 1, &epoch_key(1)))],
            legacy_log_head: 0,
        },
    }
    .sign(&founder.key)
}

/// A record under construction: the state and the entries that made it.
#[derive(Clone)]
struct Rec {
    state: RecordState,
    entries: Vec<UncheckedEntry>,
    time: u64,
}

impl Rec {
    fn new(founder: &Dev) -> Self {
        let entry = new_founding(founder);
        let (state, applied) = RecordState::found(TEAM, &entry).unwrap();
        assert_eq!(applied.kind, EntryKind::Founding);
        assert_eq!(applied.new_epoch, Some(1));
        Self {
            state,
            entries: vec![entry],
            time: T0,
        }
    }

    fn entry(&self, author: &Dev, body: EntryBody) -> UncheckedEntry {
        NewEntry {
            team: TEAM,
            seq: self.state.seq() + 1,
            prev: self.state.head(),
            author: author.id,
            time_ms: self.time,
            body,
        }
        .sign(&author.key)
    }

    fn add(&mut self, entry: UncheckedEntry) -> Result<Applied, RecordError> {
        let before = self.state.clone();
        let r = self.state.apply(&entry);
        match &r {
            Ok(_) => self.entries.push(entry),
            Err(_) => assert_eq!(self.state, before, "a refused entry changed the state"),
        }
        self.time += 1000;
        r
    }

    fn push(&mut self, author: &Dev, body: EntryBody) -> Result<Applied, RecordError> {
        let e = self.entry(author, body);
        self.add(e)
    }

    fn invite_body(&self, w: u8) -> ([u8; 16], EntryBody) {
        let id = invite_id(&[w; 32]);
        let key = invite_signing_key(TEAM, &wrap(w))
            .verifying_key()
            .to_bytes();
        (
            id,
            EntryBody::InviteCreated {
                invite_id: id,
                invite_key: key,
                expires_at_ms: self.time + DAY,
            },
        )
    }

    fn invite(&mut self, maker: &Dev, w: u8) -> Result<[u8; 16], RecordError> {
        let (id, body) = self.invite_body(w);
        self.push(maker, body).map(|_| id)
    }

    /// A join with the invite of wrap `w`, its proof made with the key of wrap `proof_w`.
    fn join_entry(&self, joiner: &Dev, w: u8, proof_w: u8, has_epochs_to: u32) -> UncheckedEntry {
        let seq = self.state.seq() + 1;
        let prev = self.state.head();
        let member = [joiner.id.0[0]; 16];
        let proof = join_proof(
            &invite_signing_key(TEAM, &wrap(proof_w)),
            TEAM,
            seq,
            &prev,
            joiner.id,
            &pk(joiner),
            &member,
        );
        NewEntry {
            team: TEAM,
            seq,
            prev,
            author: joiner.id,
            time_ms: self.time,
            body: EntryBody::DeviceJoined {
                invite_id: invite_id(&[w; 32]),
                device_key: pk(joiner),
                member,
                has_epochs_to,
                invite_proof: proof,
            },
        }
        .sign(&joiner.key)
    }

    fn join_with(&mut self, joiner: &Dev, w: u8) -> Result<Applied, RecordError> {
        let e = self.join_entry(joiner, w, w, self.state.current_epoch());
        self.add(e)
    }

    /// `maker` invites (wrap = the joiner's number) and `joiner` joins.
    fn join(&mut self, maker: &Dev, joiner: &Dev) -> Result<Applied, RecordError> {
        let w = joiner.id.0[0];
        self.invite(maker, w)?;
        self.join_with(joiner, w)
    }

    fn role(&mut self, admin: &Dev, d: &Dev, role: DeviceRole) -> Result<Applied, RecordError> {
        self.push(admin, EntryBody::RoleChanged { device: d.id, role })
    }

    fn remove(&mut self, author: &Dev, d: &Dev, cascade: u64) -> Result<Applied, RecordError> {
        self.push(
            author,
            EntryBody::DeviceRemoved {
                device: d.id,
                cutoff_log_seq: 10,
                cascade_since: cascade,
            },
        )
    }

    fn active_ids(&self) -> Vec<DeviceId> {
        self.state.active().map(|(id, _)| *id).collect()
    }

    fn epoch_body(&self, recipients: Vec<DeviceId>) -> EntryBody {
        let epoch = self.state.current_epoch() + 1;
        EntryBody::KeyEpoch {
            epoch,
            commitment: key_commitment(TEAM, epoch, &epoch_key(epoch)),
            recipients,
        }
    }

    fn rotate(&mut self, admin: &Dev) -> Result<Applied, RecordError> {
        let body = self.epoch_body(self.active_ids());
        self.push(admin, body)
    }

    fn bytes(&self) -> Vec<Vec<u8>> {
        self.entries.iter().map(|e| e.bytes().to_vec()).collect()
    }

    fn verify_all(&self) -> Result<RecordState, (u64, RecordError)> {
        let bytes = self.bytes();
        RecordState::verify_all(TEAM, bytes.iter().map(Vec::as_slice))
    }
}

/// Founder A (admin), B member, C member (invited by B).
fn team() -> (Rec, Dev, Dev, Dev) {
    let (a, b, c) = (dev(1), dev(2), dev(3));
    let mut r = Rec::new(&a);
    r.join(&a, &b).unwrap();
    r.join(&b, &c).unwrap();
    (r, a, b, c)
}

// ---- layout ----

#[test]
fn the_layout_is_byte_for_byte_the_documented_one() {
    let a = dev(1);
    let e = NewEntry {
        team: TEAM,
        seq: 0x0102_0304_0506_0708,
        prev: [9; 32],
        author: a.id,
        time_ms: 0x1122_3344_5566_7788,
        body: EntryBody::DeviceRemoved {
            device: DeviceId([5; 16]),
            cutoff_log_seq: 42,
            cascade_since: u64::MAX,
        },
    }
    .sign(&a.key);
    let mut want = b"TNR1".to_vec();
    want.push(5);
    want.extend_from_slice(&[7; 16]);
    want.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
    want.extend_from_slice(&[9; 32]);
    want.extend_from_slice(&[1; 16]);
    want.extend_from_slice(&[0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88]);
    want.extend_from_slice(&[0, 0, 0, 32]);
    want.extend_from_slice(&[5; 16]);
    want.extend_from_slice(&42u64.to_be_bytes());
    want.extend_from_slice(&[0xff; 8]);
    assert_eq!(&e.bytes()[..want.len()], want.as_slice());
    assert_eq!(e.bytes().len(), want.len() + 64);
    let mut message = b"tandem record v1\0".to_vec();
    message.extend_from_slice(&want);
    let sig = ed25519_dalek::Signature::from_bytes(&e.bytes()[want.len()..].try_into().unwrap());
    a.key.verifying_key().verify_strict(&message, &sig).unwrap();
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(b"tandem record hash v1\0");
    h.update(e.bytes());
    assert_eq!(e.hash(), <[u8; 32]>::from(h.finalize()));
}

#[test]
fn sign_sorts_lists_and_drops_exact_duplicates() {
    let a = dev(1);
    let make = |recipients: Vec<DeviceId>| {
        NewEntry {
            team: TEAM,
            seq: 1,
            prev: [0; 32],
            author: a.id,
            time_ms: T0,
            body: EntryBody::KeyEpoch {
                epoch: 2,
                commitment: [3; 32],
                recipients,
            },
        }
        .sign(&a.key)
    };
    let (x, y, z) = (DeviceId([1; 16]), DeviceId([2; 16]), DeviceId([3; 16]));
    let sorted = make(vec![x, y, z]);
    let shuffled = make(vec![z, x, y, x]);
    assert_eq!(sorted.bytes(), shuffled.bytes());
    assert_eq!(UncheckedEntry::parse(shuffled.bytes()).unwrap(), sorted);
}

#[test]
fn unsorted_or_duplicated_lists_are_refused_by_parse() {
    let a = dev(1);
    let e = NewEntry {
        team: TEAM,
        seq: 1,
        prev: [0; 32],
        author: a.id,
        time_ms: T0,
        body: EntryBody::KeyEpoch {
            epoch: 2,
            commitment: [3; 32],
            recipients: vec![DeviceId([1; 16]), DeviceId([2; 16])],
        },
    }
    .sign(&a.key);
    let first = BODY_AT + 4 + 32 + 2;
    assert!(UncheckedEntry::parse(e.bytes()).is_ok());
    // Swapped.
    let mut b = e.bytes().to_vec();
    b[first..first + 16].copy_from_slice(&[2; 16]);
    b[first + 16..first + 32].copy_from_slice(&[1; 16]);
    assert_eq!(
        UncheckedEntry::parse(&b),
        Err(RecordError::Malformed(
            "recipients not sorted or duplicated"
        ))
    );
    // Duplicated.
    b[first..first + 16].copy_from_slice(&[2; 16]);
    assert_eq!(
        UncheckedEntry::parse(&b),
        Err(RecordError::Malformed(
            "recipients not sorted or duplicated"
        ))
    );

    // Founding devices and epochs.
    let (p, q) = (dev(1), dev(2));
    let founding = NewEntry {
        team: TEAM,
        seq: 0,
        prev: [0; 32],
        author: p.id,
        time_ms: T0,
        body: EntryBody::Founding {
            origin: Origin::Migrated,
            devices: [&p, &q]
                .iter()
                .map(|d| FoundingDevice {
                    device: d.id,
                    key: pk(d),
                    role: Admin,
                    removed: false,
                    member: [0; 16],
                })
                .collect(),
            epochs: vec![(1, [1; 32]), (2, [2; 32])],
            legacy_log_head: 5,
        },
    }
    .sign(&p.key);
    assert!(UncheckedEntry::parse(founding.bytes()).is_ok());
    let devices_at = BODY_AT + 1 + 2;
    let mut b = founding.bytes().to_vec();
    b[devices_at + 66..devices_at + 66 + 16].copy_from_slice(&p.id.0);
    assert_eq!(
        UncheckedEntry::parse(&b),
        Err(RecordError::Malformed("devices not sorted or duplicated"))
    );
    let epochs_at = devices_at + 2 * 66 + 2;
    let mut b = founding.bytes().to_vec();
    b[epochs_at + 36..epochs_at + 40].copy_from_slice(&1u32.to_be_bytes());
    assert_eq!(
        UncheckedEntry::parse(&b),
        Err(RecordError::Malformed("epochs not sorted or duplicated"))
    );
    // Two devices with one id but different keys cannot be signed canonically.
    let mut twin = founding_body_with_twins(&p);
    let unfit = NewEntry {
        team: TEAM,
        seq: 0,
        prev: [0; 32],
        author: p.id,
        time_ms: T0,
        body: std::mem::replace(
            &mut twin,
            EntryBody::DocErased {
                doc: DocId([0; 16]),
            },
        ),
    };
    assert!(matches!(
        unfit.try_sign(&p.key),
        Err(RecordError::Malformed(_))
    ));
    assert!(matches!(
        RecordState::found(TEAM, &unfit.sign(&p.key)),
        Err(RecordError::Malformed(_))
    ));
}

fn founding_body_with_twins(p: &Dev) -> EntryBody {
    let d = |key| FoundingDevice {
        device: p.id,
        key,
        role: Admin,
        removed: false,
        member: [0; 16],
    };
    EntryBody::Founding {
        origin: Origin::New,
        devices: vec![d(pk(p)), d(pk(&dev(9)))],
        epochs: vec![(1, [1; 32])],
        legacy_log_head: 0,
    }
}

#[test]
fn trailing_bytes_and_bad_framing_are_refused_by_parse() {
    let (r, a, ..) = team();
    let e = r.entry(
        &a,
        EntryBody::DocErased {
            doc: DocId([1; 16]),
        },
    );
    let good = e.bytes().to_vec();
    assert!(UncheckedEntry::parse(&good).is_ok());
    let mut b = good.clone();
    b.push(0);
    assert_eq!(
        UncheckedEntry::parse(&b),
        Err(RecordError::Malformed(
            "length does not match the body length"
        ))
    );
    // One extra byte inside the body, the length saying so.
    let mut b = good[..BODY_AT + 16].to_vec();
    b.push(0);
    b[85..89].copy_from_slice(&17u32.to_be_bytes());
    b.extend_from_slice(&good[BODY_AT + 16..]);
    assert_eq!(
        UncheckedEntry::parse(&b),
        Err(RecordError::Malformed("trailing bytes in the body"))
    );
    // A body one byte short for its kind.
    let mut b = good[..BODY_AT + 15].to_vec();
    b[85..89].copy_from_slice(&15u32.to_be_bytes());
    b.extend_from_slice(&good[BODY_AT + 16..]);
    assert_eq!(
        UncheckedEntry::parse(&b),
        Err(RecordError::Malformed("body truncated"))
    );
    for cut in [0, 4, BODY_AT, good.len() - 1] {
        assert!(UncheckedEntry::parse(&good[..cut]).is_err(), "{cut}");
    }
    let mut b = good.clone();
    b[3] = b'2';
    assert_eq!(
        UncheckedEntry::parse(&b),
        Err(RecordError::Malformed("not a version 1 record entry"))
    );
    let mut b = good.clone();
    b[4] = 10;
    assert_eq!(
        UncheckedEntry::parse(&b),
        Err(RecordError::Malformed("unknown entry kind"))
    );
    // An unknown role byte.
    let role = r.entry(
        &a,
        EntryBody::RoleChanged {
            device: a.id,
            role: Member,
        },
    );
    let mut b = role.bytes().to_vec();
    assert_eq!(b[BODY_AT + 16], 1);
    b[BODY_AT + 16] = 2;
    assert_eq!(
        UncheckedEntry::parse(&b),
        Err(RecordError::Malformed("unknown role"))
    );
}

#[test]
fn a_body_over_64_kib_is_refused() {
    let a = dev(1);
    let raw = |n: usize| {
        let mut b = b"TNR1".to_vec();
        b.push(EntryKind::ForkResolved.as_u8());
        b.extend_from_slice(&[0; 16 + 8 + 32 + 16 + 8]);
        b.extend_from_slice(&(n as u32).to_be_bytes());
        b.extend_from_slice(&vec![0; n + 64]);
        b
    };
    assert_eq!(
        UncheckedEntry::parse(&raw(MAX_BODY_LEN + 1)),
        Err(RecordError::Malformed("body over 64 KiB"))
    );
    // Exactly 64 KiB gets past the size check (and fails on its content instead).
    assert_eq!(
        UncheckedEntry::parse(&raw(MAX_BODY_LEN)),
        Err(RecordError::Malformed("trailing bytes in the body"))
    );
    let epoch = |n: usize| NewEntry {
        team: TEAM,
        seq: 1,
        prev: [0; 32],
        author: a.id,
        time_ms: T0,
        body: EntryBody::KeyEpoch {
            epoch: 2,
            commitment: [0; 32],
            recipients: (0..n as u16)
                .map(|i| {
                    let mut id = [0; 16];
                    id[14..].copy_from_slice(&i.to_be_bytes());
                    DeviceId(id)
                })
                .collect(),
        },
    };
    // 38 + 16 × 4093 = 65526 bytes: fits.
    let fits = epoch(4093).try_sign(&a.key).unwrap();
    assert_eq!(UncheckedEntry::parse(fits.bytes()).unwrap(), fits);
    // 38 + 16 × 4094 = 65542 bytes: does not.
    let big = epoch(4094);
    assert_eq!(
        big.try_sign(&a.key),
        Err(RecordError::Malformed("body over 64 KiB"))
    );
    let signed = big.sign(&a.key);
    assert_eq!(
        UncheckedEntry::parse(signed.bytes()),
        Err(RecordError::Malformed("body over 64 KiB"))
    );
    let mut r = Rec::new(&a);
    let before = r.state.clone();
    assert_eq!(
        r.state.apply(&signed),
        Err(RecordError::Malformed("body over 64 KiB"))
    );
    assert_eq!(r.state, before);
}

// ---- crypto helpers ----

#[test]
fn crypto_helpers_bind_what_they_say() {
    let mut th = [0u8; 32];
    for (i, b) in th.iter_mut().enumerate() {
        *b = i as u8;
    }
    assert_eq!(invite_id(&th), <[u8; 16]>::try_from(&th[..16]).unwrap());
    let k = invite_signing_key(TEAM, &wrap(1));
    assert_eq!(k.to_bytes(), invite_signing_key(TEAM, &wrap(1)).to_bytes());
    assert_ne!(
        k.to_bytes(),
        invite_signing_key(TeamId([8; 16]), &wrap(1)).to_bytes()
    );
    assert_ne!(k.to_bytes(), invite_signing_key(TEAM, &wrap(2)).to_bytes());
    let c = key_commitment(TEAM, 1, &[1; 32]);
    assert_ne!(c, key_commitment(TEAM, 2, &[1; 32]));
    assert_ne!(c, key_commitment(TeamId([8; 16]), 1, &[1; 32]));
    assert_ne!(c, key_commitment(TEAM, 1, &[2; 32]));
    assert_ne!(entry_hash(b"a"), entry_hash(b"b"));
}

// ---- founding ----

#[test]
fn a_new_team_is_founded_by_its_admin_alone_at_epoch_one() {
    let a = dev(1);
    let r = Rec::new(&a);
    assert_eq!(r.state.seq(), 0);
    assert_eq!(r.state.team(), TEAM);
    assert_eq!(r.state.head(), r.entries[0].hash());
    assert_eq!(
        r.state.tag(0),
        Some(<[u8; 16]>::try_from(&r.state.head()[..16]).unwrap())
    );
    assert_eq!(r.state.tag(1), None);
    assert!(r.state.is_active_admin(&a.id));
    assert_eq!(r.state.current_epoch(), 1);
    assert_eq!(r.state.epoch(1).unwrap().recipients, vec![a.id]);
    assert_eq!(r.active_ids(), vec![a.id]);
    assert!(!r.state.rotation_due());

    let body = |devices: Vec<FoundingDevice>, epochs: Vec<(u32, [u8; 32])>, head: u64| {
        EntryBody::Founding {
            origin: Origin::New,
            devices,
            epochs,
            legacy_log_head: head,
        }
    };
    let fd = |d: &Dev, role, removed| FoundingDevice {
        device: d.id,
        key: pk(d),
        role,
        removed,
        member: [0; 16],
    };
    let b = dev(2);
    let found = |author: &Dev, signer: &Dev, seq: u64, prev: [u8; 32], body: EntryBody| {
        let e = NewEntry {
            team: TEAM,
            seq,
            prev,
            author: author.id,
            time_ms: T0,
            body,
        }
        .sign(&signer.key);
        RecordState::found(TEAM, &e).map(|_| ())
    };
    let c1 = vec![(1, [1; 32])];
    assert_eq!(
        found(
            &a,
            &a,
            0,
            [0; 32],
            body(vec![fd(&a, Admin, false)], c1.clone(), 0)
        ),
        Ok(())
    );
    let two = vec![fd(&a, Admin, false), fd(&b, Member, false)];
    assert!(matches!(
        found(&a, &a, 0, [0; 32], body(two, c1.clone(), 0)),
        Err(RecordError::BadFounding(_))
    ));
    assert!(matches!(
        found(
            &a,
            &a,
            0,
            [0; 32],
            body(vec![fd(&a, Admin, false)], vec![(2, [1; 32])], 0)
        ),
        Err(RecordError::BadFounding(_))
    ));
    assert!(matches!(
        found(
            &a,
            &a,
            0,
            [0; 32],
            body(vec![fd(&a, Admin, false)], c1.clone(), 3)
        ),
        Err(RecordError::BadFounding(_))
    ));
    assert!(matches!(
        found(
            &a,
            &a,
            0,
            [0; 32],
            body(vec![fd(&a, Member, false)], c1.clone(), 0)
        ),
        Err(RecordError::BadFounding(_))
    ));
    assert!(matches!(
        found(
            &a,
            &a,
            0,
            [0; 32],
            body(vec![fd(&a, Admin, true)], c1.clone(), 0)
        ),
        Err(RecordError::BadFounding(_))
    ));
    assert_eq!(
        found(
            &b,
            &b,
            0,
            [0; 32],
            body(vec![fd(&a, Admin, false)], c1.clone(), 0)
        ),
        Err(RecordError::UnknownAuthor)
    );
    assert_eq!(
        found(
            &a,
            &b,
            0,
            [0; 32],
            body(vec![fd(&a, Admin, false)], c1.clone(), 0)
        ),
        Err(RecordError::BadSignature)
    );
    assert_eq!(
        found(
            &a,
            &a,
            1,
            [0; 32],
            body(vec![fd(&a, Admin, false)], c1.clone(), 0)
        ),
        Err(RecordError::OutOfOrder {
            expected: 0,
            got: 1
        })
    );
    assert_eq!(
        found(
            &a,
            &a,
            0,
            [1; 32],
            body(vec![fd(&a, Admin, false)], c1.clone(), 0)
        ),
        Err(RecordError::BadPrev)
    );
    assert!(matches!(
        found(
            &a,
            &a,
            0,
            [0; 32],
            EntryBody::DocErased {
                doc: DocId([1; 16])
            }
        ),
        Err(RecordError::BadFounding(_))
    ));
    let mut weak = fd(&b, Member, false);
    weak.key = [0; 32];
    weak.key[0] = 1; // the identity point: of small order
    let migrated = EntryBody::Founding {
        origin: Origin::Migrated,
        devices: vec![fd(&a, Admin, false), weak],
        epochs: c1.clone(),
        legacy_log_head: 0,
    };
    assert_eq!(
        found(&a, &a, 0, [0; 32], migrated),
        Err(RecordError::BadKey)
    );
    assert_eq!(
        RecordState::found(TeamId([8; 16]), &new_founding(&a)).err(),
        Some(RecordError::WrongTeam)
    );
}

#[test]
fn a_migrated_team_keeps_its_removed_devices_and_all_epochs() {
    let (a, b, c) = (dev(1), dev(2), dev(3));
    let founding = |epochs: Vec<u32>| {
        NewEntry {
            team: TEAM,
            seq: 0,
            prev: [0; 32],
            author: a.id,
            time_ms: T0,
            body: EntryBody::Founding {
                origin: Origin::Migrated,
                devices: vec![
                    FoundingDevice {
                        device: a.id,
                        key: pk(&a),
                        role: Admin,
                        removed: false,
                        member: [1; 16],
                    },
                    FoundingDevice {
                        device: b.id,
                        key: pk(&b),
                        role: Member,
                        removed: true,
                        member: [2; 16],
                    },
                    FoundingDevice {
                        device: c.id,
                        key: pk(&c),
                        role: Member,
                        removed: false,
                        member: [3; 16],
                    },
                ],
                epochs: epochs
                    .into_iter()
                    .map(|e| (e, key_commitment(TEAM, e, &epoch_key(e))))
                    .collect(),
                legacy_log_head: 500,
            },
        }
        .sign(&a.key)
    };
    let (state, applied) = RecordState::found(TEAM, &founding(vec![1, 2, 3])).unwrap();
    assert_eq!(applied.removed, vec![b.id]);
    assert_eq!(applied.new_epoch, Some(3));
    assert_eq!(state.current_epoch(), 3);
    assert!(state.key_matches(2, &epoch_key(2)));
    assert_eq!(
        state.active().map(|(id, _)| *id).collect::<Vec<_>>(),
        vec![a.id, c.id]
    );
    assert_eq!(state.author_at_log(&b.id, 500), AuthorVerdict::Allowed);
    assert_eq!(state.author_at_log(&b.id, 501), AuthorVerdict::AfterRemoval);
    assert_eq!(state.device(&b.id).unwrap().removed_at_seq, Some(0));
    for bad in [vec![1, 3], vec![2, 3], vec![]] {
        assert!(
            matches!(
                RecordState::found(TEAM, &founding(bad.clone())),
                Err(RecordError::BadFounding(_))
            ),
            "{bad:?}"
        );
    }
}

// ---- ordering ----

#[test]
fn seq_gaps_wrong_prev_and_wrong_team_are_refused() {
    let (mut r, a, ..) = team();
    let body = EntryBody::DocErased {
        doc: DocId([1; 16]),
    };
    let seq = r.state.seq();
    let signed = |seq, prev, team| {
        NewEntry {
            team,
            seq,
            prev,
            author: a.id,
            time_ms: T0,
            body: body.clone(),
        }
        .sign(&a.key)
    };
    let head = r.state.head();
    for (s, want) in [(seq + 2, seq + 1), (seq, seq + 1), (0, seq + 1)] {
        assert_eq!(
            r.add(signed(s, head, TEAM)),
            Err(RecordError::OutOfOrder {
                expected: want,
                got: s
            })
        );
    }
    let older = r.entries[r.entries.len() - 2].hash();
    assert_eq!(
        r.add(signed(seq + 1, older, TEAM)),
        Err(RecordError::BadPrev)
    );
    assert_eq!(
        r.add(signed(seq + 1, [0; 32], TEAM)),
        Err(RecordError::BadPrev)
    );
    assert_eq!(
        r.add(signed(seq + 1, head, TeamId([8; 16]))),
        Err(RecordError::WrongTeam)
    );
    assert!(r.add(signed(seq + 1, head, TEAM)).is_ok());
    // Replaying an applied entry.
    let last = r.entries.last().unwrap().clone();
    assert!(matches!(r.add(last), Err(RecordError::OutOfOrder { .. })));
}

#[test]
fn verify_all_reports_the_failing_seq() {
    let (mut r, a, b, _) = team();
    r.rotate(&a).unwrap();
    r.role(&a, &b, Admin).unwrap();
    let good = r.bytes();
    assert_eq!(r.verify_all().unwrap(), r.state);
    let n = good.len() as u64;
    let check = |entries: Vec<Vec<u8>>| {
        RecordState::verify_all(TEAM, entries.iter().map(Vec::as_slice)).map(|_| ())
    };
    let mut bad = good.clone();
    let last = bad[3].len() - 1;
    bad[3][last] ^= 1;
    assert_eq!(check(bad), Err((3, RecordError::BadSignature)));
    let mut bad = good.clone();
    bad.remove(2);
    assert_eq!(
        check(bad),
        Err((
            2,
            RecordError::OutOfOrder {
                expected: 2,
                got: 3
            }
        ))
    );
    let mut bad = good.clone();
    bad[n as usize - 1].push(0);
    assert!(matches!(check(bad), Err((i, RecordError::Malformed(_))) if i == n - 1));
    let mut bad = good.clone();
    bad.swap(1, 2);
    assert_eq!(
        check(bad),
        Err((
            1,
            RecordError::OutOfOrder {
                expected: 1,
                got: 2
            }
        ))
    );
    assert!(matches!(check(vec![]), Err((0, RecordError::Malformed(_)))));
    assert!(matches!(
        check(good[1..].to_vec()),
        Err((
            0,
            RecordError::OutOfOrder {
                expected: 0,
                got: 1
            }
        ))
    ));
}

#[test]
fn every_flipped_byte_of_the_head_entry_is_refused() {
    let (mut r, a, b, c) = team();
    r.remove(&a, &c, u64::MAX).unwrap();
    let before = r.clone();
    let e = r.entry(&a, r.epoch_body(vec![a.id, b.id]));
    for i in 0..e.bytes().len() {
        let mut b = e.bytes().to_vec();
        b[i] ^= 0x01;
        let mut s = before.state.clone();
        let res = UncheckedEntry::parse(&b).and_then(|x| s.apply(&x));
        assert!(res.is_err(), "byte {i} flipped was accepted");
        assert_eq!(s, before.state);
    }
    r.add(e).unwrap();
}

// ---- authorisation ----

#[test]
fn each_kind_by_an_unauthorised_author_is_refused() {
    let (mut r, a, b, c) = team();
    let stranger = dev(9);
    let a_invite = r.invite(&a, 40).unwrap();
    let doc = DocId([1; 16]);
    let admin_only: Vec<EntryBody> = vec![
        EntryBody::RoleChanged {
            device: c.id,
            role: Admin,
        },
        EntryBody::DeviceRemoved {
            device: c.id,
            cutoff_log_seq: 0,
            cascade_since: u64::MAX,
        },
        r.epoch_body(r.active_ids()),
        EntryBody::DocErased { doc },
        EntryBody::RelayRestored {
            log_head: 3,
            log_chain: [0; 32],
        },
        EntryBody::ForkResolved {
            fork_seq: 1,
            abandoned: vec![[1; 16]],
        },
        EntryBody::InviteRevoked {
            invite_id: a_invite,
        },
        // A member leaving may not take others with it.
        EntryBody::DeviceRemoved {
            device: b.id,
            cutoff_log_seq: 0,
            cascade_since: 0,
        },
    ];
    for body in &admin_only {
        assert!(
            matches!(r.push(&b, body.clone()), Err(RecordError::NotAllowed(_))),
            "member: {body:?}"
        );
        assert_eq!(
            r.push(&stranger, body.clone()),
            Err(RecordError::UnknownAuthor),
            "stranger: {body:?}"
        );
    }
    assert!(matches!(
        r.push(&a, new_founding(&a).body().clone()),
        Err(RecordError::NotAllowed(_))
    ));
    // A device signing as another.
    let forged = NewEntry {
        team: TEAM,
        seq: r.state.seq() + 1,
        prev: r.state.head(),
        author: a.id,
        time_ms: r.time,
        body: EntryBody::DocErased { doc },
    }
    .sign(&b.key);
    assert_eq!(r.add(forged), Err(RecordError::BadSignature));
    // The admin may do each (one after the other, in an order that keeps them valid).
    for body in admin_only.iter().take(7) {
        let body = match body {
            EntryBody::KeyEpoch { .. } => r.epoch_body(r.active_ids()),
            other => other.clone(),
        };
        r.push(&a, body.clone())
            .unwrap_or_else(|e| panic!("{body:?}: {e}"));
    }
    // A removed device may do nothing at all, not even make an invite.
    let (_, body) = r.invite_body(41);
    assert_eq!(r.push(&c, body), Err(RecordError::InactiveAuthor));
    assert_eq!(
        r.push(
            &c,
            EntryBody::DeviceRemoved {
                device: c.id,
                cutoff_log_seq: 0,
                cascade_since: u64::MAX
            }
        ),
        Err(RecordError::InactiveAuthor)
    );
    // A member may invite, revoke its own invite and leave.
    let mine = r.invite(&b, 42).unwrap();
    r.push(&b, EntryBody::InviteRevoked { invite_id: mine })
        .unwrap();
    let applied = r.remove(&b, &b, u64::MAX).unwrap();
    assert_eq!(applied.removed, vec![b.id]);
    assert!(r.state.rotation_due());
    assert_eq!(r.verify_all().unwrap(), r.state);
}

#[test]
fn roles_change_only_on_active_devices_and_never_to_the_same_role() {
    let (mut r, a, b, c) = team();
    let stranger = dev(9);
    assert_eq!(r.role(&a, &b, Member), Err(RecordError::RoleUnchanged));
    assert_eq!(
        r.role(&a, &stranger, Admin),
        Err(RecordError::UnknownDevice)
    );
    r.remove(&a, &c, u64::MAX).unwrap();
    assert_eq!(r.role(&a, &c, Admin), Err(RecordError::DeviceNotActive));
    assert_eq!(
        r.remove(&a, &c, u64::MAX),
        Err(RecordError::DeviceNotActive)
    );
    assert_eq!(
        r.remove(&a, &stranger, u64::MAX),
        Err(RecordError::UnknownDevice)
    );
    let applied = r.role(&a, &b, Admin).unwrap();
    assert_eq!(applied.role_changed, Some((b.id, Admin)));
    assert!(r.state.is_active_admin(&b.id));
    // The new admin may now do what admins do.
    r.push(
        &b,
        EntryBody::DocErased {
            doc: DocId([1; 16]),
        },
    )
    .unwrap();
}

#[test]
fn the_last_admin_can_be_neither_removed_nor_demoted() {
    let (mut r, a, b, c) = team();
    assert_eq!(r.role(&a, &a, Member), Err(RecordError::LastAdmin));
    assert_eq!(r.remove(&a, &a, u64::MAX), Err(RecordError::LastAdmin));
    r.role(&a, &b, Admin).unwrap();
    // Two admins: one may step down, then the other is the last.
    r.role(&b, &a, Member).unwrap();
    assert_eq!(r.role(&b, &b, Member), Err(RecordError::LastAdmin));
    assert_eq!(r.remove(&b, &b, u64::MAX), Err(RecordError::LastAdmin));
    // Back to two admins: one may leave.
    r.role(&b, &a, Admin).unwrap();
    r.remove(&a, &a, u64::MAX).unwrap();
    assert_eq!(r.remove(&b, &b, u64::MAX), Err(RecordError::LastAdmin));
    // A cascade that would take the last admin with it: C (joined with B's invite) is made
    // admin, B demoted; removing B with a cascade from 0 would take C, the only admin.
    r.role(&b, &c, Admin).unwrap();
    r.role(&c, &b, Member).unwrap();
    assert_eq!(r.remove(&c, &b, 0), Err(RecordError::LastAdmin));
    assert!(r.remove(&c, &b, u64::MAX).is_ok());
    assert_eq!(r.verify_all().unwrap(), r.state);
}

// ---- invites ----

#[test]
fn an_invite_works_once() {
    let (mut r, a, ..) = team();
    let (d, e) = (dev(4), dev(5));
    r.invite(&a, 4).unwrap();
    let applied = r.join_with(&d, 4).unwrap();
    assert_eq!(applied.joined, Some(d.id));
    assert_eq!(applied.invite_used, Some(invite_id(&[4; 32])));
    let ds = r.state.device(&d.id).unwrap();
    assert_eq!(ds.role, Member);
    assert_eq!(ds.key, pk(&d));
    assert_eq!(ds.member, [4; 16]);
    assert_eq!(ds.joined_at_seq, r.state.seq());
    assert_eq!(ds.via_invite, Some(invite_id(&[4; 32])));
    assert_eq!(
        r.state.invite(&invite_id(&[4; 32])).unwrap().used_by,
        Some(d.id)
    );
    assert_eq!(r.join_with(&e, 4), Err(RecordError::InviteUsed));
    // A device already in the record cannot join again.
    r.invite(&a, 6).unwrap();
    assert_eq!(r.join_with(&d, 6), Err(RecordError::DeviceExists));
    assert_eq!(r.join_with(&e, 99), Err(RecordError::UnknownInvite));
    // The used invite can no longer be revoked, nor an id reused.
    assert_eq!(
        r.push(
            &a,
            EntryBody::InviteRevoked {
                invite_id: invite_id(&[4; 32])
            }
        ),
        Err(RecordError::InviteUsed)
    );
    assert_eq!(r.invite(&a, 4), Err(RecordError::InviteExists));
    assert_eq!(
        r.push(
            &a,
            EntryBody::InviteRevoked {
                invite_id: [99; 16]
            }
        ),
        Err(RecordError::UnknownInvite)
    );
    assert_eq!(r.verify_all().unwrap(), r.state);
}

#[test]
fn an_invite_dies_with_its_maker() {
    let (mut r, a, b, _) = team();
    let d = dev(4);
    r.invite(&b, 4).unwrap();
    r.remove(&a, &b, u64::MAX).unwrap();
    r.rotate(&a).unwrap();
    assert_eq!(r.join_with(&d, 4), Err(RecordError::InviteMakerRemoved));
    // Even when the maker left by itself.
    let (mut r, a, b, _) = team();
    r.invite(&b, 4).unwrap();
    r.remove(&b, &b, u64::MAX).unwrap();
    assert_eq!(r.join_with(&d, 4), Err(RecordError::InviteMakerRemoved));
    let _ = a;
}

#[test]
fn a_revoked_invite_is_dead() {
    let (mut r, a, b, _) = team();
    let d = dev(4);
    let id = r.invite(&b, 4).unwrap();
    let applied = r
        .push(&a, EntryBody::InviteRevoked { invite_id: id })
        .unwrap();
    assert_eq!(applied.invite_revoked, Some(id));
    assert!(r.state.invite(&id).unwrap().revoked);
    assert_eq!(r.join_with(&d, 4), Err(RecordError::InviteRevoked));
    assert_eq!(
        r.push(&a, EntryBody::InviteRevoked { invite_id: id }),
        Err(RecordError::InviteRevoked)
    );
}

#[test]
fn an_invite_expires_by_the_entries_time() {
    let (mut r, a, ..) = team();
    let d = dev(4);
    let id = invite_id(&[4; 32]);
    let key = invite_signing_key(TEAM, &wrap(4))
        .verifying_key()
        .to_bytes();
    let expires = r.time + 1000;
    assert_eq!(
        r.push(
            &a,
            EntryBody::InviteCreated {
                invite_id: id,
                invite_key: key,
                expires_at_ms: r.time + MAX_INVITE_MS + 1
            }
        ),
        Err(RecordError::InviteTooLong)
    );
    r.push(
        &a,
        EntryBody::InviteCreated {
            invite_id: id,
            invite_key: key,
            expires_at_ms: expires,
        },
    )
    .unwrap();
    assert_eq!(r.state.invite(&id).unwrap().expires_at_ms, expires);
    r.time = expires + 1;
    assert_eq!(r.join_with(&d, 4), Err(RecordError::InviteExpired));
    r.time = expires;
    assert!(r.join_with(&d, 4).is_ok());
    // Exactly 7 days is allowed.
    let (id2, _) = r.invite_body(5);
    r.push(
        &a,
        EntryBody::InviteCreated {
            invite_id: id2,
            invite_key: key,
            expires_at_ms: r.time + MAX_INVITE_MS,
        },
    )
    .unwrap();
}

#[test]
fn an_invite_made_before_a_rotation_is_stale() {
    let (mut r, a, ..) = team();
    let d = dev(4);
    r.invite(&a, 4).unwrap();
    r.rotate(&a).unwrap();
    assert_eq!(r.state.current_epoch(), 2);
    let e = r.join_entry(&d, 4, 4, 1);
    assert_eq!(r.add(e), Err(RecordError::StaleInvite));
    let e = r.join_entry(&d, 4, 4, 3);
    assert_eq!(r.add(e), Err(RecordError::StaleInvite));
    // Claiming the current epoch is what a fresh invite does.
    let e = r.join_entry(&d, 4, 4, 2);
    assert!(r.add(e).is_ok());
}

#[test]
fn a_join_proof_from_the_wrong_invite_key_is_refused() {
    let (mut r, a, ..) = team();
    let d = dev(4);
    r.invite(&a, 4).unwrap();
    let e = r.join_entry(&d, 4, 5, 1);
    assert_eq!(r.add(e), Err(RecordError::BadInviteProof));
    // A proof for another position (replayed) fails too.
    let mut moved = r.clone();
    let proof_here = r.join_entry(&d, 4, 4, 1);
    moved
        .push(
            &a,
            EntryBody::DocErased {
                doc: DocId([1; 16]),
            },
        )
        .unwrap();
    let EntryBody::DeviceJoined { invite_proof, .. } = proof_here.body() else {
        unreachable!()
    };
    let replay = NewEntry {
        team: TEAM,
        seq: moved.state.seq() + 1,
        prev: moved.state.head(),
        author: d.id,
        time_ms: moved.time,
        body: EntryBody::DeviceJoined {
            invite_id: invite_id(&[4; 32]),
            device_key: pk(&d),
            member: [4; 16],
            has_epochs_to: 1,
            invite_proof: *invite_proof,
        },
    }
    .sign(&d.key);
    assert_eq!(moved.add(replay), Err(RecordError::BadInviteProof));
    // The device's own signature must match the key it brings.
    let mut e = r.join_entry(&d, 4, 4, 1).bytes().to_vec();
    let last = e.len() - 1;
    e[last] ^= 0x40;
    assert_eq!(
        r.add(UncheckedEntry::parse(&e).unwrap()),
        Err(RecordError::BadSignature)
    );
    assert!(r.join_with(&d, 4).is_ok());
}

#[test]
fn an_unusable_invite_key_is_refused() {
    let (mut r, a, ..) = team();
    let mut small_order = [0u8; 32];
    small_order[0] = 1;
    assert_eq!(
        r.push(
            &a,
            EntryBody::InviteCreated {
                invite_id: [1; 16],
                invite_key: small_order,
                expires_at_ms: r.time,
            }
        ),
        Err(RecordError::BadKey)
    );
}

// ---- removal ----

#[test]
fn removal_cascades_through_invites_made_since() {
    let (a, b) = (dev(1), dev(2));
    let mut r = Rec::new(&a);
    r.join(&a, &b).unwrap();
    // Before the theft: B invites C.
    let c = dev(3);
    r.join(&b, &c).unwrap();
    let since = r.state.seq() + 1;
    // After: B invites L, L invites L2; A invites D.
    let (l, l2, d) = (dev(4), dev(5), dev(6));
    r.join(&b, &l).unwrap();
    r.join(&l, &l2).unwrap();
    r.join(&a, &d).unwrap();
    // An invite B made before `since` but used after it.
    let e = dev(7);
    let mut r2 = r.clone();
    let applied = r.remove(&a, &b, since).unwrap();
    assert_eq!(applied.removed, vec![b.id, l.id, l2.id]);
    assert!(r.state.rotation_due());
    for gone in [&b, &l, &l2] {
        let s = r.state.device(&gone.id).unwrap();
        assert_eq!(s.removed_at_seq, Some(r.state.seq()));
        assert_eq!(s.cutoff_log_seq, Some(10));
    }
    assert_eq!(r.active_ids(), vec![a.id, c.id, d.id]);
    let applied = r.rotate(&a).unwrap();
    assert_eq!(applied.new_epoch, Some(2));
    assert!(!r.state.rotation_due());
    // Without a cascade, only B goes.
    r2.invite(&b, 7).unwrap();
    let mut r3 = r2.clone();
    let applied = r2.remove(&a, &b, u64::MAX).unwrap();
    assert_eq!(applied.removed, vec![b.id]);
    // A join at or after `since` with an invite B made before it is taken too; joins before
    // `since` (L, L2) are kept.
    let since = r3.state.seq() + 1;
    r3.join_with(&e, 7).unwrap();
    let applied = r3.remove(&a, &b, since).unwrap();
    assert_eq!(applied.removed, vec![b.id, e.id]);
    assert_eq!(r3.verify_all().unwrap(), r3.state);
}

#[test]
fn key_epochs_name_exactly_the_active_devices() {
    let (mut r, a, b, c) = team();
    r.remove(&a, &c, u64::MAX).unwrap();
    let d = dev(4);
    assert_eq!(
        r.push(&a, r.epoch_body(vec![a.id, b.id, c.id])),
        Err(RecordError::WrongRecipients)
    );
    assert_eq!(
        r.push(&a, r.epoch_body(vec![a.id])),
        Err(RecordError::WrongRecipients)
    );
    assert_eq!(
        r.push(&a, r.epoch_body(vec![a.id, b.id, d.id])),
        Err(RecordError::WrongRecipients)
    );
    assert_eq!(
        r.push(&a, r.epoch_body(vec![])),
        Err(RecordError::WrongRecipients)
    );
    for epoch in [1, 3, 0, u32::MAX] {
        assert_eq!(
            r.push(
                &a,
                EntryBody::KeyEpoch {
                    epoch,
                    commitment: [0; 32],
                    recipients: vec![a.id, b.id]
                }
            ),
            Err(RecordError::WrongEpoch),
            "{epoch}"
        );
    }
    assert!(r.state.rotation_due());
    let applied = r.rotate(&a).unwrap();
    assert_eq!(applied.new_epoch, Some(2));
    let e = r.state.epoch(2).unwrap();
    assert_eq!(e.recipients, vec![a.id, b.id]);
    assert_eq!(e.author, a.id);
    assert_eq!(e.at_seq, r.state.seq());
    assert!(!r.state.rotation_due());
}

#[test]
fn key_matches_only_the_committed_key() {
    let (mut r, a, ..) = team();
    assert!(r.state.key_matches(1, &epoch_key(1)));
    assert!(!r.state.key_matches(1, &epoch_key(2)));
    assert!(!r.state.key_matches(2, &epoch_key(2)));
    assert!(!r.state.key_matches(0, &epoch_key(0)));
    r.rotate(&a).unwrap();
    assert!(r.state.key_matches(2, &epoch_key(2)));
    assert!(!r.state.key_matches(2, &epoch_key(1)));
    assert!(r.state.key_matches(1, &epoch_key(1)));
}

#[test]
fn author_at_log_follows_removal_and_its_cutoff() {
    let (mut r, a, b, c) = team();
    let stranger = dev(9);
    assert_eq!(r.state.author_at_log(&b.id, 0), AuthorVerdict::Allowed);
    assert_eq!(
        r.state.author_at_log(&b.id, u64::MAX),
        AuthorVerdict::Allowed
    );
    assert_eq!(
        r.state.author_at_log(&stranger.id, 0),
        AuthorVerdict::Unknown
    );
    r.remove(&a, &b, u64::MAX).unwrap(); // cutoff 10
    assert_eq!(r.state.author_at_log(&b.id, 0), AuthorVerdict::Allowed);
    assert_eq!(r.state.author_at_log(&b.id, 10), AuthorVerdict::Allowed);
    assert_eq!(
        r.state.author_at_log(&b.id, 11),
        AuthorVerdict::AfterRemoval
    );
    assert_eq!(r.state.author_at_log(&c.id, 11), AuthorVerdict::Allowed);
    assert_eq!(r.state.author_at_log(&a.id, 1000), AuthorVerdict::Allowed);
}

// ---- erasure, restore, fork ----

#[test]
fn documents_are_erased_once_and_never_the_team_document() {
    let (mut r, a, ..) = team();
    let doc = DocId([1; 16]);
    assert!(!r.state.is_erased(&doc));
    let applied = r.push(&a, EntryBody::DocErased { doc }).unwrap();
    assert_eq!(applied.erased, Some(doc));
    assert!(r.state.is_erased(&doc));
    assert_eq!(
        r.push(&a, EntryBody::DocErased { doc }),
        Err(RecordError::AlreadyErased)
    );
    assert_eq!(
        r.push(&a, EntryBody::DocErased { doc: DocId(TEAM.0) }),
        Err(RecordError::TeamDocNotErasable)
    );
}

#[test]
fn restore_and_fork_entries_are_recorded_and_change_nothing_else() {
    let (mut r, a, ..) = team();
    let before = r.state.clone();
    let applied = r
        .push(
            &a,
            EntryBody::RelayRestored {
                log_head: 5,
                log_chain: [1; 32],
            },
        )
        .unwrap();
    assert_eq!(
        applied,
        Applied {
            seq: before.seq() + 1,
            kind: EntryKind::RelayRestored,
            joined: None,
            removed: vec![],
            role_changed: None,
            new_epoch: None,
            erased: None,
            invite_created: None,
            invite_used: None,
            invite_revoked: None,
        }
    );
    assert_eq!(r.state.seq(), before.seq() + 1);
    assert_eq!(
        r.state.devices().collect::<Vec<_>>(),
        before.devices().collect::<Vec<_>>()
    );
    let seq = r.state.seq() + 1;
    assert!(matches!(
        r.push(
            &a,
            EntryBody::ForkResolved {
                fork_seq: seq + 1,
                abandoned: vec![]
            }
        ),
        Err(RecordError::NotAllowed(_))
    ));
    r.push(
        &a,
        EntryBody::ForkResolved {
            fork_seq: seq,
            abandoned: vec![[2; 16], [1; 16]],
        },
    )
    .unwrap();
    let EntryBody::ForkResolved { abandoned, .. } = r.entries.last().unwrap().body() else {
        unreachable!()
    };
    assert_eq!(abandoned, &vec![[1; 16], [2; 16]]);
}

// ---- state and codes ----

#[test]
fn the_state_survives_serialization() {
    let (mut r, a, b, c) = team();
    r.invite(&a, 50).unwrap();
    r.remove(&a, &c, u64::MAX).unwrap();
    r.push(
        &a,
        EntryBody::DocErased {
            doc: DocId([1; 16]),
        },
    )
    .unwrap();
    let json = serde_json::to_string(&r.state).unwrap();
    let back: RecordState = serde_json::from_str(&json).unwrap();
    assert_eq!(back, r.state);
    assert!(json.contains(&hex::encode(r.state.head())));
    // And carries on verifying.
    let mut back = back;
    let e = r.entry(&a, r.epoch_body(vec![a.id, b.id]));
    back.apply(&e).unwrap();
    r.add(e).unwrap();
    assert_eq!(back, r.state);
}

#[test]
fn error_codes_are_distinct_snake_case() {
    let all = [
        RecordError::Malformed(""),
        RecordError::WrongTeam,
        RecordError::OutOfOrder {
            expected: 0,
            got: 0,
        },
        RecordError::BadPrev,
        RecordError::UnknownAuthor,
        RecordError::BadSignature,
        RecordError::InactiveAuthor,
        RecordError::NotAllowed(""),
        RecordError::BadFounding(""),
        RecordError::BadKey,
        RecordError::UnknownDevice,
        RecordError::DeviceNotActive,
        RecordError::DeviceExists,
        RecordError::RoleUnchanged,
        RecordError::UnknownInvite,
        RecordError::InviteExists,
        RecordError::InviteTooLong,
        RecordError::InviteUsed,
        RecordError::InviteRevoked,
        RecordError::InviteMakerRemoved,
        RecordError::InviteExpired,
        RecordError::StaleInvite,
        RecordError::BadInviteProof,
        RecordError::LastAdmin,
        RecordError::WrongRecipients,
        RecordError::WrongEpoch,
        RecordError::TeamDocNotErasable,
        RecordError::AlreadyErased,
    ];
    let codes: std::collections::BTreeSet<_> = all.iter().map(RecordError::code).collect();
    assert_eq!(codes.len(), all.len());
    for c in codes {
        assert!(
            c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
            "{c}"
        );
    }
    for k in EntryKind::ALL {
        assert_eq!(EntryKind::from_u8(k.as_u8()), Some(k));
    }
    assert_eq!(EntryKind::from_u8(10), None);
}

// ---- properties ----

fn arb_id() -> impl Strategy<Value = [u8; 16]> {
    any::<[u8; 16]>()
}

fn arb_role() -> impl Strategy<Value = DeviceRole> {
    prop_oneof![Just(Admin), Just(Member)]
}

fn arb_body() -> impl Strategy<Value = EntryBody> {
    let founding = (
        any::<bool>(),
        prop::collection::vec(
            (
                arb_id(),
                any::<[u8; 32]>(),
                arb_role(),
                any::<bool>(),
                arb_id(),
            ),
            0..5,
        ),
        prop::collection::btree_map(any::<u32>(), any::<[u8; 32]>(), 0..5),
        any::<u64>(),
    )
        .prop_map(|(migrated, devices, epochs, head)| {
            let mut devices: Vec<FoundingDevice> = devices
                .into_iter()
                .map(|(d, key, role, removed, member)| FoundingDevice {
                    device: DeviceId(d),
                    key,
                    role,
                    removed,
                    member,
                })
                .collect();
            devices.sort_by_key(|d| d.device);
            devices.dedup_by_key(|d| d.device);
            EntryBody::Founding {
                origin: if migrated {
                    Origin::Migrated
                } else {
                    Origin::New
                },
                devices,
                epochs: epochs.into_iter().collect(),
                legacy_log_head: head,
            }
        });
    prop_oneof![
        founding,
        (arb_id(), any::<[u8; 32]>(), any::<u64>()).prop_map(|(i, k, e)| {
            EntryBody::InviteCreated {
                invite_id: i,
                invite_key: k,
                expires_at_ms: e,
            }
        }),
        arb_id().prop_map(|i| EntryBody::InviteRevoked { invite_id: i }),
        (
            arb_id(),
            any::<[u8; 32]>(),
            arb_id(),
            any::<u32>(),
            any::<[u8; 32]>(),
            any::<[u8; 32]>()
        )
            .prop_map(|(i, k, m, e, p1, p2)| {
                let mut proof = [0; 64];
                proof[..32].copy_from_slice(&p1);
                proof[32..].copy_from_slice(&p2);
                EntryBody::DeviceJoined {
                    invite_id: i,
                    device_key: k,
                    member: m,
                    has_epochs_to: e,
                    invite_proof: proof,
                }
            }),
        (arb_id(), arb_role()).prop_map(|(d, role)| EntryBody::RoleChanged {
            device: DeviceId(d),
            role
        }),
        (arb_id(), any::<u64>(), any::<u64>()).prop_map(|(d, c, s)| {
            EntryBody::DeviceRemoved {
                device: DeviceId(d),
                cutoff_log_seq: c,
                cascade_since: s,
            }
        }),
        (
            any::<u32>(),
            any::<[u8; 32]>(),
            prop::collection::vec(arb_id(), 0..8)
        )
            .prop_map(|(epoch, commitment, r)| EntryBody::KeyEpoch {
                epoch,
                commitment,
                recipients: r.into_iter().map(DeviceId).collect(),
            }),
        arb_id().prop_map(|d| EntryBody::DocErased { doc: DocId(d) }),
        (any::<u64>(), any::<[u8; 32]>()).prop_map(|(h, c)| EntryBody::RelayRestored {
            log_head: h,
            log_chain: c
        }),
        (any::<u64>(), prop::collection::vec(arb_id(), 0..6)).prop_map(|(f, a)| {
            EntryBody::ForkResolved {
                fork_seq: f,
                abandoned: a,
            }
        }),
    ]
}

/// One step of a random team's life; applied only if the rules let it.
#[derive(Debug, Clone)]
enum Op {
    Join {
        maker: usize,
    },
    Invite {
        maker: usize,
    },
    Promote {
        admin: usize,
        target: usize,
    },
    Demote {
        admin: usize,
        target: usize,
    },
    Remove {
        admin: usize,
        target: usize,
        cascade: bool,
    },
    Leave {
        who: usize,
    },
    Rotate {
        admin: usize,
    },
    Erase {
        admin: usize,
        doc: u8,
    },
    Revoke {
        who: usize,
    },
}

fn arb_op() -> impl Strategy<Value = Op> {
    let i = || 0usize..16;
    prop_oneof![
        4 => i().prop_map(|maker| Op::Join { maker }),
        1 => i().prop_map(|maker| Op::Invite { maker }),
        2 => (i(), i()).prop_map(|(admin, target)| Op::Promote { admin, target }),
        1 => (i(), i()).prop_map(|(admin, target)| Op::Demote { admin, target }),
        2 => (i(), i(), any::<bool>())
            .prop_map(|(admin, target, cascade)| Op::Remove { admin, target, cascade }),
        1 => i().prop_map(|who| Op::Leave { who }),
        2 => i().prop_map(|admin| Op::Rotate { admin }),
        1 => (i(), any::<u8>()).prop_map(|(admin, doc)| Op::Erase { admin, doc }),
        1 => i().prop_map(|who| Op::Revoke { who }),
    ]
}

/// Builds a record from random steps, picking authors and targets among the devices that
/// are there (so that most steps are valid).
fn build(ops: &[Op]) -> Rec {
    let founder = dev(1);
    let mut r = Rec::new(&founder);
    let mut next = 2u8;
    let mut wraps: Vec<u8> = Vec::new();
    for op in ops {
        let active: Vec<Dev> = r.active_ids().iter().map(|id| dev(id.0[0])).collect();
        let admins: Vec<Dev> = active
            .iter()
            .filter(|d| r.state.is_active_admin(&d.id))
            .cloned()
            .collect();
        let pick = |v: &[Dev], i: usize| v[i % v.len()].clone();
        let _: Result<(), RecordError> = match op {
            Op::Join { maker } => {
                let joiner = dev(next);
                next += 1;
                r.join(&pick(&active, *maker), &joiner).map(|_| ())
            }
            Op::Invite { maker } => {
                let w = 200u8.wrapping_add(wraps.len() as u8);
                wraps.push(w);
                r.invite(&pick(&active, *maker), w).map(|_| ())
            }
            Op::Promote { admin, target } => r
                .role(&pick(&admins, *admin), &pick(&active, *target), Admin)
                .map(|_| ()),
            Op::Demote { admin, target } => r
                .role(&pick(&admins, *admin), &pick(&active, *target), Member)
                .map(|_| ()),
            Op::Remove {
                admin,
                target,
                cascade,
            } => {
                let since = if *cascade {
                    r.state.seq() / 2
                } else {
                    u64::MAX
                };
                r.remove(&pick(&admins, *admin), &pick(&active, *target), since)
                    .map(|_| ())
            }
            Op::Leave { who } => {
                let d = pick(&active, *who);
                r.remove(&d, &d, u64::MAX).map(|_| ())
            }
            Op::Rotate { admin } => r.rotate(&pick(&admins, *admin)).map(|_| ()),
            Op::Erase { admin, doc } => r
                .push(
                    &pick(&admins, *admin),
                    EntryBody::DocErased {
                        doc: DocId([*doc; 16]),
                    },
                )
                .map(|_| ()),
            Op::Revoke { who } => match wraps.last() {
                Some(w) => r
                    .push(
                        &pick(&active, *who),
                        EntryBody::InviteRevoked {
                            invite_id: invite_id(&[*w; 32]),
                        },
                    )
                    .map(|_| ()),
                None => continue,
            },
        };
    }
    r
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn any_body_re_encodes_canonically(body in arb_body(), seq: u64, time: u64, shuffle: u64) {
        let a = dev(1);
        let entry = |body: EntryBody| NewEntry {
            team: TEAM,
            seq,
            prev: [3; 32],
            author: a.id,
            time_ms: time,
            body,
        };
        let signed = entry(body.clone()).sign(&a.key);
        let parsed = UncheckedEntry::parse(signed.bytes()).unwrap();
        prop_assert_eq!(parsed.bytes(), signed.bytes());
        prop_assert_eq!(&parsed, &signed);
        prop_assert_eq!(parsed.header().kind, body.kind());
        prop_assert_eq!(parsed.header().seq, seq);
        // The same body with its lists in another order signs to the same bytes.
        let mut shuffled = body;
        let rot = |n: usize| if n == 0 { 0 } else { (shuffle as usize) % n };
        match &mut shuffled {
            EntryBody::Founding { devices, epochs, .. } => {
                let n = rot(devices.len());
                devices.rotate_left(n);
                let n = rot(epochs.len());
                epochs.rotate_left(n);
            }
            EntryBody::KeyEpoch { recipients, .. } => {
                let n = rot(recipients.len());
                recipients.rotate_left(n);
            }
            EntryBody::ForkResolved { abandoned, .. } => {
                let n = rot(abandoned.len());
                abandoned.rotate_left(n);
            }
            _ => {}
        }
        let resigned = entry(shuffled).sign(&a.key);
        prop_assert_eq!(resigned.bytes(), signed.bytes());
    }

    #[test]
    fn random_valid_records_verify(ops in prop::collection::vec(arb_op(), 1..40)) {
        let r = build(&ops);
        prop_assert_eq!(r.entries.len() as u64, r.state.seq() + 1);
        for e in &r.entries {
            let again = UncheckedEntry::parse(e.bytes()).unwrap();
            prop_assert_eq!(again.bytes(), e.bytes());
        }
        let verified = r.verify_all().unwrap();
        prop_assert_eq!(&verified, &r.state);
        // Invariants of every valid record.
        prop_assert!(r.state.active().any(|(_, d)| d.role == Admin));
        let epochs = r.state.epochs();
        for (i, e) in epochs.iter().enumerate() {
            prop_assert_eq!(e.epoch as usize, i + 1);
        }
        for (id, d) in r.state.devices() {
            if let Some(i) = d.via_invite {
                prop_assert_eq!(r.state.invite(&i).unwrap().used_by, Some(*id));
            }
        }
    }

    #[test]
    fn any_flipped_bit_in_any_entry_fails_at_that_entry(
        ops in prop::collection::vec(arb_op(), 1..12),
        which: usize,
        at: usize,
        bit in 0u8..8,
    ) {
        let r = build(&ops);
        let mut bytes = r.bytes();
        let i = which % bytes.len();
        let pos = at % bytes[i].len();
        bytes[i][pos] ^= 1 << bit;
        let res = RecordState::verify_all(TEAM, bytes.iter().map(Vec::as_slice));
        match res {
            Err((seq, _)) => prop_assert_eq!(seq, i as u64),
            Ok(_) => prop_assert!(false, "entry {} byte {} bit {} flipped verified", i, pos, bit),
        }
    }

    #[test]
    fn a_refused_entry_leaves_the_state_unchanged(
        ops in prop::collection::vec(arb_op(), 1..12),
        body in arb_body(),
        author in 0u8..8,
        seq_off in 0u64..3,
    ) {
        let mut r = build(&ops);
        let d = dev(author);
        let before = r.state.clone();
        let e = NewEntry {
            team: TEAM,
            seq: r.state.seq() + seq_off,
            prev: r.state.head(),
            author: d.id,
            time_ms: r.time,
            body,
        }
        .sign(&d.key);
        match r.state.apply(&e) {
            Ok(applied) => {
                prop_assert_eq!(applied.seq, before.seq() + 1);
                prop_assert_eq!(r.state.head(), e.hash());
            }
            Err(_) => prop_assert_eq!(&r.state, &before),
        }
    }
}

#[test]
fn a_device_has_sixteen_invites_open_at_most() {
    let (mut r, a, b, _) = team();
    for w in 0..16u8 {
        r.invite(&b, 100 + w).unwrap();
    }
    assert!(matches!(r.invite(&b, 200), Err(RecordError::NotAllowed(_))));
    // Another device's count is its own.
    r.invite(&a, 201).unwrap();
    // One used, revoked or expired opens room again.
    r.push(
        &b,
        EntryBody::InviteRevoked {
            invite_id: invite_id(&[100; 32]),
        },
    )
    .unwrap();
    r.invite(&b, 202).unwrap();
    assert!(r.invite(&b, 203).is_err());
    r.time += DAY + 1;
    r.invite(&b, 204).unwrap();
    assert_eq!(r.verify_all().unwrap(), r.state);
}
