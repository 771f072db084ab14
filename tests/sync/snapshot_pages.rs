//! A first sync takes a team's snapshots a page at a time: cut off between pages it
//! resumes with nothing lost; a relay that pages in circles or out of order is refused.

use crate::harness::*;
use crate::malicious::start_wrapper;
use std::sync::atomic::Ordering;
use tandem_core::sync::SyncError;
use tandem_model::NewEncounter;
use tandem_protocol::api::HEADER_MORE;
use tandem_protocol::frames;
use tandem_protocol::{DeviceId, DocClass, DocId, EnvelopeKind, PlainChange, TeamId, TeamKey};

/// A snapshot envelope for `doc` that no device of the team signed (a key the relay made).
fn forged_snapshot(team: TeamId, doc: DocId) -> Vec<u8> {
    let signer = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    PlainChange {
        kind: EnvelopeKind::Snapshot,
        team,
        doc,
        class: DocClass::Person,
        payload: b"made up".to_vec(),
    }
    .seal(
        &TeamKey::new(1, [3; 32]),
        DeviceId([9; 16]),
        &signer,
        [1; 24],
    )
    .unwrap()
    .into_bytes()
}

/// A founder with `n` people whose records are long enough for a snapshot each, synced
/// until the snapshots are up: returns it and how many the last syncs uploaded.
fn founder_with_snapshots(url: &str, n: usize) -> (Device, usize) {
    let a = Device::founder(url, "Sam");
    for p in 0..n {
        let id = a.add_person(&format!("Personne {p}"));
        for i in 0..12 {
            let mut e = NewEncounter::with_person(id.clone());
            e.notes = format!("{p}/{i}: {}", "une longue note de suivi. ".repeat(40));
            a.v().record_encounter(&e).unwrap();
        }
    }
    let r = a.sync().unwrap();
    let r2 = a.sync().unwrap();
    (a, r.snapshots_uploaded + r2.snapshots_uploaded)
}

fn encounters_of(d: &Device) -> usize {
    let people = d.v().list_people().unwrap();
    people
        .iter()
        .map(|p| d.v().person(&p.id).unwrap().encounters.len())
        .sum()
}

#[test]
fn a_first_sync_cut_between_snapshot_pages_resumes_with_nothing_lost() {
    // One snapshot a page, so a team of five people takes several pages.
    let relay = RelayProcess::start_with(&["--snapshot-page-cap", "1"]);
    // Cuts every request for a page after the first, while set.
    let proxy = BlockingProxy::start(relay.addr, false, |chunk| {
        contains(chunk, b"/snapshots?after=")
    });
    let (a, uploaded) = founder_with_snapshots(&proxy.url(), 5);
    assert!(uploaded >= 5, "the founder's snapshots went up: {uploaded}");

    proxy.blocking.store(true, Ordering::SeqCst);
    let (b, first) = Device::join(&a, "Alex");
    assert!(matches!(first, Err(SyncError::Offline(_))), "{first:?}");
    // The first page was taken in before the cut.
    assert!(b.v().deferred_count().unwrap() >= 1);

    proxy.blocking.store(false, Ordering::SeqCst);
    b.sync().unwrap();
    settle(&[&a, &b]);
    assert_eq!(state(&a), state(&b));
    assert_eq!(b.v().list_people().unwrap().len(), 5);
    assert_eq!(encounters_of(&b), 60);
}

#[test]
fn a_relay_paging_snapshots_in_circles_or_out_of_order_is_refused() {
    let relay = RelayProcess::start_with(&["--snapshot-page-cap", "2"]);
    let wrapper = start_wrapper(relay.addr);
    let url = format!("http://{}", wrapper.addr);
    let (a, _) = founder_with_snapshots(&url, 4);

    // Every page answered with the first one again, "more" always set: a device that
    // followed it would page for ever.
    let first_page: std::sync::Arc<std::sync::Mutex<Option<Vec<u8>>>> = Default::default();
    let kept = first_page.clone();
    *wrapper.rewrite.lock().unwrap() = Some(Box::new(move |route, headers, body| {
        if !route.ends_with("/snapshots") {
            return body;
        }
        headers.retain(|(k, _)| k != HEADER_MORE);
        headers.push((HEADER_MORE.into(), "1".into()));
        kept.lock().unwrap().get_or_insert(body).clone()
    }));
    let (b, first) = Device::join(&a, "Alex");
    assert!(
        matches!(first, Err(SyncError::Protocol(_))),
        "in circles: {first:?}"
    );

    // A page in reverse order.
    *wrapper.rewrite.lock().unwrap() = Some(Box::new(|route, _, body| {
        if !route.ends_with("/snapshots") {
            return body;
        }
        let mut items = frames::decode_page(&body, usize::MAX).unwrap();
        items.reverse();
        frames::encode_page(&items)
    }));
    let err = b.sync().unwrap_err();
    assert!(matches!(err, SyncError::Protocol(_)), "reversed: {err:?}");

    // Honest again: everything arrives, nothing lost.
    *wrapper.rewrite.lock().unwrap() = None;
    b.sync().unwrap();
    settle(&[&a, &b]);
    assert_eq!(state(&a), state(&b));
    assert_eq!(encounters_of(&b), 48);
}

#[test]
fn made_up_snapshots_move_no_page_on() {
    let relay = RelayProcess::start_with(&["--snapshot-page-cap", "2"]);
    let wrapper = start_wrapper(relay.addr);
    let url = format!("http://{}", wrapper.addr);
    let (a, _) = founder_with_snapshots(&url, 3);
    let team: TeamId = a.v().team_id().parse().unwrap();

    // Every page made up, each of documents further on, "more" always set: followed, a
    // device would page without end (or past the real snapshots).
    let next = std::sync::Arc::new(std::sync::atomic::AtomicU8::new(1));
    let counter = next.clone();
    *wrapper.rewrite.lock().unwrap() = Some(Box::new(move |route, headers, body| {
        if !route.ends_with("/snapshots") {
            return body;
        }
        let n = counter.fetch_add(2, Ordering::SeqCst);
        headers.retain(|(k, _)| k != HEADER_MORE);
        headers.push((HEADER_MORE.into(), "1".into()));
        frames::encode_page(&[
            (1, forged_snapshot(team, DocId([n; 16]))),
            (1, forged_snapshot(team, DocId([n + 1; 16]))),
        ])
    }));
    let (b, first) = Device::join(&a, "Alex");
    assert!(
        matches!(first, Err(SyncError::Protocol(_))),
        "made-up pages: {first:?}"
    );
    assert_eq!(
        next.load(Ordering::SeqCst),
        3,
        "stopped at the first made-up page"
    );
    *wrapper.rewrite.lock().unwrap() = None;
    b.sync().unwrap();
    settle(&[&a, &b]);
    assert_eq!(state(&a), state(&b));
    assert_eq!(encounters_of(&b), 36);
}
