//! Envelopes (`protocol/src/envelope.rs`). Three roads, by the first byte:
//!
//! - 0, **wire**: the rest is an envelope as the relay and a pulling device receive it. Parsed;
//!   the header must be the documented bytes; verified with the author's key (refused unless it
//!   is a seed), opened if it verifies.
//! - 1, **round trip**: the rest chooses a change (kind, class, ids, epoch, nonce, payload),
//!   which is sealed, parsed, verified and opened back to itself; the wrong key or epoch and
//!   any one flipped bit are refused; sealed with a derived nonce it is the same bytes twice,
//!   and another author gets another nonce.
//! - 2, **a member who breaks the rules**: the rest chooses the header and the exact
//!   plaintext, sealed and signed by hand ([`crate::spec`]): it verifies, and opens if and only
//!   if the plaintext is of the documented form, to what that form says.

use crate::fixtures::{author, stranger, team_key, wrong_team_key};
use crate::{spec, Reader};
use tandem_protocol::envelope::{
    padded_len, DocClass, EnvelopeError, EnvelopeKind, PlainChange, SealedEnvelope,
    UncheckedEnvelope, HEADER_LEN, MAX_CIPHERTEXT, SIGNATURE_LEN,
};
use tandem_protocol::{DeviceId, DocId, TeamId};

/// The target.
pub fn envelope(data: &[u8]) {
    let Some((mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 3 {
        0 => wire(rest),
        1 => round_trip(rest),
        _ => hostile_plaintext(rest),
    }
}

fn wire(bytes: &[u8]) {
    let Ok(unchecked) = UncheckedEnvelope::parse(bytes.to_vec()) else {
        return;
    };
    let n = u32::from_be_bytes(bytes[81..85].try_into().expect("4 bytes")) as usize;
    assert!((16..=MAX_CIPHERTEXT).contains(&n));
    assert_eq!(bytes.len(), HEADER_LEN + n + SIGNATURE_LEN);
    assert_eq!(&bytes[..4], b"TNE1");
    let h = *unchecked.header();
    assert_eq!(Some(h.kind), spec::kind(bytes[4]));
    assert_eq!(h.team.0, bytes[5..21]);
    assert_eq!(h.doc.0, bytes[21..37]);
    assert_eq!(h.epoch.to_be_bytes(), bytes[37..41]);
    assert_eq!(h.author.0, bytes[41..57]);

    assert_eq!(
        unchecked.clone().verify(&stranger().verifying_key()).err(),
        Some(EnvelopeError::BadSignature)
    );
    match unchecked.verify(&author().verifying_key()) {
        Err(e) => assert_eq!(e, EnvelopeError::BadSignature),
        Ok(sealed) => {
            assert_eq!(sealed.bytes(), bytes);
            assert_eq!(*sealed.header(), h);
            opens_consistently(&sealed);
        }
    }
}

/// Opening a verified envelope: with the wrong epoch or key it is refused; when it opens,
/// sealing what came out again (same nonce) opens to the same change, and gives the very same
/// bytes when the plaintext was padded as the sealer pads.
fn opens_consistently(sealed: &SealedEnvelope) {
    let h = *sealed.header();
    assert_eq!(
        sealed.open(&team_key(h.epoch.wrapping_add(1))),
        Err(EnvelopeError::UnknownEpoch(h.epoch))
    );
    assert_eq!(
        sealed.open(&wrong_team_key(h.epoch)),
        Err(EnvelopeError::CannotOpen)
    );
    let key = team_key(h.epoch);
    let plain = match sealed.open(&key) {
        Ok(p) => p,
        Err(e) => {
            assert!(
                matches!(e, EnvelopeError::CannotOpen | EnvelopeError::BadPlaintext),
                "{e:?}"
            );
            return;
        }
    };
    assert_eq!((plain.kind, plain.team, plain.doc), (h.kind, h.team, h.doc));
    let nonce: [u8; 24] = sealed.bytes()[57..81].try_into().expect("24 bytes");
    let again = plain
        .seal(&key, h.author, author(), nonce)
        .expect("what opened seals again");
    assert_eq!(again.open(&key).as_ref(), Ok(&plain));
    let ciphertext_len = sealed.bytes().len() - HEADER_LEN - SIGNATURE_LEN;
    if ciphertext_len == padded_len(5 + plain.payload.len()) + 16 {
        assert_eq!(again.bytes(), sealed.bytes());
    }
}

fn class(byte: u8) -> DocClass {
    [DocClass::Team, DocClass::Person, DocClass::StreetLog][usize::from(byte % 3)]
}

fn round_trip(rest: &[u8]) {
    let mut r = Reader::new(rest);
    let kind = if r.u8().is_multiple_of(2) {
        EnvelopeKind::Change
    } else {
        EnvelopeKind::Snapshot
    };
    let class = class(r.u8());
    let team = TeamId(r.array());
    let doc = DocId(r.array());
    let author_id = DeviceId(r.array());
    let epoch = r.u32();
    let nonce: [u8; 24] = r.array();
    let flip = r.u32();
    let payload = r.rest().to_vec();
    let plain = PlainChange {
        kind,
        team,
        doc,
        class,
        payload,
    };
    let key = team_key(epoch);
    let signer = author();
    let sealed = plain
        .seal(&key, author_id, signer, nonce)
        .expect("any payload the fuzzer makes is below the limit");
    let bytes = sealed.bytes().to_vec();
    assert_eq!(
        bytes.len(),
        HEADER_LEN + padded_len(5 + plain.payload.len()) + 16 + SIGNATURE_LEN
    );
    let h = *sealed.header();
    assert_eq!(
        (h.kind, h.team, h.doc, h.epoch, h.author),
        (kind, team, doc, epoch, author_id)
    );

    let parsed = UncheckedEnvelope::parse(bytes.clone()).expect("a sealed envelope parses");
    assert_eq!(*parsed.header(), h);
    assert_eq!(
        parsed.clone().verify(&stranger().verifying_key()).err(),
        Some(EnvelopeError::BadSignature)
    );
    let verified = parsed
        .verify(&signer.verifying_key())
        .expect("its author's signature verifies");
    assert_eq!(verified, sealed);
    assert_eq!(verified.open(&key).as_ref(), Ok(&plain));
    opens_consistently(&verified);

    // Sealed with the nonce derived from it: the same bytes twice, opening to the change, and
    // another nonce for another author (everything the associated data binds is in it).
    let det = plain
        .seal_deterministic(&key, author_id, signer)
        .expect("seals");
    let det_again = plain
        .seal_deterministic(&key, author_id, signer)
        .expect("seals");
    assert_eq!(det.bytes(), det_again.bytes());
    assert_eq!(det.open(&key).as_ref(), Ok(&plain));
    let other_author = DeviceId(author_id.0.map(|b| !b));
    let other = plain
        .seal_deterministic(&key, other_author, signer)
        .expect("seals");
    assert_ne!(det.bytes()[57..81], other.bytes()[57..81], "a nonce shared");

    // Any one bit flipped anywhere is refused at one step or another.
    let mut flipped = bytes;
    let at = flip as usize % flipped.len();
    flipped[at] ^= 1 << (flip >> 29);
    let result = UncheckedEnvelope::parse(flipped)
        .and_then(|u| u.verify(&signer.verifying_key()))
        .and_then(|s| s.open(&key));
    assert!(
        result.is_err(),
        "bit {} of byte {at} flipped was accepted",
        flip >> 29
    );
}

fn hostile_plaintext(rest: &[u8]) {
    let mut r = Reader::new(rest);
    let header = spec::Header {
        kind: r.u8() % 2,
        team: TeamId(r.array()),
        doc: DocId(r.array()),
        epoch: r.u32(),
        author: DeviceId(r.array()),
    };
    let nonce: [u8; 24] = r.array();
    let plain = r.rest();
    let key = team_key(header.epoch);
    let signer = author();
    let bytes = spec::envelope_with_plaintext(header, &key, nonce, plain, signer);
    let sealed = UncheckedEnvelope::parse(bytes)
        .expect("the documented layout parses")
        .verify(&signer.verifying_key())
        .expect("and verifies");
    let opened = sealed.open(&key);
    match spec::plaintext(plain) {
        Some((class, payload)) => {
            let p = opened.expect("a plaintext of the documented form opens");
            assert_eq!((p.class, p.payload.as_slice()), (class, payload));
            assert_eq!(p.kind, spec::kind(header.kind).expect("0 or 1"));
            opens_consistently(&sealed);
        }
        None => assert_eq!(opened, Err(EnvelopeError::BadPlaintext)),
    }
}
