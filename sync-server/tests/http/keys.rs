//! Key epochs over HTTP: only an admin starts one, only for active devices, and each device
//! fetches only the packages sealed for it.

use crate::support::{random, Device, Relay, Team};
use tandem_protocol::api::{KeyPackages, PostKeyPackages};
use tandem_protocol::key_package::{KeyPackage, NewKeyPackage};
use tandem_protocol::TeamKey;

fn package(team: &Team, key: &TeamKey, from: &Device, to: &Device) -> String {
    let sealed = NewKeyPackage {
        team: team.id,
        key,
        from: from.id,
        signer: &from.key,
        to: to.id,
        to_key: &to.key.verifying_key(),
    }
    .seal(random(), random())
    .unwrap();
    hex::encode(sealed.bytes())
}

fn post(relay: &Relay, team: &Team, by: &Device, epoch: u32, packages: Vec<String>) -> u16 {
    let body = serde_json::to_vec(&PostKeyPackages { epoch, packages }).unwrap();
    relay.send(by, "POST", &team.path("/keys"), &body).status
}

fn fetch(relay: &Relay, team: &Team, by: &Device, after: u32) -> crate::support::Answer {
    relay.send(
        by,
        "GET",
        &team.path(&format!("/keys?after_epoch={after}")),
        b"",
    )
}

#[test]
fn an_admin_starts_an_epoch_for_active_devices_and_each_fetches_its_own() {
    let relay = Relay::start();
    let team = Team::create(&relay);
    let (b, c) = (team.enrol(&relay), team.enrol(&relay));
    let revoke = relay.send(
        &team.admin,
        "POST",
        &team.path(&format!("/devices/{}/revoke", c.id)),
        b"",
    );
    assert_eq!(revoke.status, 200);
    let key = TeamKey::new(2, random());
    let for_b = package(&team, &key, &team.admin, &b);
    let for_admin = package(&team, &key, &team.admin, &team.admin);
    let body = |epoch, packages| serde_json::to_vec(&PostKeyPackages { epoch, packages }).unwrap();

    // A member may not start an epoch, even with packages it signed itself.
    relay
        .send(
            &b,
            "POST",
            &team.path("/keys"),
            &body(2, vec![package(&team, &key, &b, &team.admin)]),
        )
        .expect(403, "not_admin");
    // Not for the revoked device; not skipping an epoch; not signed by someone else.
    relay
        .send(
            &team.admin,
            "POST",
            &team.path("/keys"),
            &body(
                2,
                vec![for_b.clone(), package(&team, &key, &team.admin, &c)],
            ),
        )
        .expect(400, "inactive_recipient");
    relay
        .send(
            &team.admin,
            "POST",
            &team.path("/keys"),
            &body(2, vec![package(&team, &key, &team.admin, &Device::new())]),
        )
        .expect(400, "inactive_recipient");
    let key3 = TeamKey::new(3, random());
    relay
        .send(
            &team.admin,
            "POST",
            &team.path("/keys"),
            &body(3, vec![package(&team, &key3, &team.admin, &b)]),
        )
        .expect(409, "wrong_epoch");
    let forger = Device {
        id: team.admin.id,
        key: ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng),
    };
    relay
        .send(
            &team.admin,
            "POST",
            &team.path("/keys"),
            &body(2, vec![package(&team, &key, &forger, &b)]),
        )
        .expect(400, "bad_signature");
    relay
        .send(
            &team.admin,
            "POST",
            &team.path("/keys"),
            &body(3, vec![for_b.clone()]),
        )
        .expect(400, "malformed");
    let nothing: KeyPackages = fetch(&relay, &team, &b, 1).json();
    assert_eq!((nothing.current_epoch, nothing.packages.len()), (1, 0));

    // Every active device must get the key: not B alone (the admin is active too).
    relay
        .send(
            &team.admin,
            "POST",
            &team.path("/keys"),
            &body(2, vec![for_b.clone()]),
        )
        .expect(409, "missing_recipient");
    assert_eq!(
        post(
            &relay,
            &team,
            &team.admin,
            2,
            vec![for_b.clone(), for_admin.clone()]
        ),
        201
    );
    // Re-posted after a lost answer: fine. Another key for the same epoch: refused.
    assert_eq!(
        post(
            &relay,
            &team,
            &team.admin,
            2,
            vec![for_admin.clone(), for_b.clone()]
        ),
        200
    );
    let other = TeamKey::new(2, random());
    relay
        .send(
            &team.admin,
            "POST",
            &team.path("/keys"),
            &body(
                2,
                vec![
                    package(&team, &other, &team.admin, &b),
                    package(&team, &other, &team.admin, &team.admin),
                ],
            ),
        )
        .expect(409, "epoch_exists");

    let got: KeyPackages = fetch(&relay, &team, &b, 1).json();
    assert_eq!(got.current_epoch, 2);
    assert_eq!(got.packages, vec![for_b.clone()]);
    let opened = KeyPackage::parse(hex::decode(&got.packages[0]).unwrap())
        .unwrap()
        .open(&team.admin.key.verifying_key(), &b.key)
        .unwrap();
    assert_eq!(opened.bytes(), key.bytes());
    let none: KeyPackages = fetch(&relay, &team, &b, 2).json();
    assert!(none.packages.is_empty());
    // The admin gets its own; the revoked device gets nothing at all.
    let admin_view: KeyPackages = fetch(&relay, &team, &team.admin, 0).json();
    assert_eq!(admin_view.current_epoch, 2);
    assert_eq!(admin_view.packages, vec![for_admin]);
    fetch(&relay, &team, &c, 0).expect(403, "revoked");
    fetch(&relay, &team, &Device::new(), 0).expect(401, "unknown_device");
}

#[test]
fn a_push_sealed_under_an_older_epoch_is_refused_and_stores_nothing() {
    let relay = Relay::start();
    let team = Team::create(&relay);
    let (b, c) = (team.enrol(&relay), team.enrol(&relay));
    let before = team.seal(
        &b,
        crate::support::doc(),
        b"before",
        tandem_protocol::EnvelopeKind::Change,
    );
    assert_eq!(team.push(&relay, &b, &[before]).status, 200);
    let revoke = relay.send(
        &team.admin,
        "POST",
        &team.path(&format!("/devices/{}/revoke", c.id)),
        b"",
    );
    assert_eq!(revoke.status, 200);
    let key = TeamKey::new(2, random());
    assert_eq!(
        post(
            &relay,
            &team,
            &team.admin,
            2,
            vec![
                package(&team, &key, &team.admin, &b),
                package(&team, &key, &team.admin, &team.admin)
            ]
        ),
        201
    );
    // B has not heard of epoch 2: what it seals under epoch 1 is refused, all of it.
    let stale = team.seal(
        &b,
        crate::support::doc(),
        b"stale",
        tandem_protocol::EnvelopeKind::Change,
    );
    let fresh = crate::support::seal(
        team.id,
        &key,
        &b,
        crate::support::doc(),
        b"fresh",
        tandem_protocol::EnvelopeKind::Change,
    );
    team.push(&relay, &b, &[fresh.clone(), stale])
        .expect(409, "stale_epoch");
    let page = team.pull(&relay, &b, "after=0");
    assert_eq!(page.status, 200);
    let items = tandem_protocol::frames::decode_page(&page.body, usize::MAX).unwrap();
    assert_eq!(
        items.len(),
        1,
        "only the envelope pushed before the new epoch"
    );
    // Sealed again under epoch 2: taken.
    assert_eq!(team.push(&relay, &b, &[fresh]).status, 200);
}
