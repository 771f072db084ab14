//! Who may create a team: nobody on a relay whose operator set nothing, a founding device
//! with the operator's token, anyone on an open (demo) relay. Every refusal stores nothing.

use crate::support::{random, raw_request, Device, Relay, Team, CREATION_TOKEN};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;
use tandem_protocol::api::{CreateTeam, RelayInfo};
use tandem_protocol::TeamId;
use tandem_relay::config::{Limits, TeamCreation};
use tandem_relay::storage::DeviceLookup;

fn create_body(team: TeamId, device: &Device, token: Option<&str>) -> Vec<u8> {
    serde_json::to_vec(&CreateTeam {
        team,
        device: device.id,
        public_key: device.public_hex(),
        creation_token: token.map(str::to_owned),
        founding: None,
    })
    .unwrap()
}

/// Nothing of the team is stored: no team, so no device in it either.
fn assert_no_team(relay: &Relay, team: TeamId, device: &Device) {
    assert_eq!(
        relay
            .block_on(relay.storage.lookup_device(team, device.id))
            .unwrap(),
        DeviceLookup::UnknownTeam
    );
}

#[test]
fn a_relay_whose_operator_set_nothing_creates_no_team() {
    let relay = Relay::start_creating(Limits::default(), TeamCreation::Closed);
    let founder = Device::new();
    let team = TeamId(random());
    for token in [None, Some(CREATION_TOKEN), Some("")] {
        relay
            .send(
                &founder,
                "POST",
                "/v1/teams",
                &create_body(team, &founder, token),
            )
            .expect(403, "team_creation_closed");
    }
    // An older client's body, without the field at all.
    let old = format!(
        r#"{{"team":"{team}","device":"{}","public_key":"{}"}}"#,
        founder.id,
        founder.public_hex()
    );
    relay
        .send(&founder, "POST", "/v1/teams", old.as_bytes())
        .expect(403, "team_creation_closed");
    assert_no_team(&relay, team, &founder);
}

#[test]
fn creating_a_team_needs_the_operators_token() {
    let relay = Relay::start();
    let founder = Device::new();
    let team = TeamId(random());
    let near_misses = [
        None,
        Some(""),
        Some("test relay creation toke"),
        Some("test relay creation tokens"),
        Some("TEST RELAY CREATION TOKEN"),
        Some("test\u{a0}relay creation token"),
    ];
    for token in near_misses {
        let answer = relay.send(
            &founder,
            "POST",
            "/v1/teams",
            &create_body(team, &founder, token),
        );
        answer.expect(403, "bad_creation_token");
        assert!(
            !String::from_utf8_lossy(&answer.body).contains(CREATION_TOKEN),
            "the answer does not show the token"
        );
    }
    // An older client, which sends no token.
    let old = format!(
        r#"{{"team":"{team}","device":"{}","public_key":"{}"}}"#,
        founder.id,
        founder.public_hex()
    );
    relay
        .send(&founder, "POST", "/v1/teams", old.as_bytes())
        .expect(403, "bad_creation_token");
    assert_no_team(&relay, team, &founder);

    // The token does not stand in for the request's signature.
    let impostor = Device {
        id: founder.id,
        key: ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng),
    };
    relay
        .send(
            &impostor,
            "POST",
            "/v1/teams",
            &create_body(team, &founder, Some(CREATION_TOKEN)),
        )
        .expect(401, "bad_signature");
    assert_no_team(&relay, team, &founder);

    // Being a member of another team on this relay does not either.
    let other = Team::create(&relay);
    let member = other.enrol(&relay);
    relay
        .send(
            &member,
            "POST",
            "/v1/teams",
            &create_body(team, &member, None),
        )
        .expect(403, "bad_creation_token");
    assert_no_team(&relay, team, &member);

    // With it (white space around it is forgiven, as in the operator's file).
    let answer = relay.send(
        &founder,
        "POST",
        "/v1/teams",
        &create_body(team, &founder, Some(" test relay creation token\n")),
    );
    assert_eq!(
        answer.status,
        201,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    assert_eq!(relay.device_count(team), 1);
}

#[test]
fn an_open_relay_creates_teams_for_anyone() {
    let relay = Relay::start_creating(Limits::default(), TeamCreation::Open);
    for token in [None, Some("whatever they send")] {
        let founder = Device::new();
        let team = TeamId(random());
        let answer = relay.send(
            &founder,
            "POST",
            "/v1/teams",
            &create_body(team, &founder, token),
        );
        assert_eq!(
            answer.status,
            201,
            "{}",
            String::from_utf8_lossy(&answer.body)
        );
        assert_eq!(relay.device_count(team), 1);
    }
}

/// The real binary, started with nothing about team creation: it says so at start, and
/// refuses every team.
#[test]
fn the_relay_binary_refuses_teams_by_default_and_says_why_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tandem-relay"))
        .args(["--listen", "127.0.0.1:0", "--data"])
        .arg(dir.path())
        .env_remove("TANDEM_RELAY_TEAM_CREATION_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines_tx, lines_rx) = std::sync::mpsc::channel::<serde_json::Value>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(event) = serde_json::from_str(&line) {
                let _ = lines_tx.send(event);
            }
        }
    });
    let mut warned = false;
    let addr = loop {
        let event = lines_rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the relay logs that it listens");
        if event["level"] == "WARN"
            && event["message"]
                .as_str()
                .is_some_and(|m| m.contains("no team can be created"))
        {
            warned = true;
        }
        if event["message"] == "listening" {
            assert_eq!(event["team_creation"], "closed");
            break event["addr"].as_str().unwrap().to_owned();
        }
    };
    // The warning comes right after the listening line.
    while !warned {
        let event = lines_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("the relay warns that no team can be created");
        warned = event["message"]
            .as_str()
            .is_some_and(|m| m.contains("no team can be created"));
    }
    let base = format!("http://{addr}");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let info: RelayInfo = raw_request(&agent, &base, "GET", "/v1/info", &[], b"").json();
    let founder = Device::new();
    let body = create_body(TeamId(random()), &founder, Some(CREATION_TOKEN));
    let headers = founder.sign(
        &info.relay_id,
        "POST",
        "/v1/teams",
        &body,
        crate::support::now_ms(),
    );
    raw_request(&agent, &base, "POST", "/v1/teams", &headers, &body)
        .expect(403, "team_creation_closed");
    let _ = child.kill();
    let _ = child.wait();
}
