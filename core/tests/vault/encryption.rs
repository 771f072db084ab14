//! What is on disk: nothing readable without the passphrase, wrong passphrases change nothing
//! and slow down, a new passphrase re-seals the key without rewriting the database.

use crate::support::*;
use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use tandem_core::model::*;
use tandem_core::{NewVault, Passphrase, Vault, VaultError, SCHEMA_VERSION};

/// Unwraps the database key the way an attacker holding the passphrase (or the owner) could,
/// from `vault.key` alone, following the key file format 1 of `core/src/keyfile.rs` (the
/// README's "The vault"). It gives the tests a key to open the database
/// with, as a positive control for the "cannot be opened" checks and to set up states the API
/// cannot reach (a newer schema). If the key file format changes, this must change with it.
fn raw_db_key(dir: &Path, passphrase: &str) -> [u8; 32] {
    let text = std::fs::read(dir.join("vault.key")).expect("key file");
    let kf: serde_json::Value = serde_json::from_slice(&text).expect("key file is JSON");
    assert_eq!(kf["format"], 1, "this helper knows key file format 1");
    assert_eq!(kf["kdf"], "argon2id");
    let num = |k: &str| kf[k].as_u64().expect("number") as u32;
    let hexf = |k: &str| hex::decode(kf[k].as_str().expect("text")).expect("hex");
    let (m, t, p) = (num("memory_kib"), num("iterations"), num("parallelism"));
    let vault_id = kf["vault_id"].as_str().expect("vault id");
    let mut kek = [0u8; 32];
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(m, t, p, Some(32)).expect("params"),
    )
    .hash_password_into(passphrase.as_bytes(), &hexf("salt"), &mut kek)
    .expect("argon2");
    let aad = format!("tandem vault key v1|{vault_id}|argon2id|{m}|{t}|{p}");
    let raw = XChaCha20Poly1305::new((&kek).into())
        .decrypt(
            XNonce::from_slice(&hexf("nonce")),
            Payload {
                msg: &hexf("wrapped_key"),
                aad: aad.as_bytes(),
            },
        )
        .expect("the passphrase unwraps the key");
    raw.try_into().expect("32 bytes")
}

/// Opens the database directly with a raw key and counts its tables.
fn count_tables_with_key(db: &Path, key: Option<&[u8; 32]>) -> rusqlite::Result<i64> {
    let conn = Connection::open(db)?;
    if let Some(k) = key {
        conn.pragma_update(None, "key", format!("x'{}'", hex::encode(k)))?;
    }
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Asserts no file in `dir` holds `marker` in UTF-8 or UTF-16LE, as written or lower-cased.
/// Returns the names of the files checked.
fn assert_no_plaintext(dir: &Path, marker: &str) -> Vec<String> {
    let mut needles: Vec<Vec<u8>> = Vec::new();
    for form in [marker.to_owned(), marker.to_lowercase()] {
        needles.push(form.as_bytes().to_vec());
        needles.push(form.encode_utf16().flat_map(u16::to_le_bytes).collect());
    }
    let mut names = Vec::new();
    for path in files_in(dir) {
        let bytes = std::fs::read(&path).expect("read file");
        for n in &needles {
            assert!(
                !contains(&bytes, n),
                "{} holds the marker in plain text",
                path.display()
            );
        }
        names.push(
            path.file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned(),
        );
    }
    names
}

/// Writes the marker everywhere a person's words can go; returns the person.
fn fill_with_marker(v: &mut Vault, marker: &str) -> PersonId {
    let id = v
        .add_person(&NewPerson {
            name: marker.into(),
            nicknames: vec![format!("nick {marker}")],
            pronouns: Some(marker.into()),
            languages: vec![marker.into()],
            contact: format!("contact {marker}"),
            remember: format!("remember {marker}"),
        })
        .expect("add");
    let g = v
        .add_goal(
            &id,
            &NewGoal {
                words: format!("goal {marker}"),
                domain: Some(marker.into()),
                status: None,
                steps: vec![format!("step {marker}")],
                next_check_in: None,
            },
        )
        .expect("goal");
    v.record_consent(
        &id,
        &NewConsent {
            what: format!("consent {marker}"),
            uses: vec![ConsentUse::Research],
            given_on: None,
            how: Some(marker.into()),
        },
    )
    .expect("consent");
    let e = v
        .record_encounter(&NewEncounter {
            notes: format!("notes {marker}"),
            place: Some(marker.into()),
            referrals: vec![marker.into()],
            given: vec![marker.into()],
            goals: vec![g],
            follow_ups: vec![NewFollowUp {
                what: format!("follow {marker}"),
                due: None,
            }],
            ..NewEncounter::with_person(id.clone())
        })
        .expect("encounter");
    v.update_encounter_notes(&id, &e, &format!("edited {marker} notes {marker}"))
        .expect("notes");
    v.record_encounter(&NewEncounter {
        subject: EncounterSubject::Anonymous(Some(format!("who {marker}"))),
        notes: format!("street {marker}"),
        ..NewEncounter::anonymous()
    })
    .expect("anonymous");
    id
}

fn marker() -> String {
    format!("Zqxmarker{:016x}", rand::random::<u64>())
}

#[test]
fn no_file_holds_plaintext_open_or_closed() {
    let m = marker();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut v = Vault::create(
        dir.path(),
        &pass(),
        &NewVault {
            member_name: format!("Sam {m}"),
            team_name: format!("Team {m}"),
        },
    )
    .expect("create");
    let id = fill_with_marker(&mut v, &m);
    // Positive control: the marker really is in what the vault holds.
    assert!(v.export_json(&id).expect("json").contains(&m));
    assert!(v
        .outbox(100)
        .expect("outbox")
        .iter()
        .any(|e| contains(&e.bytes, m.as_bytes())));

    let open_files = assert_no_plaintext(dir.path(), &m);
    assert!(
        open_files.iter().any(|f| f == "vault.db-wal"),
        "the write-ahead log is checked while the vault is open: {open_files:?}"
    );
    assert!(
        open_files.iter().any(|f| f == "vault.db") && open_files.iter().any(|f| f == "vault.key")
    );

    drop(v);
    let closed = assert_no_plaintext(dir.path(), &m);
    assert!(closed.iter().any(|f| f == "vault.db"), "{closed:?}");

    // After a compaction too (whole documents rewritten), and after a reopen.
    let mut v = Vault::open(dir.path(), &pass()).expect("open");
    v.compact().expect("compact");
    assert_no_plaintext(dir.path(), &m);
    drop(v);
    assert_no_plaintext(dir.path(), &m);
}

#[test]
fn the_database_opens_only_with_its_key() {
    let (dir, mut v) = new_vault();
    v.add_person(&NewPerson {
        name: "Ana".into(),
        ..NewPerson::default()
    })
    .expect("add");
    drop(v);
    let db = dir.path().join("vault.db");
    assert!(
        count_tables_with_key(&db, None).is_err(),
        "plain SQLite without a key reads nothing"
    );
    let mut wrong = raw_db_key(dir.path(), PASS);
    wrong[0] ^= 1;
    assert!(
        count_tables_with_key(&db, Some(&wrong)).is_err(),
        "a key one bit off reads nothing"
    );
    assert!(count_tables_with_key(&db, Some(&[0u8; 32])).is_err());
    // Positive control: the raw key unwrapped from the passphrase does open it, so the
    // failures above are the encryption's doing.
    let right = raw_db_key(dir.path(), PASS);
    let tables = count_tables_with_key(&db, Some(&right)).expect("right key opens it");
    assert!(tables >= 5, "{tables} tables");
    let header = &std::fs::read(&db).expect("db")[..16];
    assert_ne!(header, b"SQLite format 3\0", "not a plain SQLite file");
}

#[test]
fn wrong_passphrases_change_nothing_and_then_slow_down() {
    let (dir, mut v) = new_vault();
    let id = v
        .add_person(&NewPerson {
            name: "Ana".into(),
            ..NewPerson::default()
        })
        .expect("add");
    drop(v);
    let db = dir.path().join("vault.db");
    let key = dir.path().join("vault.key");
    let (db0, key0) = (file_hash(&db), file_hash(&key));
    let wrong = Passphrase::new("correct horse battery stapler");
    let attempt = |p: &Passphrase| Vault::open(dir.path(), p).map(drop);
    let unchanged = |when: &str| {
        assert_eq!(file_hash(&db), db0, "vault.db changed {when}");
        assert_eq!(file_hash(&key), key0, "vault.key changed {when}");
    };

    assert!(matches!(
        attempt(&wrong),
        Err(VaultError::WrongPassphrase { failures: 1 })
    ));
    unchanged("after a wrong passphrase");
    assert!(matches!(
        attempt(&Passphrase::new("")),
        Err(VaultError::WrongPassphrase { failures: 2 })
    ));
    unchanged("after an empty passphrase");
    // The right one still opens and starts the count again.
    let mut v = Vault::open(dir.path(), &pass()).expect("right passphrase");
    assert_eq!(v.person(&id).expect("p").profile.name, "Ana");
    drop(v);
    let (db0, key0) = (file_hash(&db), file_hash(&key));
    let unchanged = |when: &str| {
        assert_eq!(file_hash(&db), db0, "vault.db changed {when}");
        assert_eq!(file_hash(&key), key0, "vault.key changed {when}");
    };
    for n in 1..=3 {
        match attempt(&wrong) {
            Err(VaultError::WrongPassphrase { failures }) => assert_eq!(failures, n),
            other => panic!("attempt {n}: expected WrongPassphrase, got {other:?}"),
        }
        unchanged("after a wrong passphrase");
    }
    let counter = dir.path().join("unlock-attempts");
    let counter0 = file_hash(&counter);
    match attempt(&pass()) {
        Err(VaultError::TooManyAttempts { retry_after }) => {
            assert!(retry_after > std::time::Duration::ZERO);
            assert!(retry_after <= std::time::Duration::from_secs(1));
        }
        other => panic!("expected TooManyAttempts even with the right passphrase, got {other:?}"),
    }
    match attempt(&wrong) {
        Err(VaultError::TooManyAttempts { .. }) => {}
        other => panic!("expected TooManyAttempts, got {other:?}"),
    }
    assert_eq!(
        file_hash(&counter),
        counter0,
        "refused without trying: the failed-attempt count did not move"
    );
    unchanged("after refused attempts");
}

#[test]
fn a_new_passphrase_reseals_the_key_without_rewriting_the_database() {
    let (dir, mut v) = new_vault();
    let id = v
        .add_person(&NewPerson {
            name: "Ana".into(),
            ..NewPerson::default()
        })
        .expect("add");
    v.record_encounter(&NewEncounter {
        notes: "des notes".into(),
        ..NewEncounter::with_person(id.clone())
    })
    .expect("enc");
    let rec = v.person(&id).expect("p");
    drop(v);
    let db = dir.path().join("vault.db");
    let key = dir.path().join("vault.key");
    let raw_before = raw_db_key(dir.path(), PASS);

    // Unlocking and locking alone leaves the database as it was; with that baseline, any
    // difference below would be the passphrase change's doing.
    let db0 = file_hash(&db);
    drop(Vault::open(dir.path(), &pass()).expect("open"));
    assert_eq!(
        file_hash(&db),
        db0,
        "unlocking and locking rewrote the database"
    );

    let key0 = file_hash(&key);
    let new = Passphrase::new("a new and longer passphrase");
    let mut v = Vault::open(dir.path(), &pass()).expect("open");
    match v.change_passphrase(&Passphrase::new("not the current one"), &new) {
        Err(VaultError::WrongPassphrase { .. }) => {}
        other => panic!("expected WrongPassphrase, got {other:?}"),
    }
    assert_eq!(
        file_hash(&key),
        key0,
        "a refused change leaves the key file"
    );
    v.change_passphrase(&pass(), &new).expect("change");
    drop(v);
    assert_eq!(file_hash(&db), db0, "the database was not rewritten");
    assert_ne!(file_hash(&key), key0, "the key file was");
    assert_eq!(
        raw_db_key(dir.path(), "a new and longer passphrase"),
        raw_before,
        "the same database key, sealed again"
    );

    match Vault::open(dir.path(), &pass()) {
        Err(VaultError::WrongPassphrase { .. }) => {}
        other => panic!("the old passphrase must not open it: {other:?}"),
    }
    let mut v = Vault::open(dir.path(), &new).expect("the new passphrase opens it");
    assert_eq!(v.person(&id).expect("p"), rec);
    assert!(
        !dir.path().join("unlock-attempts").exists(),
        "a success clears the count"
    );
    assert!(
        !dir.path().join("vault.tmp").exists(),
        "no temporary key file left"
    );
}

#[test]
fn a_vault_open_elsewhere_is_in_use() {
    let (dir, mut v) = new_vault();
    let id = v
        .add_person(&NewPerson {
            name: "Ana".into(),
            ..NewPerson::default()
        })
        .expect("add");
    match Vault::open(dir.path(), &pass()) {
        Err(VaultError::InUse) => {}
        other => panic!("expected InUse, got {other:?}"),
    }
    // The first one is unharmed and keeps working.
    v.record_encounter(&NewEncounter::with_person(id.clone()))
        .expect("still writable");
    let mut v = reopen(dir.path(), v);
    assert_eq!(v.person(&id).expect("p").encounters.len(), 1);
}

#[test]
fn a_vault_from_a_newer_version_is_refused_and_left_alone() {
    let (dir, mut v) = new_vault();
    v.add_person(&NewPerson {
        name: "Ana".into(),
        ..NewPerson::default()
    })
    .expect("add");
    drop(v);
    let key = raw_db_key(dir.path(), PASS);
    let db = dir.path().join("vault.db");
    let newer = SCHEMA_VERSION + 1;
    {
        let conn = Connection::open(&db).expect("open");
        conn.pragma_update(None, "key", format!("x'{}'", hex::encode(key)))
            .expect("key");
        let found: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .expect("version");
        assert_eq!(found, SCHEMA_VERSION);
        conn.pragma_update(None, "user_version", newer)
            .expect("set");
    }
    let db0 = file_hash(&db);
    match Vault::open(dir.path(), &pass()) {
        Err(VaultError::NewerSchema { found, supported }) => {
            assert_eq!((found, supported), (newer, SCHEMA_VERSION));
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
    assert_eq!(file_hash(&db), db0, "a newer vault is not touched");
    let conn = Connection::open(&db).expect("open");
    conn.pragma_update(None, "key", format!("x'{}'", hex::encode(key)))
        .expect("key");
    let found: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("version");
    assert_eq!(found, newer);
}

/// Every file and folder in `dir` (the folder included) with group or other permissions.
#[cfg(unix)]
fn open_to_others(dir: &Path) -> Vec<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode();
    std::iter::once(dir.to_path_buf())
        .chain(files_in(dir))
        .filter(|p| mode(p) & 0o077 != 0)
        .map(|p| format!("{} {:o}", p.display(), mode(&p) & 0o777))
        .collect()
}

#[cfg(unix)]
#[test]
fn vault_files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().expect("tempdir");
    let dir = parent.path().join("vault");
    let setup = NewVault {
        member_name: "Sam".into(),
        team_name: "Équipe".into(),
    };
    let mut v = Vault::create(&dir, &pass(), &setup).expect("create");
    v.add_person(&NewPerson {
        name: "Ana".into(),
        ..NewPerson::default()
    })
    .expect("add");
    assert!(dir.join("vault.db-wal").exists(), "the journal is on disk");
    assert_eq!(open_to_others(&dir), Vec::<String>::new(), "while open");
    drop(v);
    let wrong = Passphrase::new("not the passphrase at all");
    assert!(Vault::open(&dir, &wrong).is_err());
    assert!(dir.join("unlock-attempts").exists());
    assert_eq!(
        open_to_others(&dir),
        Vec::<String>::new(),
        "after a failure"
    );

    // A vault from a version that left everything readable by all is narrowed on opening.
    for p in std::iter::once(dir.clone()).chain(files_in(&dir)) {
        let wide = if p.is_dir() { 0o755 } else { 0o644 };
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(wide)).expect("chmod");
    }
    // And a file an older version left beside them, cut off before its rename.
    std::fs::write(dir.join("vault.tmp"), b"{}").expect("leftover");
    std::fs::set_permissions(
        dir.join("vault.tmp"),
        std::fs::Permissions::from_mode(0o644),
    )
    .expect("chmod");
    assert!(
        !open_to_others(&dir).is_empty(),
        "the control: now open to others"
    );
    let v = Vault::open(&dir, &pass()).expect("open");
    assert_eq!(open_to_others(&dir), Vec::<String>::new(), "after opening");
    drop(v);
}
