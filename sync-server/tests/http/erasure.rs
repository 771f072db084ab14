//! Erasure as a hostile member would try it, through a real relay: the team document, a
//! colleague's record, a record from before authors were kept; and what the pushing device
//! is told of a change dropped because its record was erased (older clients included).

use crate::support::{doc, Relay, Team};
use tandem_protocol::api::PushResponse;
use tandem_protocol::{DocId, EnvelopeKind};

fn erase(relay: &Relay, team: &Team, by: &crate::support::Device, doc: DocId) -> u16 {
    let answer = relay.send(by, "POST", &team.path(&format!("/docs/{doc}/erase")), b"");
    if answer.status != 200 {
        let _ = answer.error();
    }
    answer.status
}

#[test]
fn a_member_cannot_erase_the_team_document_or_a_colleagues_record() {
    let relay = Relay::start();
    let team = Team::create(&relay);
    let (writer, hostile) = (team.enrol(&relay), team.enrol(&relay));
    let team_doc = DocId(team.id.0);
    let record = doc();
    let members = team.seal(&team.admin, team_doc, b"members", EnvelopeKind::Change);
    let notes = team.seal(&writer, record, b"their notes", EnvelopeKind::Change);
    assert_eq!(team.push(&relay, &team.admin, &[members]).status, 200);
    assert_eq!(team.push(&relay, &writer, &[notes]).status, 200);
    // The hostile member also writes to the record: that does not make it theirs.
    let more = team.seal(&hostile, record, b"a line", EnvelopeKind::Change);
    assert_eq!(team.push(&relay, &hostile, &[more]).status, 200);

    let path = |d: DocId| team.path(&format!("/docs/{d}/erase"));
    for by in [&hostile, &writer, &team.admin] {
        relay
            .send(by, "POST", &path(team_doc), b"")
            .expect(403, "team_doc_not_erasable");
    }
    relay
        .send(&hostile, "POST", &path(record), b"")
        .expect(403, "not_doc_author");
    // Nothing changed: everything is still handed out.
    assert_eq!(team.pull(&relay, &hostile, "after=0").page().len(), 3);
    let later = team.seal(&team.admin, team_doc, b"still here", EnvelopeKind::Change);
    let answer: PushResponse = team.push(&relay, &team.admin, &[later]).json();
    assert!(!answer.appended[0].erased && !answer.appended[0].duplicate);

    // Its writer may, and so may an admin (here of another record).
    assert_eq!(erase(&relay, &team, &writer, record), 200);
    let other = doc();
    let theirs = team.seal(&writer, other, b"x", EnvelopeKind::Change);
    assert_eq!(team.push(&relay, &writer, &[theirs]).status, 200);
    assert_eq!(erase(&relay, &team, &team.admin, other), 200);
    assert_eq!(team.pull(&relay, &hostile, "after=0").page().len(), 2);
}

#[test]
fn a_record_stored_before_authors_were_kept_is_erased_by_the_writer_its_header_names() {
    let relay = Relay::start();
    let team = Team::create(&relay);
    let (writer, other) = (team.enrol(&relay), team.enrol(&relay));
    let record = doc();
    let bytes = team.seal(&writer, record, b"old", EnvelopeKind::Change);
    // As an older relay stored it: no author column.
    relay
        .block_on(relay.storage.append(
            team.id,
            vec![tandem_relay::storage::NewEnvelope {
                id: tandem_protocol::envelope::envelope_id(&bytes),
                doc: record,
                bytes,
            }],
            crate::support::now_ms(),
        ))
        .unwrap();
    assert_eq!(erase(&relay, &team, &other, record), 403);
    assert_eq!(erase(&relay, &team, &writer, record), 200);
}

#[test]
fn a_change_dropped_for_an_erasure_is_reported_as_such() {
    let relay = Relay::start();
    let team = Team::create(&relay);
    let member = team.enrol(&relay);
    let record = doc();
    let first = team.seal(&member, record, b"first", EnvelopeKind::Change);
    assert_eq!(
        team.push(&relay, &member, std::slice::from_ref(&first))
            .status,
        200
    );
    assert_eq!(erase(&relay, &team, &team.admin, record), 200);

    let late = team.seal(&member, record, b"written offline", EnvelopeKind::Change);
    let answer = team.push(&relay, &member, &[late, first]);
    assert_eq!(answer.status, 200);
    // On the wire: `erased` only where it is true, and `duplicate` kept for older clients.
    let raw: serde_json::Value = answer.json();
    assert_eq!(raw["appended"][0]["erased"], true);
    assert_eq!(raw["appended"][0]["duplicate"], true);
    assert_eq!(raw["appended"][0]["seq"], 0);
    assert!(raw["appended"][1].get("erased").is_none());
    assert_eq!(raw["appended"][1]["duplicate"], true);
    assert_eq!(raw["appended"][1]["seq"], 1);
    // An older client's reading of the same answer (no such field) still parses.
    let old = r#"{"appended":[{"id":"ab","seq":0,"duplicate":true}]}"#;
    let parsed: PushResponse = serde_json::from_str(old).unwrap();
    assert!(!parsed.appended[0].erased);
    assert_eq!(relay.head(team.id), 1);
}
