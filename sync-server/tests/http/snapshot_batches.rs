//! Snapshots uploaded in batches and handed out by the page: every envelope of a batch is
//! checked before any is stored, and a bad one refuses the batch; pages come in document
//! order within the relay's cap and say when more follow.

use crate::support::{doc, Device, Relay, Team};
use tandem_protocol::api::{SnapshotFate, SnapshotsStored, HEADER_MORE, SNAPSHOT_BATCH};
use tandem_protocol::envelope::UncheckedEnvelope;
use tandem_protocol::frames::{decode_page, encode_page};
use tandem_protocol::{DocId, EnvelopeKind};
use tandem_relay::config::Limits;

/// Snapshots to upload: `(covers, envelope)` each.
type Batch = Vec<(u64, Vec<u8>)>;

fn post_batch(
    relay: &Relay,
    team: &Team,
    by: &Device,
    items: &[(u64, Vec<u8>)],
) -> crate::support::Answer {
    relay.send(
        by,
        "POST",
        &team.path("/snapshots/batch"),
        &encode_page(items),
    )
}

/// Every snapshot the relay hands out to `by`, page by page (`after` the last document of
/// the page before); and the `more` header of each page.
fn all_pages(
    relay: &Relay,
    team: &Team,
    by: &Device,
    limit: usize,
) -> (Vec<(u64, Vec<u8>)>, Vec<bool>) {
    let mut after: Option<DocId> = None;
    let (mut all, mut mores) = (Vec::new(), Vec::new());
    loop {
        let query = match after {
            Some(d) => format!("/snapshots?after={d}&limit={limit}"),
            None => format!("/snapshots?limit={limit}"),
        };
        let answer = relay.send(by, "GET", &team.path(&query), b"");
        assert_eq!(answer.status, 200);
        let more = answer.header(HEADER_MORE) == Some("1");
        let page = answer.page();
        assert!(page.len() <= limit);
        after = page
            .last()
            .map(|(_, b)| UncheckedEnvelope::parse(b.clone()).unwrap().header().doc);
        all.extend(page);
        mores.push(more);
        if !more {
            return (all, mores);
        }
    }
}

#[test]
fn a_batch_of_snapshots_is_stored_in_one_request_and_paged_out() {
    let relay = Relay::start_with(Limits {
        snapshot_page_cap: 2,
        ..Default::default()
    });
    let team = Team::create(&relay);
    let member = team.enrol(&relay);
    let docs: Vec<DocId> = (0..5).map(|_| doc()).collect();
    let changes: Vec<Vec<u8>> = docs
        .iter()
        .map(|d| team.seal(&team.admin, *d, b"change", EnvelopeKind::Change))
        .collect();
    team.push(&relay, &team.admin, &changes);
    let batch: Vec<(u64, Vec<u8>)> = docs
        .iter()
        .map(|d| {
            (
                5,
                team.seal(&team.admin, *d, b"whole", EnvelopeKind::Snapshot),
            )
        })
        .collect();
    let answer = post_batch(&relay, &team, &team.admin, &batch);
    assert_eq!(answer.status, 200, "{}", answer.error());
    assert_eq!(
        answer.json::<SnapshotsStored>().fates,
        vec![SnapshotFate::Stored; 5]
    );
    // The same batch again: nothing new.
    assert_eq!(
        post_batch(&relay, &team, &team.admin, &batch)
            .json::<SnapshotsStored>()
            .fates,
        vec![SnapshotFate::Superseded; 5]
    );

    // Asked for 100 a page, the relay's cap (2) holds: 2, 2, 1.
    let (all, mores) = all_pages(&relay, &team, &member, 100);
    assert_eq!(mores, [true, true, false]);
    let mut want = batch.clone();
    want.sort_by_key(|(_, b)| UncheckedEnvelope::parse(b.clone()).unwrap().header().doc);
    assert_eq!(all, want, "every snapshot once, in document order");
    // Without `limit`, as older devices ask: all at once.
    let old = relay.send(&member, "GET", &team.path("/snapshots"), b"");
    assert_eq!(old.header(HEADER_MORE), None);
    assert_eq!(old.page(), want);
    // A bad `after` is a clear 400.
    relay
        .send(
            &member,
            "GET",
            &team.path("/snapshots?after=zz&limit=2"),
            b"",
        )
        .expect(400, "malformed");
}

#[test]
fn one_bad_snapshot_refuses_the_whole_batch() {
    let relay = Relay::start_with(Limits {
        max_body_bytes: 256 * 1024,
        max_envelope_bytes: 16 * 1024,
        ..Default::default()
    });
    let team = Team::create(&relay);
    let member = team.enrol(&relay);
    let (a, b) = (doc(), doc());
    let changes: Vec<Vec<u8>> = [a, b]
        .iter()
        .map(|d| team.seal(&member, *d, b"change", EnvelopeKind::Change))
        .collect();
    team.push(&relay, &member, &changes);
    let good = (2, team.seal(&member, a, b"whole", EnvelopeKind::Snapshot));
    let mut flipped = team.seal(&member, b, b"tampered", EnvelopeKind::Snapshot);
    flipped[100] ^= 1;
    let cases: Vec<(Batch, u16, &str)> = vec![
        // Written by the admin, uploaded by the member.
        (
            vec![
                good.clone(),
                (
                    2,
                    team.seal(&team.admin, b, b"not mine", EnvelopeKind::Snapshot),
                ),
            ],
            403,
            "wrong_author",
        ),
        (
            vec![good.clone(), (2, flipped)],
            400,
            "bad_envelope_signature",
        ),
        (
            vec![
                good.clone(),
                (2, team.seal(&member, b, b"a change", EnvelopeKind::Change)),
            ],
            400,
            "wrong_kind",
        ),
        (
            vec![good.clone(), (2, b"not an envelope".to_vec())],
            400,
            "malformed_envelope",
        ),
        // Past the log's head.
        (
            vec![
                good.clone(),
                (9, team.seal(&member, b, b"early", EnvelopeKind::Snapshot)),
            ],
            400,
            "bad_covers",
        ),
        // One over the envelope limit.
        (
            vec![
                good.clone(),
                (
                    2,
                    team.seal(&member, b, &[7u8; 20_000], EnvelopeKind::Snapshot),
                ),
            ],
            413,
            "too_large",
        ),
        // More than a batch may hold.
        (vec![good.clone(); SNAPSHOT_BATCH + 1], 400, "too_many"),
    ];
    for (items, status, code) in cases {
        post_batch(&relay, &team, &member, &items).expect(status, code);
        let stored = relay
            .send(&member, "GET", &team.path("/snapshots"), b"")
            .page();
        assert!(stored.is_empty(), "{code}: nothing stored");
    }
    // A truncated body.
    let body = encode_page(std::slice::from_ref(&good));
    relay
        .send(
            &member,
            "POST",
            &team.path("/snapshots/batch"),
            &body[..body.len() - 3],
        )
        .expect(400, "malformed");
    assert_eq!(
        post_batch(&relay, &team, &member, std::slice::from_ref(&good)).status,
        200
    );
    let stored = decode_page(
        &relay
            .send(&member, "GET", &team.path("/snapshots"), b"")
            .body,
        usize::MAX,
    )
    .unwrap();
    assert_eq!(stored, vec![good]);
}

#[test]
fn a_batch_from_elsewhere_or_a_revoked_device_stores_nothing() {
    let relay = Relay::start();
    let team = Team::create(&relay);
    let member = team.enrol(&relay);
    let d = doc();
    team.push(
        &relay,
        &member,
        &[team.seal(&member, d, b"change", EnvelopeKind::Change)],
    );
    // Sealed for another team (right author, right signature).
    let elsewhere = crate::support::seal(
        tandem_protocol::TeamId(crate::support::random()),
        &tandem_protocol::TeamKey::new(1, crate::support::random()),
        &member,
        d,
        b"elsewhere",
        EnvelopeKind::Snapshot,
    );
    post_batch(&relay, &team, &member, &[(1, elsewhere)]).expect(403, "wrong_team");
    let good = (1, team.seal(&member, d, b"whole", EnvelopeKind::Snapshot));
    let revoked = relay.send(
        &team.admin,
        "POST",
        &team.path(&format!("/devices/{}/revoke", member.id)),
        b"",
    );
    assert_eq!(revoked.status, 200);
    post_batch(&relay, &team, &member, std::slice::from_ref(&good)).expect(403, "revoked");
    let stored = relay
        .send(&team.admin, "GET", &team.path("/snapshots"), b"")
        .page();
    assert!(stored.is_empty());
}

#[test]
fn devices_from_before_paging_get_everything_or_a_clear_refusal() {
    let relay = Relay::start_with(Limits {
        max_body_bytes: 64 * 1024,
        max_envelope_bytes: 16 * 1024,
        ..Default::default()
    });
    let team = Team::create(&relay);
    let docs: Vec<DocId> = (0..11).map(|_| doc()).collect();
    let changes: Vec<Vec<u8>> = docs
        .iter()
        .map(|d| team.seal(&team.admin, *d, b"change", EnvelopeKind::Change))
        .collect();
    team.push(&relay, &team.admin, &changes);
    // Ten snapshots of over 7 KB: more than one 64 KiB body holds.
    for d in &docs[..10] {
        let big = team.seal(&team.admin, *d, &[5u8; 7_000], EnvelopeKind::Snapshot);
        let up = post_batch(&relay, &team, &team.admin, &[(11, big)]);
        assert_eq!(up.status, 200, "{}", up.error());
    }
    relay
        .send(&team.admin, "GET", &team.path("/snapshots"), b"")
        .expect(400, "too_many");
    // By the page, all of them.
    let (all, _) = all_pages(&relay, &team, &team.admin, 256);
    assert_eq!(all.len(), 10);
}
