//! Teams made before the team record moving to one: an admin writes the first record from
//! what its device knows, the relay holds it to its own list, and every other device takes
//! it only if it matches what that device knew, with nothing lost on the way.

use crate::harness::{pass, settle, state, Device, RelayProcess, CREATION_TOKEN};
use crate::malicious::start_wrapper;
use ed25519_dalek::SigningKey;
use rand::rngs::OsRng;
use tandem_core::sync::{self, SyncError};
use tandem_core::TrustProblem;
use tandem_model::NewEncounter;
use tandem_protocol::api::DeviceRole;
use tandem_protocol::frames;
use tandem_protocol::record::{key_commitment, EntryBody, FoundingDevice, NewEntry, Origin};
use tandem_protocol::DeviceId;

/// A founder whose team was put on the relay as releases before the record did.
fn founder_from_before(relay: &RelayProcess, name: &str) -> Device {
    let dir = tempfile::tempdir().unwrap();
    let vault = tandem_core::Vault::create(
        dir.path(),
        &pass(),
        &tandem_core::NewVault {
            member_name: name.into(),
            team_name: "Solo".into(),
        },
    )
    .unwrap();
    let vault = tandem_core::SharedVault::new(vault);
    sync::test_hook_create_team_without_record(
        &vault,
        &relay.url(),
        "Équipe Nord",
        Some(CREATION_TOKEN),
    )
    .unwrap();
    Device::new(dir, vault)
}

fn note(d: &Device, person: &tandem_model::PersonId, notes: &str) {
    let mut e = NewEncounter::with_person(person.clone());
    e.notes = notes.into();
    d.v().record_encounter(&e).unwrap();
}

fn has_note(d: &Device, person: &tandem_model::PersonId, notes: &str) -> bool {
    d.v()
        .person(person)
        .unwrap()
        .encounters
        .iter()
        .any(|x| x.notes == notes)
}

fn fingerprint(d: &Device) -> String {
    sync::fingerprint(&d.v().team_record().unwrap().expect("a team record"))
}

/// A team of four from before the record, one device revoked and one rotation done, work on
/// every device: the admin sets the record up leaving one device out. The kept member takes
/// the record and the new key, the one left out is refused and holds no new key, the
/// revoked one stays out, a new device joins through the record, and every change made
/// before and after is everywhere it should be.
#[test]
fn an_admin_moves_a_team_from_before_to_its_record_with_nothing_lost() {
    let relay = RelayProcess::start();
    let a = founder_from_before(&relay, "Sam");
    let helene = a.add_person("Hélène");
    note(&a, &helene, "before the record");
    a.sync().unwrap();
    let (b, first) = Device::join(&a, "Alex");
    first.unwrap();
    let (c, first) = Device::join(&a, "Old tablet");
    first.unwrap();
    let (d, first) = Device::join(&a, "Lost phone");
    first.unwrap();
    sync::revoke_device(&a.vault, d.v().device_id()).unwrap();
    note(&b, &helene, "from Alex before the record");
    settle(&[&a, &b, &c]);
    assert_eq!(b.v().team_epoch().unwrap(), Some(2));
    assert!(!a.v().has_team_record().unwrap());

    // What the admin sees: every device, the revoked one not kept.
    let plan = sync::record_setup_plan(&a.vault).unwrap();
    assert_eq!(plan.len(), 4);
    let row = |dev: &Device| {
        plan.iter()
            .find(|r| r.device.to_hex() == dev.v().device_id())
            .unwrap()
            .clone()
    };
    assert!(row(&a).is_me && row(&a).kept_by_default);
    assert!(row(&b).kept_by_default && !row(&b).differs);
    assert!(row(&d).revoked && !row(&d).kept_by_default);
    assert_eq!(row(&a).relay_role, Some(DeviceRole::Admin));

    // A member cannot set it up; the admin leaves the old tablet out.
    assert!(matches!(
        sync::set_up_record(&b.vault, &[]),
        Err(SyncError::Config(_))
    ));
    let done = sync::set_up_record(&a.vault, &[c.v().device_id().to_owned()]).unwrap();
    assert_eq!((done.kept, done.left_out, done.epoch), (2, 2, 3));
    assert!(a.v().has_team_record().unwrap());
    assert_eq!(done.fingerprint, fingerprint(&a));
    note(&a, &helene, "after the record");
    a.sync().unwrap();

    // The kept member takes the record, the key and the work, and shows the same
    // fingerprint.
    settle(&[&a, &b]);
    assert!(b.v().has_team_record().unwrap());
    assert!(b.v().trust_problem().unwrap().is_none());
    assert_eq!(b.v().team_epoch().unwrap(), Some(3));
    assert_eq!(fingerprint(&b), done.fingerprint);
    for n in [
        "before the record",
        "from Alex before the record",
        "after the record",
    ] {
        assert!(has_note(&b, &helene, n), "{n} missing on the kept member");
    }
    assert_eq!(state(&a), state(&b));

    // The one left out: refused, and it never got the new key.
    assert!(matches!(c.sync(), Err(SyncError::Revoked)));
    assert_eq!(c.v().team_epoch().unwrap(), Some(2));
    assert!(!has_note(&c, &helene, "after the record"));
    assert!(matches!(d.sync(), Err(SyncError::Revoked)));

    // Once there, the team works by the record: a new device joins and reads it all.
    let (e, first) = Device::join(&a, "New phone");
    first.unwrap();
    settle(&[&a, &b, &e]);
    assert_eq!(fingerprint(&e), done.fingerprint);
    assert!(has_note(&e, &helene, "before the record"));
    assert!(has_note(&e, &helene, "after the record"));
    assert_eq!(state(&a), state(&e));
    // A second setup is refused: the team has its record.
    assert!(sync::set_up_record(&a.vault, &[]).is_err());
}

/// The relay makes up a record for a team that has none: founded by a device it invented
/// (an admin in the list it serves), keeping the real member with its real key. The member
/// knew the team before: the author is no admin it knew, so nothing is taken, the sync
/// stops and says so, and once the relay is honest again the team syncs as before.
#[test]
fn a_record_the_relay_makes_up_for_a_team_from_before_is_refused() {
    let relay = RelayProcess::start();
    let a = founder_from_before(&relay, "Sam");
    let helene = a.add_person("Hélène");
    a.sync().unwrap();
    let (b, first) = Device::join(&a, "Alex");
    first.unwrap();
    let w = start_wrapper(relay.addr);
    b.v().set_relay_url(&format!("http://{}", w.addr)).unwrap();
    b.sync().unwrap();

    let fake = SigningKey::generate(&mut OsRng);
    let fake_id = DeviceId([0x5a; 16]);
    let team = b.v().wire_team().unwrap();
    let b_id: DeviceId = b.v().device_id().parse().unwrap();
    let b_key = b.v().test_hook_signing_key().verifying_key().to_bytes();
    let keys = b.v().test_hook_team_keys().unwrap();
    let mut devices = vec![
        FoundingDevice {
            device: fake_id,
            key: fake.verifying_key().to_bytes(),
            role: DeviceRole::Admin,
            removed: false,
            member: [1; 16],
        },
        FoundingDevice {
            device: b_id,
            key: b_key,
            role: DeviceRole::Member,
            removed: false,
            member: [2; 16],
        },
    ];
    devices.sort_by_key(|d| d.device);
    let founding = NewEntry {
        team,
        seq: 0,
        prev: [0; 32],
        author: fake_id,
        time_ms: u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap(),
        body: EntryBody::Founding {
            origin: Origin::Migrated,
            devices,
            epochs: keys
                .iter()
                .map(|k| (k.epoch, key_commitment(team, k.epoch, k.bytes())))
                .collect(),
            legacy_log_head: 1,
        },
    }
    .sign(&fake);
    let (hash, bytes) = (founding.hash(), founding.bytes().to_vec());
    let fake_public = hex::encode(fake.verifying_key().to_bytes());
    *w.rewrite.lock().unwrap() = Some(Box::new(move |route, headers, body| {
        if route.ends_with("/record") {
            headers.retain(|(k, _)| !k.starts_with("x-tandem-record") && k != "x-tandem-more");
            headers.push((tandem_protocol::api::HEADER_RECORD_SEQ.into(), "0".into()));
            headers.push((
                tandem_protocol::api::HEADER_RECORD_HASH.into(),
                hex::encode(hash),
            ));
            return frames::encode_page(&[(0, bytes.clone())]);
        }
        if route.ends_with("/devices") {
            let mut list: serde_json::Value = serde_json::from_slice(&body).unwrap();
            list.as_array_mut().unwrap().push(serde_json::json!({
                "device": fake_id.to_hex(),
                "public_key": fake_public,
                "role": "admin",
                "enrolled_at_ms": 0,
                "revoked_at_ms": null,
            }));
            return serde_json::to_vec(&list).unwrap();
        }
        body
    }));
    note(&b, &helene, "while the relay lies");
    assert!(matches!(
        b.sync(),
        Err(SyncError::Untrusted(TrustProblem::ForgedChange))
    ));
    assert!(
        !b.v().has_team_record().unwrap(),
        "a made-up record was taken"
    );
    assert!(b.v().outbox_len().unwrap() > 0, "pushed to a lying relay");

    *w.rewrite.lock().unwrap() = None;
    settle(&[&a, &b]);
    assert!(b.v().trust_problem().unwrap().is_none());
    assert!(has_note(&a, &helene, "while the relay lies"));
    assert_eq!(state(&a), state(&b));
}
