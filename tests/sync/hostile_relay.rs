//! A relay that tries to decide who is in the team: it makes up admins, entries, key
//! packages and device lists. Every device refuses what the team record does not allow,
//! says so, keeps its work, and goes on once the relay answers honestly again.
//!
//! The relay is real (a process on loopback); a wrapper in front of it rewrites what it
//! answers, as a relay whose process or database is in someone else's hands could.

use crate::harness::*;
use crate::malicious::start_wrapper;
use ed25519_dalek::SigningKey;
use rand::rngs::OsRng;
use tandem_core::sync::{self, SyncError};
use tandem_core::TrustProblem;
use tandem_model::{ErrorCode, NewEncounter};
use tandem_protocol::api::{DeviceRole, PostRecord, HEADER_RECORD_HASH, HEADER_RECORD_SEQ};
use tandem_protocol::frames;
use tandem_protocol::key_package::NewKeyPackage;
use tandem_protocol::record::{
    invite_id, invite_signing_key, join_proof, key_commitment, EntryBody, NewEntry, RecordState,
    UncheckedEntry,
};
use tandem_protocol::{DeviceId, RelayErrorCode, TeamKey};

/// A founder and a member syncing through the wrapper (the member only).
fn team_of_two(relay: &RelayProcess) -> (Device, Device, crate::malicious::Running) {
    let a = Device::founder(&relay.url(), "Sam");
    let person = a.add_person("Hélène");
    a.v()
        .record_encounter(&NewEncounter::with_person(person))
        .unwrap();
    a.sync().unwrap();
    let (b, first) = Device::join(&a, "Alex");
    first.unwrap();
    let w = start_wrapper(relay.addr);
    b.v().set_relay_url(&format!("http://{}", w.addr)).unwrap();
    b.sync().unwrap();
    (a, b, w)
}

fn record_of(d: &Device) -> RecordState {
    d.v()
        .team_record()
        .unwrap()
        .expect("a team made now has a record")
}

/// The relay's record answer with `extra` entries after what it holds, its head moved to the
/// last of them, as a lying relay would serve it.
fn append_entries(
    headers: &mut Vec<(String, String)>,
    body: Vec<u8>,
    extra: &[UncheckedEntry],
) -> Vec<u8> {
    let mut items = frames::decode_page(&body, usize::MAX).unwrap();
    for e in extra {
        items.push((e.header().seq, e.bytes().to_vec()));
    }
    if let Some(last) = extra.last() {
        set_record_head(headers, last.header().seq, last.hash());
    }
    frames::encode_page(&items)
}

/// The record head a relay's answer announces, set to `seq` and `hash`.
fn set_record_head(headers: &mut Vec<(String, String)>, seq: u64, hash: [u8; 32]) {
    headers.retain(|(k, _)| k != HEADER_RECORD_SEQ && k != HEADER_RECORD_HASH);
    headers.push((HEADER_RECORD_SEQ.into(), seq.to_string()));
    headers.push((HEADER_RECORD_HASH.into(), hex::encode(hash)));
}

fn now_ms() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap()
}

fn refused(r: &Result<sync::SyncReport, SyncError>, problem: TrustProblem) -> bool {
    matches!(r, Err(SyncError::Untrusted(p)) if *p == problem)
}

/// The relay makes up an admin device (in its device list, in the record, and as the sender
/// of key packages) and a new key epoch whose key it knows, sealed to every real device. No
/// device takes any of it: no epoch moves, nothing is sealed under the relay's key, the
/// device says why in both languages, and it all goes on once the relay is honest again.
#[test]
fn an_admin_the_relay_invents_and_its_epoch_are_refused() {
    let relay = RelayProcess::start();
    let (a, b, w) = team_of_two(&relay);
    let team = b.v().wire_team().unwrap();
    let record = record_of(&b);
    let fake = SigningKey::generate(&mut OsRng);
    let fake_id = DeviceId([0xEE; 16]);
    let relay_key = TeamKey::new(2, [0x42; 32]);
    let recipients: Vec<DeviceId> = record.active().map(|(d, _)| *d).collect();
    let real_admin = a.v().wire_device().unwrap();
    let epoch_by = |author: DeviceId| {
        NewEntry {
            team,
            seq: record.seq() + 1,
            prev: record.head(),
            author,
            time_ms: now_ms(),
            body: EntryBody::KeyEpoch {
                epoch: 2,
                commitment: key_commitment(team, 2, relay_key.bytes()),
                recipients: recipients.clone(),
            },
        }
        .sign(&fake)
    };
    // Its package for Alex's device, sealed and signed by its own "admin".
    let b_device = b.v().wire_device().unwrap();
    let b_key = record.device(&b_device).unwrap().key;
    let package = NewKeyPackage {
        team,
        key: &relay_key,
        from: fake_id,
        signer: &fake,
        to: b_device,
        to_key: &ed25519_dalek::VerifyingKey::from_bytes(&b_key).unwrap(),
    }
    .seal([5; 32], [6; 24])
    .unwrap();
    let package_hex = hex::encode(package.bytes());

    // In turn: an entry by a device the record does not know, then one that claims the
    // real admin as its author (signed with the relay's key).
    for forged in [epoch_by(fake_id), epoch_by(real_admin)] {
        let forged_for_rewrite = forged.clone();
        let package_hex = package_hex.clone();
        let fake_public = hex::encode(fake.verifying_key().to_bytes());
        *w.rewrite.lock().unwrap() = Some(Box::new(move |route, headers, body| {
            if route.ends_with("/record") {
                return append_entries(headers, body, std::slice::from_ref(&forged_for_rewrite));
            }
            if route.ends_with("/keys") {
                let mut answer: serde_json::Value = serde_json::from_slice(&body).unwrap();
                answer["current_epoch"] = 2.into();
                answer["packages"] = serde_json::json!([package_hex]);
                return serde_json::to_vec(&answer).unwrap();
            }
            if route.ends_with("/devices") {
                return crate::malicious::with_invented_admin(
                    &body,
                    &fake_id.to_hex(),
                    &fake_public,
                );
            }
            if route.ends_with("/envelopes") {
                headers.retain(|(k, _)| k != "x-tandem-epoch");
                headers.push(("x-tandem-epoch".into(), "2".into()));
            }
            body
        }));
        let person = b.add_person("Marc");
        let r = b.sync();
        assert!(refused(&r, TrustProblem::ForgedChange), "{r:?}");
        let err = r.unwrap_err();
        assert_eq!(err.code(), ErrorCode::TeamRecordRefused);
        assert!(err.to_string().contains("no admin signed"), "{err}");
        assert_eq!(
            b.v().team_epoch().unwrap(),
            Some(1),
            "the relay's epoch was taken"
        );
        assert_eq!(record_of(&b).seq(), record.seq(), "a forged entry was kept");
        assert!(b
            .v()
            .trust_problem()
            .unwrap()
            .is_some_and(|(p, _)| p == TrustProblem::ForgedChange));
        // Nothing goes to that relay meanwhile; the change waits on the device.
        assert!(matches!(
            sync::push_pending(&b.vault, &|_| {}),
            Err(SyncError::Untrusted(_))
        ));
        assert!(b.v().outbox_len().unwrap() > 0);

        // Honest again: the problem clears by itself and the work arrives everywhere.
        *w.rewrite.lock().unwrap() = None;
        settle(&[&a, &b]);
        assert!(b.v().trust_problem().unwrap().is_none());
        assert!(a.v().person(&person).is_ok(), "Alex's change never arrived");
        assert_eq!(state(&a), state(&b));
        assert_eq!(b.v().team_epoch().unwrap(), Some(1));
    }
}

/// Key packages and a device list the relay makes up, with no record entry at all: the epoch
/// it announces is not in the record, so no key is taken, and the device list shown is the
/// record's, never the relay's.
#[test]
fn the_relays_device_list_and_keys_are_never_believed() {
    let relay = RelayProcess::start();
    let (a, b, w) = team_of_two(&relay);
    let team = b.v().wire_team().unwrap();
    let b_device = b.v().wire_device().unwrap();
    let record = record_of(&b);
    let b_key = record.device(&b_device).unwrap().key;
    // Sealed by the real admin's key even: a key no KeyEpoch entry committed to.
    let admin_signing = a.v().test_hook_signing_key();
    let admin = a.v().wire_device().unwrap();
    let loose_key = TeamKey::new(2, [0x24; 32]);
    let package = NewKeyPackage {
        team,
        key: &loose_key,
        from: admin,
        signer: &admin_signing,
        to: b_device,
        to_key: &ed25519_dalek::VerifyingKey::from_bytes(&b_key).unwrap(),
    }
    .seal([7; 32], [8; 24])
    .unwrap();
    let package_hex = hex::encode(package.bytes());
    *w.rewrite.lock().unwrap() = Some(Box::new(move |route, headers, body| {
        if route.ends_with("/keys") {
            let mut answer: serde_json::Value = serde_json::from_slice(&body).unwrap();
            answer["current_epoch"] = 2.into();
            answer["packages"] = serde_json::json!([package_hex]);
            return serde_json::to_vec(&answer).unwrap();
        }
        if route.ends_with("/devices") {
            let mut list: serde_json::Value = serde_json::from_slice(&body).unwrap();
            for d in list.as_array_mut().unwrap() {
                let fake = SigningKey::generate(&mut OsRng);
                d["public_key"] = hex::encode(fake.verifying_key().to_bytes()).into();
                d["role"] = "admin".into();
            }
            return serde_json::to_vec(&list).unwrap();
        }
        if route.ends_with("/envelopes") {
            headers.retain(|(k, _)| k != "x-tandem-epoch");
            headers.push(("x-tandem-epoch".into(), "2".into()));
        }
        body
    }));
    let person = a.add_person("Nadia");
    a.sync().unwrap();
    b.sync().unwrap();
    assert_eq!(
        b.v().team_epoch().unwrap(),
        Some(1),
        "a key no entry committed to was taken"
    );
    assert!(
        b.v().person(&person).is_ok(),
        "the honest change did not arrive"
    );
    let listed = sync::list_devices(&b.vault).unwrap();
    assert_eq!(listed.len(), 2);
    for d in &listed {
        let in_record = record
            .device(&d.device)
            .expect("a device the record does not know");
        assert_eq!(
            d.public_key,
            hex::encode(in_record.key),
            "the relay's key was shown"
        );
        assert_eq!(d.role, in_record.role);
    }
    assert_eq!(
        listed
            .iter()
            .filter(|d| d.role == DeviceRole::Admin)
            .count(),
        1,
        "the relay's roles were shown"
    );
}

/// The relay writes a device into the record with an invite id it saw, without the invite's
/// secret: its join proof does not verify, and no device takes the entry.
#[test]
fn a_join_the_relay_makes_without_the_invite_is_refused() {
    let relay = RelayProcess::start();
    let (_a, b, w) = team_of_two(&relay);
    let code = sync::create_invite(&b.vault, 3600).unwrap();
    b.sync().unwrap();
    let team = b.v().wire_team().unwrap();
    let record = record_of(&b);
    let id = invite_id(&code.token_hash());
    assert!(
        record.invite(&id).is_some(),
        "the invite is not in the record"
    );
    let intruder = SigningKey::generate(&mut OsRng);
    let intruder_id = DeviceId([0xAB; 16]);
    let device_key = intruder.verifying_key().to_bytes();
    let member = [0xCD; 16];
    // Its best guess at the invite's key: one made from another secret.
    let guessed = invite_signing_key(team, &[0u8; 10]);
    let (seq, prev) = (record.seq() + 1, record.head());
    let entry = NewEntry {
        team,
        seq,
        prev,
        author: intruder_id,
        time_ms: now_ms(),
        body: EntryBody::DeviceJoined {
            invite_id: id,
            device_key,
            member,
            has_epochs_to: record.current_epoch(),
            invite_proof: join_proof(
                &guessed,
                team,
                seq,
                &prev,
                intruder_id,
                &device_key,
                &member,
            ),
        },
    }
    .sign(&intruder);
    *w.rewrite.lock().unwrap() = Some(Box::new(move |route, headers, body| {
        if route.ends_with("/record") {
            return append_entries(headers, body, std::slice::from_ref(&entry));
        }
        body
    }));
    let r = b.sync();
    assert!(refused(&r, TrustProblem::ForgedChange), "{r:?}");
    assert!(record_of(&b).device(&intruder_id).is_none());
}

/// A relay that serves the record without its last entries, or one that is not chained to
/// the head this device verified, is caught; so is one that announces entries it does not
/// hand out.
#[test]
fn a_record_gone_back_replayed_or_withheld_is_caught() {
    let relay = RelayProcess::start();
    let (a, b, w) = team_of_two(&relay);
    // One more entry on the record (an invite), so there is something to take back.
    sync::create_invite(&a.vault, 3600).unwrap();
    b.sync().unwrap();
    let record = record_of(&b);
    let seq = record.seq();
    let head = record.head();
    // Announces a shorter record.
    *w.rewrite.lock().unwrap() = Some(Box::new(move |route, headers, body| {
        if route.ends_with("/record") {
            set_record_head(headers, seq - 1, [1u8; 32]);
        }
        body
    }));
    assert!(refused(&b.sync(), TrustProblem::RecordWentBack));
    // Another record at the same length.
    *w.rewrite.lock().unwrap() = Some(Box::new(move |route, headers, body| {
        if route.ends_with("/record") {
            set_record_head(headers, seq, [2u8; 32]);
        }
        body
    }));
    assert!(refused(&b.sync(), TrustProblem::RecordWentBack));
    // Announces one more entry and keeps it back.
    *w.rewrite.lock().unwrap() = Some(Box::new(move |route, headers, body| {
        if route.ends_with("/record") {
            set_record_head(headers, seq + 1, [3u8; 32]);
        }
        body
    }));
    assert!(refused(&b.sync(), TrustProblem::OutOfOrder));
    // Replays an entry this device holds already.
    let old = b.v().test_hook_record_entry(seq).unwrap();
    *w.rewrite.lock().unwrap() = Some(Box::new(move |route, headers, body| {
        if route.ends_with("/record") {
            let items = vec![(seq, old.clone())];
            set_record_head(headers, seq, head);
            return frames::encode_page(&items);
        }
        body
    }));
    assert!(refused(&b.sync(), TrustProblem::OutOfOrder));
    assert_eq!(record_of(&b).seq(), seq);
    *w.rewrite.lock().unwrap() = None;
    b.sync().unwrap();
    assert!(b.v().trust_problem().unwrap().is_none());
}

/// A member cannot make itself admin, remove a device or start a key epoch: the relay
/// refuses its entry, and a relay that took it anyway would be refused by every device.
#[test]
fn a_member_cannot_promote_itself_remove_or_rotate() {
    let relay = RelayProcess::start();
    let (a, b, w) = team_of_two(&relay);
    let a_device = a.v().wire_device().unwrap();
    let r = sync::revoke_device(&b.vault, &a_device.to_hex());
    assert!(r.is_err(), "a member removed the admin");
    let team = b.v().wire_team().unwrap();
    let b_device = b.v().wire_device().unwrap();
    let b_signing = b.v().test_hook_signing_key();
    let record = record_of(&b);
    let promote = NewEntry {
        team,
        seq: record.seq() + 1,
        prev: record.head(),
        author: b_device,
        time_ms: now_ms(),
        body: EntryBody::RoleChanged {
            device: b_device,
            role: DeviceRole::Admin,
        },
    }
    .sign(&b_signing);
    let client = sync::RelayClient::new(
        &relay.url(),
        &tandem_core::sync::relay_info(&relay.url())
            .unwrap()
            .relay_id,
        b_device,
        b_signing.clone(),
    )
    .unwrap();
    let posted = client.post_record(
        team,
        &PostRecord {
            entries: vec![hex::encode(promote.bytes())],
            packages: Vec::new(),
        },
    );
    assert!(
        matches!(&posted, Err(SyncError::Relay { status: 403, code, .. }) if *code == RelayErrorCode::RecordRefused),
        "{posted:?}"
    );
    // Served anyway by a relay in league with it: the admin's device refuses it.
    let a_wrapper = start_wrapper(relay.addr);
    a.v()
        .set_relay_url(&format!("http://{}", a_wrapper.addr))
        .unwrap();
    *a_wrapper.rewrite.lock().unwrap() = Some(Box::new(move |route, headers, body| {
        if route.ends_with("/record") {
            return append_entries(headers, body, std::slice::from_ref(&promote));
        }
        body
    }));
    assert!(refused(&a.sync(), TrustProblem::ForgedChange));
    assert!(!record_of(&a).is_active_admin(&b_device));
    drop(w);
}

/// What a member writes into the team document about roles and keys changes nothing: the
/// admin's screen shows it as a member, and the next removal seals the new key to the keys
/// the record holds, so the device whose key it overwrote still reads on.
#[test]
fn claims_in_the_team_document_change_nothing() {
    let relay = RelayProcess::start();
    let a = Device::founder(&relay.url(), "Sam");
    a.sync().unwrap();
    let (b, first) = Device::join(&a, "Alex");
    first.unwrap();
    let (c, first) = Device::join(&a, "Chris");
    first.unwrap();
    let (d, first) = Device::join(&a, "Dana");
    first.unwrap();
    settle(&[&a, &b, &c, &d]);
    let c_device = c.v().wire_device().unwrap();
    assert_eq!(a.v().team_doc_claims().unwrap(), 0);
    b.v()
        .test_hook_claim_in_team_doc(&c_device.to_hex())
        .unwrap();
    settle(&[&a, &b, &c, &d]);
    // Seen, and counted for admins: Alex as admin, and Chris's key.
    assert_eq!(a.v().team_doc_claims().unwrap(), 2);
    let b_member = b.v().member_id().clone();
    for dev in [&a, &b, &c] {
        let team = dev.v().team().unwrap();
        let as_shown = team.members.iter().find(|m| m.id == b_member).unwrap();
        assert_eq!(as_shown.role, tandem_model::MemberRole::Member);
    }
    // The admin removes Dana: the new key goes to Chris's real key, not Alex's claim.
    sync::revoke_device(&a.vault, &d.v().wire_device().unwrap().to_hex()).unwrap();
    let person = a.add_person("Jo");
    a.sync().unwrap();
    c.sync().unwrap();
    assert_eq!(c.v().team_epoch().unwrap(), Some(2));
    assert!(
        c.v().person(&person).is_ok(),
        "Chris cannot read after the rotation"
    );
    b.sync().unwrap();
    assert_eq!(b.v().team_epoch().unwrap(), Some(2));
    assert!(matches!(d.sync(), Err(SyncError::Revoked)));
    assert_eq!(d.v().team_epoch().unwrap(), Some(1));
}

/// An invite dies with the device that made it: once the admin removes it, the code lets no
/// one in, and a new device that checks the record refuses it too.
#[test]
fn a_removed_members_invite_is_dead() {
    let relay = RelayProcess::start();
    let a = Device::founder(&relay.url(), "Sam");
    a.sync().unwrap();
    let (b, first) = Device::join(&a, "Alex");
    first.unwrap();
    let code = sync::create_invite(&b.vault, 3600).unwrap();
    sync::revoke_device(&a.vault, &b.v().wire_device().unwrap().to_hex()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let joined = sync::join_team(
        &dir.path().join("v"),
        &pass(),
        "Kim",
        &code.to_string(),
        &|_| {},
    );
    let Err(err) = joined else {
        panic!("a removed member's invite let a device in");
    };
    assert_eq!(err.code(), ErrorCode::InviteInvalid, "{err:?}");
    assert!(!dir.path().join("v").exists() || !tandem_core::Vault::exists(&dir.path().join("v")));
}

fn join_through(
    code: &tandem_protocol::invite::InviteCode,
) -> (tempfile::TempDir, Result<(), SyncError>) {
    let dir = tempfile::tempdir().unwrap();
    let joined = sync::join_team(
        &dir.path().join("v"),
        &pass(),
        "Kim",
        &code.to_string(),
        &|_| {},
    )
    .map(|_| ());
    (dir, joined)
}

/// The relay answers a join to a team with a record as if the team had none (enrolled at
/// once, no record), hoping the new device will then believe its device list for good. The
/// invite's sealed payload says there is a record, and the relay cannot change that: the
/// device refuses, and no vault is made.
#[test]
fn a_joiner_is_not_talked_out_of_the_team_record() {
    let relay = RelayProcess::start();
    let (_a, b, w) = team_of_two(&relay);
    let code = sync::create_invite(&b.vault, 3600).unwrap();
    *w.rewrite.lock().unwrap() = Some(Box::new(|route, _, body| {
        if route == "/v1/join" {
            let mut offer: serde_json::Value = serde_json::from_slice(&body).unwrap();
            offer["enrolled"] = true.into();
            offer["record"] = serde_json::json!([]);
            return serde_json::to_vec(&offer).unwrap();
        }
        body
    }));
    let (dir, joined) = join_through(&code);
    assert!(
        matches!(
            joined,
            Err(SyncError::Untrusted(TrustProblem::ForgedChange))
        ),
        "{joined:?}"
    );
    assert!(!tandem_core::Vault::exists(&dir.path().join("v")));
    // The same code, the relay honest again: the device joins, with the record.
    *w.rewrite.lock().unwrap() = None;
    let dir = tempfile::tempdir().unwrap();
    let (v, first) = sync::join_team(
        &dir.path().join("v"),
        &pass(),
        "Kim",
        &code.to_string(),
        &|_| {},
    )
    .unwrap();
    first.unwrap();
    assert!(v.lock().has_team_record().unwrap());
}

/// The relay offers a joiner a record it wrote itself: its own device founds it with the
/// team's real first-key commitment (which the real record shows), then "makes" the invite
/// with the real invite id and public key (also shown). Everything in it verifies, but the
/// invite's sealed payload pins the real record up to the invite, and this one differs:
/// refused, and the device never signs a join on it.
#[test]
fn a_record_the_relay_makes_up_for_a_joiner_is_refused() {
    let relay = RelayProcess::start();
    let (_a, b, w) = team_of_two(&relay);
    let code = sync::create_invite(&b.vault, 3600).unwrap();
    let real = record_of(&b);
    let team = real.team();
    let id = invite_id(&code.token_hash());
    let invite = real.invite(&id).unwrap().clone();
    let relay_admin = SigningKey::generate(&mut OsRng);
    let relay_device = DeviceId([0xEF; 16]);
    let founding = NewEntry {
        team,
        seq: 0,
        prev: [0; 32],
        author: relay_device,
        time_ms: now_ms(),
        body: EntryBody::Founding {
            origin: tandem_protocol::record::Origin::New,
            devices: vec![tandem_protocol::record::FoundingDevice {
                device: relay_device,
                key: relay_admin.verifying_key().to_bytes(),
                role: DeviceRole::Admin,
                removed: false,
                member: [0xEF; 16],
            }],
            epochs: vec![(1, real.epoch(1).unwrap().commitment)],
            legacy_log_head: 0,
        },
    }
    .sign(&relay_admin);
    let made_up = NewEntry {
        team,
        seq: 1,
        prev: founding.hash(),
        author: relay_device,
        time_ms: now_ms(),
        body: EntryBody::InviteCreated {
            invite_id: id,
            invite_key: invite.key,
            expires_at_ms: invite.expires_at_ms,
        },
    }
    .sign(&relay_admin);
    // It does verify, as a record: only the anchor can tell.
    let fake = [founding.bytes().to_vec(), made_up.bytes().to_vec()];
    assert!(RecordState::verify_all(team, fake.iter().map(Vec::as_slice)).is_ok());
    let fake_hex: Vec<String> = fake.iter().map(hex::encode).collect();
    *w.rewrite.lock().unwrap() = Some(Box::new(move |route, _, body| {
        if route == "/v1/join" {
            let mut offer: serde_json::Value = serde_json::from_slice(&body).unwrap();
            offer["record"] = serde_json::json!(fake_hex);
            return serde_json::to_vec(&offer).unwrap();
        }
        body
    }));
    let (dir, joined) = join_through(&code);
    assert!(
        matches!(
            joined,
            Err(SyncError::Untrusted(TrustProblem::ForgedChange))
        ),
        "{joined:?}"
    );
    assert!(!tandem_core::Vault::exists(&dir.path().join("v")));
    assert!(record_of(&b).invite(&id).unwrap().used_by.is_none());
}

/// A relay that says "more" and sends nothing would keep a device asking for ever: it is
/// refused as a record out of order.
#[test]
fn a_record_page_that_promises_more_and_sends_nothing_is_refused() {
    let relay = RelayProcess::start();
    let (_a, b, w) = team_of_two(&relay);
    *w.rewrite.lock().unwrap() = Some(Box::new(|route, headers, body| {
        if route.ends_with("/record") {
            headers.retain(|(k, _)| k != "x-tandem-more");
            headers.push(("x-tandem-more".into(), "1".into()));
            return frames::encode_page::<Vec<u8>>(&[]);
        }
        body
    }));
    assert!(refused(&b.sync(), TrustProblem::OutOfOrder));
}

/// A removed device's envelopes after its removal are never applied, whoever serves them: a
/// relay in league with a thief hands one to a member in place of an honest change. It is
/// set aside (`after_removal`), counted, and the pull goes on past it.
#[test]
fn a_removed_devices_later_envelope_is_set_aside_not_applied() {
    use tandem_protocol::{DocClass, DocId, EnvelopeKind, PlainChange};
    let relay = RelayProcess::start();
    let (a, b, w) = team_of_two(&relay);
    let (c, first) = Device::join(&a, "Lost phone");
    first.unwrap();
    settle(&[&a, &b, &c]);
    let team = c.v().wire_team().unwrap();
    let c_device = c.v().wire_device().unwrap();
    let c_signing = c.v().test_hook_signing_key();
    let c_key = c.v().test_hook_team_keys().unwrap().pop().unwrap();
    sync::revoke_device(&a.vault, &c_device.to_hex()).unwrap();
    b.sync().unwrap();
    // The thief's change, sealed under the key it still holds, signed with its own key.
    let thief = PlainChange {
        kind: EnvelopeKind::Change,
        team,
        doc: DocId([0x51; 16]),
        class: DocClass::Person,
        payload: b"written after the removal".to_vec(),
    }
    .seal(&c_key, c_device, &c_signing, [3; 24])
    .unwrap()
    .into_bytes();
    // Two honest changes; the relay swaps the first for the thief's.
    let lost = a.add_person("Première");
    let kept = a.add_person("Seconde");
    a.sync().unwrap();
    let first_seq = b.v().sync_cursor().unwrap() + 1;
    *w.rewrite.lock().unwrap() = Some(Box::new(move |route, _, body| {
        if !route.ends_with("/envelopes") {
            return body;
        }
        let mut items = frames::decode_page(&body, usize::MAX).unwrap();
        for (seq, bytes) in &mut items {
            if *seq == first_seq {
                *bytes = thief.clone();
            }
        }
        frames::encode_page(&items)
    }));
    let report = b.sync().unwrap();
    assert_eq!(report.set_aside, 1, "{report:?}");
    let counts = b.v().set_aside_counts().unwrap();
    assert_eq!(
        counts,
        vec![(tandem_core::SetAsideReason::AfterRemoval, 1)],
        "{counts:?}"
    );
    assert!(
        b.v().person(&kept).is_ok(),
        "the pull stopped at the thief's envelope"
    );
    let thief_doc = DocId([0x51; 16]).to_hex();
    assert!(
        !b.v()
            .documents()
            .unwrap()
            .iter()
            .any(|(id, _)| *id == thief_doc),
        "the removed device's change was applied"
    );
    drop(lost);
    assert!(b.v().trust_problem().unwrap().is_none());
}

/// A device skips, when it pulls, the envelopes it pushed itself (by where the relay said
/// each went). A relay that answers a push with another device's position cannot make it
/// skip that device's change: only the very envelope it sent (same id) is skipped.
#[test]
fn a_push_answer_naming_anothers_position_hides_nothing() {
    let relay = RelayProcess::start();
    let (a, b, w) = team_of_two(&relay);
    let person = b.v().list_people().unwrap()[0].id.clone();
    // A writes first: its change is at position `theirs`.
    let mut e = NewEncounter::with_person(person.clone());
    e.notes = "from A".into();
    a.v().record_encounter(&e).unwrap();
    let theirs = a.sync().unwrap().head;
    // B's push is answered as if its change had gone there.
    *w.rewrite.lock().unwrap() = Some(Box::new(move |route, _, body| {
        if !route.ends_with("/envelopes") {
            return body;
        }
        let mut answer: tandem_protocol::api::PushResponse = match serde_json::from_slice(&body) {
            Ok(a) => a,
            Err(_) => return body,
        };
        for appended in &mut answer.appended {
            appended.seq = theirs;
        }
        serde_json::to_vec(&answer).unwrap()
    }));
    let mut e = NewEncounter::with_person(person.clone());
    e.notes = "from B".into();
    b.v().record_encounter(&e).unwrap();
    b.sync().unwrap();
    *w.rewrite.lock().unwrap() = None;
    settle(&[&a, &b]);
    let notes: Vec<String> = b
        .v()
        .person(&person)
        .unwrap()
        .encounters
        .iter()
        .map(|e| e.notes.clone())
        .collect();
    assert!(notes.contains(&"from A".to_string()), "{notes:?}");
    assert!(notes.contains(&"from B".to_string()), "{notes:?}");
    assert_eq!(state(&a), state(&b));
}
