//! Relays that crash, connections that break, and what the relay holds.

use crate::harness::*;
use std::sync::atomic::Ordering;
use std::sync::Mutex;
use tandem_core::sync::{self, SyncError, SyncProgress};
use tandem_model::{NewEncounter, NewPerson};

fn busy_founder(relay: &RelayProcess, encounters: usize) -> Device {
    let a = Device::founder(&relay.url(), "Sam");
    let ids: Vec<_> = (0..10)
        .map(|i| {
            a.v()
                .add_person(&NewPerson {
                    name: format!("Person {i}"),
                    ..Default::default()
                })
                .unwrap()
        })
        .collect();
    for i in 0..encounters {
        let mut e = NewEncounter::with_person(ids[i % ids.len()].clone());
        e.notes = format!("encounter {i}");
        a.v().record_encounter(&e).unwrap();
    }
    a
}

#[test]
fn the_relay_killed_mid_push_and_mid_pull_loses_nothing() {
    let relay = Mutex::new(RelayProcess::start());
    let url = relay.lock().unwrap().url();
    let a = busy_founder(&relay.lock().unwrap(), 1200);
    let waiting = a.v().outbox_len().unwrap();

    // Killed after the first acknowledged batch of the push.
    let killed = std::sync::atomic::AtomicBool::new(false);
    let kill_once = |p: SyncProgress| {
        if let SyncProgress::Pushing(done, _) = p {
            if done > 0 && !killed.swap(true, Ordering::SeqCst) {
                relay.lock().unwrap().kill();
            }
        }
    };
    let err = sync::sync_once(&a.vault, 0, &kill_once).unwrap_err();
    assert!(matches!(err, SyncError::Offline(_)), "{err:?}");
    let left = a.v().outbox_len().unwrap();
    assert!(
        left > 0 && left < waiting,
        "part was acknowledged, the rest waits: {left}/{waiting}"
    );
    relay.lock().unwrap().restart();
    a.sync().unwrap();
    assert_eq!(a.v().outbox_len().unwrap(), 0);

    // A new device; the relay dies after its first page.
    let (b, first) = {
        let code = sync::create_invite(&a.vault, 3600).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let killed = std::sync::atomic::AtomicBool::new(false);
        let kill_on_pull = |p: SyncProgress| {
            if let SyncProgress::Pulling(done, _) = p {
                if done > 0 && !killed.swap(true, Ordering::SeqCst) {
                    relay.lock().unwrap().kill();
                }
            }
        };
        let (vault, first) = sync::join_team(
            &dir.path().join("v"),
            &pass(),
            "Alex",
            &code.to_string(),
            &kill_on_pull,
        )
        .unwrap();
        (Device::new(dir, vault), first)
    };
    assert!(matches!(first, Err(SyncError::Offline(_))), "{first:?}");
    let cursor = b.v().sync_cursor().unwrap();
    assert!(cursor > 0, "the first page was kept");
    relay.lock().unwrap().restart();
    settle(&[&a, &b]);
    assert_eq!(state(&a), state(&b));
    let people = b.v().list_people().unwrap();
    let total: usize = people
        .iter()
        .map(|p| b.v().person(&p.id).unwrap().encounters.len())
        .sum();
    assert_eq!(total, 1200);
    let _ = url;
}

#[test]
fn connections_cut_mid_transfer_are_retried_without_loss_or_duplicates() {
    let relay = RelayProcess::start();
    let a = busy_founder(&relay, 600);
    a.sync().unwrap();
    let (b, first) = Device::join(&a, "Alex");
    first.unwrap();
    // B now goes through a proxy that breaks connections.
    let proxy = CuttingProxy::start(relay.addr);
    b.v().set_relay_url(&proxy.url()).unwrap();
    for i in 0..300 {
        let mut e = NewEncounter::with_person(b.v().list_people().unwrap()[i % 10].id.clone());
        e.notes = format!("from B {i}");
        b.v().record_encounter(&e).unwrap();
    }
    let mut failures = 0;
    let mut ok = false;
    for attempt in 0..60 {
        if attempt == 40 {
            proxy.cutting.store(false, Ordering::SeqCst);
        }
        match b.sync() {
            Ok(_) => {
                ok = true;
                break;
            }
            Err(SyncError::Offline(_)) => failures += 1,
            Err(e) => panic!("unexpected error through a cutting proxy: {e:?}"),
        }
    }
    assert!(ok, "sync never completed");
    assert!(
        failures > 0,
        "the proxy never cut anything: the test proves nothing"
    );
    settle(&[&a, &b]);
    assert_eq!(state(&a), state(&b));
    let mut v = a.v();
    let people = v.list_people().unwrap();
    let mut from_b = 0;
    for p in people {
        let rec = v.person(&p.id).unwrap();
        let mut notes: Vec<&str> = rec.encounters.iter().map(|e| e.notes.as_str()).collect();
        let n = notes.len();
        notes.sort();
        notes.dedup();
        assert_eq!(notes.len(), n, "an encounter was duplicated");
        from_b += notes.iter().filter(|n| n.starts_with("from B")).count();
    }
    assert_eq!(from_b, 300);
}

#[test]
fn the_relay_stores_and_logs_no_plaintext() {
    let relay = RelayProcess::start();
    let a = Device::founder(&relay.url(), "Sam");
    let marker = format!("Zqxmarker{}", rand::random::<u32>());
    let id = a
        .v()
        .add_person(&NewPerson {
            name: marker.clone(),
            remember: format!("{marker} at the park"),
            ..Default::default()
        })
        .unwrap();
    let mut e = NewEncounter::with_person(id);
    e.notes = format!("talked with {marker}");
    a.v().record_encounter(&e).unwrap();
    let mut anon = NewEncounter::anonymous();
    anon.notes = format!("{marker} by the station");
    a.v().record_encounter(&anon).unwrap();
    a.sync().unwrap();
    let (b, first) = Device::join(&a, "Alex");
    first.unwrap();
    assert_eq!(
        b.v().search_people(&marker).unwrap().len(),
        1,
        "the marker did travel"
    );
    let files = files_under(relay.data.path());
    assert!(!files.is_empty());
    for (path, bytes) in files {
        for needle in [
            marker.as_bytes().to_vec(),
            marker.to_lowercase().into_bytes(),
        ] {
            assert!(
                !contains(&bytes, &needle),
                "{} holds the marker",
                path.display()
            );
        }
    }
    assert!(
        !relay.log_text().contains(&marker),
        "the relay's log holds the marker"
    );
}
