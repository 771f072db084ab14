//! The hashes and keys the record's entries refer to.

use crate::ids::{DeviceId, TeamId};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use hkdf::Hkdf;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

const HASH_CONTEXT: &[u8] = b"tandem record hash v1\0";
const COMMITMENT_CONTEXT: &[u8] = b"tandem epoch key v1\0";
const INVITE_KEY_INFO: &[u8] = b"tandem invite key v1\0";
const JOIN_CONTEXT: &[u8] = b"tandem join v1\0";

/// `SHA-256("tandem record hash v1\0" ‖ every byte of the entry)`: what the next entry's
/// `prev` names. Its first 16 bytes are the entry's record tag.
pub fn entry_hash(bytes: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(HASH_CONTEXT);
    h.update(bytes);
    h.finalize().into()
}

/// `SHA-256("tandem epoch key v1\0" ‖ team ‖ epoch ‖ key)`: the record commits to each
/// epoch's key with this, so a key from anywhere is taken only if it matches.
pub fn key_commitment(team: TeamId, epoch: u32, key: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(COMMITMENT_CONTEXT);
    h.update(team.0);
    h.update(epoch.to_be_bytes());
    h.update(key);
    h.finalize().into()
}

/// The record's id of an invite: the first 16 bytes of its token's hash
/// ([`crate::invite::InviteCode::token_hash`]).
pub fn invite_id(token_hash: &[u8; 32]) -> [u8; 16] {
    let mut id = [0u8; 16];
    id.copy_from_slice(&token_hash[..16]);
    id
}

/// The invite's signing key, from the code's wrap secret (which never reaches the relay):
/// an Ed25519 key from `HKDF-SHA256(ikm = wrap, salt = team, info = "tandem invite key v1\0")`.
pub fn invite_signing_key(team: TeamId, wrap: &[u8]) -> SigningKey {
    let mut okm = Zeroizing::new([0u8; 32]);
    // 32 bytes is far below HKDF-SHA256's limit, so expanding cannot fail.
    let _ = Hkdf::<Sha256>::new(Some(&team.0), wrap).expand(INVITE_KEY_INFO, okm.as_mut());
    SigningKey::from_bytes(&okm)
}

/// What a join proof signs.
pub(crate) fn join_message(
    team: TeamId,
    seq: u64,
    prev: &[u8; 32],
    device: DeviceId,
    device_key: &[u8; 32],
    member: &[u8; 16],
) -> Vec<u8> {
    let mut m = Vec::with_capacity(JOIN_CONTEXT.len() + 16 + 8 + 32 + 16 + 32 + 16);
    m.extend_from_slice(JOIN_CONTEXT);
    m.extend_from_slice(&team.0);
    m.extend_from_slice(&seq.to_be_bytes());
    m.extend_from_slice(prev);
    m.extend_from_slice(&device.0);
    m.extend_from_slice(device_key);
    m.extend_from_slice(member);
    m
}

/// The invite key's signature over `"tandem join v1\0" ‖ team ‖ seq ‖ prev ‖ device ‖
/// device_key ‖ member`: a `DeviceJoined` entry carries it to prove its author knew the code,
/// bound to the entry's position so it cannot be replayed elsewhere.
pub fn join_proof(
    invite_key: &SigningKey,
    team: TeamId,
    seq: u64,
    prev: &[u8; 32],
    device: DeviceId,
    device_key: &[u8; 32],
    member: &[u8; 16],
) -> [u8; 64] {
    invite_key
        .sign(&join_message(team, seq, prev, device, device_key, member))
        .to_bytes()
}

/// An Ed25519 public key that can verify (a point on the curve, not of small order).
pub(crate) fn usable_key(bytes: &[u8; 32]) -> Option<VerifyingKey> {
    VerifyingKey::from_bytes(bytes)
        .ok()
        .filter(|k| !k.is_weak())
}

/// `verify_strict` of `signature` over `message` by `key`.
pub(crate) fn verifies(key: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
    usable_key(key).is_some_and(|k| {
        k.verify_strict(message, &Signature::from_bytes(signature))
            .is_ok()
    })
}
