//! A relay restored from a backup forgets what was written after it and hands out the same
//! sequence numbers again. Devices that saw further notice (a head below the one they saw, or
//! another envelope where theirs was), stop syncing with it and say so, keep their changes,
//! and once an admin accepts the restored relay, everything the relay lost comes back.

use crate::harness::*;
use std::path::Path;
use tandem_core::sync::SyncError;
use tandem_model::{NewEncounter, PersonId};

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn empty_dir(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            std::fs::remove_dir_all(&path).unwrap();
        } else {
            std::fs::remove_file(&path).unwrap();
        }
    }
}

fn encounter(d: &Device, person: &PersonId, notes: &str) -> tandem_model::EncounterId {
    let mut e = NewEncounter::with_person(person.clone());
    e.notes = notes.into();
    d.v().record_encounter(&e).unwrap()
}

fn went_back(r: Result<tandem_core::sync::SyncReport, SyncError>) -> bool {
    matches!(r, Err(SyncError::RelayWentBack { .. }))
}

#[test]
fn a_relay_restored_from_a_backup_is_noticed_and_nothing_is_lost() {
    let mut relay = RelayProcess::start();
    let a = Device::founder(&relay.url(), "Sam");
    let person = a.add_person("Hélène");
    a.sync().unwrap();
    let (b, first) = Device::join(&a, "Alex");
    first.unwrap();
    let (d, first) = Device::join(&a, "Dana");
    first.unwrap();
    settle(&[&a, &b, &d]);

    // The operator's backup, taken with the relay stopped so that its files are whole.
    let backup = tempfile::tempdir().unwrap();
    relay.kill();
    copy_dir(relay.data.path(), backup.path());
    relay.restart();

    // Written after the backup by Sam, and seen by Alex. Dana is away.
    let lost: Vec<_> = (0..3)
        .map(|k| encounter(&a, &person, &format!("après la sauvegarde {k}")))
        .collect();
    a.sync().unwrap();
    b.sync().unwrap();

    // The relay is restored from the backup. Dana, who never saw further, writes more than
    // was lost: the relay's head goes past what Alex saw, with other envelopes at the same
    // places. Dana cannot tell (its log is the relay's).
    relay.kill();
    empty_dir(relay.data.path());
    copy_dir(backup.path(), relay.data.path());
    relay.restart();
    let from_dana: Vec<_> = (0..8)
        .map(|k| encounter(&d, &person, &format!("Dana {k}")))
        .collect();
    d.sync().unwrap();

    // Alex and Sam notice: another envelope where theirs was. They stop, and say so.
    assert!(went_back(b.sync()), "Alex did not notice");
    assert!(went_back(a.sync()), "Sam did not notice");
    assert!(b.v().relay_went_back().unwrap().is_some());
    // What Alex writes now stays on the device: nothing is sent to that relay.
    let queued = encounter(&b, &person, "Alex, en attendant");
    assert!(went_back(b.sync()));
    assert_eq!(b.v().outbox_len().unwrap(), 1, "the change is kept");

    // An admin checked: the relay was restored from a backup. Each device accepts it, pulls
    // its log again and sends everything it holds: what the relay lost comes back.
    a.v().accept_restored_relay().unwrap();
    b.v().accept_restored_relay().unwrap();
    settle(&[&a, &b, &d]);
    settle(&[&a, &b, &d]);
    for dev in [&a, &b, &d] {
        let got = dev.v().person(&person).unwrap();
        for id in lost.iter().chain(&from_dana).chain([&queued]) {
            assert!(
                got.encounters.iter().any(|e| &e.id == id),
                "{id} is missing"
            );
        }
        assert!(dev.v().relay_went_back().unwrap().is_none());
    }
    assert_eq!(state(&a), state(&b));
    assert_eq!(state(&a), state(&d));
    // A device joining now finds it all on the relay.
    let (c, first) = Device::join(&a, "Chris");
    first.unwrap();
    let got = c.v().person(&person).unwrap();
    for id in lost.iter().chain(&from_dana).chain([&queued]) {
        assert!(
            got.encounters.iter().any(|e| &e.id == id),
            "{id} is missing"
        );
    }
}

/// Without new writes after the restore, the head itself is below what devices saw.
#[test]
fn a_relay_whose_head_goes_back_is_not_synced_with() {
    let mut relay = RelayProcess::start();
    let a = Device::founder(&relay.url(), "Sam");
    let person = a.add_person("Hélène");
    a.sync().unwrap();
    let backup = tempfile::tempdir().unwrap();
    relay.kill();
    copy_dir(relay.data.path(), backup.path());
    relay.restart();
    encounter(&a, &person, "après la sauvegarde");
    a.sync().unwrap();
    relay.kill();
    empty_dir(relay.data.path());
    copy_dir(backup.path(), relay.data.path());
    relay.restart();
    let r = a.sync();
    assert!(
        matches!(r, Err(SyncError::RelayWentBack { seen, relay }) if relay < seen),
        "{r:?}"
    );
    assert_eq!(
        r.unwrap_err().code(),
        tandem_model::ErrorCode::RelayWentBack
    );
}
