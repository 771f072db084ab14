//! Sealed envelopes: one Automerge change (or snapshot) of one document, encrypted under the
//! team key and signed by the device that wrote it.
//!
//! Binary layout, version 1 (big-endian integers):
//! ```text
//! 0   magic "TNE1"            4
//! 4   kind (0 change, 1 snapshot)   1
//! 5   team id                 16
//! 21  doc id                  16
//! 37  key epoch               4
//! 41  author device id        16
//! 57  nonce                   24
//! 81  ciphertext length       4
//! 85  ciphertext              n      XChaCha20-Poly1305, associated data = bytes 0..57
//! 85+n signature              64     Ed25519 over "tandem envelope v1\0" ‖ bytes 0..85+n
//! ```
//! The plaintext is `class (1) ‖ payload length (4) ‖ payload ‖ zero padding`, padded to a
//! size bucket so the relay learns little from sizes. The relay sees ids, epoch and author,
//! never the class of document nor its content.

use crate::ids::{DeviceId, DocId, TeamId};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

const MAGIC: [u8; 4] = *b"TNE1";
/// Bytes before the ciphertext.
pub const HEADER_LEN: usize = 85;
const AAD_LEN: usize = 57;
/// Bytes of the signature at the end.
pub const SIGNATURE_LEN: usize = 64;
/// The largest ciphertext an envelope may carry (a whole person's record fits many times).
pub const MAX_CIPHERTEXT: usize = 32 * 1024 * 1024;
const SIGNING_CONTEXT: &[u8] = b"tandem envelope v1\0";

/// What can be wrong with an envelope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// Shorter than the fixed parts.
    #[error("envelope truncated")]
    Truncated,
    /// Not a Tandem envelope, or a version this build does not know.
    #[error("not a version 1 Tandem envelope")]
    BadMagic,
    /// The kind byte is unknown.
    #[error("unknown envelope kind")]
    UnknownKind,
    /// The length field does not match the bytes.
    #[error("envelope length mismatch")]
    BadLength,
    /// Larger than allowed.
    #[error("envelope too large")]
    TooLarge,
    /// The signature does not verify with the author's key.
    #[error("bad envelope signature")]
    BadSignature,
    /// Decryption failed: wrong key or epoch, or the ciphertext or its header was altered.
    #[error("envelope cannot be opened (wrong key, or altered)")]
    CannotOpen,
    /// Decrypted, but the plaintext is not well formed.
    #[error("envelope plaintext malformed")]
    BadPlaintext,
    /// Sealed under an epoch this device has no key for.
    #[error("no key for epoch {0}")]
    UnknownEpoch(u32),
}

/// Change or snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EnvelopeKind {
    /// Incremental Automerge changes.
    Change = 0,
    /// A whole document, covering the log up to some sequence number.
    Snapshot = 1,
}

/// Which kind of document (sealed: the relay never sees it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocClass {
    /// The team document.
    Team = 0,
    /// A person's document.
    Person = 1,
    /// A month's street log.
    StreetLog = 2,
}

impl DocClass {
    fn from_byte(b: u8) -> Option<Self> {
        match b {
            0 => Some(Self::Team),
            1 => Some(Self::Person),
            2 => Some(Self::StreetLog),
            _ => None,
        }
    }
}

/// A team key of one epoch. Wiped on drop; never printed.
#[derive(Clone)]
pub struct TeamKey {
    /// The epoch it belongs to.
    pub epoch: u32,
    key: Zeroizing<[u8; 32]>,
}

impl TeamKey {
    /// Wraps raw key bytes.
    pub fn new(epoch: u32, key: [u8; 32]) -> Self {
        Self {
            epoch,
            key: Zeroizing::new(key),
        }
    }

    /// The raw bytes (to store in the encrypted vault).
    pub fn bytes(&self) -> &[u8; 32] {
        &self.key
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.key.as_ref().into())
    }
}

impl std::fmt::Debug for TeamKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TeamKey(epoch {}, …)", self.epoch)
    }
}

/// The clear part of an envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnvelopeHeader {
    /// Change or snapshot.
    pub kind: EnvelopeKind,
    /// The team.
    pub team: TeamId,
    /// The document.
    pub doc: DocId,
    /// The key epoch it is sealed under.
    pub epoch: u32,
    /// The device that wrote and signed it.
    pub author: DeviceId,
}

/// A change before sealing, or after opening. Cannot be sent as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainChange {
    /// Change or snapshot.
    pub kind: EnvelopeKind,
    /// The team.
    pub team: TeamId,
    /// The document.
    pub doc: DocId,
    /// Which kind of document.
    pub class: DocClass,
    /// Automerge bytes.
    pub payload: Vec<u8>,
}

/// The plaintext size bucket for `n` bytes: at least 256, then four steps per power of two
/// (at most 25% padding).
pub fn padded_len(n: usize) -> usize {
    if n <= 256 {
        return 256;
    }
    let k = usize::BITS - 1 - (n - 1).leading_zeros(); // 2^k < n <= 2^(k+1)
    let step = 1usize << (k - 2);
    n.div_ceil(step) * step
}

fn read_id(b: &[u8]) -> [u8; 16] {
    let mut out = [0u8; 16];
    out.copy_from_slice(&b[..16]);
    out
}

/// HKDF salt of the key that derives envelope nonces from a team key: a key of their own, so
/// a nonce says nothing about the team key and is never the output of the cipher's key.
const NONCE_SALT: &[u8] = b"tandem envelope nonce v2";

impl PlainChange {
    /// Seals and signs. `nonce` must be fresh random bytes (the caller's RNG: this crate has
    /// none).
    pub fn seal(
        &self,
        key: &TeamKey,
        author: DeviceId,
        signer: &SigningKey,
        nonce: [u8; 24],
    ) -> Result<SealedEnvelope, EnvelopeError> {
        self.seal_with(key, author, signer, |_, _| nonce)
    }

    /// Seals and signs with a nonce derived from everything the associated data binds (kind,
    /// team, document, epoch, author) and the plaintext, under a key of its own (HKDF-SHA256
    /// of the team key). Sealing the same change again gives the same envelope (a push
    /// retried after a lost answer is stored once); two envelopes that differ anywhere (two
    /// devices sealing the same snapshot, say) never share a nonce, so Poly1305's one-time
    /// key is never reused.
    pub fn seal_deterministic(
        &self,
        key: &TeamKey,
        author: DeviceId,
        signer: &SigningKey,
    ) -> Result<SealedEnvelope, EnvelopeError> {
        self.seal_with(key, author, signer, |aad, plain| {
            let mut nonce = [0u8; 24];
            hkdf::Hkdf::<Sha256>::new(Some(NONCE_SALT), key.bytes())
                .expand_multi_info(&[aad, plain], &mut nonce)
                .map(|()| nonce)
                // 24 bytes is far below HKDF-SHA256's limit (8160).
                .unwrap_or_default()
        })
    }

    fn seal_with(
        &self,
        key: &TeamKey,
        author: DeviceId,
        signer: &SigningKey,
        nonce_of: impl FnOnce(&[u8], &[u8]) -> [u8; 24],
    ) -> Result<SealedEnvelope, EnvelopeError> {
        let body_len = 5 + self.payload.len();
        let mut plain = Zeroizing::new(Vec::with_capacity(padded_len(body_len)));
        plain.push(self.class as u8);
        plain.extend_from_slice(&(self.payload.len() as u32).to_be_bytes());
        plain.extend_from_slice(&self.payload);
        plain.resize(padded_len(body_len), 0);

        let header = EnvelopeHeader {
            kind: self.kind,
            team: self.team,
            doc: self.doc,
            epoch: key.epoch,
            author,
        };
        let mut bytes = Vec::with_capacity(HEADER_LEN + plain.len() + 16 + SIGNATURE_LEN);
        bytes.extend_from_slice(&MAGIC);
        bytes.push(header.kind as u8);
        bytes.extend_from_slice(&header.team.0);
        bytes.extend_from_slice(&header.doc.0);
        bytes.extend_from_slice(&header.epoch.to_be_bytes());
        bytes.extend_from_slice(&header.author.0);
        let nonce = nonce_of(&bytes[..AAD_LEN], &plain);
        let ciphertext = key
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &plain,
                    aad: &bytes[..AAD_LEN],
                },
            )
            .map_err(|_| EnvelopeError::CannotOpen)?;
        if ciphertext.len() > MAX_CIPHERTEXT {
            return Err(EnvelopeError::TooLarge);
        }
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&(ciphertext.len() as u32).to_be_bytes());
        bytes.extend_from_slice(&ciphertext);
        let signature = signer.sign(&signing_message(&bytes));
        bytes.extend_from_slice(&signature.to_bytes());
        Ok(SealedEnvelope { header, bytes })
    }
}

fn signing_message(signed_part: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(SIGNING_CONTEXT.len() + signed_part.len());
    m.extend_from_slice(SIGNING_CONTEXT);
    m.extend_from_slice(signed_part);
    m
}

/// An envelope parsed from bytes whose signature has not been checked yet.
#[derive(Debug, Clone)]
pub struct UncheckedEnvelope {
    header: EnvelopeHeader,
    bytes: Vec<u8>,
}

impl UncheckedEnvelope {
    /// Parses the layout (nothing is trusted yet).
    pub fn parse(bytes: Vec<u8>) -> Result<Self, EnvelopeError> {
        if bytes.len() < HEADER_LEN + SIGNATURE_LEN {
            return Err(EnvelopeError::Truncated);
        }
        if bytes[..4] != MAGIC {
            return Err(EnvelopeError::BadMagic);
        }
        let kind = match bytes[4] {
            0 => EnvelopeKind::Change,
            1 => EnvelopeKind::Snapshot,
            _ => return Err(EnvelopeError::UnknownKind),
        };
        let mut len4 = [0u8; 4];
        len4.copy_from_slice(&bytes[81..85]);
        let n = u32::from_be_bytes(len4) as usize;
        if n > MAX_CIPHERTEXT {
            return Err(EnvelopeError::TooLarge);
        }
        if bytes.len() != HEADER_LEN + n + SIGNATURE_LEN || n < 16 {
            return Err(EnvelopeError::BadLength);
        }
        len4.copy_from_slice(&bytes[37..41]);
        let header = EnvelopeHeader {
            kind,
            team: TeamId(read_id(&bytes[5..])),
            doc: DocId(read_id(&bytes[21..])),
            epoch: u32::from_be_bytes(len4),
            author: DeviceId(read_id(&bytes[41..])),
        };
        Ok(Self { header, bytes })
    }

    /// The clear header (who claims to have written it, for which team and document).
    pub fn header(&self) -> &EnvelopeHeader {
        &self.header
    }

    /// Checks the signature with the claimed author's public key.
    pub fn verify(self, author_key: &VerifyingKey) -> Result<SealedEnvelope, EnvelopeError> {
        self.verify_or_keep(author_key).map_err(|(e, _)| e)
    }

    /// [`Self::verify`], giving the envelope back unchanged when it does not verify (to be
    /// kept aside, never applied).
    pub fn verify_or_keep(
        self,
        author_key: &VerifyingKey,
    ) -> Result<SealedEnvelope, (EnvelopeError, Self)> {
        match self.check(author_key) {
            Ok(()) => Ok(SealedEnvelope {
                header: self.header,
                bytes: self.bytes,
            }),
            Err(e) => Err((e, self)),
        }
    }

    /// The bytes as received, unchecked: to keep aside, never to apply.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// Whether the signature checks with `author_key`.
    fn check(&self, author_key: &VerifyingKey) -> Result<(), EnvelopeError> {
        let split = self.bytes.len() - SIGNATURE_LEN;
        let sig: [u8; 64] = self.bytes[split..]
            .try_into()
            .map_err(|_| EnvelopeError::Truncated)?;
        author_key
            .verify(
                &signing_message(&self.bytes[..split]),
                &Signature::from_bytes(&sig),
            )
            .map_err(|_| EnvelopeError::BadSignature)
    }
}

/// A sealed, signed envelope: what may be stored, sent and relayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedEnvelope {
    header: EnvelopeHeader,
    bytes: Vec<u8>,
}

impl SealedEnvelope {
    /// The clear header.
    pub fn header(&self) -> &EnvelopeHeader {
        &self.header
    }

    /// The encoded envelope.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Consumes it into its bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// Its id: the SHA-256 of its bytes (sending it twice stores it once).
    pub fn id(&self) -> [u8; 32] {
        envelope_id(&self.bytes)
    }

    /// Decrypts with the team key of its epoch. Any change to the header or ciphertext makes
    /// this fail.
    pub fn open(&self, key: &TeamKey) -> Result<PlainChange, EnvelopeError> {
        if key.epoch != self.header.epoch {
            return Err(EnvelopeError::UnknownEpoch(self.header.epoch));
        }
        let end = self.bytes.len() - SIGNATURE_LEN;
        let nonce = &self.bytes[57..81];
        let plain = Zeroizing::new(
            key.cipher()
                .decrypt(
                    XNonce::from_slice(nonce),
                    Payload {
                        msg: &self.bytes[HEADER_LEN..end],
                        aad: &self.bytes[..AAD_LEN],
                    },
                )
                .map_err(|_| EnvelopeError::CannotOpen)?,
        );
        if plain.len() < 5 {
            return Err(EnvelopeError::BadPlaintext);
        }
        let class = DocClass::from_byte(plain[0]).ok_or(EnvelopeError::BadPlaintext)?;
        let mut len4 = [0u8; 4];
        len4.copy_from_slice(&plain[1..5]);
        let n = u32::from_be_bytes(len4) as usize;
        if 5 + n > plain.len() || plain[5 + n..].iter().any(|b| *b != 0) {
            return Err(EnvelopeError::BadPlaintext);
        }
        Ok(PlainChange {
            kind: self.header.kind,
            team: self.header.team,
            doc: self.header.doc,
            class,
            payload: plain[5..5 + n].to_vec(),
        })
    }
}

/// The id of an envelope's bytes.
pub fn envelope_id(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use rand::RngCore;

    fn ids() -> (TeamId, DocId, DeviceId) {
        (TeamId([1; 16]), DocId([2; 16]), DeviceId([3; 16]))
    }

    fn sealed(payload: &[u8]) -> (SealedEnvelope, TeamKey, SigningKey) {
        let (team, doc, dev) = ids();
        let key = TeamKey::new(1, [9; 32]);
        let signer = SigningKey::generate(&mut rand::rngs::OsRng);
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let plain = PlainChange {
            kind: EnvelopeKind::Change,
            team,
            doc,
            class: DocClass::Person,
            payload: payload.to_vec(),
        };
        (plain.seal(&key, dev, &signer, nonce).unwrap(), key, signer)
    }

    #[test]
    fn seal_parse_verify_open_round_trip() {
        let (env, key, signer) = sealed(b"automerge bytes");
        let parsed = UncheckedEnvelope::parse(env.bytes().to_vec()).unwrap();
        let verified = parsed.verify(&signer.verifying_key()).unwrap();
        assert_eq!(verified, env);
        let plain = verified.open(&key).unwrap();
        assert_eq!(plain.payload, b"automerge bytes");
        assert_eq!(plain.class, DocClass::Person);
    }

    /// The nonce of an envelope, as stored in it.
    fn nonce_of(env: &SealedEnvelope) -> [u8; 24] {
        env.bytes()[57..81].try_into().unwrap()
    }

    #[test]
    fn deterministic_sealing_repeats_itself_and_never_shares_a_nonce_across_envelopes() {
        let (team, doc, dev) = ids();
        let key = TeamKey::new(1, [9; 32]);
        let signer = SigningKey::generate(&mut rand::rngs::OsRng);
        let plain = PlainChange {
            kind: EnvelopeKind::Snapshot,
            team,
            doc,
            class: DocClass::Person,
            payload: b"the same snapshot".to_vec(),
        };
        let once = plain.seal_deterministic(&key, dev, &signer).unwrap();
        let again = plain.seal_deterministic(&key, dev, &signer).unwrap();
        assert_eq!(
            once.bytes(),
            again.bytes(),
            "a retried push is byte-identical"
        );
        assert_eq!(once.open(&key).unwrap(), plain);
        // Two devices sealing the same snapshot: the associated data differs (the author), so
        // the nonce must too, or Poly1305's one-time key would serve two messages.
        let other = plain
            .seal_deterministic(&key, DeviceId([4; 16]), &signer)
            .unwrap();
        assert_ne!(nonce_of(&once), nonce_of(&other));
        let mut variants = vec![nonce_of(&once), nonce_of(&other)];
        for changed in [
            PlainChange {
                kind: EnvelopeKind::Change,
                ..plain.clone()
            },
            PlainChange {
                doc: DocId([5; 16]),
                ..plain.clone()
            },
            PlainChange {
                team: TeamId([6; 16]),
                ..plain.clone()
            },
            PlainChange {
                class: DocClass::Team,
                ..plain.clone()
            },
            PlainChange {
                payload: b"another snapshot".to_vec(),
                ..plain.clone()
            },
        ] {
            variants.push(nonce_of(
                &changed.seal_deterministic(&key, dev, &signer).unwrap(),
            ));
        }
        let epoch2 = TeamKey::new(2, [9; 32]);
        variants.push(nonce_of(
            &plain.seal_deterministic(&epoch2, dev, &signer).unwrap(),
        ));
        let mut unique = variants.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), variants.len(), "two envelopes share a nonce");
    }

    #[test]
    fn every_flipped_byte_is_refused() {
        let (env, key, signer) = sealed(b"hello");
        let vk = signer.verifying_key();
        for i in 0..env.bytes().len() {
            let mut b = env.bytes().to_vec();
            b[i] ^= 0x01;
            let result = UncheckedEnvelope::parse(b)
                .and_then(|u| u.verify(&vk))
                .and_then(|s| s.open(&key));
            assert!(result.is_err(), "byte {i} flipped was accepted");
        }
    }

    #[test]
    fn header_swap_fails_to_open_even_when_resigned() {
        // A member who re-signs an envelope under another doc id cannot make it open.
        let (env, key, signer) = sealed(b"hello");
        let mut b = env.bytes().to_vec();
        b[21] ^= 0xff; // doc id
        let split = b.len() - SIGNATURE_LEN;
        let sig = signer.sign(&signing_message(&b[..split]));
        b[split..].copy_from_slice(&sig.to_bytes());
        let env2 = UncheckedEnvelope::parse(b)
            .unwrap()
            .verify(&signer.verifying_key())
            .unwrap();
        assert_eq!(env2.open(&key), Err(EnvelopeError::CannotOpen));
    }

    #[test]
    fn wrong_key_or_epoch_cannot_open() {
        let (env, _, _) = sealed(b"hello");
        assert_eq!(
            env.open(&TeamKey::new(1, [8; 32])),
            Err(EnvelopeError::CannotOpen)
        );
        assert_eq!(
            env.open(&TeamKey::new(2, [9; 32])),
            Err(EnvelopeError::UnknownEpoch(1))
        );
    }

    #[test]
    fn sizes_are_padded_to_buckets() {
        assert_eq!(padded_len(1), 256);
        assert_eq!(padded_len(256), 256);
        assert_eq!(padded_len(257), 320);
        assert_eq!(padded_len(1000), 1024);
        assert_eq!(padded_len(1025), 1280);
        for n in [300usize, 5000, 70_000, 1_000_000] {
            let p = padded_len(n);
            assert!(p >= n && p <= n + n / 4 + 1, "{n} -> {p}");
        }
        let (a, _, _) = sealed(&[1u8; 10]);
        let (b, _, _) = sealed(&[1u8; 200]);
        assert_eq!(a.bytes().len(), b.bytes().len());
    }

    #[test]
    fn truncated_and_garbage_inputs_are_errors() {
        let (env, _, _) = sealed(b"hello");
        for cut in [0, 3, 10, HEADER_LEN, env.bytes().len() - 1] {
            assert!(UncheckedEnvelope::parse(env.bytes()[..cut].to_vec()).is_err());
        }
        assert!(UncheckedEnvelope::parse(vec![0u8; 500]).is_err());
    }
}
