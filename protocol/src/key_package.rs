//! Key packages: a new team key epoch, sealed for one device and signed by the admin device
//! that made it. When a device is revoked, the admin seals the next epoch's key once for each
//! remaining device and parks the packages on the relay, which hands each device its own.
//!
//! Each device's X25519 key is derived from its Ed25519 key (the Ed25519 secret scalar, and
//! the public key's Montgomery form), so the relay's device list is enough to address a
//! package; see <https://eprint.iacr.org/2021/509> on using one key pair for both.
//!
//! Sealing: a fresh X25519 ephemeral key per package; `HKDF-SHA256(DH(ephemeral, recipient),
//! info = context ‖ header ‖ recipient's public key)` gives the key for XChaCha20-Poly1305,
//! whose associated data is the header. The sender signs the whole package.
//!
//! Binary layout, version 1 (big-endian integers):
//! ```text
//! 0    magic "TNK1"           4
//! 4    team id                16
//! 20   epoch                  4
//! 24   from device id         16
//! 40   to device id           16
//! 56   ephemeral X25519 key   32
//! 88   nonce                  24
//! 112  ciphertext             48     the 32-byte team key and the tag; AAD = bytes 0..88
//! 160  signature              64     Ed25519 over "tandem key package v1\0" ‖ bytes 0..160
//! ```

use crate::envelope::TeamKey;
use crate::ids::{DeviceId, TeamId};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use curve25519_dalek::montgomery::MontgomeryPoint;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

const MAGIC: [u8; 4] = *b"TNK1";
const HEADER_LEN: usize = 88;
const NONCE_AT: usize = 88;
const CIPHERTEXT_AT: usize = 112;
const SIGNATURE_AT: usize = 160;
/// Bytes in a key package.
pub const KEY_PACKAGE_LEN: usize = 224;
const SIGNING_CONTEXT: &[u8] = b"tandem key package v1\0";
const KDF_CONTEXT: &[u8] = b"tandem key package key v1\0";

/// What can be wrong with a key package.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyPackageError {
    /// Not 224 bytes, or not a version 1 key package.
    #[error("not a version 1 Tandem key package")]
    Malformed,
    /// The signature does not verify with the sender's key.
    #[error("bad key package signature")]
    BadSignature,
    /// Not sealed for this device, altered, or the recipient's key is not a usable key.
    #[error("key package cannot be opened")]
    CannotOpen,
    /// Epoch 0 is not an epoch; epoch 1 is made with the team, never delivered this way.
    #[error("a key package cannot carry epoch {0}")]
    BadEpoch(u32),
}

/// The clear part of a key package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyPackageHeader {
    /// The team.
    pub team: TeamId,
    /// The epoch of the key inside.
    pub epoch: u32,
    /// The admin device that made and signed it.
    pub from: DeviceId,
    /// The device it is sealed for.
    pub to: DeviceId,
}

/// A sealed, signed key package (its signature not checked yet when parsed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPackage {
    header: KeyPackageHeader,
    bytes: Vec<u8>,
}

fn id_at(b: &[u8], at: usize) -> [u8; 16] {
    let mut out = [0u8; 16];
    out.copy_from_slice(&b[at..at + 16]);
    out
}

fn signing_message(signed_part: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(SIGNING_CONTEXT.len() + signed_part.len());
    m.extend_from_slice(SIGNING_CONTEXT);
    m.extend_from_slice(signed_part);
    m
}

/// The AEAD key from a DH output, bound to the header and the recipient's public key.
fn package_key(
    shared: &MontgomeryPoint,
    header: &[u8],
    recipient: &MontgomeryPoint,
) -> Result<Zeroizing<[u8; 32]>, KeyPackageError> {
    // An all-zero output means a low-order point: no secret was agreed.
    if shared.as_bytes().iter().all(|b| *b == 0) {
        return Err(KeyPackageError::CannotOpen);
    }
    let mut info = Vec::with_capacity(KDF_CONTEXT.len() + header.len() + 32);
    info.extend_from_slice(KDF_CONTEXT);
    info.extend_from_slice(header);
    info.extend_from_slice(recipient.as_bytes());
    let mut okm = Zeroizing::new([0u8; 32]);
    Hkdf::<Sha256>::new(None, shared.as_bytes())
        .expand(&info, okm.as_mut())
        .map_err(|_| KeyPackageError::CannotOpen)?;
    Ok(okm)
}

/// What to seal: the key, for whom, by whom.
#[derive(Debug)]
pub struct NewKeyPackage<'a> {
    /// The team.
    pub team: TeamId,
    /// The new epoch's key.
    pub key: &'a TeamKey,
    /// The sending (admin) device.
    pub from: DeviceId,
    /// Its signing key.
    pub signer: &'a SigningKey,
    /// The recipient device.
    pub to: DeviceId,
    /// The recipient's Ed25519 public key.
    pub to_key: &'a VerifyingKey,
}

impl NewKeyPackage<'_> {
    /// Seals and signs. `ephemeral` and `nonce` must be secret, unpredictable and never reused
    /// with another key or recipient (the caller's RNG, or derived from the new key and the
    /// recipient: this crate has no randomness).
    pub fn seal(
        &self,
        ephemeral: [u8; 32],
        nonce: [u8; 24],
    ) -> Result<KeyPackage, KeyPackageError> {
        if self.key.epoch < 2 {
            return Err(KeyPackageError::BadEpoch(self.key.epoch));
        }
        let ephemeral = Zeroizing::new(ephemeral);
        let ephemeral_pub = MontgomeryPoint::mul_base_clamped(*ephemeral);
        let recipient = self.to_key.to_montgomery();
        let mut bytes = Vec::with_capacity(KEY_PACKAGE_LEN);
        bytes.extend_from_slice(&MAGIC);
        bytes.extend_from_slice(&self.team.0);
        bytes.extend_from_slice(&self.key.epoch.to_be_bytes());
        bytes.extend_from_slice(&self.from.0);
        bytes.extend_from_slice(&self.to.0);
        bytes.extend_from_slice(ephemeral_pub.as_bytes());
        let shared = recipient.mul_clamped(*ephemeral);
        let aead_key = package_key(&shared, &bytes[..HEADER_LEN], &recipient)?;
        let ciphertext = XChaCha20Poly1305::new(aead_key.as_ref().into())
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: self.key.bytes(),
                    aad: &bytes[..HEADER_LEN],
                },
            )
            .map_err(|_| KeyPackageError::CannotOpen)?;
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&ciphertext);
        let signature = self.signer.sign(&signing_message(&bytes));
        bytes.extend_from_slice(&signature.to_bytes());
        KeyPackage::parse(bytes)
    }
}

impl KeyPackage {
    /// Parses the layout (nothing is trusted yet).
    pub fn parse(bytes: Vec<u8>) -> Result<Self, KeyPackageError> {
        if bytes.len() != KEY_PACKAGE_LEN || bytes[..4] != MAGIC {
            return Err(KeyPackageError::Malformed);
        }
        let mut epoch = [0u8; 4];
        epoch.copy_from_slice(&bytes[20..24]);
        let header = KeyPackageHeader {
            team: TeamId(id_at(&bytes, 4)),
            epoch: u32::from_be_bytes(epoch),
            from: DeviceId(id_at(&bytes, 24)),
            to: DeviceId(id_at(&bytes, 40)),
        };
        Ok(Self { header, bytes })
    }

    /// The clear header (claimed until [`KeyPackage::verify`]).
    pub fn header(&self) -> &KeyPackageHeader {
        &self.header
    }

    /// The encoded package.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Checks the signature with the claimed sender's public key.
    pub fn verify(&self, from_key: &VerifyingKey) -> Result<(), KeyPackageError> {
        let sig: [u8; 64] = self.bytes[SIGNATURE_AT..]
            .try_into()
            .map_err(|_| KeyPackageError::Malformed)?;
        from_key
            .verify(
                &signing_message(&self.bytes[..SIGNATURE_AT]),
                &Signature::from_bytes(&sig),
            )
            .map_err(|_| KeyPackageError::BadSignature)
    }

    /// Checks the sender's signature, then opens the key with the recipient's signing key.
    pub fn open(
        &self,
        from_key: &VerifyingKey,
        recipient: &SigningKey,
    ) -> Result<TeamKey, KeyPackageError> {
        self.verify(from_key)?;
        if self.header.epoch < 2 {
            return Err(KeyPackageError::BadEpoch(self.header.epoch));
        }
        let mut eph = [0u8; 32];
        eph.copy_from_slice(&self.bytes[56..88]);
        let ephemeral_pub = MontgomeryPoint(eph);
        let secret = Zeroizing::new(recipient.to_scalar_bytes());
        let shared = ephemeral_pub.mul_clamped(*secret);
        let own_pub = recipient.verifying_key().to_montgomery();
        let aead_key = package_key(&shared, &self.bytes[..HEADER_LEN], &own_pub)?;
        let plain = Zeroizing::new(
            XChaCha20Poly1305::new(aead_key.as_ref().into())
                .decrypt(
                    XNonce::from_slice(&self.bytes[NONCE_AT..CIPHERTEXT_AT]),
                    Payload {
                        msg: &self.bytes[CIPHERTEXT_AT..SIGNATURE_AT],
                        aad: &self.bytes[..HEADER_LEN],
                    },
                )
                .map_err(|_| KeyPackageError::CannotOpen)?,
        );
        let key: [u8; 32] = plain
            .as_slice()
            .try_into()
            .map_err(|_| KeyPackageError::CannotOpen)?;
        Ok(TeamKey::new(self.header.epoch, key))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use rand::RngCore;

    struct Setup {
        admin: SigningKey,
        bob: SigningKey,
        key: TeamKey,
        package: KeyPackage,
    }

    fn setup() -> Setup {
        let admin = SigningKey::generate(&mut rand::rngs::OsRng);
        let bob = SigningKey::generate(&mut rand::rngs::OsRng);
        let mut raw = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut raw);
        let key = TeamKey::new(2, raw);
        let mut eph = [0u8; 32];
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut eph);
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let package = NewKeyPackage {
            team: TeamId([1; 16]),
            key: &key,
            from: DeviceId([2; 16]),
            signer: &admin,
            to: DeviceId([3; 16]),
            to_key: &bob.verifying_key(),
        }
        .seal(eph, nonce)
        .unwrap();
        Setup {
            admin,
            bob,
            key,
            package,
        }
    }

    #[test]
    fn seal_parse_open_round_trip() {
        let s = setup();
        let parsed = KeyPackage::parse(s.package.bytes().to_vec()).unwrap();
        assert_eq!(
            *parsed.header(),
            KeyPackageHeader {
                team: TeamId([1; 16]),
                epoch: 2,
                from: DeviceId([2; 16]),
                to: DeviceId([3; 16]),
            }
        );
        let opened = parsed.open(&s.admin.verifying_key(), &s.bob).unwrap();
        assert_eq!(opened.epoch, 2);
        assert_eq!(opened.bytes(), s.key.bytes());
        // The key is not in the clear anywhere in the package.
        assert!(!s
            .package
            .bytes()
            .windows(32)
            .any(|w| w == s.key.bytes().as_slice()));
    }

    #[test]
    fn another_device_cannot_open_it() {
        let s = setup();
        let eve = SigningKey::generate(&mut rand::rngs::OsRng);
        assert_eq!(
            s.package.open(&s.admin.verifying_key(), &eve).err(),
            Some(KeyPackageError::CannotOpen)
        );
        // Not even the sender can open what it sealed for someone else.
        assert_eq!(
            s.package.open(&s.admin.verifying_key(), &s.admin).err(),
            Some(KeyPackageError::CannotOpen)
        );
    }

    #[test]
    fn every_flipped_byte_is_refused() {
        let s = setup();
        let vk = s.admin.verifying_key();
        for i in 0..KEY_PACKAGE_LEN {
            let mut b = s.package.bytes().to_vec();
            b[i] ^= 0x01;
            let r = KeyPackage::parse(b).and_then(|p| p.open(&vk, &s.bob));
            assert!(r.is_err(), "byte {i} flipped was accepted");
        }
    }

    #[test]
    fn a_resigned_header_change_does_not_open() {
        // Someone who can sign (another admin) cannot redirect a package to another epoch or
        // team: the header is bound into the key derivation and the associated data.
        let s = setup();
        for at in [4usize, 20, 24, 40] {
            let mut b = s.package.bytes().to_vec();
            b[at + 3] ^= 0x01;
            let sig = s.admin.sign(&signing_message(&b[..SIGNATURE_AT]));
            b[SIGNATURE_AT..].copy_from_slice(&sig.to_bytes());
            let p = KeyPackage::parse(b).unwrap();
            assert!(p.verify(&s.admin.verifying_key()).is_ok());
            assert!(p.open(&s.admin.verifying_key(), &s.bob).is_err(), "{at}");
        }
    }

    #[test]
    fn wrong_sender_key_and_bad_inputs_are_refused() {
        let s = setup();
        let other = SigningKey::generate(&mut rand::rngs::OsRng);
        assert_eq!(
            s.package.open(&other.verifying_key(), &s.bob).err(),
            Some(KeyPackageError::BadSignature)
        );
        for cut in [0, 4, 100, KEY_PACKAGE_LEN - 1] {
            assert_eq!(
                KeyPackage::parse(s.package.bytes()[..cut].to_vec()),
                Err(KeyPackageError::Malformed)
            );
        }
        let first = TeamKey::new(1, [7; 32]);
        let r = NewKeyPackage {
            team: TeamId([1; 16]),
            key: &first,
            from: DeviceId([2; 16]),
            signer: &s.admin,
            to: DeviceId([3; 16]),
            to_key: &s.bob.verifying_key(),
        }
        .seal([5; 32], [6; 24]);
        assert_eq!(r, Err(KeyPackageError::BadEpoch(1)));
    }
}
