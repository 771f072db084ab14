//! Team records made from the fixed devices ([`crate::fixtures::record`]): what the record
//! targets start from and what their seeds are made of.

use crate::fixtures::record::{device, invite, FOUNDER};
use crate::fixtures::{NOW_MS, TEAM};
use std::sync::OnceLock;
use tandem_protocol::api::DeviceRole;
use tandem_protocol::record::{
    join_proof, key_commitment, EntryBody, FoundingDevice, NewEntry, Origin, RecordState,
    UncheckedEntry,
};
use tandem_protocol::DeviceId;

/// The clock of the first entry (Unix ms).
pub const T0: u64 = NOW_MS as u64;
/// A day (ms).
pub const DAY: u64 = 24 * 60 * 60 * 1000;

/// The key of an epoch: fixed, so its commitment is too.
pub fn epoch_key(epoch: u32) -> [u8; 32] {
    [epoch as u8; 32]
}

/// The commitment to [`epoch_key`] for [`TEAM`].
pub fn commitment(epoch: u32) -> [u8; 32] {
    key_commitment(TEAM, epoch, &epoch_key(epoch))
}

/// The person a fixed device belongs to.
pub fn member_of(i: usize) -> [u8; 16] {
    [0x50 + i as u8; 16]
}

/// A founding entry's line for fixed device `i`.
pub fn founding_device(i: usize, role: DeviceRole, removed: bool) -> FoundingDevice {
    FoundingDevice {
        device: device(i).id,
        key: device(i).public,
        role,
        removed,
        member: member_of(i),
    }
}

/// A new team's founding entry: the founder alone, epoch 1.
pub fn founding_new() -> UncheckedEntry {
    NewEntry {
        team: TEAM,
        seq: 0,
        prev: [0; 32],
        author: device(FOUNDER).id,
        time_ms: T0,
        body: EntryBody::Founding {
            origin: Origin::New,
            devices: vec![founding_device(FOUNDER, DeviceRole::Admin, false)],
            epochs: vec![(1, commitment(1))],
            legacy_log_head: 0,
        },
    }
    .sign(&device(FOUNDER).key)
}

/// A migrated team's founding entry: the founder, an admin, a member and a removed member;
/// epochs 1 to 3.
pub fn founding_migrated() -> UncheckedEntry {
    NewEntry {
        team: TEAM,
        seq: 0,
        prev: [0; 32],
        author: device(FOUNDER).id,
        time_ms: T0,
        body: EntryBody::Founding {
            origin: Origin::Migrated,
            devices: vec![
                founding_device(FOUNDER, DeviceRole::Admin, false),
                founding_device(1, DeviceRole::Admin, false),
                founding_device(2, DeviceRole::Member, false),
                founding_device(3, DeviceRole::Member, true),
            ],
            epochs: (1..=3).map(|e| (e, commitment(e))).collect(),
            legacy_log_head: 4_242,
        },
    }
    .sign(&device(FOUNDER).key)
}

/// A record and the entries that made it.
#[derive(Debug, Clone)]
pub struct Chain {
    /// The verified state.
    pub state: RecordState,
    /// Every entry applied, from seq 0.
    pub entries: Vec<UncheckedEntry>,
    /// The clock of the next entry.
    pub time: u64,
}

impl Chain {
    /// A record founded by `founding`, which must be valid.
    pub fn new(founding: UncheckedEntry) -> Self {
        let (state, _) = RecordState::found(TEAM, &founding).expect("a valid founding entry");
        Self {
            state,
            entries: vec![founding],
            time: T0 + 1000,
        }
    }

    /// The next entry, by fixed device `author`, signed with its key.
    pub fn next(&self, author: usize, body: EntryBody) -> UncheckedEntry {
        NewEntry {
            team: TEAM,
            seq: self.state.seq() + 1,
            prev: self.state.head(),
            author: device(author).id,
            time_ms: self.time,
            body,
        }
        .sign(&device(author).key)
    }

    /// A join by fixed device `joiner` with fixed invite `i`, as the next entry.
    pub fn join(&self, joiner: usize, i: usize) -> UncheckedEntry {
        let seq = self.state.seq() + 1;
        let prev = self.state.head();
        let d = device(joiner);
        let body = EntryBody::DeviceJoined {
            invite_id: invite(i).id,
            device_key: d.public,
            member: member_of(joiner),
            has_epochs_to: self.state.current_epoch(),
            invite_proof: join_proof(
                &invite(i).key,
                TEAM,
                seq,
                &prev,
                d.id,
                &d.public,
                &member_of(joiner),
            ),
        };
        self.next(joiner, body)
    }

    /// Applies `entry`, which must be valid.
    pub fn push(&mut self, entry: UncheckedEntry) {
        self.state.apply(&entry).expect("a valid entry");
        self.entries.push(entry);
        self.time += 1000;
    }

    /// The ids of the active devices, sorted.
    pub fn active(&self) -> Vec<DeviceId> {
        self.state.active().map(|(id, _)| *id).collect()
    }
}

/// An invite made at `time`, lasting a day.
pub fn invite_created(i: usize, time: u64) -> EntryBody {
    EntryBody::InviteCreated {
        invite_id: invite(i).id,
        invite_key: invite(i).public,
        expires_at_ms: time + DAY,
    }
}

/// The short record both record targets know: a new team; the founder invites device 1,
/// which joins and makes invite 1 (still open); the founder makes epoch 2 for both.
pub fn short_record() -> &'static Chain {
    static CHAIN: OnceLock<Chain> = OnceLock::new();
    CHAIN.get_or_init(|| {
        let mut c = Chain::new(founding_new());
        c.push(c.next(FOUNDER, invite_created(0, c.time)));
        c.push(c.join(1, 0));
        c.push(c.next(1, invite_created(1, c.time)));
        let body = EntryBody::KeyEpoch {
            epoch: 2,
            commitment: commitment(2),
            recipients: c.active(),
        };
        c.push(c.next(FOUNDER, body));
        c
    })
}
