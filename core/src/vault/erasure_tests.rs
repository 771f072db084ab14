//! An erased person leaves nothing in the vault's files that even the vault's own key can
//! read back: the pages are decrypted here from outside, free pages and write-ahead log
//! included.

use super::*;
use crate::keyfile::KeyFile;
use aes::cipher::{block_padding::NoPadding, BlockDecryptMut, KeyIvInit};
use tandem_model::{NewEncounter, NewPerson};

/// SQLCipher 4's defaults: 4 KiB pages, each ending with a 16-byte IV and a 64-byte HMAC;
/// page 1 starts with the file's 16-byte salt.
const PAGE: usize = 4096;
const RESERVE: usize = 80;
const SALT: usize = 16;
const WAL_HEADER: usize = 32;
const FRAME_HEADER: usize = 24;

fn decrypt_page(page: &[u8], first: bool, key: &[u8; 32]) -> Vec<u8> {
    let start = if first { SALT } else { 0 };
    let mut body = page[start..PAGE - RESERVE].to_vec();
    let iv = &page[PAGE - RESERVE..PAGE - RESERVE + 16];
    let decryptor = cbc::Decryptor::<aes::Aes256>::new(key.into(), iv.into());
    let n = decryptor
        .decrypt_padded_mut::<NoPadding>(&mut body)
        .unwrap_or_else(|e| panic!("{e:?}"))
        .len();
    body.truncate(n);
    body
}

/// Every page of the database file and of its write-ahead log, decrypted.
fn plaintext_pages(dir: &std::path::Path, key: &[u8; 32]) -> Vec<Vec<u8>> {
    let mut pages = Vec::new();
    let db = std::fs::read(dir.join(crate::db::DB_FILE)).unwrap_or_else(|e| panic!("{e:?}"));
    for (i, page) in db.chunks_exact(PAGE).enumerate() {
        pages.push(decrypt_page(page, i == 0, key));
    }
    if let Ok(wal) = std::fs::read(dir.join(format!("{}-wal", crate::db::DB_FILE))) {
        if wal.len() > WAL_HEADER {
            for frame in wal[WAL_HEADER..].chunks_exact(FRAME_HEADER + PAGE) {
                let number = u32::from_be_bytes([frame[0], frame[1], frame[2], frame[3]]);
                pages.push(decrypt_page(&frame[FRAME_HEADER..], number == 1, key));
            }
        }
    }
    pages
}

fn pages_holding(pages: &[Vec<u8>], marker: &[u8]) -> usize {
    pages
        .iter()
        .filter(|p| p.windows(marker.len()).any(|w| w == marker))
        .count()
}

fn raw_key(dir: &std::path::Path, pass: &Passphrase) -> [u8; 32] {
    let key = KeyFile::read(dir)
        .and_then(|k| k.unwrap_key(pass))
        .unwrap_or_else(|e| panic!("{e:?}"))
        .unwrap_or_else(|| panic!("the passphrase opens the key file"));
    *key.0
}

fn deliver(from: &Vault, to: &mut Vault) {
    for e in from
        .outbox(usize::MAX >> 1)
        .unwrap_or_else(|e| panic!("{e:?}"))
    {
        to.apply_changes(&e.doc_id, e.kind, &[&e.bytes])
            .unwrap_or_else(|err| panic!("{err:?}"));
    }
}

#[test]
fn an_erased_person_is_gone_from_the_files_not_only_from_the_tables() {
    let pass = Passphrase::new("correct horse battery staple");
    let setup = NewVault {
        member_name: "Sam".into(),
        team_name: "Centre-Sud".into(),
    };
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e:?}"));
    let mut vault = Vault::create(dir.path(), &pass, &setup).unwrap_or_else(|e| panic!("{e:?}"));
    let key = raw_key(dir.path(), &pass);
    // Another device of the team, which hears of the erasure by sync.
    let other_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e:?}"));
    let team_id = vault.team_id().to_owned();
    let team_doc = vault
        .document_bytes(&team_id)
        .unwrap_or_else(|e| panic!("{e:?}"));
    let mut other =
        Vault::join(other_dir.path(), &pass, "Alex", &team_doc).unwrap_or_else(|e| panic!("{e:?}"));
    let other_key = raw_key(other_dir.path(), &pass);

    let marker = "Qzvforgottenmarker";
    let keep = "Qzvkeptmarker";
    let gone = vault
        .add_person(&NewPerson {
            name: format!("{marker} Tremblay"),
            ..Default::default()
        })
        .unwrap_or_else(|e| panic!("{e:?}"));
    let stays = vault
        .add_person(&NewPerson {
            name: format!("{keep} Roy"),
            ..Default::default()
        })
        .unwrap_or_else(|e| panic!("{e:?}"));
    for i in 0..40 {
        for (who, m) in [(&gone, marker), (&stays, keep)] {
            let mut e = NewEncounter::with_person(who.clone());
            e.notes = format!("{i} {m} {}", "a long talk about housing ".repeat(i % 5 + 1));
            vault
                .record_encounter(&e)
                .unwrap_or_else(|e| panic!("{e:?}"));
        }
    }
    deliver(&vault, &mut other);
    // Positive control: the pages decrypt, and both people are in them on both devices.
    for (d, k) in [(dir.path(), &key), (other_dir.path(), &other_key)] {
        let pages = plaintext_pages(d, k);
        assert!(pages_holding(&pages, marker.as_bytes()) > 0);
        assert!(pages_holding(&pages, keep.as_bytes()) > 0);
    }

    vault
        .erase_person(&gone, &[])
        .unwrap_or_else(|e| panic!("{e:?}"));
    deliver(&vault, &mut other);
    assert!(other.person(&gone).is_err());
    for (d, k) in [(dir.path(), &key), (other_dir.path(), &other_key)] {
        let pages = plaintext_pages(d, k);
        assert_eq!(pages_holding(&pages, marker.as_bytes()), 0, "while open");
        assert!(pages_holding(&pages, keep.as_bytes()) > 0);
    }
    drop(vault);
    drop(other);
    for (d, k) in [(dir.path(), &key), (other_dir.path(), &other_key)] {
        let pages = plaintext_pages(d, k);
        assert_eq!(pages_holding(&pages, marker.as_bytes()), 0, "once closed");
    }

    let mut vault = Vault::open(dir.path(), &pass).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(vault.person(&stays).is_ok());
    assert!(vault.person(&gone).is_err());
}
