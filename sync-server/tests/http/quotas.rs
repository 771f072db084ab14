//! Per-team quotas over HTTP: a push or snapshot past the team's quota is a 403 with its
//! code, and nothing of it is stored; another team is not held back.

use crate::support::{doc, Relay, Team};
use tandem_protocol::api::PushResponse;
use tandem_protocol::EnvelopeKind;
use tandem_relay::config::Limits;

#[test]
fn a_team_at_its_quota_is_refused_and_others_are_not() {
    let relay = Relay::start_with(Limits {
        max_team_envelopes: 3,
        max_team_bytes: Limits::default().max_envelope_bytes as u64,
        ..Default::default()
    });
    let team = Team::create(&relay);
    let member = team.enrol(&relay);
    let d = doc();
    let seal = |by, text: &str| team.seal(by, d, text.as_bytes(), EnvelopeKind::Change);
    let three = [
        seal(&team.admin, "1"),
        seal(&team.admin, "2"),
        seal(&member, "3"),
    ];
    let pushed: PushResponse = team.push(&relay, &team.admin, &three[..2]).json();
    assert_eq!(pushed.appended.len(), 2);
    // Two more from the member would make four: refused whole, nothing stored.
    let answer = team.push(&relay, &member, &[three[2].clone(), seal(&member, "4")]);
    answer.expect(403, "quota_envelopes");
    assert_eq!(relay.head(team.id), 2);
    assert_eq!(team.push(&relay, &member, &three[2..]).status, 200);
    // At the quota a retry is still acknowledged (it stores nothing).
    let again: PushResponse = team.push(&relay, &team.admin, &three[..2]).json();
    assert!(again.appended.iter().all(|a| a.duplicate));
    team.push(&relay, &member, &[seal(&member, "5")])
        .expect(403, "quota_envelopes");
    assert_eq!(relay.head(team.id), 3);

    // Snapshots of made-up documents stop at the byte quota's margin.
    let big = vec![b'x'; 1024 * 1024];
    let mut stored = 0;
    let refused = loop {
        let snapshot = team.seal(&member, doc(), &big, EnvelopeKind::Snapshot);
        let answer = relay.send(
            &member,
            "POST",
            &team.path("/snapshots?covers=3"),
            &snapshot,
        );
        if answer.status != 200 {
            break answer;
        }
        stored += 1;
        assert!(stored < 20, "the snapshots never stopped");
    };
    refused.expect(403, "quota_bytes");
    // They stopped at the quota and its eighth, not before (a sealed one is padded: a
    // little more than 1 MiB).
    let allowance = 9 * 1024 * 1024;
    let (_, bytes) = relay.block_on(relay.storage.usage(team.id)).unwrap();
    assert!(
        bytes <= allowance && bytes + 2 * 1024 * 1024 > allowance,
        "{bytes}"
    );
    assert!(stored >= 6, "{stored}");
    assert_eq!(
        relay
            .block_on(relay.storage.snapshots(team.id))
            .unwrap()
            .len(),
        stored
    );

    // Another team has its own quota.
    let other = Team::create(&relay);
    let fresh = other.seal(&other.admin, doc(), b"hello", EnvelopeKind::Change);
    assert_eq!(other.push(&relay, &other.admin, &[fresh]).status, 200);
}
