//! Erasure between devices through a real relay, as the relay now decides it: a change
//! written offline about a person erased meanwhile is reported to its device as dropped for
//! the erasure (never as a copy the relay had); a plain member's device asking the relay to
//! drop a colleague's record is refused by the relay, and its sync carries on.

use crate::harness::*;
use tandem_model::NewEncounter;

fn relay_has_bytes_of(relay: &RelayProcess, doc_hex: &str) -> i64 {
    let db = rusqlite::Connection::open(relay.data.path().join("relay.db")).unwrap();
    let doc = hex::decode(doc_hex).unwrap();
    db.query_row(
        "SELECT (SELECT count(*) FROM envelopes WHERE doc = ?1 AND bytes IS NOT NULL) \
         + (SELECT count(*) FROM snapshots WHERE doc = ?1)",
        [&doc],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn a_change_to_an_erased_person_is_reported_as_dropped_for_the_erasure() {
    let relay = RelayProcess::start();
    let a = Device::founder(&relay.url(), "Sam");
    let (b, first) = Device::join(&a, "Alex");
    first.unwrap();
    let p = a.add_person("Asked to be forgotten");
    settle(&[&a, &b]);
    // B writes about them offline, twice; meanwhile A (who opened the record) erases them.
    for notes in ["one", "two"] {
        let mut late = NewEncounter::with_person(p.clone());
        late.notes = notes.into();
        b.v().record_encounter(&late).unwrap();
    }
    a.v().erase_person(&p, &[]).unwrap();
    a.sync().unwrap();
    assert_eq!(relay_has_bytes_of(&relay, p.as_str()), 0);
    // B's push goes out before it hears of the erasure: both said to be dropped for it.
    let report = b.sync().unwrap();
    assert_eq!(report.dropped_erased, 2, "{report:?}");
    assert_eq!(b.v().outbox_len().unwrap(), 0);
    assert_eq!(relay_has_bytes_of(&relay, p.as_str()), 0);
    // Nothing of the sort on a sync with nothing dropped.
    assert_eq!(a.sync().unwrap().dropped_erased, 0);
}

#[test]
fn a_member_cannot_have_the_relay_drop_a_colleagues_record() {
    let relay = RelayProcess::start();
    let a = Device::founder(&relay.url(), "Sam");
    let (b, first) = Device::join(&a, "Alex");
    first.unwrap();
    let p = a.add_person("Opened by Sam");
    a.sync().unwrap();
    b.sync().unwrap();
    let held = relay_has_bytes_of(&relay, p.as_str());
    assert!(held > 0);
    // B (a plain member, not the record's first writer) erases it on its device: the relay
    // refuses to drop the record's log, and B's sync is not stopped by that.
    b.v().erase_person(&p, &[]).unwrap();
    b.sync().unwrap();
    b.sync().unwrap();
    assert_eq!(relay_has_bytes_of(&relay, p.as_str()), held);
    assert!(relay.log_text().contains("\"status\":403"));
}
