//! Push, pull, long polls, snapshots, limits and bad envelopes.

use crate::support::{doc, seal, Device, Relay, Team};
use tandem_protocol::api::{PushResponse, HEADER_HEAD, HEADER_MORE};
use tandem_protocol::frames::encode_push;
use tandem_protocol::{EnvelopeKind, TeamKey};
use tandem_relay::config::Limits;

#[test]
fn push_then_pull_in_pages_and_push_again_stores_once() {
    let relay = Relay::start_with(Limits {
        page_size_cap: 4,
        ..Default::default()
    });
    let team = Team::create(&relay);
    let member = team.enrol(&relay);
    let d = doc();
    let envelopes: Vec<Vec<u8>> = (0..6)
        .map(|i| {
            team.seal(
                &team.admin,
                d,
                format!("change {i}").as_bytes(),
                EnvelopeKind::Change,
            )
        })
        .collect();
    let pushed: PushResponse = team.push(&relay, &team.admin, &envelopes).json();
    assert_eq!(
        pushed
            .appended
            .iter()
            .map(|a| (a.seq, a.duplicate))
            .collect::<Vec<_>>(),
        (1..=6).map(|s| (s, false)).collect::<Vec<_>>()
    );
    assert_eq!(
        pushed.appended[0].id,
        hex::encode(tandem_protocol::envelope::envelope_id(&envelopes[0]))
    );

    // Pushed again (a retry after a lost answer): same numbers, nothing new.
    let again: PushResponse = team.push(&relay, &team.admin, &envelopes[4..]).json();
    assert_eq!(
        again
            .appended
            .iter()
            .map(|a| (a.seq, a.duplicate))
            .collect::<Vec<_>>(),
        vec![(5, true), (6, true)]
    );
    assert_eq!(relay.head(team.id), 6);

    // Pages are capped by the relay, and asking for fewer works.
    let first = team.pull(&relay, &member, "after=0&limit=100");
    assert_eq!(
        (first.header(HEADER_HEAD), first.header(HEADER_MORE)),
        (Some("6"), Some("1"))
    );
    let page = first.page();
    assert_eq!(
        page.iter().map(|p| p.0).collect::<Vec<_>>(),
        vec![1, 2, 3, 4]
    );
    assert_eq!(page[0].1, envelopes[0]);
    let rest = team.pull(&relay, &member, "after=4");
    assert_eq!(rest.header(HEADER_MORE), Some("0"));
    assert_eq!(
        rest.page().iter().map(|p| p.0).collect::<Vec<_>>(),
        vec![5, 6]
    );
    let small = team.pull(&relay, &member, "after=0&limit=1");
    assert_eq!(small.page().len(), 1);
    // Up to date, no waiting: an empty page at once.
    let empty = team.pull(&relay, &member, "after=6");
    assert!(empty.page().is_empty());
    team.pull(&relay, &member, "after=banana")
        .expect(400, "malformed");

    // An empty push is a no-op.
    let none: PushResponse = team.push(&relay, &member, &[]).json();
    assert!(none.appended.is_empty());
}

#[test]
fn a_waiting_pull_wakes_when_another_device_pushes() {
    let relay = Relay::start();
    let team = Team::create(&relay);
    let member = team.enrol(&relay);
    let d = doc();
    let first = team.seal(&team.admin, d, b"first", EnvelopeKind::Change);
    team.push(&relay, &team.admin, &[first]);

    std::thread::scope(|scope| {
        let waiter = scope.spawn(|| team.pull(&relay, &member, "after=1&wait_ms=30000"));
        // Push once the pull is waiting, so it is the bell that wakes it (if the push came
        // first, the pull would simply find it: the assertion below holds either way).
        while !relay.metrics().contains("tandem_relay_long_polls 1") {
            std::thread::yield_now();
        }
        let news = team.seal(&team.admin, d, b"news", EnvelopeKind::Change);
        team.push(&relay, &team.admin, std::slice::from_ref(&news));
        let answer = waiter.join().unwrap();
        assert_eq!(answer.page(), vec![(2, news)]);
        assert_eq!(answer.header(HEADER_HEAD), Some("2"));
    });
    assert!(relay.metrics().contains("tandem_relay_long_polls 0"));
}

#[test]
fn oversized_bodies_and_envelopes_are_refused_with_413() {
    let relay = Relay::start_with(Limits {
        max_body_bytes: 64 * 1024,
        max_envelope_bytes: 16 * 1024,
        ..Default::default()
    });
    let team = Team::create(&relay);
    assert_eq!(relay.info().max_body_bytes, 64 * 1024);
    let d = doc();
    // Over the body limit: refused before the handler runs.
    let big: Vec<Vec<u8>> = (0..4)
        .map(|_| team.seal(&team.admin, d, &[7u8; 20_000], EnvelopeKind::Change))
        .collect();
    team.push(&relay, &team.admin, &big)
        .expect(413, "too_large");
    // Under the body limit, but one envelope over the envelope limit.
    team.push(&relay, &team.admin, &big[..1])
        .expect(413, "too_large");
    // A snapshot over the envelope limit.
    let snapshot = team.seal(&team.admin, d, &[7u8; 20_000], EnvelopeKind::Snapshot);
    relay
        .send(
            &team.admin,
            "POST",
            &team.path("/snapshots?covers=0"),
            &snapshot,
        )
        .expect(413, "too_large");
    assert_eq!(relay.head(team.id), 0);
    assert!(relay.metrics().contains("status=\"413\""));
}

#[test]
fn malformed_and_misattributed_envelopes_refuse_the_whole_push() {
    let relay = Relay::start();
    let team = Team::create(&relay);
    let member = team.enrol(&relay);
    let d = doc();
    let good = team.seal(&member, d, b"fine", EnvelopeKind::Change);

    let mut flipped = team.seal(&member, d, b"tampered", EnvelopeKind::Change);
    flipped[100] ^= 1;
    let cases: Vec<(Vec<Vec<u8>>, u16, &str)> = vec![
        (
            vec![good.clone(), b"not an envelope".to_vec()],
            400,
            "malformed_envelope",
        ),
        (
            vec![good.clone(), good[..good.len() - 1].to_vec()],
            400,
            "malformed_envelope",
        ),
        (vec![good.clone(), flipped], 400, "bad_envelope_signature"),
        // Written by the admin, pushed by the member.
        (
            vec![
                good.clone(),
                team.seal(&team.admin, d, b"not mine", EnvelopeKind::Change),
            ],
            403,
            "wrong_author",
        ),
        // Sealed for another team (right author, right signature).
        (
            vec![
                good.clone(),
                seal(
                    tandem_protocol::TeamId(crate::support::random()),
                    &TeamKey::new(1, crate::support::random()),
                    &member,
                    d,
                    b"elsewhere",
                    EnvelopeKind::Change,
                ),
            ],
            403,
            "wrong_team",
        ),
        (
            vec![
                good.clone(),
                team.seal(&member, d, b"snap", EnvelopeKind::Snapshot),
            ],
            400,
            "wrong_kind",
        ),
    ];
    for (envelopes, status, code) in cases {
        team.push(&relay, &member, &envelopes).expect(status, code);
        assert_eq!(relay.head(team.id), 0, "{code}: nothing stored");
    }
    // A truncated batch.
    let body = encode_push(std::slice::from_ref(&good));
    relay
        .send(
            &member,
            "POST",
            &team.path("/envelopes"),
            &body[..body.len() - 3],
        )
        .expect(400, "malformed");
    assert_eq!(relay.head(team.id), 0);
    assert_eq!(team.push(&relay, &member, &[good]).status, 200);
    assert_eq!(relay.head(team.id), 1);
}

#[test]
fn snapshots_cover_the_log_for_newcomers() {
    let relay = Relay::start();
    let team = Team::create(&relay);
    let (a, b) = (doc(), doc());
    let changes: Vec<Vec<u8>> = [a, a, b, a]
        .iter()
        .map(|d| team.seal(&team.admin, *d, b"change", EnvelopeKind::Change))
        .collect();
    team.push(&relay, &team.admin, &changes);
    let snapshot = team.seal(&team.admin, a, b"whole document", EnvelopeKind::Snapshot);
    let upload = |covers: &str, bytes: &[u8]| {
        relay.send(
            &team.admin,
            "POST",
            &team.path(&format!("/snapshots?covers={covers}")),
            bytes,
        )
    };
    upload("9", &snapshot).expect(400, "bad_covers");
    upload("", &snapshot).expect(400, "malformed");
    let change = team.seal(&team.admin, a, b"not a snapshot", EnvelopeKind::Change);
    upload("4", &change).expect(400, "wrong_kind");
    assert_eq!(upload("4", &snapshot).status, 200);

    // A newcomer takes the snapshot, then only what it does not cover.
    let newcomer = team.enrol(&relay);
    let snapshots = relay
        .send(&newcomer, "GET", &team.path("/snapshots"), b"")
        .page();
    assert_eq!(snapshots, vec![(4, snapshot)]);
    let tail = team.pull(&relay, &newcomer, "after=0&skip_covered=1");
    assert_eq!(tail.page().iter().map(|p| p.0).collect::<Vec<_>>(), vec![3]);
    assert_eq!(tail.header(HEADER_HEAD), Some("4"));
    let whole = team.pull(&relay, &newcomer, "after=0");
    assert_eq!(whole.page().len(), 4);

    // Once every device has pulled past it, the covered envelopes go.
    team.pull(&relay, &team.admin, "after=4");
    team.pull(&relay, &newcomer, "after=4");
    let after_gc = team.pull(&relay, &newcomer, "after=0");
    assert_eq!(
        after_gc.page().iter().map(|p| p.0).collect::<Vec<_>>(),
        vec![3]
    );
    assert!(relay
        .metrics()
        .contains("tandem_relay_envelopes_collected_total 3"));
}

#[test]
fn health_info_metrics_and_unknown_paths() {
    let relay = Relay::start();
    let health = relay.raw("GET", "/health", &[], b"");
    assert_eq!(
        (health.status, health.body.as_slice()),
        (200, b"ok".as_slice())
    );
    let info = relay.info();
    assert_eq!(info.relay_id, relay.relay_id);
    assert_eq!(info.version, tandem_protocol::VERSION);
    assert_eq!(
        info.max_envelope_bytes,
        Limits::default().max_envelope_bytes
    );
    relay
        .raw("GET", "/v2/nothing", &[], b"")
        .expect(404, "no_route");
    relay
        .raw("DELETE", "/v1/info", &[], b"")
        .expect(405, "method_not_allowed");
    let metrics = relay.metrics();
    assert!(metrics.contains("tandem_relay_requests_total{route=\"/v1/info\",status=\"200\"} 1"));
    assert!(metrics.contains("# TYPE tandem_relay_long_polls gauge"));
}

#[test]
fn an_erased_document_leaves_the_log_and_stays_out() {
    let relay = Relay::start();
    let team = Team::create(&relay);
    let member = team.enrol(&relay);
    let (gone, kept) = (doc(), doc());
    let changes: Vec<Vec<u8>> = [gone, kept, gone]
        .iter()
        .map(|d| team.seal(&team.admin, *d, b"change", EnvelopeKind::Change))
        .collect();
    assert_eq!(team.push(&relay, &team.admin, &changes).status, 200);
    let snapshot = team.seal(&team.admin, gone, b"whole document", EnvelopeKind::Snapshot);
    let upload = |bytes: &[u8]| {
        relay.send(
            &team.admin,
            "POST",
            &team.path("/snapshots?covers=3"),
            bytes,
        )
    };
    assert_eq!(upload(&snapshot).status, 200);

    // Its writer (here the admin) erases it at the person's request; another member may not.
    let erase =
        |by, what: &str| relay.send(by, "POST", &team.path(&format!("/docs/{what}/erase")), b"");
    erase(&member, "not-a-doc").expect(400, "malformed");
    let stranger = Device::new();
    erase(&stranger, &gone.to_hex()).expect(401, "unknown_device");
    erase(&member, &gone.to_hex()).expect(403, "not_doc_author");
    assert_eq!(erase(&team.admin, &gone.to_hex()).status, 200);
    assert_eq!(
        erase(&team.admin, &gone.to_hex()).status,
        200,
        "twice is fine"
    );

    // Only the other document is left, in the log and among snapshots.
    let page = team.pull(&relay, &member, "after=0").page();
    assert_eq!(page.iter().map(|p| p.0).collect::<Vec<_>>(), vec![2]);
    assert_eq!(page[0].1, changes[1]);
    let snaps = relay
        .send(&member, "GET", &team.path("/snapshots"), b"")
        .page();
    assert!(snaps.is_empty());

    // A device that wrote offline before hearing of it: acknowledged, not stored.
    let late = team.seal(&member, gone, b"written offline", EnvelopeKind::Change);
    let other = team.seal(&member, kept, b"also offline", EnvelopeKind::Change);
    let answer = team.push(&relay, &member, &[late.clone(), other.clone()]);
    assert_eq!(answer.status, 200);
    let pushed: PushResponse = answer.json();
    assert_eq!(pushed.appended.len(), 2);
    assert!(pushed.appended[0].duplicate && pushed.appended[0].erased);
    assert!(!pushed.appended[1].duplicate && !pushed.appended[1].erased);
    assert_eq!(
        upload(&snapshot).status,
        200,
        "a snapshot of it is dropped too"
    );
    let page = team.pull(&relay, &member, "after=0").page();
    assert_eq!(
        page.iter().map(|p| p.1.clone()).collect::<Vec<_>>(),
        vec![changes[1].clone(), other]
    );
    assert!(relay
        .send(&member, "GET", &team.path("/snapshots"), b"")
        .page()
        .is_empty());
}
