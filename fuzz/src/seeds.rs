//! The seed corpora, made with the real encoders (and [`crate::spec`] for what only a hostile
//! peer sends). `cargo run -p tandem-fuzz --example seeds` writes them to
//! `fuzz/seeds/<target>/`; the seed test checks the committed files are these and pass their
//! target's checks.

use crate::fixtures::*;
use crate::Writer;
use tandem_core::KeyFile;
use tandem_protocol::api::{
    Appended, CreateInvite, CreateTeam, DeviceInfo, DeviceRole, ErrorBody, JoinAccepted, JoinTeam,
    KeyPackages, PostKeyPackages, PushResponse, RelayInfo,
};
use tandem_protocol::envelope::{DocClass, EnvelopeKind, PlainChange};
use tandem_protocol::frames::{encode_page, encode_push};
use tandem_protocol::invite::InviteCode;
use tandem_protocol::key_package::NewKeyPackage;
use tandem_protocol::record::EntryKind;
use tandem_protocol::request::RequestToSign;
use tandem_protocol::{RelayErrorCode, TeamKey};

/// One seed: its target, its file name, its bytes.
pub type Seed = (&'static str, String, Vec<u8>);

/// A valid key file as the vault writes it (read from the malformed cases' one valid file,
/// whose key was sealed elsewhere; no key is derived here).
const KEY_FILE: &[u8] =
    include_bytes!("../../core/tests/malformed/keys/wrong--sealed-elsewhere.key");

/// libFuzzer dictionaries, `fuzz/dicts/<target>.dict`: words a mutation can insert whole. Without
/// AddressSanitizer (stable Rust) libFuzzer does not learn the strings a parser compares with,
/// so the JSON keys and codes are given here, and the integers at the edges of their types.
pub fn dicts() -> Vec<(&'static str, String)> {
    let mut api_words: Vec<String> = Vec::new();
    for (_, _, bytes) in all().iter().filter(|(t, _, _)| *t == "api") {
        let value: serde_json::Value = serde_json::from_slice(&bytes[1..]).expect("json");
        json_keys(&value, &mut api_words);
    }
    api_words.extend(RelayErrorCode::KNOWN.iter().map(|c| c.as_str().to_owned()));
    api_words.extend(["admin", "member", "null", "true", "false"].map(String::from));
    let mut key_words = Vec::new();
    let key_file: serde_json::Value = serde_json::from_slice(KEY_FILE).expect("json");
    json_keys(&key_file, &mut key_words);
    key_words.push("argon2id".into());
    let edges: Vec<String> = [
        i64::MIN.to_string(),
        i64::MAX.to_string(),
        u64::MAX.to_string(),
        u32::MAX.to_string(),
        i32::MIN.to_string(),
        "-1".into(),
        "0".into(),
    ]
    .into();
    let dict = |words: Vec<String>| {
        let mut words: Vec<String> = words.into_iter().map(|w| format!("\"{w}\"\n")).collect();
        words.sort();
        words.dedup();
        words.concat()
    };
    vec![
        ("api", dict([api_words, edges.clone()].concat())),
        ("keyfile", dict([key_words, edges.clone()].concat())),
        ("record_entry", binary_dict(record_words())),
        ("request", dict(edges)),
    ]
}

/// A dictionary of byte strings, each written `"\xNN…"` (printable letters and digits as
/// they are).
fn binary_dict(words: Vec<Vec<u8>>) -> String {
    let mut lines: Vec<String> = words
        .iter()
        .map(|w| {
            let text: String = w
                .iter()
                .map(|b| {
                    if b.is_ascii_alphanumeric() {
                        char::from(*b).to_string()
                    } else {
                        format!("\\x{b:02x}")
                    }
                })
                .collect();
            format!("\"{text}\"\n")
        })
        .collect();
    lines.sort();
    lines.dedup();
    lines.concat()
}

/// What a record entry names: its magic, the team, the fixed devices and their keys, the
/// fixed invites, the short record's hashes (what a next entry's `prev` is) and the integers
/// at the edges of their types.
fn record_words() -> Vec<Vec<u8>> {
    use crate::fixtures::record::{device, invite, DEVICES, INVITES};
    let chain = crate::record::short_record();
    let mut words = vec![b"TNR1".to_vec(), TEAM.0.to_vec(), DOC.0.to_vec()];
    for i in 0..DEVICES {
        words.push(device(i).id.0.to_vec());
        words.push(device(i).public.to_vec());
    }
    for i in 0..INVITES {
        words.push(invite(i).id.to_vec());
        words.push(invite(i).public.to_vec());
    }
    words.extend(chain.entries.iter().map(|e| e.hash().to_vec()));
    words.extend([
        u64::MAX.to_be_bytes().to_vec(),
        0u64.to_be_bytes().to_vec(),
        u32::MAX.to_be_bytes().to_vec(),
        u16::MAX.to_be_bytes().to_vec(),
    ]);
    words
}

fn json_keys(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                json_keys(v, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| json_keys(v, out)),
        _ => {}
    }
}

/// Every seed of every target.
pub fn all() -> Vec<Seed> {
    let mut out = Vec::new();
    automerge_input(&mut out);
    envelopes(&mut out);
    frames(&mut out);
    key_packages(&mut out);
    invites(&mut out);
    api(&mut out);
    requests(&mut out);
    keyfile(&mut out);
    record_entries(&mut out);
    record_sequences(&mut out);
    out
}

/// Automerge documents and changes as a device saves them: small and compressed documents,
/// incremental changes (a compressed change chunk among them), and a document whose text
/// inflates past the target's bound.
fn automerge_input(out: &mut Vec<Seed>) {
    use automerge::transaction::{CommitOptions, Transactable};
    use automerge::{ActorId, Automerge, ObjType, ROOT};
    // A fixed actor and time: the same bytes on every run.
    let at = || CommitOptions::default().with_time(NOW_MS / 1000);
    let mut doc = Automerge::new().with_actor(ActorId::from(AUTHOR.0));
    let mut tx = doc.transaction();
    tx.put(ROOT, "kind", "person").expect("put");
    let notes = tx.put_object(ROOT, "notes", ObjType::Text).expect("text");
    tx.splice_text(&notes, 0, 0, "Café au parc")
        .expect("splice");
    let goals = tx.put_object(ROOT, "goals", ObjType::List).expect("list");
    tx.insert(&goals, 0, "Avoir mon propre appart")
        .expect("insert");
    tx.commit_with(at());
    seed(out, "automerge", "document", doc.save());
    let heads = doc.get_heads();
    let mut tx = doc.transaction();
    tx.put(ROOT, "pronouns", "elle").expect("put");
    tx.splice_text(&notes, 4, 0, " (long)").expect("splice");
    tx.commit_with(at());
    let change = doc.save_after(&heads);
    seed(out, "automerge", "change", change.clone());
    seed(
        out,
        "automerge",
        "document-then-change",
        [doc.save(), change].concat(),
    );

    let heads = doc.get_heads();
    let mut tx = doc.transaction();
    tx.splice_text(&notes, 0, 0, &"à demain, même heure. ".repeat(60))
        .expect("splice");
    tx.commit_with(at());
    seed(out, "automerge", "change-large", doc.save_after(&heads));
    let mut last = doc.get_last_local_change().expect("a change");
    let compressed = last.bytes().into_owned();
    seed(out, "automerge", "change-compressed", compressed);
    seed(out, "automerge", "document-compressed", doc.save());
    seed(
        out,
        "automerge",
        "document-uncompressed",
        doc.save_nocompress(),
    );

    let mut big = Automerge::new().with_actor(ActorId::from(RECIPIENT.0));
    let mut tx = big.transaction();
    let text = tx.put_object(ROOT, "notes", ObjType::Text).expect("text");
    tx.splice_text(&text, 0, 0, &"a".repeat(1_200_000))
        .expect("splice");
    tx.commit_with(at());
    seed(out, "automerge", "document-past-the-bound", big.save());
}

fn seed(out: &mut Vec<Seed>, target: &'static str, name: &str, bytes: Vec<u8>) {
    out.push((target, name.to_owned(), bytes));
}

/// Real envelopes: a change and a snapshot, a small and a larger payload.
pub fn sample_envelopes() -> Vec<Vec<u8>> {
    let cases = [
        (
            EnvelopeKind::Change,
            DocClass::Person,
            b"automerge change".to_vec(),
        ),
        (EnvelopeKind::Snapshot, DocClass::Team, vec![0x85; 300]),
        (EnvelopeKind::Change, DocClass::StreetLog, Vec::new()),
    ];
    cases
        .into_iter()
        .enumerate()
        .map(|(i, (kind, class, payload))| {
            PlainChange {
                kind,
                team: TEAM,
                doc: DOC,
                class,
                payload,
            }
            .seal(&team_key(EPOCH), AUTHOR, author(), [i as u8; 24])
            .expect("seals")
            .into_bytes()
        })
        .collect()
}

fn envelopes(out: &mut Vec<Seed>) {
    for (i, env) in sample_envelopes().into_iter().enumerate() {
        seed(
            out,
            "envelope",
            &format!("wire-{i}"),
            Writer::mode(0).bytes(&env).done(),
        );
    }
    let change = |kind: u8, class: u8, payload: &[u8]| {
        Writer::mode(1)
            .u8(kind)
            .u8(class)
            .bytes(&TEAM.0)
            .bytes(&DOC.0)
            .bytes(&AUTHOR.0)
            .u32(EPOCH)
            .bytes(&[9; 24])
            .u32(0x8000_0041)
            .bytes(payload)
            .done()
    };
    seed(
        out,
        "envelope",
        "round-trip-change",
        change(0, 1, b"a change"),
    );
    seed(
        out,
        "envelope",
        "round-trip-snapshot",
        change(1, 0, &[0x6f; 400]),
    );
    let hostile = |plain: &[u8]| {
        Writer::mode(2)
            .u8(0)
            .bytes(&TEAM.0)
            .bytes(&DOC.0)
            .u32(EPOCH)
            .bytes(&AUTHOR.0)
            .bytes(&[3; 24])
            .bytes(plain)
            .done()
    };
    let mut padded = vec![1u8, 0, 0, 0, 5];
    padded.extend_from_slice(b"hello");
    padded.resize(256, 0);
    seed(out, "envelope", "plaintext-padded", hostile(&padded));
    seed(
        out,
        "envelope",
        "plaintext-unpadded",
        hostile(&padded[..10]),
    );
    let mut long = padded.clone();
    long[1..5].copy_from_slice(&u32::MAX.to_be_bytes());
    seed(out, "envelope", "plaintext-length-too-long", hostile(&long));
    let mut junk = padded;
    junk[200] = 1;
    seed(
        out,
        "envelope",
        "plaintext-padding-not-zero",
        hostile(&junk),
    );
}

fn frames(out: &mut Vec<Seed>) {
    let envs = sample_envelopes();
    let limits = |count: u8, len: u16| Writer::default().u8(count).u16(len);
    seed(
        out,
        "frames",
        "push",
        limits(10, 4096).bytes(&encode_push(&envs)).done(),
    );
    seed(
        out,
        "frames",
        "push-too-many",
        limits(2, 4096).bytes(&encode_push(&envs)).done(),
    );
    let page: Vec<(u64, Vec<u8>)> = envs
        .into_iter()
        .enumerate()
        .map(|(i, e)| (i as u64 + 41, e))
        .collect();
    seed(
        out,
        "frames",
        "page",
        limits(10, 4096).bytes(&encode_page(&page)).done(),
    );
    seed(
        out,
        "frames",
        "page-too-large",
        limits(10, 300).bytes(&encode_page(&page)).done(),
    );
}

fn key_packages(out: &mut Vec<Seed>) {
    let key = TeamKey::new(EPOCH, [0x2d; 32]);
    let package = NewKeyPackage {
        team: TEAM,
        key: &key,
        from: AUTHOR,
        signer: author(),
        to: RECIPIENT,
        to_key: &recipient().verifying_key(),
    }
    .seal([0x31; 32], [0x32; 24])
    .expect("seals");
    seed(
        out,
        "key_package",
        "wire",
        Writer::mode(0).bytes(package.bytes()).done(),
    );
    let round = |epoch: u32| {
        Writer::mode(1)
            .bytes(&TEAM.0)
            .u32(epoch)
            .bytes(&AUTHOR.0)
            .bytes(&RECIPIENT.0)
            .bytes(&[0x2d; 32])
            .bytes(&[0x31; 32])
            .bytes(&[0x32; 24])
            .u32(0x4000_0007)
            .done()
    };
    seed(out, "key_package", "round-trip", round(EPOCH));
    seed(out, "key_package", "round-trip-epoch-1", round(1));
    // An admin re-signing a real package's fields: it opens; with a low-order point it does not.
    seed(
        out,
        "key_package",
        "admin-signed",
        Writer::mode(2).bytes(&package.bytes()[4..160]).done(),
    );
    let mut low_order = package.bytes()[4..160].to_vec();
    low_order[52..84].fill(0);
    seed(
        out,
        "key_package",
        "admin-signed-low-order",
        Writer::mode(2).bytes(&low_order).done(),
    );
}

fn invites(out: &mut Vec<Seed>) {
    let code = InviteCode {
        relay: "https://relay.example.org".into(),
        token: [0x10; 10],
        wrap: [0xef; 10],
    };
    let text = code.to_string();
    seed(
        out,
        "invite",
        "code",
        Writer::mode(0).bytes(text.as_bytes()).done(),
    );
    let typed = format!(
        "  {}/#{}\n",
        code.relay,
        code.secret_text().to_lowercase().replace('-', " ")
    );
    seed(
        out,
        "invite",
        "code-typed",
        Writer::mode(0).bytes(typed.as_bytes()).done(),
    );
    let local = InviteCode {
        relay: "http://127.0.0.1:8787".into(),
        ..code.clone()
    };
    seed(
        out,
        "invite",
        "code-loopback",
        Writer::mode(0).bytes(local.to_string().as_bytes()).done(),
    );
    let mut parked = Writer::mode(1)
        .bytes(&code.token)
        .bytes(&code.wrap)
        .bytes(&TEAM.0)
        .bytes(&[0x44; 24])
        .u32(0x2000_0005)
        .u8(2);
    for epoch in [1u32, 2] {
        parked = parked.u32(epoch).bytes(&[epoch as u8; 32]);
    }
    let sealed = code.seal_team_keys(
        TEAM,
        &[TeamKey::new(1, [1; 32]), TeamKey::new(2, [2; 32])],
        [0x45; 24],
    );
    seed(out, "invite", "parked-keys", parked.bytes(&sealed).done());
}

fn json<T: serde::Serialize>(which: usize, value: &T) -> Vec<u8> {
    Writer::default()
        .u8(which as u8)
        .bytes(&serde_json::to_vec(value).expect("json"))
        .done()
}

fn api(out: &mut Vec<Seed>) {
    let hex32 = hex::encode(author().verifying_key().to_bytes());
    seed(
        out,
        "api",
        "error-body",
        json(
            0,
            &ErrorBody {
                error: RelayErrorCode::StaleEpoch,
                reason: "fetch its key".into(),
            },
        ),
    );
    seed(
        out,
        "api",
        "error-body-unknown",
        json(
            0,
            &ErrorBody {
                error: RelayErrorCode::parse("team_full"),
                reason: "a newer relay".into(),
            },
        ),
    );
    seed(
        out,
        "api",
        "relay-info",
        json(
            1,
            &RelayInfo {
                relay_id: RELAY_ID.into(),
                version: 1,
                max_body_bytes: 16 << 20,
                max_envelope_bytes: 8 << 20,
            },
        ),
    );
    seed(
        out,
        "api",
        "join-accepted",
        json(
            2,
            &JoinAccepted {
                team: TEAM,
                sealed_team_key: "00ff".into(),
                relay_id: RELAY_ID.into(),
                record: Vec::new(),
                enrolled: true,
            },
        ),
    );
    seed(
        out,
        "api",
        "push-response",
        json(
            3,
            &PushResponse {
                appended: vec![
                    Appended {
                        id: "ab".repeat(32),
                        seq: 7,
                        duplicate: false,
                        erased: false,
                    },
                    Appended {
                        id: "cd".repeat(32),
                        seq: u64::MAX,
                        duplicate: true,
                        erased: true,
                    },
                ],
            },
        ),
    );
    seed(
        out,
        "api",
        "devices",
        json(
            4,
            &vec![
                DeviceInfo {
                    device: AUTHOR,
                    public_key: hex32.clone(),
                    role: DeviceRole::Admin,
                    enrolled_at_ms: NOW_MS,
                    revoked_at_ms: None,
                },
                DeviceInfo {
                    device: RECIPIENT,
                    public_key: hex32.clone(),
                    role: DeviceRole::Member,
                    enrolled_at_ms: -1,
                    revoked_at_ms: Some(i64::MAX),
                },
            ],
        ),
    );
    seed(
        out,
        "api",
        "key-packages",
        json(
            5,
            &KeyPackages {
                current_epoch: EPOCH,
                packages: vec!["00".repeat(224)],
            },
        ),
    );
    seed(
        out,
        "api",
        "create-team",
        json(
            6,
            &CreateTeam {
                team: TEAM,
                device: AUTHOR,
                public_key: hex32.clone(),
                creation_token: Some("operator-token".into()),
                founding: None,
            },
        ),
    );
    seed(
        out,
        "api",
        "create-invite",
        json(
            7,
            &CreateInvite {
                token_hash: "11".repeat(32),
                sealed_team_key: "22".repeat(76),
                expires_in_s: 86_400,
                epoch: Some(EPOCH),
            },
        ),
    );
    seed(
        out,
        "api",
        "create-invite-older-client",
        json(
            7,
            &CreateInvite {
                token_hash: "11".repeat(32),
                sealed_team_key: "22".repeat(76),
                expires_in_s: 86_400,
                epoch: None,
            },
        ),
    );
    seed(
        out,
        "api",
        "join-team",
        json(
            8,
            &JoinTeam {
                token: "33".repeat(10),
                device: RECIPIENT,
                public_key: hex32,
            },
        ),
    );
    seed(
        out,
        "api",
        "post-key-packages",
        json(
            9,
            &PostKeyPackages {
                epoch: EPOCH + 1,
                packages: vec!["44".repeat(224), "55".repeat(224)],
            },
        ),
    );
}

fn requests(out: &mut Vec<Seed>) {
    let cases: [(&str, &str, &[u8], i64); 3] = [
        (
            "GET",
            "/v1/teams/7e7e/envelopes?after=12&limit=500&wait_ms=25000",
            b"",
            0,
        ),
        (
            "POST",
            "/v1/teams/7e7e/envelopes",
            b"\x00\x00\x00\x02hi",
            1_000,
        ),
        ("POST", "/v1/join", br#"{"token":"33"}"#, -MAX_SKEW_SEED),
    ];
    for (i, (method, path, body, skew)) in cases.into_iter().enumerate() {
        let req = RequestToSign {
            relay_id: RELAY_ID,
            method,
            path_and_query: path,
            body,
            time_ms: NOW_MS,
            device: AUTHOR,
        };
        let mut text = Vec::new();
        for (_, value) in req.signed_headers(author()) {
            text.extend_from_slice(value.as_bytes());
            text.push(b'\n');
        }
        text.extend_from_slice(format!("{method}\n{path}\n{}\n", NOW_MS + skew).as_bytes());
        text.extend_from_slice(body);
        seed(out, "request", &format!("signed-{i}"), text);
    }
}

/// A time just outside the allowed skew.
const MAX_SKEW_SEED: i64 = tandem_protocol::request::MAX_CLOCK_SKEW_MS + 1;

fn keyfile(out: &mut Vec<Seed>) {
    let file = KeyFile::parse(KEY_FILE).expect("the malformed cases' valid key file");
    seed(out, "keyfile", "written", file.to_bytes().expect("writes"));
}

/// Team record entries: the founding entries of a new and a migrated team, each entry of the
/// short record the target applies to, and one entry of every other kind that record would
/// take next.
fn record_entries(out: &mut Vec<Seed>) {
    use crate::record::{
        commitment, founding_migrated, founding_new, invite_created, short_record,
    };
    use tandem_protocol::record::EntryBody;
    seed(
        out,
        "record_entry",
        "founding",
        founding_new().bytes().to_vec(),
    );
    seed(
        out,
        "record_entry",
        "founding-migrated",
        founding_migrated().bytes().to_vec(),
    );
    let chain = short_record();
    for (i, e) in chain.entries.iter().enumerate().skip(1) {
        let name = format!("record-{i}-{:?}", e.header().kind).to_lowercase();
        seed(out, "record_entry", &name, e.bytes().to_vec());
    }
    let admin = 0;
    let nexts = [
        chain.next(admin, invite_created(2, chain.time)),
        chain.next(
            admin,
            EntryBody::InviteRevoked {
                invite_id: crate::fixtures::record::invite(1).id,
            },
        ),
        chain.join(2, 1),
        chain.next(
            admin,
            EntryBody::RoleChanged {
                device: crate::fixtures::record::device(1).id,
                role: DeviceRole::Admin,
            },
        ),
        chain.next(
            1,
            EntryBody::DeviceRemoved {
                device: crate::fixtures::record::device(1).id,
                cutoff_log_seq: 99,
                cascade_since: u64::MAX,
            },
        ),
        chain.next(
            admin,
            EntryBody::KeyEpoch {
                epoch: 3,
                commitment: commitment(3),
                recipients: chain.active(),
            },
        ),
        chain.next(admin, EntryBody::DocErased { doc: DOC }),
        chain.next(
            admin,
            EntryBody::RelayRestored {
                log_head: 1234,
                log_chain: [0x3c; 32],
            },
        ),
        chain.next(
            admin,
            EntryBody::ForkResolved {
                fork_seq: 3,
                abandoned: vec![[0x0f; 16], [0x0e; 16]],
            },
        ),
    ];
    for e in nexts {
        let mut next = chain.state.clone();
        next.apply(&e).expect("the short record takes it");
        let name = format!("next-{:?}", e.header().kind).to_lowercase();
        seed(out, "record_entry", &name, e.bytes().to_vec());
    }
}

/// One operation of the `record_sequence` target: kind, actor, no spoiling, the clock step
/// (10 s units); its fields follow.
fn op(w: Writer, kind: EntryKind, actor: u8, step: u16) -> Writer {
    w.u8(kind.as_u8()).u8(actor).u8(0).u16(step)
}

/// An operation spoiled in way `how` (the target's order: team, seq, prev, signer, signature
/// bit, replay), with parameter `p`.
fn spoiled(w: Writer, kind: EntryKind, actor: u8, how: u8, p: u8) -> Writer {
    w.u8(kind.as_u8()).u8(actor).u8(0xc0 | how).u8(p).u16(1)
}

/// Operation sequences for `record_sequence`: a new team's record using every kind, a migrated
/// team with a cascade removal, every way of spoiling an entry, rules broken, and an entry the
/// layout cannot carry.
fn record_sequences(out: &mut Vec<Seed>) {
    use EntryKind::*;
    // An invite lasting a day (32 s units), a join with it at the current epoch.
    let invite = |w: Writer, actor: u8, i: u8| op(w, InviteCreated, actor, 1).u8(i).u16(2_700);
    let join = |w: Writer, actor: u8, i: u8| op(w, DeviceJoined, actor, 1).u8(i).u8(0).u8(0);
    let mut w = Writer::default().u8(0);
    w = invite(w, 0, 0);
    w = join(w, 1, 0);
    w = invite(w, 1, 1);
    w = join(w, 2, 1);
    w = op(w, RoleChanged, 0, 1).u8(0x83); // device 1 becomes an admin
    w = op(w, DeviceRemoved, 0, 1).u8(2).u8(0).u16(100);
    w = op(w, KeyEpoch, 0, 1).u8(0);
    w = op(w, DocErased, 1, 1).u8(3);
    w = op(w, RelayRestored, 0, 1).u32(7).u8(9);
    w = op(w, ForkResolved, 0, 1).u8(2).u8(1);
    w = invite(w, 0, 2);
    w = op(w, InviteRevoked, 1, 1).u8(2);
    w = op(w, DeviceRemoved, 1, 1).u8(1).u8(0).u16(200); // device 1 leaves
    w = op(w, KeyEpoch, 0, 1).u8(0);
    seed(out, "record_sequence", "new-team", w.done());

    // Migrated: device 1 an admin, 2 a member, 3 removed; two epochs. Device 2 invites the
    // stranger, who joins; removing 2 with a cascade takes the stranger too.
    let mut w = Writer::default().u8(2).u8(1).u8(2).u8(4).u8(1).u16(500);
    w = invite(w, 2, 0);
    w = join(w, 4, 0);
    w = op(w, DeviceRemoved, 1, 1).u8(2).u8(0x80).u16(600);
    w = op(w, KeyEpoch, 1, 1).u8(0);
    w = op(w, RoleChanged, 1, 1).u8(0); // the founder becomes a member
    seed(out, "record_sequence", "migrated-team-cascade", w.done());

    let mut w = Writer::default().u8(0);
    w = invite(w, 0, 0);
    for (how, p) in [(0, 0), (1, 0), (1, 1), (2, 77), (3, 0), (4, 130), (5, 0)] {
        w = spoiled(w, RelayRestored, 0, how, p).u32(1).u8(1);
    }
    w = spoiled(w, DeviceJoined, 1, 3, 2).u8(0).u8(0).u8(0);
    w = join(w, 1, 0);
    seed(out, "record_sequence", "spoiled", w.done());

    let mut w = Writer::default().u8(0);
    w = op(w, DeviceRemoved, 0, 1).u8(0).u8(0).u16(1); // the last admin
    w = op(w, RoleChanged, 0, 1).u8(0); // the last admin demoted
    w = op(w, InviteCreated, 0, 1).u8(0).u16(20_000); // longer than 7 days
    w = invite(w, 0, 0);
    w = join(w, 1, 0);
    w = join(w, 2, 0); // used
    w = op(w, KeyEpoch, 1, 1).u8(0); // by a member
    w = op(w, KeyEpoch, 0, 1).u8(6 << 3); // a recipient missing
    w = op(w, KeyEpoch, 0, 1).u8(6); // not the next epoch
    w = invite(w, 1, 1);
    w = op(w, DeviceJoined, 2, 30_000).u8(1).u8(0).u8(0); // expired
    w = op(w, DeviceJoined, 3, 1).u8(2).u8(0).u8(0); // an unknown invite
    w = op(w, DocErased, 0, 1).u8(0); // the team document
    w = op(w, ForkResolved, 0, 1).u8(6).u8(0); // after itself (6 % (seq 3 + 4))
    w = op(w, Founding, 0, 1);
    seed(out, "record_sequence", "rules-broken", w.done());

    let w = op(Writer::default().u8(0), ForkResolved, 0, 1)
        .u8(0)
        .u8(0xff);
    seed(out, "record_sequence", "unfit", w.done());
}
