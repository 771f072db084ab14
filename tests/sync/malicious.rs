//! A relay that lies: every kind of tampering is refused or harmless, and no vault is
//! corrupted. The wrapper forwards to the real relay and alters what it returns.

use crate::harness::*;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use rand::RngCore;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tandem_core::sync::SyncError;
use tandem_model::NewEncounter;
use tandem_protocol::envelope::HEADER_LEN;
use tandem_protocol::frames;
use tandem_protocol::{DeviceId, DocClass, DocId, EnvelopeKind, PlainChange, TeamId, TeamKey};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tamper {
    Honest,
    FlipCiphertext,
    SwapDocId,
    Reorder,
    Replay,
    Withhold,
    InjectStranger,
    FakeDeviceKeys,
    /// Answers every key request with no package: a new epoch's key never arrives.
    WithholdKeys,
    /// Hands out every key package but those of one epoch.
    WithholdEpoch(u32),
}

/// Rewrites a GET answer (or the answer to a join or a push): its route, its `x-tandem`
/// headers, its body.
pub(crate) type Rewrite = Box<dyn Fn(&str, &mut Vec<(String, String)>, Vec<u8>) -> Vec<u8> + Send>;

#[derive(Clone)]
struct Wrapper {
    target: SocketAddr,
    mode: Arc<Mutex<Tamper>>,
    rewrite: Arc<Mutex<Option<Rewrite>>>,
    agent: ureq::Agent,
}

fn stranger_envelope(team: TeamId) -> Vec<u8> {
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    let signer = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    let plain = PlainChange {
        kind: EnvelopeKind::Change,
        team,
        doc: DocId([7; 16]),
        class: DocClass::Person,
        payload: b"not automerge".to_vec(),
    };
    plain
        .seal(&TeamKey::new(1, key), DeviceId([9; 16]), &signer, [1; 24])
        .unwrap()
        .into_bytes()
}

fn tamper_page(mode: Tamper, body: Vec<u8>) -> Vec<u8> {
    let Ok(mut items) = frames::decode_page(&body, usize::MAX) else {
        return body;
    };
    match mode {
        Tamper::FlipCiphertext => items
            .iter_mut()
            .for_each(|(_, b)| b[HEADER_LEN + 3] ^= 0x40),
        Tamper::SwapDocId => items.iter_mut().for_each(|(_, b)| b[21] ^= 0xff),
        Tamper::Reorder => items.reverse(),
        Tamper::Replay => {
            let again = items.clone();
            items.extend(again);
        }
        Tamper::Withhold => {
            let mut i = 0;
            items.retain(|_| {
                i += 1;
                i % 2 == 1
            });
        }
        Tamper::InjectStranger => {
            if let Some((seq, b)) = items.first().cloned() {
                let team = TeamId(b[5..21].try_into().unwrap());
                // Same sequence number as the first real one, placed first: the client keeps
                // the stranger, refuses it, and stops before it.
                items.insert(0, (seq, stranger_envelope(team)));
            }
        }
        Tamper::Honest
        | Tamper::FakeDeviceKeys
        | Tamper::WithholdKeys
        | Tamper::WithholdEpoch(_) => {}
    }
    frames::encode_page(&items)
}

fn tamper_devices(body: Vec<u8>) -> Vec<u8> {
    let Ok(mut list) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return body;
    };
    if let Some(arr) = list.as_array_mut() {
        for d in arr {
            let fake = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
            d["public_key"] = hex::encode(fake.verifying_key().to_bytes()).into();
        }
    }
    serde_json::to_vec(&list).unwrap()
}

fn withhold_keys(body: Vec<u8>) -> Vec<u8> {
    let Ok(mut answer) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return body;
    };
    answer["packages"] = serde_json::json!([]);
    serde_json::to_vec(&answer).unwrap()
}

fn withhold_epoch(body: Vec<u8>, epoch: u32) -> Vec<u8> {
    let Ok(mut answer) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return body;
    };
    let kept: Vec<serde_json::Value> = answer["packages"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|p| {
            let epoch_of = p
                .as_str()
                .and_then(|h| hex::decode(h).ok())
                .and_then(|b| tandem_protocol::key_package::KeyPackage::parse(b).ok())
                .map(|k| k.header().epoch);
            epoch_of != Some(epoch)
        })
        .collect();
    answer["packages"] = kept.into();
    serde_json::to_vec(&answer).unwrap()
}

async fn forward(State(w): State<Wrapper>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, 64 << 20)
        .await
        .unwrap_or_default()
        .to_vec();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .filter(|(k, _)| k.as_str().starts_with("x-tandem") || k.as_str() == "content-type")
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let is_get = parts.method == axum::http::Method::GET;
    let mode = *w.mode.lock().unwrap();
    let url = format!("http://{}{}", w.target, path);
    let agent = w.agent.clone();
    let (mut status, mut out_headers, mut out) = tokio::task::spawn_blocking(move || {
        let resp = if is_get {
            let mut r = agent.get(&url);
            for (k, v) in &headers {
                r = r.header(k, v);
            }
            r.call()
        } else {
            let mut r = agent.post(&url);
            for (k, v) in &headers {
                r = r.header(k, v);
            }
            r.send(&body[..])
        };
        match resp {
            Ok(mut resp) => {
                let status = resp.status().as_u16();
                let h: Vec<(String, String)> = resp
                    .headers()
                    .iter()
                    .filter(|(k, _)| {
                        k.as_str().starts_with("x-tandem") || k.as_str() == "content-type"
                    })
                    .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
                    .collect();
                let b = resp
                    .body_mut()
                    .with_config()
                    .limit(1 << 30)
                    .read_to_vec()
                    .unwrap_or_default();
                (status, h, b)
            }
            Err(_) => (502, vec![], vec![]),
        }
    })
    .await
    .unwrap();
    let route = path.split('?').next().unwrap_or("");
    // A relay may also claim a record for a team that has none (its honest answer is 400
    // `no_record`): a rewrite that answers such a request makes it a 200.
    let claims_record = is_get && status == 400 && route.ends_with("/record");
    // A push's answer too (where the relay says each envelope went).
    let is_push = !is_get && route.ends_with("/envelopes");
    if (is_get || is_push || route == "/v1/join") && (status == 200 || claims_record) {
        if let Some(rewrite) = w.rewrite.lock().unwrap().as_ref() {
            let before = out.clone();
            out = rewrite(route, &mut out_headers, out);
            if claims_record && out != before {
                status = 200;
                out_headers.retain(|(k, _)| k != "content-type");
                out_headers.push(("content-type".into(), "application/octet-stream".into()));
            }
        }
    }
    if is_get && status == 200 {
        if route.ends_with("/envelopes") && mode != Tamper::Honest {
            out = tamper_page(mode, out);
        }
        if route.ends_with("/devices") && mode == Tamper::FakeDeviceKeys {
            out = tamper_devices(out);
        }
        if route.ends_with("/keys") {
            match mode {
                Tamper::WithholdKeys => out = withhold_keys(out),
                Tamper::WithholdEpoch(epoch) => out = withhold_epoch(out, epoch),
                _ => {}
            }
        }
    }
    let mut response = Response::new(Body::from(out));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    let hm: &mut HeaderMap = response.headers_mut();
    for (k, v) in out_headers {
        if let (Ok(k), Ok(v)) = (
            axum::http::HeaderName::try_from(k),
            HeaderValue::try_from(v),
        ) {
            hm.insert(k, v);
        }
    }
    response
}

pub(crate) struct Running {
    pub(crate) addr: SocketAddr,
    mode: Arc<Mutex<Tamper>>,
    /// What the relay's GET answers are turned into, while set.
    pub(crate) rewrite: Arc<Mutex<Option<Rewrite>>>,
    _rt: tokio::runtime::Runtime,
}

pub(crate) fn start_wrapper(target: SocketAddr) -> Running {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mode = Arc::new(Mutex::new(Tamper::Honest));
    let rewrite = Arc::new(Mutex::new(None));
    let state = Wrapper {
        target,
        mode: mode.clone(),
        rewrite: rewrite.clone(),
        agent: ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into(),
    };
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().fallback(forward).with_state(state);
    rt.spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Running {
        addr,
        mode,
        rewrite,
        _rt: rt,
    }
}

#[test]
fn every_kind_of_tampering_is_refused_or_harmless() {
    let relay = RelayProcess::start();
    let a = Device::founder(&relay.url(), "Sam");
    let person = a.add_person("Hélène");
    a.sync().unwrap();
    let (b, first) = Device::join(&a, "Alex");
    first.unwrap();
    let wrapper = start_wrapper(relay.addr);
    b.v()
        .set_relay_url(&format!("http://{}", wrapper.addr))
        .unwrap();

    for mode in [
        Tamper::FlipCiphertext,
        Tamper::SwapDocId,
        Tamper::InjectStranger,
        Tamper::Reorder,
        Tamper::Replay,
        Tamper::Withhold,
        Tamper::FakeDeviceKeys,
    ] {
        let mut ids = Vec::new();
        for k in 0..4 {
            let mut e = NewEncounter::with_person(person.clone());
            e.notes = format!("{mode:?} {k}");
            ids.push(a.v().record_encounter(&e).unwrap());
        }
        a.sync().unwrap();
        let before = b.v().sync_cursor().unwrap();
        *wrapper.mode.lock().unwrap() = mode;
        let result = b.sync();
        match mode {
            Tamper::FlipCiphertext | Tamper::SwapDocId | Tamper::InjectStranger => {
                assert!(
                    matches!(result, Err(SyncError::Refused(_))),
                    "{mode:?}: {result:?}"
                );
                assert_eq!(
                    b.v().sync_cursor().unwrap(),
                    before,
                    "{mode:?}: the cursor moved past a refused envelope"
                );
                let got = b.v().person(&person).unwrap();
                assert!(
                    !got.encounters.iter().any(|e| ids.contains(&e.id)),
                    "{mode:?}: tampered data applied"
                );
            }
            _ => {
                result.unwrap_or_else(|e| panic!("{mode:?}: {e:?}"));
            }
        }
        // The vault is intact whatever happened.
        b.v().brief(&person).unwrap();
        // An honest relay again: everything arrives, nothing was lost for good.
        *wrapper.mode.lock().unwrap() = Tamper::Honest;
        settle(&[&a, &b]);
        let got = b.v().person(&person).unwrap();
        for id in &ids {
            assert!(
                got.encounters.iter().any(|e| &e.id == id),
                "{mode:?}: {id} never arrived"
            );
        }
        assert_eq!(state(&a), state(&b), "{mode:?}");
    }
}

/// The relay keeps back the key of a new epoch: what is sealed under it cannot be opened yet.
/// It is set aside (the pull goes on, nothing is lost), and read as soon as the key comes.
#[test]
fn changes_under_a_withheld_key_are_set_aside_then_read_when_it_comes() {
    let relay = RelayProcess::start();
    let a = Device::founder(&relay.url(), "Sam");
    let person = a.add_person("Hélène");
    a.sync().unwrap();
    let (b, first) = Device::join(&a, "Alex");
    first.unwrap();
    let (c, first) = Device::join(&a, "Chris");
    first.unwrap();
    settle(&[&a, &b, &c]);
    let wrapper = start_wrapper(relay.addr);
    b.v()
        .set_relay_url(&format!("http://{}", wrapper.addr))
        .unwrap();
    // Chris's phone is lost: a new key epoch, sealed to Sam's and Alex's devices.
    let c_id = c.v().device_id().to_owned();
    tandem_core::sync::revoke_device(&a.vault, &c_id).unwrap();
    let mut ids = Vec::new();
    for k in 0..3 {
        let mut e = NewEncounter::with_person(person.clone());
        e.notes = format!("après la révocation {k}");
        ids.push(a.v().record_encounter(&e).unwrap());
    }
    a.sync().unwrap();

    *wrapper.mode.lock().unwrap() = Tamper::WithholdKeys;
    let r = b.sync().expect("a withheld key does not stop the pull");
    assert!(r.set_aside >= 3, "{r:?}");
    assert_eq!(
        b.v().set_aside_counts().unwrap(),
        vec![(
            tandem_core::SetAsideReason::UnknownEpoch,
            r.set_aside as u64
        )]
    );
    let got = b.v().person(&person).unwrap();
    assert!(!got.encounters.iter().any(|e| ids.contains(&e.id)));

    *wrapper.mode.lock().unwrap() = Tamper::Honest;
    let again = b.sync().unwrap();
    assert_eq!(again.set_aside_read, r.set_aside, "{again:?}");
    assert_eq!(b.v().set_aside_count().unwrap(), 0);
    let got = b.v().person(&person).unwrap();
    for id in &ids {
        assert!(
            got.encounters.iter().any(|e| &e.id == id),
            "{id} never arrived"
        );
    }
    settle(&[&a, &b]);
    assert_eq!(state(&a), state(&b));
}

/// The relay holds back one epoch's key while it hands out the next: the device moves on to
/// the newer key, and what was sealed under the one held back is set aside, then read as soon
/// as that key comes (it is asked for again, though it is older than the current one).
#[test]
fn an_older_epochs_key_held_back_is_asked_for_again() {
    let relay = RelayProcess::start();
    let a = Device::founder(&relay.url(), "Sam");
    let person = a.add_person("Hélène");
    a.sync().unwrap();
    let (b, first) = Device::join(&a, "Alex");
    first.unwrap();
    let (c, first) = Device::join(&a, "Chris");
    first.unwrap();
    let (d, first) = Device::join(&a, "Dana");
    first.unwrap();
    settle(&[&a, &b, &c, &d]);
    let wrapper = start_wrapper(relay.addr);
    b.v()
        .set_relay_url(&format!("http://{}", wrapper.addr))
        .unwrap();
    let write = |notes: &str| {
        let mut e = NewEncounter::with_person(person.clone());
        e.notes = notes.into();
        a.v().record_encounter(&e).unwrap()
    };

    let c_id = c.v().device_id().to_owned();
    tandem_core::sync::revoke_device(&a.vault, &c_id).unwrap();
    let under_2 = write("sous la clé 2");
    a.sync().unwrap();
    *wrapper.mode.lock().unwrap() = Tamper::WithholdEpoch(2);
    let r = b.sync().unwrap();
    assert!(r.set_aside > 0, "{r:?}");

    let d_id = d.v().device_id().to_owned();
    tandem_core::sync::revoke_device(&a.vault, &d_id).unwrap();
    // A new record: its changes do not wait for those under epoch 2, as the first one's do.
    let other = a.add_person("Marc");
    a.sync().unwrap();
    b.sync().unwrap();
    assert!(b.v().person(&other).is_ok(), "epoch 3 is read");
    let got = b.v().person(&person).unwrap();
    assert!(!got.encounters.iter().any(|e| e.id == under_2));
    assert!(b.v().set_aside_count().unwrap() > 0);

    *wrapper.mode.lock().unwrap() = Tamper::Honest;
    let r = b.sync().unwrap();
    assert!(r.set_aside_read > 0, "{r:?}");
    assert_eq!(b.v().set_aside_count().unwrap(), 0);
    let got = b.v().person(&person).unwrap();
    assert!(
        got.encounters.iter().any(|e| e.id == under_2),
        "epoch 2 is read at last"
    );
    settle(&[&a, &b]);
    assert_eq!(state(&a), state(&b));
}

/// The relay's device list (`GET …/devices`, JSON) with one more device in it, an admin with
/// `public_key` (hex): as a relay inventing an admin would serve it.
pub(crate) fn with_invented_admin(body: &[u8], device: &str, public_key: &str) -> Vec<u8> {
    let mut list: serde_json::Value = serde_json::from_slice(body).unwrap();
    list.as_array_mut().unwrap().push(serde_json::json!({
        "device": device,
        "public_key": public_key,
        "role": "admin",
        "enrolled_at_ms": 0,
        "revoked_at_ms": null,
    }));
    serde_json::to_vec(&list).unwrap()
}
