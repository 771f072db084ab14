//! Bad input — key files, Automerge changes, a damaged database — gives a clear error, never a
//! panic, and changes nothing.
//!
//! The static cases live in `core/tests/malformed/` (one file a case: adding a file adds a
//! case); cases built from a real vault's own bytes are generated here.

use crate::support::*;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use tandem_core::model::*;
use tandem_core::{DocKind, Vault, VaultError};

fn malformed_dir(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/malformed")
        .join(sub)
}

/// Every file of a folder of cases, by name.
fn static_cases(sub: &str) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(malformed_dir(sub))
        .expect("malformed cases folder")
        .map(|e| {
            let path = e.expect("entry").path();
            let name = path
                .file_stem()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read(&path).expect("read case"))
        })
        .collect();
    out.sort();
    assert!(out.len() >= 5, "the {sub} cases are missing");
    out
}

/// Runs a case, turning a panic into a failure message.
/// Fails with the first few failures and a count, so one cause does not bury the others.
fn assert_no_failures(failures: &[String], cases: usize, what: &str) {
    if failures.is_empty() {
        return;
    }
    let shown: Vec<&str> = failures.iter().take(16).map(String::as_str).collect();
    panic!(
        "{} failure(s) over {cases} {what} cases:\n{}{}",
        failures.len(),
        shown.join("\n"),
        if failures.len() > shown.len() {
            "\n…"
        } else {
            ""
        }
    );
}

fn no_panic<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|p| {
        p.downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "panic".into())
    })
}

// ---- key files ----

/// What a key file case must give, from the start of its name (`damaged--…`).
fn key_file_verdict(name: &str, result: &Result<(), VaultError>) -> Result<(), String> {
    let expected = name.split("--").next().unwrap_or("");
    let ok = match (expected, result) {
        ("damaged", Err(VaultError::KeyFileDamaged(_))) => true,
        ("unsupported", Err(VaultError::UnsupportedKeyFile(_))) => true,
        ("wrong", Err(VaultError::WrongPassphrase { .. })) => true,
        ("unreadable", Err(VaultError::DatabaseUnreadable(_))) => true,
        ("damaged" | "unsupported" | "wrong" | "unreadable", _) => false,
        _ => {
            return Err(format!(
                "{name}: name the case damaged--, unsupported--, wrong-- or unreadable--"
            ))
        }
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{name}: expected {expected}, got {result:?}"))
    }
}

fn edit_json(
    real: &[u8],
    f: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>),
) -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_slice(real).expect("real key file");
    f(v.as_object_mut().expect("object"));
    serde_json::to_vec_pretty(&v).expect("json")
}

fn flip_hex_digit(s: &str, at: usize) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    chars[at] = if chars[at] == '0' { '1' } else { '0' };
    chars.into_iter().collect()
}

/// Cases built from the vault's own key file, and one from another vault's.
fn generated_key_cases(real: &[u8], other_vaults_key: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let text = std::str::from_utf8(real).expect("utf-8");
    // Every truncation that cuts the JSON object short.
    let end = text.rfind('}').expect("closing brace");
    for n in 0..=end {
        out.push((
            format!("damaged--real-truncated-to-{n}-bytes"),
            real[..n].to_vec(),
        ));
    }
    let s = |m: &serde_json::Map<String, serde_json::Value>, k: &str| {
        m[k].as_str().expect("text").to_owned()
    };
    for field in ["wrapped_key", "salt", "nonce"] {
        for at in [0, 7, 31] {
            out.push((
                format!("wrong--real-{field}-digit-{at}-changed"),
                edit_json(real, |m| {
                    let v = flip_hex_digit(&s(m, field), at);
                    m.insert(field.into(), v.into());
                }),
            ));
        }
    }
    out.push((
        "wrong--real-other-vault-id".into(),
        edit_json(real, |m| {
            m.insert("vault_id".into(), "0123456789abcdef0123456789abcdef".into());
        }),
    ));
    // Stronger parameters are accepted, but they are bound to the sealed key.
    out.push((
        "wrong--real-more-iterations".into(),
        edit_json(real, |m| {
            m.insert("iterations".into(), 4.into());
        }),
    ));
    out.push((
        "damaged--real-fewer-iterations".into(),
        edit_json(real, |m| {
            m.insert("iterations".into(), 2.into());
        }),
    ));
    out.push((
        "damaged--real-less-memory".into(),
        edit_json(real, |m| {
            m.insert("memory_kib".into(), 65535.into());
        }),
    ));
    out.push((
        "unsupported--real-format-2".into(),
        edit_json(real, |m| {
            m.insert("format".into(), 2.into());
        }),
    ));
    out.push((
        "damaged--real-salt-one-byte-short".into(),
        edit_json(real, |m| {
            let v = s(m, "salt")[2..].to_owned();
            m.insert("salt".into(), v.into());
        }),
    ));
    out.push((
        "damaged--real-wrapped-key-one-byte-long".into(),
        edit_json(real, |m| {
            let v = format!("{}00", s(m, "wrapped_key"));
            m.insert("wrapped_key".into(), v.into());
        }),
    ));
    // Another vault's key file, sealed with the same passphrase: it unwraps, but to a key
    // that does not open this database.
    out.push((
        "unreadable--another-vaults-key-file".into(),
        other_vaults_key.to_vec(),
    ));
    out
}

#[test]
fn every_malformed_key_file_gives_a_clear_error() {
    let (dir, mut v) = new_vault();
    let id = v
        .add_person(&NewPerson {
            name: "Ana".into(),
            ..NewPerson::default()
        })
        .expect("add");
    let rec = v.person(&id).expect("p");
    drop(v);
    let (other_dir, other) = new_vault();
    drop(other);
    let other_key = std::fs::read(other_dir.path().join("vault.key")).expect("other key");
    let key_path = dir.path().join("vault.key");
    let db_path = dir.path().join("vault.db");
    let real = std::fs::read(&key_path).expect("key");
    let db0 = file_hash(&db_path);

    let mut cases = static_cases("keys");
    cases.extend(generated_key_cases(&real, &other_key));
    let mut failures = Vec::new();
    for (name, bytes) in &cases {
        std::fs::write(&key_path, bytes).expect("write case");
        // Each case starts with no failed attempts, as on a fresh vault; the slowing down
        // is tested on its own in the encryption tests.
        let _ = std::fs::remove_file(dir.path().join("unlock-attempts"));
        match no_panic(|| Vault::open(dir.path(), &pass()).map(drop)) {
            Ok(result) => {
                if let Err(e) = key_file_verdict(name, &result) {
                    failures.push(e);
                }
            }
            Err(panic) => failures.push(format!("{name}: panicked: {panic}")),
        }
        if file_hash(&db_path) != db0 {
            failures.push(format!("{name}: the database changed"));
        }
    }
    assert_no_failures(&failures, cases.len(), "key file");
    std::fs::write(&key_path, &real).expect("restore");
    let _ = std::fs::remove_file(dir.path().join("unlock-attempts"));
    let mut v = Vault::open(dir.path(), &pass()).expect("the real key file still opens it");
    assert_eq!(v.person(&id).expect("p"), rec);
}

#[test]
fn a_key_file_of_a_newer_format_is_unsupported_not_damaged() {
    // A future key file will have fields this version does not know; the person must be
    // told to update Tandem, not that their vault is damaged.
    let (dir, v) = new_vault();
    drop(v);
    let key_path = dir.path().join("vault.key");
    let real = std::fs::read(&key_path).expect("key");
    let newer = edit_json(&real, |m| {
        m.insert("format".into(), 2.into());
        m.insert("kdf".into(), "argon2id-v2".into());
        m.insert("pin_wrapped_key".into(), "00".repeat(48).into());
    });
    std::fs::write(&key_path, newer).expect("write");
    match Vault::open(dir.path(), &pass()) {
        Err(VaultError::UnsupportedKeyFile(2)) => {}
        other => panic!("expected UnsupportedKeyFile(2), got {other:?}"),
    }
}

// ---- Automerge changes ----

struct ChangeFixture {
    /// The vaults' folders (A's first), removed when the fixture is dropped.
    dirs: (tempfile::TempDir, tempfile::TempDir),
    a: Vault,
    person: PersonId,
    /// A change to the person's document made on another device, new to `a`.
    fresh_change: Vec<u8>,
    /// Another such change, made after `fresh_change`.
    later_change: Vec<u8>,
    /// That device's street log document (its creation and one encounter).
    street_log: (String, Vec<u8>),
}

fn change_fixture() -> ChangeFixture {
    let (da, mut a) = new_vault();
    let person = a
        .add_person(&NewPerson {
            name: "Ana".into(),
            ..NewPerson::default()
        })
        .expect("add");
    a.add_goal(
        &person,
        &NewGoal {
            words: "Un logement".into(),
            domain: None,
            status: None,
            steps: vec!["Appeler".into()],
            next_check_in: None,
        },
    )
    .expect("goal");
    let (db, mut b) = join_vault(&mut a, "Alex");
    exchange(&mut [&mut a, &mut b]);
    b.record_encounter(&NewEncounter {
        notes: "Rencontrée au parc, elle va mieux".into(),
        given: vec!["food".into()],
        ..NewEncounter::with_person(person.clone())
    })
    .expect("enc");
    b.update_profile(
        &person,
        &ProfileUpdate {
            remember: Some("Préfère le matin".into()),
            ..ProfileUpdate::default()
        },
    )
    .expect("profile");
    let anon_at = at(2024, 3, 2, 10, 0);
    b.record_encounter(&NewEncounter {
        at: Some(anon_at),
        notes: "Café".into(),
        ..NewEncounter::anonymous()
    })
    .expect("anon");
    let out = b.outbox(100).expect("outbox");
    let person_changes: Vec<&tandem_core::OutboxEntry> =
        out.iter().filter(|e| e.doc_id == person.as_str()).collect();
    assert_eq!(person_changes.len(), 2);
    let street_id = out
        .iter()
        .find(|e| e.kind == DocKind::StreetLog)
        .expect("street log")
        .doc_id
        .clone();
    let street_bytes = b.document_bytes(&street_id).expect("street log bytes");
    ChangeFixture {
        fresh_change: person_changes[0].bytes.clone(),
        later_change: person_changes[1].bytes.clone(),
        street_log: (street_id, street_bytes),
        dirs: (da, db),
        a,
        person,
    }
}

/// A document id no vault has.
const UNKNOWN_DOC: &str = "00112233445566778899aabbccddeeff";

#[test]
fn every_malformed_change_is_refused_and_changes_nothing() {
    let mut f = change_fixture();
    let person = f.person.clone();
    let team_id = f.a.team_id().to_owned();
    let team_bytes = f.a.document_bytes(&team_id).expect("team");
    let mut before = observe(&mut f.a);
    let rec = f.a.person(&person).expect("p");

    // (case name, document id, kind, chunks)
    let mut cases: Vec<(String, String, DocKind, Vec<Vec<u8>>)> = Vec::new();
    for (name, bytes) in static_cases("changes") {
        cases.push((
            format!("{name} → person"),
            person.0.clone(),
            DocKind::Person,
            vec![bytes.clone()],
        ));
        cases.push((
            format!("{name} → unknown document"),
            UNKNOWN_DOC.into(),
            DocKind::Person,
            vec![bytes.clone()],
        ));
        cases.push((
            format!("{name} → team"),
            team_id.clone(),
            DocKind::Team,
            vec![bytes],
        ));
    }
    let real = &f.fresh_change;
    for n in (1..real.len()).step_by(3) {
        cases.push((
            format!("real change truncated to {n} bytes → person"),
            person.0.clone(),
            DocKind::Person,
            vec![real[..n].to_vec()],
        ));
    }
    for i in 0..real.len() {
        let mut flipped = real.clone();
        flipped[i] ^= 0x20;
        cases.push((
            format!("real change, byte {i} flipped → person"),
            person.0.clone(),
            DocKind::Person,
            vec![flipped],
        ));
    }
    let mut flipped = real.clone();
    let mid = real.len() / 2;
    flipped[mid] ^= 0xff;
    cases.push((
        "real change, middle byte flipped → unknown document".into(),
        UNKNOWN_DOC.into(),
        DocKind::Person,
        vec![flipped.clone()],
    ));
    cases.push((
        "a good change, then a damaged one, in one batch → person".into(),
        person.0.clone(),
        DocKind::Person,
        vec![real.clone(), flipped],
    ));
    cases.push((
        "a good change, then garbage, in one batch → person".into(),
        person.0.clone(),
        DocKind::Person,
        vec![real.clone(), b"garbage".to_vec()],
    ));
    cases.push((
        "a good change, then a truncated one → person".into(),
        person.0.clone(),
        DocKind::Person,
        vec![
            real.clone(),
            f.later_change[..f.later_change.len() - 1].to_vec(),
        ],
    ));
    // Real, well-formed Automerge data of the wrong kind of document.
    cases.push((
        "a person's change said to be a street log's".into(),
        person.0.clone(),
        DocKind::StreetLog,
        vec![real.clone()],
    ));
    cases.push((
        "a person's change said to be the team's".into(),
        person.0.clone(),
        DocKind::Team,
        vec![real.clone()],
    ));
    cases.push((
        "the team document said to be a person".into(),
        UNKNOWN_DOC.into(),
        DocKind::Person,
        vec![team_bytes.clone()],
    ));
    cases.push((
        "the team document sent as the person's".into(),
        person.0.clone(),
        DocKind::Person,
        vec![team_bytes],
    ));
    cases.push((
        "a street log said to be a person".into(),
        f.street_log.0.clone(),
        DocKind::Person,
        vec![f.street_log.1.clone()],
    ));

    // A compressed change chunk that inflates to 256 MiB: refused before Automerge reads it.
    let mut bomb = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..256 {
        std::io::Write::write_all(&mut bomb, &zeros).expect("deflate");
    }
    let body = bomb.finish().expect("deflate");
    let mut chunk = real[..8].to_vec();
    chunk.push(2);
    let mut len = body.len() as u64;
    while len >= 0x80 {
        chunk.push((len as u8 & 0x7f) | 0x80);
        len >>= 7;
    }
    chunk.push(len as u8);
    chunk.extend(body);
    cases.push((
        "a deflate bomb → person".into(),
        person.0.clone(),
        DocKind::Person,
        vec![chunk.clone()],
    ));
    cases.push((
        "a good change, then a deflate bomb → person".into(),
        person.0.clone(),
        DocKind::Person,
        vec![real.clone(), chunk],
    ));

    let mut failures = Vec::new();
    for (name, doc, kind, chunks) in &cases {
        let refs: Vec<&[u8]> = chunks.iter().map(Vec::as_slice).collect();
        match no_panic(|| f.a.apply_changes(doc, *kind, &refs)) {
            Ok(Err(
                VaultError::InvalidChanges { .. }
                | VaultError::RefusedInput { .. }
                | VaultError::WrongDocumentShape { .. }
                | VaultError::Invalid { .. },
            )) => {}
            Ok(other) => failures.push(format!(
                "{name}: expected InvalidChanges, RefusedInput, WrongDocumentShape or Invalid, \
                 got {other:?}"
            )),
            Err(panic) => failures.push(format!("{name}: panicked: {panic}")),
        }
        let now = observe(&mut f.a);
        if now != before {
            failures.push(format!("{name}: the vault changed"));
            // Later cases are judged against what the vault has become.
            before = now;
        }
    }
    // What changed the vault matters most: first.
    failures.sort_by_key(|f| !f.contains("the vault changed"));
    assert_no_failures(&failures, cases.len(), "change");
    assert_eq!(f.a.person(&person).expect("p"), rec);
    let dir = f.dirs.0.path().to_path_buf();
    let mut a = reopen(&dir, f.a);
    assert_eq!(observe(&mut a), before);
    assert_eq!(a.person(&person).expect("p"), rec);
}

#[test]
fn bad_document_ids_are_refused() {
    let mut f = change_fixture();
    let before = observe(&mut f.a);
    let real = f.fresh_change.clone();
    for id in [
        "",
        "../etc/passwd",
        "ab cd",
        &"a".repeat(65),
        "é",
        "a'; DROP TABLE docs; --",
    ] {
        match no_panic(|| f.a.apply_changes(id, DocKind::Person, &[&real])) {
            Ok(Err(VaultError::Invalid { .. })) => {}
            other => panic!("{id:?}: expected Invalid, got {other:?}"),
        }
    }
    assert_eq!(observe(&mut f.a), before);
}

/// Bytes accepted alongside a good change must never hide changes stored after them.
#[test]
fn garbage_after_a_good_change_does_not_hide_later_changes_after_reopen() {
    let mut f = change_fixture();
    let person = f.person.clone();
    let mut bad = f.fresh_change.clone();
    bad.extend_from_slice(b"\x85\x6f\x4a\x83 not a chunk");
    // Whether it is refused or the good part kept, what follows must survive.
    let _ = f.a.apply_changes(person.as_str(), DocKind::Person, &[&bad]);
    let e =
        f.a.record_encounter(&NewEncounter {
            notes: "saved after the bad batch".into(),
            ..NewEncounter::with_person(person.clone())
        })
        .expect("record");
    f.a.apply_changes(person.as_str(), DocKind::Person, &[&f.later_change])
        .expect("a good later change");
    let rec = f.a.person(&person).expect("p");
    assert!(rec.encounters.iter().any(|x| x.id == e));
    let dir = f.dirs.0.path().to_path_buf();
    let mut a = reopen(&dir, f.a);
    let after = a.person(&person).expect("p");
    assert!(
        after.encounters.iter().any(|x| x.id == e),
        "an encounter saved on this device was lost at the next unlock"
    );
    assert_eq!(after, rec);
}

// ---- a damaged database ----

/// Overwrites `len` bytes at `offset` with a pattern.
fn scribble(path: &Path, offset: u64, len: usize) {
    use std::io::{Seek, SeekFrom, Write};
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .expect("open db");
    f.seek(SeekFrom::Start(offset)).expect("seek");
    let junk: Vec<u8> = (0..len).map(|i| (i * 31 + 7) as u8).collect();
    f.write_all(&junk).expect("write");
}

/// Reads everything a vault holds; the first error, if any.
fn read_everything(v: &mut Vault) -> tandem_core::Result<()> {
    v.list_people()?;
    for (id, kind) in v.documents()? {
        v.document_heads(&id)?;
        v.document_bytes(&id)?;
        if kind == DocKind::Person {
            v.person(&PersonId(id))?;
        }
    }
    v.outbox(10_000)?;
    v.follow_ups_due(day(2100, 1, 1))?;
    v.recent_encounters(10_000)?;
    v.rebuild_indexes()?;
    Ok(())
}

#[test]
fn a_damaged_database_gives_an_error_not_a_panic() {
    // One vault, copied for each way of damaging it.
    let (dir, mut v) = new_vault();
    for i in 0..12 {
        let id = v
            .add_person(&NewPerson {
                name: format!("Personne {i}"),
                ..NewPerson::default()
            })
            .expect("add");
        v.record_encounter(&NewEncounter {
            notes: format!("{i} ").repeat(800),
            ..NewEncounter::with_person(id)
        })
        .expect("enc");
    }
    drop(v);
    let db_len = std::fs::metadata(dir.path().join("vault.db"))
        .expect("meta")
        .len();
    assert!(
        db_len > 16 * 4096,
        "the database spans many pages ({db_len} bytes)"
    );
    let page = 4096u64;
    type Damage = Box<dyn Fn(&Path)>;
    let damage: Vec<(&str, Damage)> = vec![
        ("first page", Box::new(|p| scribble(p, 0, 4096))),
        ("the header's salt", Box::new(|p| scribble(p, 0, 16))),
        (
            "the middle pages",
            Box::new(move |p| scribble(p, page * 2, (db_len - page * 3) as usize)),
        ),
        (
            "one byte in every page but the first",
            Box::new(move |p| {
                for n in 1..db_len / page {
                    scribble(p, n * page + 100, 1);
                }
            }),
        ),
        (
            "truncated to half",
            Box::new(move |p| {
                std::fs::OpenOptions::new()
                    .write(true)
                    .open(p)
                    .expect("open")
                    .set_len(db_len / 2)
                    .expect("truncate");
            }),
        ),
    ];
    let mut failures = Vec::new();
    for (name, hurt) in &damage {
        let copy = tempfile::tempdir().expect("tempdir");
        for f in ["vault.db", "vault.key"] {
            std::fs::copy(dir.path().join(f), copy.path().join(f)).expect("copy");
        }
        hurt(&copy.path().join("vault.db"));
        let outcome = no_panic(|| match Vault::open(copy.path(), &pass()) {
            Err(e) => Err(e),
            Ok(mut v) => read_everything(&mut v),
        });
        match outcome {
            Ok(Err(
                VaultError::DatabaseUnreadable(_)
                | VaultError::DocumentDamaged { .. }
                | VaultError::Database(_),
            )) => {}
            Ok(other) => failures.push(format!(
                "{name}: expected a damaged-database error, got {other:?}"
            )),
            Err(panic) => failures.push(format!("{name}: panicked: {panic}")),
        }
    }
    assert_no_failures(&failures, damage.len(), "damaged database");
}

#[test]
fn an_emptied_database_is_refused_as_damaged_and_left_as_found() {
    // A database file emptied by a failing disk or a bad restore, next to a good key file.
    let (dir, v) = new_vault();
    drop(v);
    let db = dir.path().join("vault.db");
    std::fs::write(&db, b"").expect("empty it");
    match Vault::open(dir.path(), &pass()) {
        Err(VaultError::DatabaseUnreadable(_) | VaultError::NoVault(_)) => {}
        other => panic!(
            "expected the database to be called unreadable (the key file is fine), got {other:?}"
        ),
    }
    assert_eq!(
        std::fs::metadata(&db).expect("db").len(),
        0,
        "a refused database must not be written to"
    );
}
