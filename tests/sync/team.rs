//! Invites, revocation, and devices online hearing each other at once.

use crate::harness::*;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tandem_core::sync::{self, SyncError, SyncHandle, SyncState};
use tandem_model::NewEncounter;

#[test]
fn an_invite_works_once_and_a_wrong_code_opens_nothing() {
    let relay = RelayProcess::start();
    let a = Device::founder(&relay.url(), "Sam");
    a.sync().unwrap();
    let code = sync::create_invite(&a.vault, 3600).unwrap().to_string();
    let d1 = tempfile::tempdir().unwrap();
    let (_b, first) =
        sync::join_team(&d1.path().join("v"), &pass(), "Alex", &code, &|_| {}).unwrap();
    first.unwrap();
    let d2 = tempfile::tempdir().unwrap();
    match sync::join_team(&d2.path().join("v"), &pass(), "Eve", &code, &|_| {}) {
        Err(SyncError::Relay { status, .. }) => assert_eq!(status, 410),
        other => panic!("a used invite was accepted: {:?}", other.map(|_| ())),
    }
    assert!(
        !tandem_core::Vault::exists(&d2.path().join("v")),
        "no vault made for a refused invite"
    );

    // The secret half typed wrong: the relay enrolls the token, but the key does not open.
    let code = sync::create_invite(&a.vault, 3600).unwrap();
    let mut wrong = code.clone();
    wrong.wrap[0] ^= 1;
    let d3 = tempfile::tempdir().unwrap();
    let r = sync::join_team(
        &d3.path().join("v"),
        &pass(),
        "Eve",
        &wrong.to_string(),
        &|_| {},
    );
    assert!(
        matches!(r, Err(SyncError::Invite(_))),
        "{:?}",
        r.map(|_| ())
    );
    assert!(!tandem_core::Vault::exists(&d3.path().join("v")));
}

#[test]
fn a_revoked_device_is_refused_at_once_and_others_carry_on() {
    let relay = RelayProcess::start();
    let a = Device::founder(&relay.url(), "Sam");
    a.sync().unwrap();
    let (b, first) = Device::join(&a, "Alex");
    first.unwrap();
    let (c, first) = Device::join(&a, "Lost phone");
    first.unwrap();
    let c_id = c.v().device_id().to_owned();
    // Only an admin may revoke: the member's device knows it from the team record (and the
    // relay would refuse the entry, see `hostile_relay`).
    let not_admin = sync::revoke_device(&b.vault, a.v().device_id());
    assert!(
        matches!(not_admin, Err(SyncError::Config(m)) if m.contains("only an admin")),
        "{not_admin:?}"
    );
    sync::revoke_device(&a.vault, &c_id).unwrap();
    let devices = sync::list_devices(&a.vault).unwrap();
    assert!(devices
        .iter()
        .any(|d| d.device.to_hex() == c_id && d.revoked_at_ms.is_some()));
    c.add_person("Written after revocation");
    assert!(matches!(c.sync(), Err(SyncError::Revoked)));
    a.add_person("Still syncing");
    settle(&[&a, &b]);
    assert_eq!(b.v().search_people("still syncing").unwrap().len(), 1);
    assert!(b.v().search_people("written after").unwrap().is_empty());
}

#[test]
fn an_online_device_hears_a_new_encounter_without_asking() {
    let relay = RelayProcess::start();
    let a = Device::founder(&relay.url(), "Sam");
    let person = a.add_person("Hélène");
    a.sync().unwrap();
    let (b, first) = Device::join(&a, "Alex");
    first.unwrap();
    let b_vault = Arc::new(b.vault);
    let (tx, rx) = std::sync::mpsc::channel();
    let tx = Mutex::new(tx);
    let handle = SyncHandle::start(&b_vault, move |s| {
        let _ = tx.lock().unwrap().send(s.clone());
    });
    // Wait until B's puller is listening.
    loop {
        let s = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("B reports its status");
        if s.state == SyncState::Synced {
            break;
        }
    }
    let mut e = NewEncounter::with_person(person.clone());
    e.notes = "seen by the station".into();
    let id = a.v().record_encounter(&e).unwrap();
    a.sync().unwrap();
    // B's long poll returns with it; no one asked B to sync.
    loop {
        let s = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("B heard the news");
        if s.last_report
            .as_ref()
            .is_some_and(|r| r.documents_updated > 0)
        {
            break;
        }
    }
    let got = b_vault.lock().person(&person).unwrap();
    assert!(got.encounters.iter().any(|x| x.id == id));
    handle.stop();
}

/// Bytes the relay still serves for a document: envelopes with bytes, and its snapshot.
fn relay_holds(relay: &RelayProcess, doc_hex: &str) -> (i64, i64) {
    let db = rusqlite::Connection::open(relay.data.path().join("relay.db")).unwrap();
    let doc = hex::decode(doc_hex).unwrap();
    let envelopes = db
        .query_row(
            "SELECT count(*) FROM envelopes WHERE doc = ?1 AND bytes IS NOT NULL",
            [&doc],
            |r| r.get(0),
        )
        .unwrap();
    let snapshots = db
        .query_row(
            "SELECT count(*) FROM snapshots WHERE doc = ?1",
            [&doc],
            |r| r.get(0),
        )
        .unwrap();
    (envelopes, snapshots)
}

/// 48 bytes from the middle of each envelope and snapshot of a document the relay holds:
/// sealed bytes, random-looking, found in the relay's files only if they are still there.
fn relay_fragments(relay: &RelayProcess, doc_hex: &str) -> Vec<Vec<u8>> {
    let db = rusqlite::Connection::open(relay.data.path().join("relay.db")).unwrap();
    let doc = hex::decode(doc_hex).unwrap();
    let mut blobs: Vec<Vec<u8>> = Vec::new();
    for sql in [
        "SELECT bytes FROM envelopes WHERE doc = ?1 AND bytes IS NOT NULL",
        "SELECT bytes FROM snapshots WHERE doc = ?1",
    ] {
        let mut stmt = db.prepare(sql).unwrap();
        let rows = stmt.query_map([&doc], |r| r.get::<_, Vec<u8>>(0)).unwrap();
        blobs.extend(rows.map(|r| r.unwrap()));
    }
    blobs
        .into_iter()
        .filter(|b| b.len() >= 96)
        .map(|b| b[b.len() / 2 - 24..b.len() / 2 + 24].to_vec())
        .collect()
}

/// Which fragments are still somewhere in the relay's database files, free pages and
/// write-ahead log included.
fn fragments_on_disk(relay: &RelayProcess, fragments: &[Vec<u8>]) -> usize {
    let mut files = Vec::new();
    for name in ["relay.db", "relay.db-wal"] {
        if let Ok(bytes) = std::fs::read(relay.data.path().join(name)) {
            files.push(bytes);
        }
    }
    fragments
        .iter()
        .filter(|f| {
            files
                .iter()
                .any(|file| file.windows(f.len()).any(|w| w == &f[..]))
        })
        .count()
}

#[test]
fn erasing_a_person_drops_their_log_on_the_relay_and_everywhere() {
    let relay = RelayProcess::start();
    let a = Device::founder(&relay.url(), "Sam");
    let (b, first) = Device::join(&a, "Alex");
    first.unwrap();
    let p = a.add_person("Asked to be forgotten");
    for i in 0..8 {
        let mut e = NewEncounter::with_person(p.clone());
        e.notes = format!("{i}: {}", "note ".repeat(400));
        a.v().record_encounter(&e).unwrap();
    }
    settle(&[&a, &b]);
    // The relay holds their record (as a snapshot; the envelopes it covers may be collected).
    assert_eq!(relay_holds(&relay, p.as_str()).1, 1);
    let fragments = relay_fragments(&relay, p.as_str());
    assert!(!fragments.is_empty());
    assert_eq!(fragments_on_disk(&relay, &fragments), fragments.len());
    // B writes about them offline, not knowing yet.
    let mut late = NewEncounter::with_person(p.clone());
    late.notes = "written before hearing of the erasure".into();
    b.v().record_encounter(&late).unwrap();

    a.v().erase_person(&p, &[]).unwrap();
    a.sync().unwrap();
    assert_eq!(relay_holds(&relay, p.as_str()), (0, 0));
    // B's late change is acknowledged and dropped; B hears of the erasure and forgets them.
    settle(&[&a, &b]);
    assert_eq!(relay_holds(&relay, p.as_str()), (0, 0));
    assert_eq!(b.v().outbox_len().unwrap(), 0);
    assert!(b.v().person(&p).is_err());
    assert!(b.v().search_people("forgotten").unwrap().is_empty());
    // Not even in the relay's free pages or write-ahead log.
    assert_eq!(fragments_on_disk(&relay, &fragments), 0);
    // A device joining later never sees them.
    let (c, first) = Device::join(&a, "Noor");
    first.unwrap();
    assert!(c.v().person(&p).is_err());
    assert!(c.v().list_people().unwrap().is_empty());
}

/// The erasing device's erase request is cut after its push went out. The devices that
/// held the record hear of the erasure and forget it, but the relay drops a record's log
/// only for an admin or the record's first writer: a plain member's request is refused (its
/// sync carries on), and the erasing device's next sync finishes it.
#[test]
fn an_erasure_cut_off_is_finished_by_the_erasing_device_not_by_a_member() {
    use std::sync::atomic::Ordering;
    let relay = RelayProcess::start();
    // Cuts any erase request while set.
    let proxy = BlockingProxy::start(relay.addr, true, |chunk| {
        contains(chunk, b"/erase HTTP/1.1")
    });
    let a = Device::founder(&proxy.url(), "Sam");
    let p = a.add_person("Asked to be forgotten");
    let mut e = NewEncounter::with_person(p.clone());
    e.notes = "something private".into();
    a.v().record_encounter(&e).unwrap();
    a.sync().unwrap();
    let (b, first) = Device::join(&a, "Alex");
    first.unwrap();
    settle(&[&a, &b]);
    assert!(relay_holds(&relay, p.as_str()).0 > 0);

    // A (the founder, the one admin) erases; its push goes out, the erase request is cut.
    a.v().erase_person(&p, &[]).unwrap();
    // Its sync fails at the cut erase request; the push before it went out.
    assert!(a.sync().is_err());
    proxy.blocking.store(false, Ordering::SeqCst);
    // B hears of the erasure and forgets the person.
    b.sync().unwrap();
    assert!(b.v().person(&p).is_err());
    // B held the record and asks the relay to drop it: refused (B is neither an admin nor
    // its writer), without stopping B's sync.
    b.sync().unwrap();
    assert!(relay_holds(&relay, p.as_str()).0 > 0);
    assert!(relay.log_text().contains("\"status\":403"));
    // A's next sync sends the request it still holds.
    a.sync().unwrap();
    assert_eq!(
        relay_holds(&relay, p.as_str()),
        (0, 0),
        "relay still holds the erased record"
    );
}

/// A team put on a relay before the team record existed (every team in use today) keeps
/// working as it did: invites, joins, sync and revocation, membership as the relay lists it,
/// until it moves to a record.
#[test]
fn a_team_without_a_record_keeps_working_as_before() {
    let relay = RelayProcess::start();
    let a = Device::founder_without_record(&relay.url(), "Sam");
    assert!(!a.v().has_team_record().unwrap());
    let helene = a.add_person("Hélène");
    a.sync().unwrap();
    let (b, first) = Device::join(&a, "Alex");
    first.unwrap();
    let (c, first) = Device::join(&a, "Lost phone");
    first.unwrap();
    assert!(!b.v().has_team_record().unwrap());
    sync::revoke_device(&a.vault, c.v().device_id()).unwrap();
    assert!(matches!(c.sync(), Err(SyncError::Revoked)));
    let mut e = tandem_model::NewEncounter::with_person(helene.clone());
    e.notes = "after the revocation".into();
    a.v().record_encounter(&e).unwrap();
    settle(&[&a, &b]);
    assert_eq!(b.v().team_epoch().unwrap(), Some(2));
    assert!(b
        .v()
        .person(&helene)
        .unwrap()
        .encounters
        .iter()
        .any(|x| x.notes == "after the revocation"));
    assert_eq!(state(&a), state(&b));
}
