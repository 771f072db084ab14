//! Sealing this device's changes and snapshots into envelopes, and the mapping between the
//! vault's document kinds and the protocol's document classes.

use super::SyncError;
use crate::docs::DocKind;
use crate::vault::Vault;
use sha2::{Digest, Sha256};
use tandem_protocol::{DocClass, DocId, EnvelopeKind, PlainChange, SealedEnvelope, TeamKey};

fn class_of(kind: DocKind) -> DocClass {
    match kind {
        DocKind::Team => DocClass::Team,
        DocKind::Person => DocClass::Person,
        DocKind::StreetLog => DocClass::StreetLog,
    }
}

pub(super) fn kind_of(class: DocClass) -> DocKind {
    match class {
        DocClass::Team => DocKind::Team,
        DocClass::Person => DocKind::Person,
        DocClass::StreetLog => DocKind::StreetLog,
    }
}

/// The nonce is derived from the key and the plaintext, so sealing the same change twice
/// (a push retried after a lost answer) gives the same envelope, which the relay stores once.
/// Different plaintexts never share a nonce.
fn nonce_for(
    key: &TeamKey,
    doc: &DocId,
    class: DocClass,
    kind: EnvelopeKind,
    payload: &[u8],
) -> [u8; 24] {
    let mut h = Sha256::new();
    h.update(b"tandem envelope nonce v1\0");
    h.update(key.bytes());
    h.update(key.epoch.to_be_bytes());
    h.update(doc.0);
    h.update([class as u8, kind as u8]);
    h.update(payload);
    let d = h.finalize();
    let mut n = [0u8; 24];
    n.copy_from_slice(&d[..24]);
    n
}

pub(super) fn seal(
    v: &Vault,
    kind: EnvelopeKind,
    doc: DocId,
    doc_kind: DocKind,
    payload: Vec<u8>,
    key: &TeamKey,
) -> Result<SealedEnvelope, SyncError> {
    let class = class_of(doc_kind);
    let nonce = nonce_for(key, &doc, class, kind, &payload);
    let plain = PlainChange {
        kind,
        team: v.wire_team()?,
        doc,
        class,
        payload,
    };
    Ok(plain.seal(key, v.wire_device()?, v.signing_key(), nonce)?)
}
