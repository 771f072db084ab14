//! The real `tandem-relay` binary: what it writes to disk and to its logs never holds the
//! content it relays, and it will not serve plain HTTP to the network by mistake.

use crate::support::{doc, random, raw_request, Device};
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use tandem_protocol::api::{CreateInvite, CreateTeam, JoinTeam, RelayInfo};
use tandem_protocol::frames::encode_push;
use tandem_protocol::invite::InviteCode;
use tandem_protocol::{EnvelopeKind, TeamId, TeamKey};

const RELAY: &str = env!("CARGO_BIN_EXE_tandem-relay");

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn the_database_and_the_logs_never_hold_plaintext() {
    let marker = format!("PLAINTEXT-MARKER-{}", hex::encode(random::<16>()));
    // The operator's secret must not be kept or logged either.
    let creation_token = format!("TOKEN-MARKER-{}", hex::encode(random::<16>()));
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(RELAY)
        .args(["--listen", "127.0.0.1:0", "--data"])
        .arg(dir.path())
        .env("RUST_LOG", "trace")
        .env("TANDEM_RELAY_TEAM_CREATION_TOKEN", &creation_token)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    // Read the logs as they come; the "listening" line says which port it got.
    let stdout = child.stdout.take().unwrap();
    let (lines_tx, lines_rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        let mut all = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            let _ = lines_tx.send(line.clone());
            all.push(line);
        }
        all
    });
    let mut stderr = child.stderr.take().unwrap();
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        stderr.read_to_string(&mut s).unwrap();
        s
    });
    let addr = loop {
        let line = lines_rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the relay logs that it listens");
        let event: serde_json::Value = serde_json::from_str(&line).expect("logs are JSON lines");
        if event["message"] == "listening" {
            break event["addr"].as_str().unwrap().to_owned();
        }
    };
    let base = format!("http://{addr}");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let info: RelayInfo = raw_request(&agent, &base, "GET", "/v1/info", &[], b"").json();
    let send = |device: &Device, method: &str, path: &str, body: &[u8]| {
        let headers = device.sign(&info.relay_id, method, path, body, crate::support::now_ms());
        raw_request(&agent, &base, method, path, &headers, body)
    };

    // A whole session: a team, an invite, a join, pushes, a snapshot, pulls.
    let team = TeamId(random());
    let key = TeamKey::new(1, random());
    let admin = Device::new();
    let create = serde_json::to_vec(&CreateTeam {
        team,
        device: admin.id,
        public_key: admin.public_hex(),
        creation_token: Some(creation_token.clone()),
        founding: None,
    })
    .unwrap();
    assert_eq!(send(&admin, "POST", "/v1/teams", &create).status, 201);
    let code = InviteCode {
        relay: base.clone(),
        token: random(),
        wrap: random(),
    };
    let invite = serde_json::to_vec(&CreateInvite {
        token_hash: hex::encode(code.token_hash()),
        sealed_team_key: hex::encode(code.seal_team_key(team, &key, random())),
        expires_in_s: 60,
        epoch: None,
    })
    .unwrap();
    let team_path = |rest: &str| format!("/v1/teams/{team}{rest}");
    assert_eq!(
        send(&admin, "POST", &team_path("/invites"), &invite).status,
        201
    );
    let member = Device::new();
    let join = serde_json::to_vec(&JoinTeam {
        token: hex::encode(code.token),
        device: member.id,
        public_key: member.public_hex(),
    })
    .unwrap();
    assert_eq!(send(&member, "POST", "/v1/join", &join).status, 200);

    let d = doc();
    let envelopes: Vec<Vec<u8>> = (0..20)
        .map(|i| {
            crate::support::seal(
                team,
                &key,
                &admin,
                d,
                format!("{marker} encounter note {i}").as_bytes(),
                EnvelopeKind::Change,
            )
        })
        .collect();
    let push = send(
        &admin,
        "POST",
        &team_path("/envelopes"),
        &encode_push(&envelopes),
    );
    assert_eq!(push.status, 200);
    let snapshot = crate::support::seal(
        team,
        &key,
        &admin,
        d,
        format!("{marker} whole document").as_bytes(),
        EnvelopeKind::Snapshot,
    );
    assert_eq!(
        send(
            &admin,
            "POST",
            &team_path("/snapshots?covers=20"),
            &snapshot
        )
        .status,
        200
    );
    let pulled = send(&member, "GET", &team_path("/envelopes?after=0"), b"");
    let page = pulled.page();
    assert_eq!(page.len(), 20);
    // What comes back opens with the team key: the marker was really in there.
    let opened = tandem_protocol::envelope::UncheckedEnvelope::parse(page[0].1.clone())
        .unwrap()
        .verify(&admin.key.verifying_key())
        .unwrap()
        .open(&key)
        .unwrap();
    assert!(contains(&opened.payload, marker.as_bytes()));
    // A refused request is logged too (status and ids only).
    let mut bad = envelopes[0].clone();
    bad[120] ^= 1;
    assert_eq!(
        send(
            &member,
            "POST",
            &team_path("/envelopes"),
            &encode_push(&[bad])
        )
        .status,
        403
    );

    // Read the files while the relay runs (the WAL is still there), then stop it.
    let mut on_disk = Vec::new();
    for name in ["relay.db", "relay.db-wal", "relay.db-shm"] {
        if let Ok(bytes) = std::fs::read(dir.path().join(name)) {
            on_disk.push((name, bytes));
        }
    }
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = child.wait().unwrap();
    assert!(status.success(), "the relay stops cleanly on SIGTERM");
    let logs = reader.join().unwrap().join("\n");
    let errors = err_reader.join().unwrap();
    for name in ["relay.db", "relay.db-wal"] {
        if let Ok(bytes) = std::fs::read(dir.path().join(name)) {
            on_disk.push((name, bytes));
        }
    }

    assert!(on_disk
        .iter()
        .any(|(name, bytes)| *name == "relay.db" && !bytes.is_empty()));
    // The envelopes really are on disk (their ciphertext), only not their plaintext.
    let ciphertext = &envelopes[3][100..140];
    assert!(on_disk.iter().any(|(_, bytes)| contains(bytes, ciphertext)));
    for (name, bytes) in &on_disk {
        assert!(
            !contains(bytes, marker.as_bytes()),
            "{name} holds plaintext"
        );
        assert!(
            !contains(bytes, creation_token.as_bytes()),
            "{name} holds the team-creation token"
        );
    }
    assert!(logs.contains("\"team_creation\":\"token\""), "{logs}");
    assert!(!logs.contains(&creation_token), "the logs hold the token");
    assert!(!errors.contains(&creation_token));
    assert!(logs.contains(&team.to_hex()), "the logs were captured");
    assert!(logs.contains("\"status\":403"));
    assert!(logs.contains("\"message\":\"stopped\""));
    assert!(!logs.contains(&marker), "the logs hold plaintext");
    assert!(!errors.contains(&marker));
    for line in logs.lines() {
        serde_json::from_str::<serde_json::Value>(line).expect("every log line is JSON");
    }
}

#[test]
fn plain_http_on_a_public_address_is_refused_with_advice() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(RELAY)
        .args(["--listen", "0.0.0.0:0", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("TLS reverse proxy"), "{message}");
    assert!(message.contains("--allow-plain-http"), "{message}");
    assert!(
        !dir.path().join("relay.db").exists(),
        "refused before touching storage"
    );
}
