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
