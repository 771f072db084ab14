//! Fixed keys and ids: the targets verify and open with these, and the seeds are made with
//! them, so a seed passes the signature checks and the fuzzer starts from inside.

use ed25519_dalek::SigningKey;
use std::sync::OnceLock;
use tandem_protocol::{DeviceId, DocId, TeamId, TeamKey};

/// The team of every seed.
pub const TEAM: TeamId = TeamId([0x7e; 16]);
/// A document.
pub const DOC: DocId = DocId([0xd0; 16]);
/// The device that writes and signs envelopes (and, as an admin, key packages).
pub const AUTHOR: DeviceId = DeviceId([0xa1; 16]);
/// The device key packages are sealed for.
pub const RECIPIENT: DeviceId = DeviceId([0xb2; 16]);
/// The relay identity signed into requests.
pub const RELAY_ID: &str = "relay-fuzz";
/// The key epoch of the seeds.
pub const EPOCH: u32 = 3;
/// A plausible relay clock (Unix ms) for the seeds' requests.
pub const NOW_MS: i64 = 1_780_000_000_000;

/// A signing key from fixed bytes, made once (deriving the public key costs a scalar
/// multiplication: per input, that would be most of a target's time).
fn fixed(cell: &'static OnceLock<SigningKey>, byte: u8) -> &'static SigningKey {
    cell.get_or_init(|| SigningKey::from_bytes(&[byte; 32]))
}

/// The author's (and admin's) signing key.
pub fn author() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    fixed(&KEY, 0x5a)
}

/// The recipient device's signing key (its X25519 key is derived from it).
pub fn recipient() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    fixed(&KEY, 0x6b)
}

/// A device that signed nothing here.
pub fn stranger() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    fixed(&KEY, 0x7c)
}

/// The team key of `epoch`.
pub fn team_key(epoch: u32) -> TeamKey {
    TeamKey::new(epoch, [0x4b; 32])
}

/// Another key claiming the same epoch.
pub fn wrong_team_key(epoch: u32) -> TeamKey {
    TeamKey::new(epoch, [0x4c; 32])
}

/// The team record's fixed devices (`protocol/src/record/`): their ids and signing keys, from
/// fixed seeds, with each public key derived once.
pub mod record {
    use ed25519_dalek::SigningKey;
    use std::sync::OnceLock;
    use tandem_protocol::record::invite_signing_key;
    use tandem_protocol::DeviceId;

    /// The founder (an admin), three members-to-be and a stranger, in this order.
    pub const DEVICES: usize = 5;
    /// The founder's index in [`device`].
    pub const FOUNDER: usize = 0;
    /// The stranger's index in [`device`]: never listed by a founding entry.
    pub const STRANGER: usize = DEVICES - 1;
    /// How many fixed invites there are ([`invite`]).
    pub const INVITES: usize = 4;

    /// A device of the record's fixtures.
    #[derive(Debug)]
    pub struct Device {
        /// Its id.
        pub id: DeviceId,
        /// Its signing key.
        pub key: SigningKey,
        /// Its public key.
        pub public: [u8; 32],
    }

    /// An invite of the record's fixtures.
    #[derive(Debug)]
    pub struct Invite {
        /// Its id in the record.
        pub id: [u8; 16],
        /// Its signing key (`invite_signing_key` of a fixed wrap secret).
        pub key: SigningKey,
        /// Its public key, what an `InviteCreated` entry carries.
        pub public: [u8; 32],
    }

    /// Device `i % DEVICES`.
    pub fn device(i: usize) -> &'static Device {
        static ALL: OnceLock<Vec<Device>> = OnceLock::new();
        let all = ALL.get_or_init(|| {
            (0..DEVICES as u8)
                .map(|n| {
                    let key = SigningKey::from_bytes(&[0x90 + n; 32]);
                    Device {
                        id: DeviceId([0xc0 + n; 16]),
                        public: key.verifying_key().to_bytes(),
                        key,
                    }
                })
                .collect()
        });
        &all[i % DEVICES]
    }

    /// The fixed device with this id, if it is one.
    pub fn device_by_id(id: &DeviceId) -> Option<&'static Device> {
        (0..DEVICES).map(device).find(|d| d.id == *id)
    }

    /// Invite `i % INVITES`, for the team [`super::TEAM`].
    pub fn invite(i: usize) -> &'static Invite {
        static ALL: OnceLock<Vec<Invite>> = OnceLock::new();
        let all = ALL.get_or_init(|| {
            (0..INVITES as u8)
                .map(|n| {
                    let key = invite_signing_key(super::TEAM, &[0xe0 + n; 10]);
                    Invite {
                        id: [0x10 + n; 16],
                        public: key.verifying_key().to_bytes(),
                        key,
                    }
                })
                .collect()
        });
        &all[i % INVITES]
    }
}
