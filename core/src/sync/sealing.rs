//! Sealing this device's changes and snapshots into envelopes, and the mapping between the
//! vault's document kinds and the protocol's document classes.

use super::SyncError;
use crate::docs::DocKind;
use crate::vault::Vault;
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

pub(super) fn seal(
    v: &Vault,
    kind: EnvelopeKind,
    doc: DocId,
    doc_kind: DocKind,
    payload: Vec<u8>,
    key: &TeamKey,
) -> Result<SealedEnvelope, SyncError> {
    let class = class_of(doc_kind);
    let plain = PlainChange {
        kind,
        team: v.wire_team()?,
        doc,
        class,
        payload,
    };
    // Deterministic: a retried push is byte-identical, and the relay stores it once.
    Ok(plain.seal_deterministic(key, v.wire_device()?, v.signing_key())?)
}
