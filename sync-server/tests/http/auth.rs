//! Who may do what: each refusal has the right status and code, and stores nothing.

use crate::support::{doc, now_ms, random, Device, Relay, Team};
use tandem_protocol::api::{CreateTeam, DeviceInfo, DeviceRole};
use tandem_protocol::request::MAX_CLOCK_SKEW_MS;
use tandem_protocol::{EnvelopeKind, TeamId};
use tandem_relay::storage::NewInvite;

#[test]
fn unauthenticated_requests_are_refused() {
    let relay = Relay::start();
    let team = Team::create(&relay);
    let body = tandem_protocol::frames::encode_push(&[team.seal(
        &team.admin,
        doc(),
        b"x",
        EnvelopeKind::Change,
    )]);
    let path = team.path("/envelopes");
    relay
        .raw("POST", &path, &[], &body)
        .expect(401, "unauthenticated");
    relay
        .raw("GET", &path, &[], b"")
        .expect(401, "unauthenticated");
    // Headers present but not well formed.
    let mut headers = team
        .admin
        .sign(&relay.relay_id, "POST", &path, &body, now_ms());
    headers[2].1 = "not hex".into();
    relay
        .raw("POST", &path, &headers, &body)
        .expect(401, "unauthenticated");
    let mut headers = team
        .admin
        .sign(&relay.relay_id, "POST", &path, &body, now_ms());
    headers[0].1 = "zz".into();
    relay
        .raw("POST", &path, &headers, &body)
        .expect(401, "unauthenticated");
    // A device the relay has never seen.
    relay
        .send(&Device::new(), "POST", &path, &body)
        .expect(401, "unknown_device");
    assert_eq!(relay.head(team.id), 0);
}

#[test]
fn bad_signatures_and_stale_times_are_refused() {
    let relay = Relay::start();
    let team = Team::create(&relay);
    let path = team.path("/envelopes");
    let body = tandem_protocol::frames::encode_push(&[team.seal(
        &team.admin,
        doc(),
        b"x",
        EnvelopeKind::Change,
    )]);

    // Signed by another key under the admin's id.
    let impostor = Device {
        id: team.admin.id,
        key: ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng),
    };
    relay
        .send(&impostor, "POST", &path, &body)
        .expect(401, "bad_signature");

    // Body changed after signing.
    let headers = team
        .admin
        .sign(&relay.relay_id, "POST", &path, &body, now_ms());
    let mut altered = body.clone();
    let last = altered.len() - 1;
    altered[last] ^= 1;
    relay
        .raw("POST", &path, &headers, &altered)
        .expect(401, "bad_signature");

    // Signed for another path, another relay.
    let headers = team.admin.sign(
        &relay.relay_id,
        "POST",
        &team.path("/invites"),
        &body,
        now_ms(),
    );
    relay
        .raw("POST", &path, &headers, &body)
        .expect(401, "bad_signature");
    let headers = team
        .admin
        .sign("another-relay", "POST", &path, &body, now_ms());
    relay
        .raw("POST", &path, &headers, &body)
        .expect(401, "bad_signature");

    // Too old, too far ahead.
    for skew in [-(MAX_CLOCK_SKEW_MS + 60_000), MAX_CLOCK_SKEW_MS + 60_000] {
        relay
            .send_at(&team.admin, "POST", &path, &body, now_ms() + skew)
            .expect(401, "stale");
    }
    assert_eq!(relay.head(team.id), 0);
    // The right request still works.
    assert_eq!(relay.send(&team.admin, "POST", &path, &body).status, 200);
    assert_eq!(relay.head(team.id), 1);
}

#[test]
fn a_replayed_request_is_refused_and_stores_nothing() {
    let relay = Relay::start();
    let team = Team::create(&relay);
    let path = team.path("/envelopes");
    let body = tandem_protocol::frames::encode_push(&[
        team.seal(&team.admin, doc(), b"one", EnvelopeKind::Change),
        team.seal(&team.admin, doc(), b"two", EnvelopeKind::Change),
    ]);
    let headers = team
        .admin
        .sign(&relay.relay_id, "POST", &path, &body, now_ms());
    assert_eq!(relay.raw("POST", &path, &headers, &body).status, 200);
    assert_eq!(relay.head(team.id), 2);
    relay
        .raw("POST", &path, &headers, &body)
        .expect(401, "replayed");
    assert_eq!(relay.head(team.id), 2);

    // Reads too: a captured pull cannot be replayed.
    let pull = team.path("/envelopes?after=0");
    let headers = team
        .admin
        .sign(&relay.relay_id, "GET", &pull, b"", now_ms());
    assert_eq!(relay.raw("GET", &pull, &headers, b"").status, 200);
    relay
        .raw("GET", &pull, &headers, b"")
        .expect(401, "replayed");

    // And team creation.
    let admin = Device::new();
    let create = serde_json::to_vec(&CreateTeam {
        team: TeamId(random()),
        device: admin.id,
        public_key: admin.public_hex(),
        creation_token: Some(crate::support::CREATION_TOKEN.into()),
        founding: None,
    })
    .unwrap();
    let headers = admin.sign(&relay.relay_id, "POST", "/v1/teams", &create, now_ms());
    assert_eq!(
        relay.raw("POST", "/v1/teams", &headers, &create).status,
        201
    );
    relay
        .raw("POST", "/v1/teams", &headers, &create)
        .expect(401, "replayed");
}

#[test]
fn revoked_devices_are_refused_at_once_and_only_admins_revoke() {
    let relay = Relay::start();
    let team = Team::create(&relay);
    let member = team.enrol(&relay);
    let other = team.enrol(&relay);
    let revoke = |by: &Device, who: &Device| {
        relay.send(
            by,
            "POST",
            &team.path(&format!("/devices/{}/revoke", who.id)),
            b"",
        )
    };
    revoke(&member, &other).expect(403, "not_admin");
    assert_eq!(revoke(&team.admin, &member).status, 200);
    revoke(&team.admin, &Device::new()).expect(404, "unknown_device");

    let envelope = team.seal(&member, doc(), b"after revocation", EnvelopeKind::Change);
    team.push(&relay, &member, &[envelope])
        .expect(403, "revoked");
    team.pull(&relay, &member, "after=0").expect(403, "revoked");
    assert_eq!(relay.head(team.id), 0);

    // Anyone in the team sees who is in and who is out.
    let devices: Vec<DeviceInfo> = relay
        .send(&other, "GET", &team.path("/devices"), b"")
        .json();
    let by_id = |d: &Device| devices.iter().find(|i| i.device == d.id).unwrap().clone();
    assert_eq!(by_id(&team.admin).role, DeviceRole::Admin);
    assert!(by_id(&member).revoked_at_ms.is_some());
    assert_eq!(by_id(&other).revoked_at_ms, None);
    assert_eq!(by_id(&other).public_key, other.public_hex());
}

#[test]
fn devices_of_other_teams_and_unknown_teams_are_refused() {
    let relay = Relay::start();
    let team = Team::create(&relay);
    let elsewhere = Team::create(&relay);
    let envelope = elsewhere.seal(&elsewhere.admin, doc(), b"x", EnvelopeKind::Change);
    team.push(&relay, &elsewhere.admin, std::slice::from_ref(&envelope))
        .expect(403, "wrong_team");
    relay
        .send(&elsewhere.admin, "GET", &team.path("/devices"), b"")
        .expect(403, "wrong_team");
    let unknown = format!("/v1/teams/{}/envelopes", TeamId(random()));
    relay
        .send(&team.admin, "GET", &unknown, b"")
        .expect(404, "unknown_team");
    relay
        .send(&team.admin, "GET", "/v1/teams/nothex/envelopes", b"")
        .expect(400, "malformed");
    assert_eq!(relay.head(team.id), 0);
    assert_eq!(relay.head(elsewhere.id), 0);
}

#[test]
fn teams_are_created_once_by_the_key_they_name() {
    let relay = Relay::start();
    let team = Team::create(&relay);
    let create = |signer: &Device, named: &Device, id: TeamId| {
        let body = serde_json::to_vec(&CreateTeam {
            team: id,
            device: named.id,
            public_key: named.public_hex(),
            creation_token: Some(crate::support::CREATION_TOKEN.into()),
            founding: None,
        })
        .unwrap();
        relay.send(signer, "POST", "/v1/teams", &body)
    };
    let newcomer = Device::new();
    create(&newcomer, &newcomer, team.id).expect(409, "exists");
    let impostor = Device {
        id: newcomer.id,
        key: ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng),
    };
    let fresh = TeamId(random());
    create(&impostor, &newcomer, fresh).expect(401, "bad_signature");
    create(&Device::new(), &newcomer, fresh).expect(400, "malformed");
    relay
        .send(&newcomer, "POST", "/v1/teams", b"{not json")
        .expect(400, "malformed");
    assert_eq!(relay.device_count(team.id), 1);
    assert_eq!(create(&newcomer, &newcomer, fresh).status, 201);
}

#[test]
fn invites_are_single_use_expire_and_need_the_new_keys_signature() {
    let relay = Relay::start();
    let team = Team::create(&relay);
    let member = team.enrol(&relay);
    // Any member may invite.
    let code = team.invite(&relay, &member);
    let joiner = Device::new();
    // Signed by a key other than the one it enrols.
    let impostor = Device {
        id: joiner.id,
        key: ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng),
    };
    let body = serde_json::to_vec(&tandem_protocol::api::JoinTeam {
        token: hex::encode(code.token),
        device: joiner.id,
        public_key: joiner.public_hex(),
    })
    .unwrap();
    relay
        .send(&impostor, "POST", "/v1/join", &body)
        .expect(401, "bad_signature");
    assert_eq!(Team::join(&relay, &joiner, &code).status, 200);
    Team::join(&relay, &Device::new(), &code).expect(410, "invite_used");

    // Expired: parked directly with a past expiry (the API's minimum is one second).
    let late = tandem_protocol::invite::InviteCode {
        relay: relay.url.clone(),
        token: random(),
        wrap: random(),
    };
    relay
        .block_on(relay.storage.create_invite(NewInvite {
            token_hash: late.token_hash(),
            team: team.id,
            created_by: team.admin.id,
            sealed_team_key: vec![1; 60],
            created_at_ms: now_ms() - 10_000,
            expires_at_ms: now_ms() - 1,
            epoch: None,
        }))
        .unwrap();
    Team::join(&relay, &Device::new(), &late).expect(410, "invite_expired");

    let unknown = tandem_protocol::invite::InviteCode {
        relay: relay.url.clone(),
        token: random(),
        wrap: random(),
    };
    Team::join(&relay, &Device::new(), &unknown).expect(404, "unknown_invite");
    assert_eq!(relay.device_count(team.id), 3);

    // Invites last at most a week.
    let too_long = serde_json::to_vec(&tandem_protocol::api::CreateInvite {
        token_hash: hex::encode(random::<32>()),
        sealed_team_key: hex::encode([1u8; 60]),
        expires_in_s: 8 * 24 * 3600,
        epoch: None,
    })
    .unwrap();
    relay
        .send(&member, "POST", &team.path("/invites"), &too_long)
        .expect(400, "malformed");
}

#[test]
fn a_device_over_its_rate_is_told_to_slow_down() {
    let relay = Relay::start_with(tandem_relay::config::Limits {
        rate_per_second: 0.001,
        rate_burst: 3,
        ..Default::default()
    });
    let team = Team::create(&relay); // one token
    assert_eq!(team.pull(&relay, &team.admin, "after=0").status, 200);
    assert_eq!(
        team.pull(&relay, &team.admin, "after=0&limit=1").status,
        200
    );
    let envelope = team.seal(&team.admin, doc(), b"x", EnvelopeKind::Change);
    team.push(&relay, &team.admin, &[envelope])
        .expect(429, "rate_limited");
    assert_eq!(relay.head(team.id), 0);
    // Others are not held back by it.
    let other = Team::create(&relay);
    assert_eq!(other.pull(&relay, &other.admin, "after=0").status, 200);
}
