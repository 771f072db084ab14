//! Devices that work offline and sync in any order end identical.

use crate::harness::*;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use tandem_core::sync;
use tandem_model::{
    GoalStatus, GoalUpdate, NewEncounter, NewGoal, NewPerson, PersonId, ProfileUpdate,
};

#[test]
fn three_devices_work_offline_then_converge_in_random_orders() {
    let relay = RelayProcess::start();
    let a = Device::founder(&relay.url(), "Sam");
    a.sync().unwrap();
    let (b, first_b) = Device::join(&a, "Alex");
    first_b.unwrap();
    let (c, first_c) = Device::join(&a, "Noor");
    first_c.unwrap();
    settle(&[&a, &b, &c]);

    // A shared person everyone will write to.
    let shared = a.add_person("Hélène");
    let goal = a
        .v()
        .add_goal(
            &shared,
            &NewGoal {
                words: "Avoir mon propre appart".into(),
                domain: Some("housing".into()),
                status: None,
                steps: vec![],
                next_check_in: None,
            },
        )
        .unwrap();
    settle(&[&a, &b, &c]);

    let mut rng = rand::rngs::StdRng::seed_from_u64(42);
    let devices = [&a, &b, &c];
    let mut recorded = Vec::new();
    for round in 0..4 {
        // Offline work on every device.
        for (i, d) in devices.iter().enumerate() {
            let mut v = d.v();
            let own = v
                .add_person(&NewPerson {
                    name: format!("Person {round}-{i}"),
                    ..Default::default()
                })
                .unwrap();
            for k in 0..3 {
                let mut e =
                    NewEncounter::with_person(if k == 0 { shared.clone() } else { own.clone() });
                e.notes = format!("round {round} device {i} note {k}");
                recorded.push((e.subject.clone(), v.record_encounter(&e).unwrap()));
            }
            let mut anon = NewEncounter::anonymous();
            anon.given = vec!["naloxone".into()];
            v.record_encounter(&anon).unwrap();
            let status = [
                GoalStatus::Exploring,
                GoalStatus::WorkingOnIt,
                GoalStatus::Paused,
            ][i];
            v.update_goal(
                &shared,
                &goal,
                &GoalUpdate {
                    status: Some(status),
                    ..Default::default()
                },
            )
            .unwrap();
            if round == 3 {
                // Values never written before, on all three at once: a three-way conflict.
                let name = format!("Hélène {i}");
                v.update_profile(
                    &shared,
                    &ProfileUpdate {
                        name: Some(name),
                        ..Default::default()
                    },
                )
                .unwrap();
            }
        }
        // Sync in a random order, sometimes skipping a device.
        let mut order = devices.to_vec();
        order.shuffle(&mut rng);
        for d in order {
            if rng.gen_bool(0.8) {
                d.sync().unwrap();
            }
        }
    }
    settle(&[&a, &b, &c]);
    let (sa, sb, sc) = (state(&a), state(&b), state(&c));
    assert_eq!(sa, sb, "A and B differ");
    assert_eq!(sa, sc, "A and C differ");
    // Nothing lost: every encounter recorded anywhere is everywhere.
    for d in devices {
        let mut v = d.v();
        for (subject, id) in &recorded {
            if let tandem_model::EncounterSubject::Person(p) = subject {
                assert!(
                    v.person(p).unwrap().encounters.iter().any(|e| &e.id == id),
                    "lost {id}"
                );
            }
        }
        let brief = v.brief(&shared).unwrap();
        // Concurrent status changes are kept as a conflict, not dropped.
        // Concurrent writes of one field are kept as a conflict with every value, not dropped.
        let name = brief
            .conflicts
            .iter()
            .find(|c| c.field() == "name")
            .expect("a name conflict");
        let mut values = name.values.clone();
        values.sort();
        assert_eq!(values, ["Hélène 0", "Hélène 1", "Hélène 2"]);
    }
    // The team knows all three members.
    assert_eq!(a.v().team().unwrap().members.len(), 3);
}

#[test]
fn a_new_device_gets_everything_from_snapshots_and_the_tail() {
    let relay = RelayProcess::start();
    let a = Device::founder(&relay.url(), "Sam");
    let id = a.add_person("Zoë");
    // Enough envelopes for a snapshot to be worth it.
    for i in 0..80 {
        let mut e = NewEncounter::with_person(id.clone());
        e.notes = format!("visit {i}");
        a.v().record_encounter(&e).unwrap();
        if i % 20 == 0 {
            a.sync().unwrap();
        }
    }
    let r = a.sync().unwrap();
    let r2 = a.sync().unwrap();
    assert!(
        r.snapshots_uploaded + r2.snapshots_uploaded > 0,
        "{r:?} {r2:?}"
    );
    // More after the snapshot: the tail.
    let mut e = NewEncounter::with_person(id.clone());
    e.notes = "after the snapshot".into();
    a.v().record_encounter(&e).unwrap();
    a.sync().unwrap();
    let (b, first) = Device::join(&a, "Alex");
    first.unwrap();
    settle(&[&a, &b]);
    assert_eq!(state(&a), state(&b));
    let brief = b.v().brief(&PersonId(id.0.clone())).unwrap();
    assert_eq!(brief.encounter_count, 81);
}

#[test]
fn a_new_device_takes_snapshots_unloaded_and_checks_them_in_the_background() {
    let relay = RelayProcess::start();
    let a = Device::founder(&relay.url(), "Sam");
    let mut ids = Vec::new();
    for name in ["Ana", "Bea", "Cy"] {
        let id = a.add_person(name);
        // A long record: big enough for a snapshot after one sync.
        for i in 0..12 {
            let mut e = NewEncounter::with_person(id.clone());
            e.notes = format!("{name} {i}: {}", "une longue note de suivi. ".repeat(40));
            a.v().record_encounter(&e).unwrap();
        }
        ids.push(id);
    }
    let r = a.sync().unwrap();
    let r2 = a.sync().unwrap();
    assert!(
        r.snapshots_uploaded + r2.snapshots_uploaded >= 3,
        "{r:?} {r2:?}"
    );
    // Bea changes after her snapshot: the new device reads her record during its sync.
    let mut e = NewEncounter::with_person(ids[1].clone());
    e.notes = "after the snapshot".into();
    a.v().record_encounter(&e).unwrap();
    a.sync().unwrap();

    let code = sync::create_invite(&a.vault, 3600).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (b, first) = sync::join_team(
        &dir.path().join("b"),
        &pass(),
        "Alex",
        &code.to_string(),
        &|_| {},
    )
    .unwrap();
    first.unwrap();
    let b = std::sync::Arc::new(b);
    {
        let mut v = b.lock();
        // Ana and Cy are stored as received; Bea was read because she changed.
        assert_eq!(v.deferred_count().unwrap(), 2);
        assert_eq!(v.list_people().unwrap(), a.v().list_people().unwrap());
        let brief = v.brief(&ids[1]).unwrap();
        assert_eq!(brief.encounter_count, 13);
    }
    // The background sync checks them by itself.
    let handle = sync::SyncHandle::start(&b, |_| {});
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while b.lock().deferred_count().unwrap() > 0 {
        assert!(std::time::Instant::now() < deadline, "never checked");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    handle.stop();
    let mut v = b.lock();
    assert_eq!(v.list_people().unwrap(), a.v().list_people().unwrap());
    for id in &ids {
        assert_eq!(v.person(id).unwrap(), a.v().person(id).unwrap());
    }
}
