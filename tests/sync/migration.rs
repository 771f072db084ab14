//! Teams made before the team record moving to one: an admin writes the first record from
//! what its device knows, the relay holds it to its own list, and every other device takes
//! it only if it matches what that device knew, with nothing lost on the way.

use crate::harness::{settle, state, Device, RelayProcess};
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
    d.v()
        .team_record()
        .unwrap()
        .expect("a team record")
        .fingerprint()
}

/// A team of four from before the record, one device revoked and one rotation done, work on
/// every device: the admin sets the record up leaving one device out. The kept member takes
/// the record and the new key, the one left out is refused and holds no new key, the
/// revoked one stays out, a new device joins through the record, and every change made
/// before and after is everywhere it should be.
#[test]
fn an_admin_moves_a_team_from_before_to_its_record_with_nothing_lost() {
    let relay = RelayProcess::start();
    let a = Device::founder_without_record(&relay.url(), "Sam");
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
    let plan = sync::record_setup_plan(&a.vault, &[]).unwrap();
    assert_eq!(plan.devices.len(), 4);
    let row = |dev: &Device| {
        plan.devices
            .iter()
            .find(|r| r.device.to_hex() == dev.v().device_id())
            .unwrap()
            .clone()
    };
    assert!(row(&a).is_me && row(&a).kept_by_default);
    assert!(row(&b).kept_by_default && !row(&b).differs);
    assert!(row(&d).revoked && !row(&d).kept_by_default);
    assert_eq!(row(&a).relay_role, Some(DeviceRole::Admin));

    // A member cannot set it up; the admin leaves the old tablet out, as the list it looked
    // at says (the code of the list without it does not write this one).
    assert!(matches!(
        sync::record_setup_plan(&b.vault, &[]),
        Err(SyncError::Config(_))
    ));
    let leave_out = [c.v().device_id().to_owned()];
    let without_tablet = sync::record_setup_plan(&a.vault, &leave_out).unwrap();
    assert_ne!(without_tablet.code, plan.code);
    assert!(matches!(
        sync::set_up_record(&a.vault, &leave_out, &plan.code),
        Err(SyncError::Config(_))
    ));
    assert!(!a.v().has_team_record().unwrap());
    let done = sync::set_up_record(&a.vault, &leave_out, &without_tablet.code).unwrap();
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
    assert!(sync::set_up_record(&a.vault, &[], &plan.code).is_err());
}

/// The relay makes up a record for a team that has none: founded by a device it invented
/// (an admin in the list it serves), keeping the real member with its real key. The member
/// knew the team before: the author is no admin it knew, so nothing is taken, the sync
/// stops and says so, and once the relay is honest again the team syncs as before.
#[test]
fn a_record_the_relay_makes_up_for_a_team_from_before_is_refused() {
    let relay = RelayProcess::start();
    let a = Device::founder_without_record(&relay.url(), "Sam");
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
            return crate::malicious::with_invented_admin(&body, &fake_id.to_hex(), &fake_public);
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

/// The vault passphrase of the fixture's devices.
const FIXTURE_PASS: &str = "fixture passphrase";

/// A team as the release before the record left it (`tests/fixtures/pre-record`, made by
/// `scripts/make-pre-record-fixture` with that release): its relay's files under today's
/// relay, and its three devices' vaults opened by today's code, pointed at it.
struct FromBefore {
    _relay: RelayProcess,
    founder: Device,
    alex: Device,
    tablet: Device,
}

fn copy_files(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

fn from_before() -> FromBefore {
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pre-record");
    let data = tempfile::tempdir().unwrap();
    for name in ["relay.db", "relay.db-wal", "relay.db-shm"] {
        if fixture.join(name).exists() {
            std::fs::copy(fixture.join(name), data.path().join(name)).unwrap();
        }
    }
    let relay = RelayProcess::start_on(data, &[]);
    let open = |name: &str| {
        let dir = tempfile::tempdir().unwrap();
        copy_files(&fixture.join(name), dir.path());
        let mut vault =
            tandem_core::Vault::open(dir.path(), &tandem_core::Passphrase::new(FIXTURE_PASS))
                .unwrap();
        vault.set_relay_url(&relay.url()).unwrap();
        Device::new(dir, tandem_core::SharedVault::new(vault))
    };
    FromBefore {
        founder: open("founder"),
        alex: open("alex"),
        tablet: open("tablet"),
        _relay: relay,
    }
}

/// What a device lists, by name, with each person's encounters' notes: what must come
/// through the move unchanged.
fn work_of(d: &Device) -> Vec<(String, Vec<String>)> {
    let mut v = d.v();
    let mut out: Vec<(String, Vec<String>)> = v
        .list_people()
        .unwrap()
        .into_iter()
        .map(|p| {
            let mut notes: Vec<String> = v
                .person(&p.id)
                .unwrap()
                .encounters
                .into_iter()
                .map(|e| e.notes)
                .collect();
            notes.sort();
            (p.name, notes)
        })
        .collect();
    out.sort();
    out
}

/// The founder updates first and sets the record up before the others have synced with
/// today's code: each member takes it at its first sync (held to the team document only,
/// no relay list kept yet), and the work of the release before is all there.
#[test]
fn a_team_from_the_release_before_moves_over_founder_first() {
    let t = from_before();
    let before = work_of(&t.founder);
    assert_eq!(before.len(), 20, "the fixture's people");
    assert_eq!(work_of(&t.alex), before);
    assert!(!t.founder.v().has_team_record().unwrap());
    let plan = sync::record_setup_plan(&t.founder.vault, &[]).unwrap();
    let done = sync::set_up_record(&t.founder.vault, &[], &plan.code).unwrap();
    assert_eq!(
        (done.kept, done.left_out),
        (3, 1),
        "the revoked phone stays out"
    );
    let p = t.founder.add_person("Après le registre");
    note(&t.founder, &p, "écrit après le registre");
    settle(&[&t.founder, &t.alex, &t.tablet]);
    for d in [&t.alex, &t.tablet] {
        assert!(d.v().has_team_record().unwrap());
        assert!(d.v().trust_problem().unwrap().is_none());
        assert_eq!(fingerprint(d), done.fingerprint);
        assert!(has_note(d, &p, "écrit après le registre"));
        assert_eq!(state(d), state(&t.founder));
    }
    let after = work_of(&t.alex);
    assert!(
        before.iter().all(|w| after.contains(w)),
        "work from before lost"
    );
}

/// A member updates and syncs first (keeping the relay's list as it was), the founder then
/// sets the record up leaving the old tablet out: the member takes the record, the tablet
/// is refused and never gets the new key, and nothing written before is lost.
#[test]
fn a_team_from_the_release_before_moves_over_member_first() {
    let t = from_before();
    let before = work_of(&t.founder);
    t.alex.sync().unwrap();
    note(
        &t.alex,
        &t.alex.add_person("Avant le registre"),
        "Alex, mis à jour",
    );
    t.alex.sync().unwrap();
    t.tablet.sync().unwrap();
    let tablet = [t.tablet.v().device_id().to_owned()];
    let plan = sync::record_setup_plan(&t.founder.vault, &tablet).unwrap();
    let done = sync::set_up_record(&t.founder.vault, &tablet, &plan.code).unwrap();
    assert_eq!((done.kept, done.left_out), (2, 2));
    let p = t.founder.add_person("Après le registre");
    note(&t.founder, &p, "écrit après le registre");
    settle(&[&t.founder, &t.alex]);
    assert!(t.alex.v().has_team_record().unwrap());
    assert_eq!(fingerprint(&t.alex), done.fingerprint);
    assert!(has_note(&t.alex, &p, "écrit après le registre"));
    assert_eq!(state(&t.alex), state(&t.founder));
    let after = work_of(&t.alex);
    assert!(
        before.iter().all(|w| after.contains(w)),
        "work from before lost"
    );
    assert!(after
        .iter()
        .any(|(_, notes)| notes.iter().any(|n| n == "Alex, mis à jour")));
    assert!(matches!(t.tablet.sync(), Err(SyncError::Revoked)));
    let epoch = t.tablet.v().team_epoch().unwrap();
    assert!(epoch < t.founder.v().team_epoch().unwrap());
}

/// The relay answers the admin's second look at its devices differently from the list the
/// admin checked (a member's device now an admin, a revoked phone active again): nothing is
/// written. And a member's device waiting on the relay while the admin sets the record up
/// takes the new key the older way before it sees the record: it still takes the record,
/// and keeps syncing.
#[test]
fn the_setup_writes_only_the_list_the_admin_saw_and_no_device_is_caught_mid_way() {
    let relay = RelayProcess::start();
    let a = Device::founder_without_record(&relay.url(), "Sam");
    let helene = a.add_person("Hélène");
    a.sync().unwrap();
    let (b, first) = Device::join(&a, "Alex");
    first.unwrap();
    let (d, first) = Device::join(&a, "Lost phone");
    first.unwrap();
    sync::revoke_device(&a.vault, d.v().device_id()).unwrap();
    settle(&[&a, &b]);
    let w = start_wrapper(relay.addr);
    a.v().set_relay_url(&format!("http://{}", w.addr)).unwrap();
    let plan = sync::record_setup_plan(&a.vault, &[]).unwrap();
    let (b_id, d_id) = (b.v().device_id().to_owned(), d.v().device_id().to_owned());
    *w.rewrite.lock().unwrap() = Some(Box::new(move |route, _headers, body| {
        if !route.ends_with("/devices") {
            return body;
        }
        let mut list: serde_json::Value = serde_json::from_slice(&body).unwrap();
        for dev in list.as_array_mut().unwrap() {
            if dev["device"] == b_id.as_str() {
                dev["role"] = "admin".into();
            }
            if dev["device"] == d_id.as_str() {
                dev["revoked_at_ms"] = serde_json::Value::Null;
            }
        }
        serde_json::to_vec(&list).unwrap()
    }));
    assert!(matches!(
        sync::set_up_record(&a.vault, &[], &plan.code),
        Err(SyncError::Config(_))
    ));
    assert!(!a.v().has_team_record().unwrap());
    // Looked at again, the revoked phone stays out: this device saw it revoked before.
    let again = sync::record_setup_plan(&a.vault, &[]).unwrap();
    let phone = again
        .devices
        .iter()
        .find(|r| r.device.to_hex() == d.v().device_id())
        .unwrap();
    assert!(phone.revoked && !phone.keep);
    *w.rewrite.lock().unwrap() = None;
    let plan = sync::record_setup_plan(&a.vault, &[]).unwrap();

    // Alex's device waits on the relay (the app's background sync) across the setup.
    let done = std::thread::scope(|scope| {
        let waiting = scope.spawn(|| sync::pull_new(&b.vault, 20_000, &|_| {}));
        std::thread::sleep(std::time::Duration::from_millis(500));
        let done = sync::set_up_record(&a.vault, &[], &plan.code).unwrap();
        note(&a, &helene, "after the record");
        a.sync().unwrap();
        waiting.join().unwrap().unwrap();
        done
    });
    settle(&[&a, &b]);
    assert!(b.v().has_team_record().unwrap());
    assert!(b.v().trust_problem().unwrap().is_none());
    assert_eq!(b.v().team_epoch().unwrap(), Some(done.epoch));
    assert!(has_note(&b, &helene, "after the record"));
    // Only the admin who set the record up is an admin in it.
    let record = b.v().team_record().unwrap().unwrap();
    let b_id: DeviceId = b.v().device_id().parse().unwrap();
    assert_eq!(record.device(&b_id).unwrap().role, DeviceRole::Member);
    note(&b, &helene, "Alex after the record");
    settle(&[&a, &b]);
    assert!(has_note(&a, &helene, "Alex after the record"));
}

/// While a team from before has no record, the relay invents an admin device (in the list
/// it serves) and seals a key of its own to a member as a new epoch. The member kept the
/// relay's list when it updated, and the team document does not know that admin: the key is
/// not taken, and nothing new is sealed under it.
#[test]
fn before_its_record_a_team_takes_no_key_from_an_admin_the_relay_invents() {
    let relay = RelayProcess::start();
    let a = Device::founder_without_record(&relay.url(), "Sam");
    let helene = a.add_person("Hélène");
    a.sync().unwrap();
    let (b, first) = Device::join(&a, "Alex");
    first.unwrap();
    let w = start_wrapper(relay.addr);
    b.v().set_relay_url(&format!("http://{}", w.addr)).unwrap();
    b.sync().unwrap();
    let epoch = b.v().team_epoch().unwrap().unwrap();

    let fake = SigningKey::generate(&mut OsRng);
    let fake_id = DeviceId([0x6b; 16]);
    let team = b.v().wire_team().unwrap();
    let b_device: DeviceId = b.v().device_id().parse().unwrap();
    let relay_key = tandem_protocol::TeamKey::new(epoch + 1, [7; 32]);
    let package = tandem_protocol::key_package::NewKeyPackage {
        team,
        key: &relay_key,
        from: fake_id,
        signer: &fake,
        to: b_device,
        to_key: &b.v().test_hook_signing_key().verifying_key(),
    }
    .seal([5; 32], [6; 24])
    .unwrap();
    let package_hex = hex::encode(package.bytes());
    let fake_public = hex::encode(fake.verifying_key().to_bytes());
    let next = epoch + 1;
    *w.rewrite.lock().unwrap() = Some(Box::new(move |route, headers, body| {
        if route.ends_with("/keys") {
            let mut answer: serde_json::Value = serde_json::from_slice(&body).unwrap();
            answer["current_epoch"] = next.into();
            answer["packages"] = serde_json::json!([package_hex]);
            return serde_json::to_vec(&answer).unwrap();
        }
        if route.ends_with("/devices") {
            return crate::malicious::with_invented_admin(&body, &fake_id.to_hex(), &fake_public);
        }
        if route.ends_with("/envelopes") {
            headers.retain(|(k, _)| k != "x-tandem-epoch");
            headers.push(("x-tandem-epoch".into(), next.to_string()));
        }
        body
    }));
    note(&b, &helene, "while the relay lies");
    let _ = b.sync();
    assert_eq!(
        b.v().team_epoch().unwrap(),
        Some(epoch),
        "took the relay's key"
    );
    *w.rewrite.lock().unwrap() = None;
    settle(&[&a, &b]);
    assert!(has_note(&a, &helene, "while the relay lies"));
    assert_eq!(state(&a), state(&b));
}
