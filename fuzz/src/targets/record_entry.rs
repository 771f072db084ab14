//! One team record entry (`protocol/src/record/`, [`UncheckedEntry::parse`]): the bytes of an
//! entry as the relay or a device receives them.
//!
//! What parses is canonical: the entry's bytes are the input, its header is what the layout
//! puts at its offsets, its hash is `entry_hash` of the input every time, and encoding its
//! fields again ([`NewEntry::try_sign`], which fits) gives the input's bytes before the
//! signature. Then [`RecordState::found`] and [`RecordState::apply`] on the fixed short record
//! ([`crate::record::short_record`]) take it or refuse it without a panic, a refusal leaving
//! the state as it was; so does the same entry re-signed by its author's fixed key (when the
//! author is a fixed device), which lets the fuzzer past the signature into the rules.

use crate::fixtures::record::{device, device_by_id, STRANGER};
use crate::record::short_record;
use tandem_protocol::api::DeviceRole;
use tandem_protocol::record::{
    entry_hash, EntryKind, NewEntry, RecordState, UncheckedEntry, BODY_AT, SIGNATURE_LEN,
};

/// The target.
pub fn record_entry(data: &[u8]) {
    let Ok(entry) = UncheckedEntry::parse(data) else {
        return;
    };
    assert_eq!(entry.bytes(), data, "an entry's bytes are its input");
    let hash = entry.hash();
    assert_eq!(hash, entry_hash(data));
    assert_eq!(hash, entry.hash(), "the hash is stable");

    let h = entry.header();
    let field = |at: usize, n: usize| &data[at..at + n];
    assert_eq!(data[..4], *b"TNR1");
    assert_eq!(EntryKind::from_u8(data[4]), Some(h.kind));
    assert_eq!(entry.body().kind(), h.kind);
    assert_eq!(field(5, 16), h.team.0);
    assert_eq!(field(21, 8), h.seq.to_be_bytes());
    assert_eq!(field(29, 32), h.prev);
    assert_eq!(field(61, 16), h.author.0);
    assert_eq!(field(77, 8), h.time_ms.to_be_bytes());
    let body_len = data.len() - BODY_AT - SIGNATURE_LEN;
    assert_eq!(field(85, 4), (body_len as u32).to_be_bytes());

    // Encoded again from its fields: the same bytes up to the signature.
    let key = &device_by_id(&h.author)
        .unwrap_or_else(|| device(STRANGER))
        .key;
    let again = NewEntry {
        team: h.team,
        seq: h.seq,
        prev: h.prev,
        author: h.author,
        time_ms: h.time_ms,
        body: entry.body().clone(),
    }
    .try_sign(key)
    .expect("what parsed fits the layout");
    let signed = data.len() - SIGNATURE_LEN;
    assert_eq!(again.bytes().len(), data.len());
    assert_eq!(again.bytes()[..signed], data[..signed], "not canonical");
    assert_eq!(again.header(), h);
    assert_eq!(again.body(), entry.body());
    assert_eq!(UncheckedEntry::parse(again.bytes()).as_ref(), Ok(&again));

    judge(&entry);
    if again.bytes() != data {
        judge(&again);
    }
}

/// Founds a record with `entry`, and applies it to the short record.
fn judge(entry: &UncheckedEntry) {
    let h = entry.header();
    if let Ok((state, applied)) = RecordState::found(h.team, entry) {
        assert_eq!(h.kind, EntryKind::Founding);
        assert_eq!((h.seq, applied.seq, applied.kind), (0, 0, h.kind));
        assert_eq!(state.seq(), 0);
        assert_eq!(state.head(), entry.hash());
        assert_eq!(
            state.tag(0).map(|t| t.to_vec()),
            Some(entry.hash()[..16].to_vec())
        );
        assert!(
            state.is_active_admin(&h.author),
            "the founder is an active admin"
        );
        let active: Vec<_> = state.active().map(|(id, _)| *id).collect();
        for (n, epoch) in (1..).zip(state.epochs()) {
            assert_eq!(epoch.epoch, n, "epochs 1…N");
            assert_eq!(epoch.recipients, active);
        }
        assert_eq!(applied.new_epoch, Some(state.current_epoch()));
        for id in &applied.removed {
            assert!(state.device(id).is_some_and(|d| !d.is_active()));
        }
        let replayed = RecordState::verify_all(h.team, [entry.bytes()]).expect("verifies");
        assert_eq!(replayed, state);
    }

    let before = &short_record().state;
    let mut state = before.clone();
    match state.apply(entry) {
        Err(_) => assert_eq!(&state, before, "a refused entry changed the state"),
        Ok(applied) => {
            assert_ne!(h.kind, EntryKind::Founding);
            assert_eq!((applied.seq, applied.kind), (h.seq, h.kind));
            assert_eq!(state.seq(), before.seq() + 1);
            assert_eq!(state.head(), entry.hash());
            assert!(state.active().any(|(_, d)| d.role == DeviceRole::Admin));
            if h.kind == EntryKind::DeviceJoined {
                assert!(before.device(&h.author).is_none());
            } else {
                assert!(before.device(&h.author).is_some_and(|d| d.is_active()));
            }
        }
    }
}
