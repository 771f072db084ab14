//! The wire layouts as the protocol's module docs write them, built here by hand: so a target
//! can sign bytes no honest encoder would make (what a hostile member or admin can send, since
//! a valid signature only says who sent it), and check the decoders against the documents.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ed25519_dalek::{Signer, SigningKey};
use tandem_protocol::envelope::{DocClass, EnvelopeKind};
use tandem_protocol::{DeviceId, DocId, TeamId, TeamKey};

/// `protocol/src/envelope.rs`: magic and signing context, version 1.
const ENVELOPE_MAGIC: &[u8; 4] = b"TNE1";
const ENVELOPE_CONTEXT: &[u8] = b"tandem envelope v1\0";
/// `protocol/src/key_package.rs`.
const PACKAGE_MAGIC: &[u8; 4] = b"TNK1";
const PACKAGE_CONTEXT: &[u8] = b"tandem key package v1\0";

/// The clear fields of an envelope.
#[derive(Debug, Clone, Copy)]
pub struct Header {
    /// The kind byte as sent (0 change, 1 snapshot; anything else is refused).
    pub kind: u8,
    /// The team.
    pub team: TeamId,
    /// The document.
    pub doc: DocId,
    /// The key epoch.
    pub epoch: u32,
    /// The author.
    pub author: DeviceId,
}

/// An envelope whose plaintext is `plain` exactly (no padding added), sealed under `key` with
/// the header as associated data and signed by `signer`: a valid envelope from a member who
/// does not follow the rules for what is inside.
pub fn envelope_with_plaintext(
    header: Header,
    key: &TeamKey,
    nonce: [u8; 24],
    plain: &[u8],
    signer: &SigningKey,
) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(85 + plain.len() + 16 + 64);
    bytes.extend_from_slice(ENVELOPE_MAGIC);
    bytes.push(header.kind);
    bytes.extend_from_slice(&header.team.0);
    bytes.extend_from_slice(&header.doc.0);
    bytes.extend_from_slice(&header.epoch.to_be_bytes());
    bytes.extend_from_slice(&header.author.0);
    let ciphertext = XChaCha20Poly1305::new(key.bytes().into())
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plain,
                aad: &bytes[..57],
            },
        )
        .unwrap_or_default();
    bytes.extend_from_slice(&nonce);
    bytes.extend_from_slice(&(ciphertext.len() as u32).to_be_bytes());
    bytes.extend_from_slice(&ciphertext);
    sign_appended(&mut bytes, ENVELOPE_CONTEXT, signer);
    bytes
}

fn sign_appended(bytes: &mut Vec<u8>, context: &[u8], signer: &SigningKey) {
    let mut message = context.to_vec();
    message.extend_from_slice(bytes);
    bytes.extend_from_slice(&signer.sign(&message).to_bytes());
}

/// What a plaintext holds, by the document: `class (1) ‖ payload length (4) ‖ payload ‖ zero
/// padding`, the class one of the three; `None` for anything else.
pub fn plaintext(plain: &[u8]) -> Option<(DocClass, &[u8])> {
    let class = match *plain.first()? {
        0 => DocClass::Team,
        1 => DocClass::Person,
        2 => DocClass::StreetLog,
        _ => return None,
    };
    let n = u32::from_be_bytes(plain.get(1..5)?.try_into().ok()?) as usize;
    let payload = plain.get(5..5usize.checked_add(n)?)?;
    plain[5 + n..]
        .iter()
        .all(|b| *b == 0)
        .then_some((class, payload))
}

/// The kind a kind byte stands for.
pub fn kind(byte: u8) -> Option<EnvelopeKind> {
    match byte {
        0 => Some(EnvelopeKind::Change),
        1 => Some(EnvelopeKind::Snapshot),
        _ => None,
    }
}

/// A key package's signed part as chosen (header fields, ephemeral key, nonce and 48 bytes of
/// ciphertext), signed by `signer`: what an admin who does not follow the rules can send.
pub fn key_package_signed(fields: &[u8; 156], signer: &SigningKey) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(224);
    bytes.extend_from_slice(PACKAGE_MAGIC);
    bytes.extend_from_slice(fields);
    sign_appended(&mut bytes, PACKAGE_CONTEXT, signer);
    bytes
}
