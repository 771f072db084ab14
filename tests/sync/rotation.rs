//! A revocation moves the team to a new key epoch that reaches the remaining devices only.

use crate::harness::*;
use std::collections::HashSet;
use tandem_core::sync::{self, SyncError};
use tandem_model::{NewEncounter, PersonId};
use tandem_protocol::envelope::UncheckedEnvelope;

/// Every envelope of `team` found in the relay's data files (the database and its
/// write-ahead log), read as raw bytes: what someone who copied the files would have.
fn envelopes_on_disk(relay: &RelayProcess, team: [u8; 16]) -> Vec<Vec<u8>> {
    let mut magic = b"TNE1".to_vec();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    magic.push(0); // kind: change
    for (_, bytes) in files_under(relay.data.path()) {
        for start in 0..bytes.len().saturating_sub(85) {
            if bytes[start..start + 5] != magic[..] || bytes[start + 5..start + 21] != team {
                continue;
            }
            let n = u32::from_be_bytes(bytes[start + 81..start + 85].try_into().unwrap());
            let end = start + 85 + n as usize + 64;
            if end > bytes.len() {
                continue;
            }
            let env = bytes[start..end].to_vec();
            if UncheckedEnvelope::parse(env.clone()).is_ok() && seen.insert(env.clone()) {
                out.push(env);
            }
        }
    }
    out
}

fn epoch_of(envelope: &[u8]) -> u32 {
    UncheckedEnvelope::parse(envelope.to_vec())
        .unwrap()
        .header()
        .epoch
}

fn author_of(envelope: &[u8]) -> String {
    UncheckedEnvelope::parse(envelope.to_vec())
        .unwrap()
        .header()
        .author
        .to_hex()
}

/// Sam founds the team on `relay_url` with one person on record, then B and C ("Lost phone")
/// join and all three settle.
fn team_of_three(
    relay_url: &str,
    person_name: &str,
    b_name: &str,
) -> (Device, PersonId, Device, Device) {
    let a = Device::founder(relay_url, "Sam");
    let p = a.add_person(person_name);
    a.sync().unwrap();
    let (b, first) = Device::join(&a, b_name);
    first.unwrap();
    let (c, first) = Device::join(&a, "Lost phone");
    first.unwrap();
    settle(&[&a, &b, &c]);
    (a, p, b, c)
}

#[test]
fn a_revoked_device_cannot_open_what_is_written_after_even_from_the_relays_files() {
    let relay = RelayProcess::start();
    let (a, helene, b, c) = team_of_three(&relay.url(), "Hélène", "Alex");
    assert_eq!(c.v().team_epoch().unwrap(), Some(1));
    let team = a.v().wire_team().unwrap().0;

    let c_id = c.v().device_id().to_owned();
    sync::revoke_device(&a.vault, &c_id).unwrap();
    assert_eq!(a.v().team_epoch().unwrap(), Some(2));

    let mut e = NewEncounter::with_person(helene.clone());
    e.notes = "written after the phone was lost".into();
    let id = a.v().record_encounter(&e).unwrap();
    a.sync().unwrap();
    b.sync().unwrap();
    assert_eq!(b.v().team_epoch().unwrap(), Some(2), "B got the new epoch");
    let seen = b.v().person(&helene).unwrap();
    assert!(seen.encounters.iter().any(|x| x.id == id));

    let on_disk = envelopes_on_disk(&relay, team);
    let (new, old): (Vec<_>, Vec<_>) = on_disk.iter().partition(|e| epoch_of(e) == 2);
    assert!(!new.is_empty(), "the encounter went out under epoch 2");
    assert!(!old.is_empty());
    assert!(on_disk.iter().all(|e| matches!(epoch_of(e), 1 | 2)));
    for env in &new {
        assert!(b.v().can_open_envelope(env).unwrap(), "B opens epoch 2");
        assert!(!c.v().can_open_envelope(env).unwrap(), "C opens epoch 2");
    }
    // The check is real: C still opens what was written before.
    assert!(old.iter().any(|e| c.v().can_open_envelope(e).unwrap()));

    // C asking the relay gets nothing, and still holds epoch 1 only.
    assert!(matches!(c.sync(), Err(SyncError::Revoked)));
    assert_eq!(c.v().team_epoch().unwrap(), Some(1));
    assert!(c
        .v()
        .person(&helene)
        .unwrap()
        .encounters
        .iter()
        .all(|x| x.id != id));
}

#[test]
fn a_device_offline_during_the_revocation_catches_up_and_newcomers_read_everything() {
    let relay = RelayProcess::start();
    let (a, before, b, c) = team_of_three(&relay.url(), "Before the revocation", "Offline tablet");
    let team = a.v().wire_team().unwrap().0;

    let b_id = b.v().device_id().to_owned();
    let b_before: HashSet<Vec<u8>> = envelopes_on_disk(&relay, team)
        .into_iter()
        .filter(|e| author_of(e) == b_id)
        .collect();

    // B is away while A revokes C and writes; B writes too, not knowing.
    sync::revoke_device(&a.vault, c.v().device_id()).unwrap();
    let after = a.add_person("After the revocation");
    a.sync().unwrap();
    let while_away = b.add_person("Written while away");

    // B's next sync brings the new epoch with the news, and what B wrote while away goes
    // out sealed under it.
    b.sync().unwrap();
    assert_eq!(b.v().team_epoch().unwrap(), Some(2));
    let away: Vec<_> = envelopes_on_disk(&relay, team)
        .into_iter()
        .filter(|e| author_of(e) == b_id && !b_before.contains(e))
        .collect();
    assert!(!away.is_empty());
    assert!(
        away.iter().all(|e| epoch_of(e) == 2),
        "sealed under epoch 2"
    );
    assert!(away.iter().all(|e| !c.v().can_open_envelope(e).unwrap()));
    a.sync().unwrap();
    assert!(a.v().person(&while_away).is_ok());
    assert_eq!(
        b.v().search_people("after the revocation").unwrap().len(),
        1
    );
    // What B writes from now on is sealed under epoch 2.
    let by_b = b.add_person("Written by the tablet");
    b.sync().unwrap();
    let b_new: Vec<_> = envelopes_on_disk(&relay, team)
        .into_iter()
        .filter(|e| author_of(e) == b_id && epoch_of(e) == 2)
        .collect();
    assert!(!b_new.is_empty(), "B seals under epoch 2 once it has it");
    assert!(b_new.iter().all(|e| !c.v().can_open_envelope(e).unwrap()));
    a.sync().unwrap();
    assert!(a.v().person(&by_b).is_ok());

    // A device invited after the revocation gets every epoch: it reads the whole history.
    let (d, first) = Device::join(&b, "New phone");
    first.unwrap();
    assert_eq!(d.v().team_epoch().unwrap(), Some(2));
    for p in [&before, &after, &by_b] {
        assert!(d.v().person(p).is_ok(), "{p:?}");
    }

    // A second revocation moves on to epoch 3, for everyone left.
    sync::revoke_device(&a.vault, d.v().device_id()).unwrap();
    assert_eq!(a.v().team_epoch().unwrap(), Some(3));
    settle(&[&a, &b]);
    assert_eq!(b.v().team_epoch().unwrap(), Some(3));
}

#[test]
fn a_removal_cut_off_is_finished_by_the_next_sync() {
    use std::sync::atomic::Ordering;
    let relay = RelayProcess::start();
    // Cuts any request posting to the team record, once set: the removal and its new key
    // go in one post, so the relay gets both or neither.
    let proxy = BlockingProxy::start(relay.addr, false, |chunk| {
        contains(chunk, b"POST /v1/teams/") && contains(chunk, b"/record HTTP/1.1")
    });
    let (a, helene, b, c) = team_of_three(&proxy.url(), "Hélène", "Alex");

    // The admin removes C; the connection is lost on the way.
    proxy.blocking.store(true, Ordering::SeqCst);
    let c_id = c.v().device_id().to_owned();
    assert!(sync::revoke_device(&a.vault, &c_id).is_err());
    assert_eq!(a.v().team_epoch().unwrap(), Some(1));
    // A sync while it still cannot be delivered carries on.
    a.sync().unwrap();
    assert_eq!(a.v().team_epoch().unwrap(), Some(1));

    // Back: the next sync finishes the removal by itself; C is refused, B picks it up.
    proxy.blocking.store(false, Ordering::SeqCst);
    a.sync().unwrap();
    assert_eq!(a.v().team_epoch().unwrap(), Some(2));
    assert!(matches!(c.sync(), Err(SyncError::Revoked)), "not removed");
    let mut e = NewEncounter::with_person(helene.clone());
    e.notes = "after the rotation".into();
    a.v().record_encounter(&e).unwrap();
    a.sync().unwrap();
    b.sync().unwrap();
    assert_eq!(b.v().team_epoch().unwrap(), Some(2));
    assert!(b
        .v()
        .person(&helene)
        .unwrap()
        .encounters
        .iter()
        .any(|x| x.notes == "after the rotation"));
    // Once done, it is not done again.
    a.sync().unwrap();
    assert_eq!(a.v().team_epoch().unwrap(), Some(2));
}

/// Joins `code` as a new device "New phone".
fn join_with(code: &str) -> Result<Device, SyncError> {
    let dir = tempfile::tempdir().unwrap();
    let (vault, first) = sync::join_team(
        &dir.path().join("vault"),
        &pass(),
        "New phone",
        code,
        &|_| {},
    )?;
    first?;
    Ok(Device::new(dir, vault))
}

#[test]
fn an_invite_made_before_a_revocation_is_refused_and_a_new_one_works() {
    let relay = RelayProcess::start();
    let (a, helene, _b, c) = team_of_three(&relay.url(), "Hélène", "Alex");
    // The code is shown before the lost phone is revoked, and typed in after.
    let stale = sync::create_invite(&a.vault, 3600).unwrap().to_string();
    let c_id = c.v().device_id().to_owned();
    sync::revoke_device(&a.vault, &c_id).unwrap();
    let mut e = NewEncounter::with_person(helene.clone());
    e.notes = "written after the phone was lost".into();
    a.v().record_encounter(&e).unwrap();
    a.sync().unwrap();

    match join_with(&stale) {
        Err(e @ SyncError::Relay { .. }) => {
            assert!(matches!(&e, SyncError::Relay { code, .. } if code == "invite_stale"));
            // Worded for the user as an invite to replace.
            assert_eq!(e.code(), tandem_model::ErrorCode::InviteInvalid);
        }
        other => panic!("expected invite_stale, got {:?}", other.map(|_| ())),
    }
    // A new code carries the new key: the new phone reads what was written since and writes.
    let fresh = sync::create_invite(&a.vault, 3600).unwrap().to_string();
    let d = join_with(&fresh).unwrap();
    assert_eq!(d.v().team_epoch().unwrap(), Some(2));
    let brief = d.v().brief(&helene).unwrap();
    assert!(brief
        .last_encounters
        .iter()
        .any(|e| e.notes == "written after the phone was lost"));
    let p = d.add_person("Written on the new phone");
    d.sync().unwrap();
    a.sync().unwrap();
    assert!(a.v().person(&p).is_ok());
}

#[test]
fn an_invite_from_a_device_that_missed_a_revocation_carries_the_new_key() {
    let relay = RelayProcess::start();
    let (a, helene, b, c) = team_of_three(&relay.url(), "Hélène", "Alex");
    let c_id = c.v().device_id().to_owned();
    sync::revoke_device(&a.vault, &c_id).unwrap();
    let mut e = NewEncounter::with_person(helene.clone());
    e.notes = "sealed under the new key".into();
    a.v().record_encounter(&e).unwrap();
    a.sync().unwrap();
    // B has not synced since; the invite it makes still carries the new key.
    assert_eq!(b.v().team_epoch().unwrap(), Some(1));
    let code = sync::create_invite(&b.vault, 3600).unwrap().to_string();
    let d = join_with(&code).unwrap();
    assert_eq!(d.v().team_epoch().unwrap(), Some(2));
    assert!(d
        .v()
        .brief(&helene)
        .unwrap()
        .last_encounters
        .iter()
        .any(|e| e.notes == "sealed under the new key"));
}
