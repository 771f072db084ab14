//! Bodies are read last: a request's signed headers (well-formed, fresh, a device of the
//! team, a signature over the body's declared hash) are checked before its body, so a
//! stranger's huge body is answered at once without being read; JSON routes take small
//! bodies; the body read must be the one signed; and the relay serves a bounded number of
//! requests at once. Over a raw socket where it matters, to see what the relay reads.

use crate::support::{doc, now_ms, Device, Relay, Team};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};
use tandem_protocol::request::{HEADER_BODY_SHA256, HEADER_DEVICE, HEADER_SIGNATURE};
use tandem_protocol::EnvelopeKind;
use tandem_relay::config::Limits;

/// Sends a request head and the first `sent` bytes of a body that claims to be far longer,
/// and reads the answer: `(status, error code, time to answer)`. If the relay waited for the
/// rest of the body, this would time out and fail. (What is sent is best left empty: a
/// relay that answers and closes with bytes unread resets the connection, and the answer
/// may be lost on the way.)
fn answer_before_the_body(
    relay: &Relay,
    path: &str,
    headers: &[(&str, String)],
    framing: &str,
    sent: &[u8],
) -> (u16, String, Duration) {
    let addr = relay.url.strip_prefix("http://").unwrap();
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut head = format!("POST {path} HTTP/1.1\r\nhost: {addr}\r\n{framing}\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let started = Instant::now();
    stream.write_all(head.as_bytes()).unwrap();
    let _ = stream.write_all(sent);
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let body_start = loop {
        let n = stream
            .read(&mut buf)
            .expect("the relay answers without the body");
        assert!(n > 0, "closed without an answer");
        got.extend_from_slice(&buf[..n]);
        if let Some(i) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let took = started.elapsed();
    let head = String::from_utf8_lossy(&got[..body_start]).to_lowercase();
    let status: u16 = head[9..12].parse().unwrap();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|v| v.trim().parse().unwrap())
        .unwrap();
    while got.len() < body_start + length {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0);
        got.extend_from_slice(&buf[..n]);
    }
    let body: tandem_protocol::api::ErrorBody =
        serde_json::from_slice(&got[body_start..body_start + length]).unwrap();
    (status, body.error.to_string(), took)
}

const GIB: u64 = 1024 * 1024 * 1024;

/// What is sent (a name, headers, the framing line) and the answer expected.
type Case<'a> = (&'a str, Vec<(&'a str, String)>, &'a str, u16, &'a str);

#[test]
fn a_strangers_huge_body_is_answered_before_it_is_read() {
    let relay = Relay::start();
    let team = Team::create(&relay);
    let path = team.path("/envelopes");
    // Over every limit, and (for the device cases) just under the push limit, so that only
    // the headers can stop it.
    let claimed = format!("content-length: {GIB}");
    let under = format!("content-length: {}", 15 * 1024 * 1024);
    // Nothing of the body is sent: the relay must answer on the headers alone.
    let nothing: &[u8] = b"";
    let first_mib = vec![0x5au8; 1024 * 1024];
    let some_hash = hex::encode(Sha256::digest(b"not sent"));
    let cases: Vec<Case<'_>> = vec![
        (
            "no signed headers",
            vec![],
            &claimed,
            401,
            "unauthenticated",
        ),
        (
            "no signed headers, chunked",
            vec![],
            "transfer-encoding: chunked",
            401,
            "unauthenticated",
        ),
        (
            "a device enrolled nowhere",
            Device::new().sign(&relay.relay_id, "POST", &path, b"x", now_ms()),
            &under,
            401,
            "unknown_device",
        ),
        (
            "stale headers",
            team.admin
                .sign(&relay.relay_id, "POST", &path, b"x", now_ms() - 3_600_000),
            &under,
            401,
            "stale",
        ),
        (
            "the admin's id with a signature over another body",
            team.admin
                .sign(&relay.relay_id, "POST", &path, b"another body", now_ms())
                .into_iter()
                .map(|(n, v)| {
                    if n == HEADER_BODY_SHA256 {
                        (n, some_hash.clone())
                    } else {
                        (n, v)
                    }
                })
                .collect(),
            &under,
            401,
            "bad_signature",
        ),
    ];
    for (what, headers, framing, status, code) in cases {
        let (got, said, took) = answer_before_the_body(&relay, &path, &headers, framing, nothing);
        assert_eq!((got, said.as_str()), (status, code), "{what}");
        assert!(took < Duration::from_secs(3), "{what}: {took:?}");
    }
    // Even the admin's own signed request is refused at once when it declares a body over
    // twice the limit: not read, not drained.
    let body_hash_of_nothing_sent =
        team.admin
            .sign(&relay.relay_id, "POST", &path, &first_mib, now_ms());
    let (got, said, _) = answer_before_the_body(
        &relay,
        &path,
        &body_hash_of_nothing_sent,
        &format!("content-length: {}", 4 * GIB),
        nothing,
    );
    assert_eq!((got, said.as_str()), (413, "too_large"));
    assert_eq!(relay.head(team.id), 0);
    // And the relay is fine.
    assert_eq!(team.pull(&relay, &team.admin, "after=0").status, 200);
}

#[test]
fn the_body_read_must_be_the_one_signed() {
    let relay = Relay::start();
    let team = Team::create(&relay);
    let path = team.path("/envelopes");
    let d = doc();
    let signed_for = tandem_protocol::frames::encode_push(&[team.seal(
        &team.admin,
        d,
        b"what was signed",
        EnvelopeKind::Change,
    )]);
    let sent = tandem_protocol::frames::encode_push(&[team.seal(
        &team.admin,
        d,
        b"what was sent!!",
        EnvelopeKind::Change,
    )]);
    let headers = team
        .admin
        .sign(&relay.relay_id, "POST", &path, &signed_for, now_ms());
    relay
        .raw("POST", &path, &headers, &sent)
        .expect(401, "bad_signature");
    // The body's hash declared honestly, the signature over the other one: refused too.
    let mut lying = headers.clone();
    for (name, value) in lying.iter_mut() {
        if *name == HEADER_BODY_SHA256 {
            *value = hex::encode(Sha256::digest(&sent));
        }
    }
    relay
        .raw("POST", &path, &lying, &sent)
        .expect(401, "bad_signature");
    assert_eq!(relay.head(team.id), 0);
    // Signed and sent alike, it goes in.
    assert_eq!(relay.raw("POST", &path, &headers, &signed_for).status, 200);
    assert_eq!(relay.head(team.id), 1);
}

#[test]
fn an_older_client_that_declares_no_body_hash_is_still_served() {
    let relay = Relay::start();
    let team = Team::create(&relay);
    let path = team.path("/envelopes");
    let body = tandem_protocol::frames::encode_push(&[team.seal(
        &team.admin,
        doc(),
        b"from an older client",
        EnvelopeKind::Change,
    )]);
    let older = |body_signed: &[u8]| -> Vec<(&'static str, String)> {
        team.admin
            .sign(&relay.relay_id, "POST", &path, body_signed, now_ms())
            .into_iter()
            .filter(|(n, _)| *n != HEADER_BODY_SHA256)
            .collect()
    };
    relay
        .raw("POST", &path, &older(b"something else"), &body)
        .expect(401, "bad_signature");
    assert_eq!(relay.raw("POST", &path, &older(&body), &body).status, 200);
    assert_eq!(relay.head(team.id), 1);
    // A malformed declared hash is not mistaken for none.
    let mut bad = team
        .admin
        .sign(&relay.relay_id, "POST", &path, &body, now_ms());
    for (name, value) in bad.iter_mut() {
        if *name == HEADER_BODY_SHA256 {
            *value = "not hex".into();
        }
    }
    relay
        .raw("POST", &path, &bad, &body)
        .expect(401, "unauthenticated");
    assert!(bad.iter().any(|(n, _)| *n == HEADER_DEVICE));
    assert!(bad.iter().any(|(n, _)| *n == HEADER_SIGNATURE));
}

#[test]
fn json_routes_take_small_bodies_and_pushes_larger_ones() {
    let relay = Relay::start_with(Limits {
        max_json_bytes: 4096,
        ..Default::default()
    });
    let team = Team::create(&relay);
    // An invite whose sealed key is padded past the JSON limit.
    let invite = serde_json::to_vec(&tandem_protocol::api::CreateInvite {
        token_hash: hex::encode([1u8; 32]),
        sealed_team_key: hex::encode([2u8; 4000]),
        expires_in_s: 60,
        epoch: None,
    })
    .unwrap();
    assert!(invite.len() > 4096);
    relay
        .send(&team.admin, "POST", &team.path("/invites"), &invite)
        .expect(413, "too_large");
    // The same size as a push is fine.
    let big = team.seal(&team.admin, doc(), &[7u8; 6000], EnvelopeKind::Change);
    assert_eq!(team.push(&relay, &team.admin, &[big]).status, 200);
    assert_eq!(relay.head(team.id), 1);
}

#[test]
fn past_the_concurrency_limit_the_relay_says_it_is_busy() {
    let relay = Relay::start_with(Limits {
        max_concurrent_requests: 2,
        ..Default::default()
    });
    let team = Team::create(&relay);
    std::thread::scope(|scope| {
        // Two different requests (the same one twice would be a replay).
        let waiting: Vec<_> = ["after=0&wait_ms=4000", "after=0&wait_ms=4001"]
            .into_iter()
            .map(|query| scope.spawn(|| team.pull(&relay, &team.admin, query)))
            .collect();
        let deadline = Instant::now() + Duration::from_secs(3);
        while !relay.metrics().contains("tandem_relay_long_polls 2") {
            assert!(Instant::now() < deadline, "{}", relay.metrics());
            std::thread::yield_now();
        }
        team.pull(&relay, &team.admin, "after=0")
            .expect(503, "busy");
        // Health checks are never turned away.
        assert_eq!(relay.raw("GET", "/health", &[], b"").status, 200);
        for w in waiting {
            assert_eq!(w.join().unwrap().status, 200);
        }
    });
    // Once they are done, requests are served again.
    assert_eq!(team.pull(&relay, &team.admin, "after=0").status, 200);
}
