//! A team record grown one entry at a time (`protocol/src/record/`, [`RecordState::apply`]):
//! what an honest device, a member or an admin breaking the rules, or a relay replaying and
//! reordering could offer, entry after entry.
//!
//! The input is a founding choice, then up to [`MAX_OPS`] operations over the fixed devices
//! ([`crate::fixtures::record`]: the founder, three others, a stranger) and the fixed invites.
//! Each operation builds an entry of any kind with [`NewEntry::sign`] from fields the input
//! picks, and sometimes spoils it (wrong team, seq or prev, signed by another device, a bit
//! of the signature flipped, or an entry already applied offered again); the entry's bytes,
//! parsed, are applied. After every step:
//!
//! - a refused entry left the state equal to before, and a spoiled entry is always refused,
//!   for the reason checked first; an entry the layout cannot carry does not parse, and is
//!   refused as malformed;
//! - an accepted entry moved the head to it, and broke no rule the input can see: its author
//!   active (admins only for admin kinds; for a join, a new device with an open, unexpired
//!   invite whose maker is active, at the current epoch);
//! - at least one admin is active; the devices not active are exactly those some entry
//!   removed (never back), with the cutoff it set; each key epoch's recipients are the active
//!   devices when it was made; each invite is used at most once;
//! - and after the last step, [`RecordState::verify_all`] over the accepted entries' bytes
//!   gives the same state.

use crate::fixtures::record::{device, invite, DEVICES, FOUNDER, INVITES, STRANGER};
use crate::fixtures::TEAM;
use crate::record::{commitment, founding_device, founding_new, member_of, T0};
use crate::Reader;
use std::collections::{BTreeMap, BTreeSet};
use tandem_protocol::api::DeviceRole;
use tandem_protocol::record::{
    entry_hash, join_proof, Applied, AuthorVerdict, EntryBody, EntryKind, NewEntry, Origin,
    RecordError, RecordState, UncheckedEntry, MAX_INVITE_MS, SIGNATURE_LEN,
};
use tandem_protocol::{DeviceId, DocId, TeamId};

/// The most operations an input runs.
pub const MAX_OPS: usize = 24;

/// A device id no entry names.
const NOBODY: DeviceId = DeviceId([0xee; 16]);

/// The target.
pub fn record_sequence(data: &[u8]) {
    grow(data);
}

/// The target's run: the record the input grew, if its founding entry was accepted.
pub fn grow(data: &[u8]) -> Option<RecordState> {
    let mut r = Reader::new(data);
    let mut run = Run::found(&mut r)?;
    for _ in 0..MAX_OPS {
        if r.is_empty() {
            break;
        }
        run.step(&mut r);
    }
    run.finish();
    Some(run.state)
}

/// How an operation spoils its entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Spoil {
    Team,
    Seq,
    Prev,
    Signer,
    SignatureBit,
    Replay,
}

impl Spoil {
    /// A quarter of the flag bytes spoil the entry; the low bits say how.
    fn from_flags(flags: u8) -> Option<Self> {
        if flags < 0xc0 {
            return None;
        }
        [
            Self::Team,
            Self::Seq,
            Self::Prev,
            Self::Signer,
            Self::SignatureBit,
            Self::Replay,
        ]
        .get(usize::from(flags & 7))
        .copied()
    }
}

/// The record grown so far, and what the target knows of it without the rule book.
struct Run {
    state: RecordState,
    /// The accepted entries, from seq 0.
    accepted: Vec<UncheckedEntry>,
    /// The clock of the latest entry (an entry may be dated before it: clocks differ).
    clock: u64,
    /// Every device an entry removed, with the cutoff it set.
    removed: BTreeMap<DeviceId, u64>,
    /// Every invite used, and by whom.
    used: BTreeMap<[u8; 16], DeviceId>,
    /// Each key epoch's recipients: the active devices when it was made.
    epochs: Vec<Vec<DeviceId>>,
}

/// A founding entry the input chooses: mostly a new team, else a migrated one listing some
/// fixed devices (the stranger never), sometimes with rules broken.
fn founding(r: &mut Reader) -> UncheckedEntry {
    let shape = r.u8();
    if shape % 4 < 2 {
        return founding_new();
    }
    let line = |b: u8, i: usize| match b % 5 {
        0 => None,
        1 => Some(founding_device(i, DeviceRole::Admin, false)),
        2 => Some(founding_device(i, DeviceRole::Member, false)),
        3 => Some(founding_device(i, DeviceRole::Admin, true)),
        _ => Some(founding_device(i, DeviceRole::Member, true)),
    };
    let broken = shape % 4 == 3;
    let founder = if broken {
        line(r.u8(), FOUNDER)
    } else {
        Some(founding_device(FOUNDER, DeviceRole::Admin, false))
    };
    let mut devices: Vec<_> = founder.into_iter().collect();
    for i in (FOUNDER + 1)..STRANGER {
        devices.extend(line(r.u8(), i));
    }
    let count = u32::from(r.u8() % 4) + u32::from(!broken);
    let first = if broken { u32::from(r.u8() % 3) } else { 1 };
    NewEntry {
        team: TEAM,
        seq: 0,
        prev: [0; 32],
        author: device(FOUNDER).id,
        time_ms: T0,
        body: EntryBody::Founding {
            origin: if broken && shape & 0x80 != 0 {
                Origin::New
            } else {
                Origin::Migrated
            },
            devices,
            epochs: (first..first + count).map(|e| (e, commitment(e))).collect(),
            legacy_log_head: u64::from(r.u16()),
        },
    }
    .sign(&device(FOUNDER).key)
}

fn active_ids(state: &RecordState) -> Vec<DeviceId> {
    state.active().map(|(id, _)| *id).collect()
}

impl Run {
    fn found(r: &mut Reader) -> Option<Self> {
        let entry = founding(r);
        let parsed = UncheckedEntry::parse(entry.bytes()).expect("a founding entry parses");
        assert_eq!(parsed, entry);
        let (state, applied) = RecordState::found(TEAM, &parsed).ok()?;
        let removed = applied
            .removed
            .iter()
            .map(|id| {
                let d = state.device(id).expect("listed");
                (*id, d.cutoff_log_seq.expect("a cutoff"))
            })
            .collect();
        let active = active_ids(&state);
        let run = Self {
            epochs: vec![active; state.epochs().len()],
            state,
            accepted: vec![parsed],
            clock: T0,
            removed,
            used: BTreeMap::new(),
        };
        run.check();
        Some(run)
    }

    /// One operation: `kind ‖ actor ‖ flags [‖ spoil byte] ‖ clock step i16 ‖ the kind's
    /// fields`.
    fn step(&mut self, r: &mut Reader) {
        let kind = EntryKind::ALL[usize::from(r.u8()) % EntryKind::ALL.len()];
        let actor = usize::from(r.u8()) % DEVICES;
        let spoil = Spoil::from_flags(r.u8());
        let p = if spoil.is_some() { r.u8() } else { 0 };
        let step = r.u16() as i16;
        let time = if step >= 0 {
            self.clock += u64::from(step.unsigned_abs()) * 10_000;
            self.clock
        } else {
            self.clock
                .saturating_sub(u64::from(step.unsigned_abs()) * 10_000)
        };

        let expected = self.state.seq() + 1;
        let mut team = TEAM;
        let mut seq = expected;
        let mut prev = self.state.head();
        let mut signer = actor;
        match spoil {
            Some(Spoil::Team) => team = TeamId(TEAM.0.map(|b| b ^ 0x01)),
            Some(Spoil::Seq) if p % 2 == 0 => seq = expected + 1 + u64::from(p / 2),
            Some(Spoil::Seq) => seq = expected.wrapping_sub(1 + u64::from(p / 2)),
            Some(Spoil::Prev) => prev[usize::from(p % 32)] ^= 1 << (p / 32),
            Some(Spoil::Signer) => signer = (actor + 1 + usize::from(p % 4)) % DEVICES,
            _ => {}
        }
        let body = self.body(kind, actor, seq, &prev, time, r);
        let entry = if spoil == Some(Spoil::Replay) {
            self.accepted[usize::from(p) % self.accepted.len()].clone()
        } else {
            let new = NewEntry {
                team,
                seq,
                prev,
                author: device(actor).id,
                time_ms: time,
                body,
            };
            let Some(signed) = self.sign(&new, signer) else {
                return;
            };
            let mut bytes = signed.bytes().to_vec();
            if spoil == Some(Spoil::SignatureBit) {
                let at = bytes.len() - SIGNATURE_LEN + usize::from(p % 64);
                bytes[at] ^= 1 << (p / 64);
            }
            let parsed = UncheckedEntry::parse(&bytes).expect("a signed entry parses");
            if spoil.is_none() {
                assert_eq!(parsed, signed, "parse(sign(x)) != sign(x)");
            }
            parsed
        };

        let before = self.state.clone();
        match self.state.apply(&entry) {
            Err(e) => {
                assert_eq!(
                    self.state, before,
                    "a refused entry changed the state: {e:?}"
                );
                let h = entry.header();
                match spoil {
                    Some(Spoil::Team) => assert_eq!(e, RecordError::WrongTeam),
                    Some(Spoil::Seq | Spoil::Replay) => {
                        assert_eq!(
                            e,
                            RecordError::OutOfOrder {
                                expected,
                                got: h.seq
                            }
                        )
                    }
                    Some(Spoil::Prev) => assert_eq!(e, RecordError::BadPrev),
                    Some(Spoil::Signer | Spoil::SignatureBit) => assert!(
                        matches!(e, RecordError::BadSignature | RecordError::UnknownAuthor),
                        "{e:?}"
                    ),
                    None => {}
                }
            }
            Ok(applied) => {
                assert_eq!(spoil, None, "a spoiled entry was accepted");
                self.accepted(&before, entry, &applied);
                self.check();
            }
        }
    }

    /// Signs `new`; for an entry the layout cannot carry, checks that it is refused as
    /// malformed and does not parse, and gives none.
    fn sign(&mut self, new: &NewEntry, signer: usize) -> Option<UncheckedEntry> {
        let key = &device(signer).key;
        match new.try_sign(key) {
            Ok(e) => Some(e),
            Err(e) => {
                assert!(matches!(e, RecordError::Malformed(_)), "{e:?}");
                let unfit = new.sign(key);
                assert!(UncheckedEntry::parse(unfit.bytes()).is_err());
                let before = self.state.clone();
                let refused = self.state.apply(&unfit).expect_err("an unfit entry");
                assert!(matches!(refused, RecordError::Malformed(_)), "{refused:?}");
                assert_eq!(self.state, before);
                None
            }
        }
    }

    /// The body of an entry of `kind` by fixed device `actor`, its fields from the input.
    fn body(
        &self,
        kind: EntryKind,
        actor: usize,
        seq: u64,
        prev: &[u8; 32],
        time: u64,
        r: &mut Reader,
    ) -> EntryBody {
        let current = self.state.current_epoch();
        let invite_id = |i: usize| {
            if i < INVITES {
                invite(i).id
            } else {
                [0xff; 16]
            }
        };
        match kind {
            EntryKind::Founding => founding_new().body().clone(),
            EntryKind::InviteCreated => {
                let b = r.u8();
                let lasts = i64::from(r.u16() as i16) * 32_000;
                let invite_key = match b >> 5 {
                    7 => [0; 32],
                    6 if b & 0x10 != 0 => {
                        let mut identity = [0; 32];
                        identity[0] = 1;
                        identity
                    }
                    _ => invite(usize::from(b)).public,
                };
                EntryBody::InviteCreated {
                    invite_id: invite(usize::from(b)).id,
                    invite_key,
                    expires_at_ms: time.saturating_add_signed(lasts),
                }
            }
            EntryKind::InviteRevoked => EntryBody::InviteRevoked {
                invite_id: invite_id(usize::from(r.u8()) % (INVITES + 1)),
            },
            EntryKind::DeviceJoined => {
                let i = usize::from(r.u8()) % (INVITES + 1);
                let proof_from = if r.u8() >= 0xe0 { i + 1 } else { i };
                let has_epochs_to = match r.u8() % 8 {
                    6 => current.wrapping_sub(1),
                    7 => current.wrapping_add(1),
                    _ => current,
                };
                let d = device(actor);
                let member = member_of(actor);
                EntryBody::DeviceJoined {
                    invite_id: invite_id(i),
                    device_key: d.public,
                    member,
                    has_epochs_to,
                    invite_proof: join_proof(
                        &invite(proof_from).key,
                        TEAM,
                        seq,
                        prev,
                        d.id,
                        &d.public,
                        &member,
                    ),
                }
            }
            EntryKind::RoleChanged => {
                let b = r.u8();
                EntryBody::RoleChanged {
                    device: device(usize::from(b)).id,
                    role: if b & 0x80 != 0 {
                        DeviceRole::Admin
                    } else {
                        DeviceRole::Member
                    },
                }
            }
            EntryKind::DeviceRemoved => {
                let target = device(usize::from(r.u8())).id;
                let c = r.u8();
                EntryBody::DeviceRemoved {
                    device: target,
                    cutoff_log_seq: u64::from(r.u16()),
                    cascade_since: if c < 0x80 {
                        u64::MAX
                    } else {
                        u64::from(c & 0x7f)
                    },
                }
            }
            EntryKind::KeyEpoch => {
                let b = r.u8();
                let epoch = match b % 8 {
                    6 => current,
                    7 => current.wrapping_add(2),
                    _ => current.wrapping_add(1),
                };
                let mut recipients = active_ids(&self.state);
                match (b >> 3) % 8 {
                    6 if !recipients.is_empty() => {
                        recipients.remove(0);
                    }
                    7 => recipients.push(
                        (0..DEVICES)
                            .map(|i| device(i).id)
                            .find(|id| !recipients.contains(id))
                            .unwrap_or(NOBODY),
                    ),
                    _ => {}
                }
                EntryBody::KeyEpoch {
                    epoch,
                    commitment: commitment(epoch),
                    recipients,
                }
            }
            EntryKind::DocErased => {
                let b = r.u8();
                EntryBody::DocErased {
                    doc: if b == 0 {
                        DocId(TEAM.0)
                    } else {
                        DocId([b % 8; 16])
                    },
                }
            }
            EntryKind::RelayRestored => EntryBody::RelayRestored {
                log_head: u64::from(r.u32()),
                log_chain: [r.u8(); 32],
            },
            EntryKind::ForkResolved => {
                let fork_seq = u64::from(r.u8()) % (self.state.seq() + 4);
                let c = r.u8();
                let abandoned = if c == 0xff {
                    // More than the u8 count carries: the layout cannot.
                    (0..=255u8).map(|n| [n; 16]).collect()
                } else {
                    (0..u64::from(c % 4))
                        .map(|k| self.state.tag(k).unwrap_or([k as u8; 16]))
                        .collect()
                };
                EntryBody::ForkResolved {
                    fork_seq,
                    abandoned,
                }
            }
        }
    }

    /// `entry` was accepted on `before`: what the rule book promises of it.
    fn accepted(&mut self, before: &RecordState, entry: UncheckedEntry, applied: &Applied) {
        let h = *entry.header();
        let hash = entry.hash();
        assert_eq!((applied.seq, applied.kind), (h.seq, h.kind));
        assert_eq!(h.seq, before.seq() + 1);
        assert_eq!(self.state.seq(), h.seq);
        assert_eq!(self.state.head(), hash);
        assert_eq!(
            self.state.tag(h.seq).map(|t| t.to_vec()),
            Some(hash[..16].to_vec())
        );
        assert_eq!(self.state.tag(before.seq()), before.tag(before.seq()));
        let active_before = active_ids(before);
        let state = &self.state;
        match entry.body() {
            EntryBody::Founding { .. } => panic!("a founding entry after seq 0"),
            EntryBody::DeviceJoined {
                invite_id,
                device_key,
                member,
                has_epochs_to,
                ..
            } => {
                assert!(before.device(&h.author).is_none(), "a known device joined");
                let invite = before.invite(invite_id).expect("a known invite");
                assert!(invite.used_by.is_none() && !invite.revoked);
                assert!(before.device(&invite.maker).is_some_and(|d| d.is_active()));
                assert!(h.time_ms <= invite.expires_at_ms, "an expired invite");
                assert_eq!(*has_epochs_to, before.current_epoch());
                assert_eq!(applied.joined, Some(h.author));
                assert_eq!(applied.invite_used, Some(*invite_id));
                let d = state.device(&h.author).expect("joined");
                assert!(d.is_active() && d.role == DeviceRole::Member);
                assert_eq!((&d.key, &d.member), (device_key, member));
                assert_eq!(d.via_invite, Some(*invite_id));
                let first = self.used.insert(*invite_id, h.author);
                assert_eq!(first, None, "an invite used twice");
            }
            body => {
                let author = before.device(&h.author).expect("a known author");
                assert!(author.is_active(), "an author removed before");
                let admin = author.role == DeviceRole::Admin;
                match body {
                    EntryBody::InviteCreated {
                        invite_id,
                        expires_at_ms,
                        ..
                    } => {
                        assert!(before.invite(invite_id).is_none());
                        assert!(*expires_at_ms <= h.time_ms.saturating_add(MAX_INVITE_MS));
                        assert_eq!(applied.invite_created, Some(*invite_id));
                        let made = state.invite(invite_id).expect("made");
                        assert_eq!((made.maker, made.used_by), (h.author, None));
                    }
                    EntryBody::InviteRevoked { invite_id } => {
                        let invite = before.invite(invite_id).expect("a known invite");
                        assert!(invite.maker == h.author || admin);
                        assert!(invite.used_by.is_none() && !invite.revoked);
                        assert!(state.invite(invite_id).is_some_and(|i| i.revoked));
                    }
                    EntryBody::RoleChanged { device, role } => {
                        assert!(admin, "a member changed a role");
                        assert_ne!(before.device(device).map(|d| d.role), Some(*role));
                        assert_eq!(state.device(device).map(|d| d.role), Some(*role));
                    }
                    EntryBody::DeviceRemoved {
                        device,
                        cutoff_log_seq,
                        cascade_since,
                    } => {
                        assert!(admin || (*device == h.author && *cascade_since == u64::MAX));
                        assert_eq!(applied.removed.first(), Some(device));
                        if *cascade_since == u64::MAX {
                            assert_eq!(applied.removed.len(), 1);
                        }
                        for id in &applied.removed {
                            assert!(active_before.contains(id), "removed twice");
                            let d = state.device(id).expect("known");
                            assert_eq!(d.removed_at_seq, Some(h.seq));
                            self.removed.insert(*id, *cutoff_log_seq);
                        }
                        assert!(state.rotation_due());
                    }
                    EntryBody::KeyEpoch {
                        epoch, recipients, ..
                    } => {
                        assert!(admin, "a member made a key epoch");
                        assert_eq!(Some(*epoch), before.current_epoch().checked_add(1));
                        assert_eq!(*recipients, active_before, "not the active devices");
                        assert_eq!(applied.new_epoch, Some(*epoch));
                        assert!(!state.rotation_due());
                        self.epochs.push(recipients.clone());
                    }
                    EntryBody::DocErased { doc } => {
                        assert!(admin);
                        assert_ne!(doc.0, TEAM.0, "the team document erased");
                        assert!(!before.is_erased(doc) && state.is_erased(doc));
                    }
                    EntryBody::RelayRestored { .. } => assert!(admin),
                    EntryBody::ForkResolved { fork_seq, .. } => {
                        assert!(admin && *fork_seq <= h.seq);
                    }
                    EntryBody::Founding { .. } | EntryBody::DeviceJoined { .. } => {
                        unreachable!("matched above")
                    }
                }
            }
        }
        if !matches!(h.kind, EntryKind::DeviceJoined | EntryKind::DeviceRemoved) {
            assert_eq!(active_ids(state), active_before, "membership changed");
        }
        if !matches!(h.kind, EntryKind::DeviceRemoved | EntryKind::KeyEpoch) {
            assert_eq!(state.rotation_due(), before.rotation_due());
        }
        self.accepted.push(entry);
    }

    /// What holds of the record after every step.
    fn check(&self) {
        let state = &self.state;
        assert!(
            state.active().any(|(_, d)| d.role == DeviceRole::Admin),
            "no active admin"
        );
        let inactive: Vec<DeviceId> = state
            .devices()
            .filter(|(_, d)| !d.is_active())
            .map(|(id, _)| *id)
            .collect();
        let removed: Vec<DeviceId> = self.removed.keys().copied().collect();
        assert_eq!(
            inactive, removed,
            "the devices not active are the removed ones"
        );
        for (id, cutoff) in &self.removed {
            let d = state.device(id).expect("known");
            assert_eq!(d.cutoff_log_seq, Some(*cutoff));
            assert_eq!(state.author_at_log(id, *cutoff), AuthorVerdict::Allowed);
            if let Some(after) = cutoff.checked_add(1) {
                assert_eq!(state.author_at_log(id, after), AuthorVerdict::AfterRemoval);
            }
        }
        for (id, _) in state.active() {
            assert_eq!(state.author_at_log(id, u64::MAX), AuthorVerdict::Allowed);
        }
        assert_eq!(state.author_at_log(&NOBODY, 0), AuthorVerdict::Unknown);

        let recipients: Vec<&Vec<DeviceId>> =
            state.epochs().iter().map(|e| &e.recipients).collect();
        assert_eq!(recipients, self.epochs.iter().collect::<Vec<_>>());
        for (n, e) in (1..).zip(state.epochs()) {
            assert_eq!(e.epoch, n);
            assert!(state.key_matches(n, &crate::record::epoch_key(n)));
        }

        for i in 0..INVITES {
            let id = invite(i).id;
            let used = state.invite(&id).and_then(|i| i.used_by);
            assert_eq!(used, self.used.get(&id).copied());
        }
        let mut vias = BTreeSet::new();
        for (_, d) in state.devices() {
            if let Some(v) = d.via_invite {
                assert!(vias.insert(v), "two devices joined with one invite");
            }
        }

        assert_eq!(self.accepted.len() as u64, state.seq() + 1);
        let last = self.accepted.last().expect("the founding entry");
        assert_eq!(state.head(), entry_hash(last.bytes()));
    }

    /// After the last step: the whole record verified at once is the record grown entry by
    /// entry. (Once, not after every step: verifying every prefix would make an input cost
    /// the square of its length; an input cut after any step is an input too.)
    fn finish(&self) {
        let state = &self.state;
        let replayed = RecordState::verify_all(TEAM, self.accepted.iter().map(|e| e.bytes()))
            .expect("the accepted entries verify");
        assert_eq!(
            &replayed, state,
            "verify_all differs from the entries applied one by one"
        );
    }
}
