//! A member gone bad, through an honest relay. Its device signs envelopes as only a member
//! can (the relay takes them: the signature is good), but nobody can read what they hold:
//! garbage under a key nobody has, an epoch that does not exist, bytes that are not
//! Automerge, a deflate bomb, a change that turns a person's record into another kind of
//! document. Each is set aside and counted on every other device, the honest changes around
//! it (in the same pages, the same document) all arrive, and the team keeps syncing.

use crate::harness::*;
use automerge::transaction::Transactable;
use ed25519_dalek::SigningKey;
use rand::RngCore;
use std::collections::BTreeMap;
use std::io::Write;
use tandem_core::sync::RelayClient;
use tandem_core::SetAsideReason;
use tandem_model::{NewEncounter, PersonId};
use tandem_protocol::{DeviceId, DocClass, DocId, EnvelopeKind, PlainChange, TeamId, TeamKey};

/// A member's device used to sign and push what its app never would.
struct BadMember {
    client: RelayClient,
    team: TeamId,
    device: DeviceId,
    signer: SigningKey,
    key: TeamKey,
}

impl BadMember {
    fn of(d: &Device) -> Self {
        let v = d.v();
        let relay = v.relay().unwrap().expect("on a relay");
        let device = v.wire_device().unwrap();
        let signer = v.test_hook_signing_key();
        let key = v
            .test_hook_team_keys()
            .unwrap()
            .into_iter()
            .max_by_key(|k| k.epoch)
            .expect("a team key");
        Self {
            client: RelayClient::new(&relay.url, &relay.relay_id, device, signer.clone()).unwrap(),
            team: v.wire_team().unwrap(),
            device,
            signer,
            key,
        }
    }

    /// Seals `payload` as a change to `doc` under `key`, signs it and pushes it.
    fn push(&self, doc: DocId, key: &TeamKey, payload: Vec<u8>) {
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let envelope = PlainChange {
            kind: EnvelopeKind::Change,
            team: self.team,
            doc,
            class: DocClass::Person,
            payload,
        }
        .seal(key, self.device, &self.signer, nonce)
        .unwrap();
        let answer = self
            .client
            .push(self.team, &[envelope.into_bytes()])
            .unwrap();
        assert!(
            answer.appended.len() == 1 && !answer.appended[0].duplicate,
            "the relay took it: {answer:?}"
        );
    }
}

fn random_key(epoch: u32) -> TeamKey {
    let mut k = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut k);
    TeamKey::new(epoch, k)
}

fn uleb(mut n: u64, out: &mut Vec<u8>) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// An Automerge compressed change chunk whose DEFLATE stream inflates to 2 GiB of zeros
/// (about 2 MB on the wire).
fn deflate_bomb() -> Vec<u8> {
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..2048 {
        enc.write_all(&zeros).unwrap();
    }
    let body = enc.finish().unwrap();
    let mut chunk = vec![0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 2];
    uleb(body.len() as u64, &mut chunk);
    chunk.extend(body);
    chunk
}

/// A real Automerge change to the person's record that makes it claim to be the team
/// document: valid bytes, wrong shape.
fn kind_changer(d: &Device, person: &PersonId) -> Vec<u8> {
    let bytes = d.v().document_bytes(&person.0).unwrap();
    let mut doc = automerge::Automerge::load(&bytes).unwrap();
    let heads = doc.get_heads();
    let mut tx = doc.transaction();
    tx.put(automerge::ROOT, "kind", "team").unwrap();
    tx.commit();
    doc.save_after(&heads)
}

fn encounter(d: &Device, person: &PersonId, notes: &str) -> tandem_model::EncounterId {
    let mut e = NewEncounter::with_person(person.clone());
    e.notes = notes.into();
    d.v().record_encounter(&e).unwrap()
}

fn set_aside(d: &Device) -> BTreeMap<SetAsideReason, u64> {
    d.v().set_aside_counts().unwrap().into_iter().collect()
}

#[test]
fn a_members_unreadable_envelopes_are_set_aside_and_the_team_keeps_syncing() {
    let relay = RelayProcess::start();
    let a = Device::founder(&relay.url(), "Sam");
    let person = a.add_person("Hélène");
    a.sync().unwrap();
    let (b, first) = Device::join(&a, "Alex");
    first.unwrap();
    let (c, first) = Device::join(&a, "Chris");
    first.unwrap();
    let bad = BadMember::of(&b);
    let doc: DocId = person.0.parse().unwrap();

    // Honest and bad changes to the same record, interleaved in the log.
    let mut honest = vec![encounter(&a, &person, "a 1")];
    a.sync().unwrap();
    bad.push(
        doc,
        &random_key(bad.key.epoch),
        b"garbage under no key".to_vec(),
    );
    honest.push(encounter(&b, &person, "b 1"));
    b.sync().unwrap();
    bad.push(
        doc,
        &random_key(bad.key.epoch + 7),
        b"an epoch nobody has".to_vec(),
    );
    bad.push(doc, &bad.key, b"not automerge at all".to_vec());
    honest.push(encounter(&a, &person, "a 2"));
    a.sync().unwrap();
    bad.push(doc, &bad.key, deflate_bomb());
    bad.push(doc, &bad.key, kind_changer(&b, &person));
    honest.push(encounter(&b, &person, "b 2"));
    b.sync().unwrap();

    let report = c
        .sync()
        .expect("one member's bad envelopes do not stop a pull");
    assert_eq!(report.set_aside, 5, "{report:?}");
    assert_eq!(report.refused, 0, "{report:?}");
    let expected = BTreeMap::from([
        (SetAsideReason::DoesNotOpen, 1),
        (SetAsideReason::TooLarge, 1),
        (SetAsideReason::UnknownEpoch, 1),
        (SetAsideReason::Unreadable, 2),
    ]);
    assert_eq!(set_aside(&c), expected);
    let got = c.v().person(&person).unwrap();
    for id in &honest {
        assert!(
            got.encounters.iter().any(|e| &e.id == id),
            "{id} never arrived"
        );
    }
    // The record is still a person's record, readable on every screen.
    c.v().brief(&person).unwrap();
    assert_eq!(
        c.v().sync_cursor().unwrap(),
        report.head,
        "the cursor passed them"
    );

    // Every device comes to the same state, and a sync again sets nothing aside twice.
    settle(&[&a, &b, &c]);
    for d in [&a, &b, &c] {
        assert_eq!(set_aside(d), expected);
        let again = d.sync().unwrap();
        assert_eq!((again.set_aside, again.refused), (0, 0));
    }
    assert_eq!(state(&a), state(&c));
    assert_eq!(state(&b), state(&c));

    // A device joining later (first sync, snapshots and the log) ends the same.
    let (d, first) = Device::join(&a, "Dana");
    first.unwrap();
    // Its joining is a change to the team document the others learn.
    settle(&[&d, &a, &b, &c]);
    assert_eq!(state(&d), state(&a));
    let got = d.v().person(&person).unwrap();
    assert!(honest
        .iter()
        .all(|id| got.encounters.iter().any(|e| &e.id == id)));
    // What a newcomer sets aside is among the same five (a snapshot may cover some).
    assert!(set_aside(&d).values().sum::<u64>() <= 5);

    // Erased at the person's request: nothing is kept of them, not even what could not be
    // read, here or on the devices that hear of it.
    a.v().erase_person(&person, &[]).unwrap();
    assert!(set_aside(&a).is_empty(), "{:?}", set_aside(&a));
    settle(&[&a, &b, &c, &d]);
    for dev in [&b, &c, &d] {
        assert!(set_aside(dev).is_empty(), "{:?}", set_aside(dev));
    }
}
