//! Shared helpers for the vault tests.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use sha2::{Digest, Sha256};
use std::path::Path;
use tandem_core::model::PersonSummary;
use tandem_core::{DocKind, NewVault, Passphrase, Vault};
use tempfile::TempDir;

pub const PASS: &str = "correct horse battery staple";

pub fn pass() -> Passphrase {
    Passphrase::new(PASS)
}

pub fn new_vault() -> (TempDir, Vault) {
    new_vault_named("Sam", "Équipe Centre-Sud")
}

pub fn new_vault_named(member: &str, team: &str) -> (TempDir, Vault) {
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = Vault::create(
        dir.path(),
        &pass(),
        &NewVault {
            member_name: member.into(),
            team_name: team.into(),
        },
    )
    .expect("create vault");
    (dir, vault)
}

/// A vault for another device joining `team_of`'s team.
pub fn join_vault(team_of: &mut Vault, member: &str) -> (TempDir, Vault) {
    let dir = tempfile::tempdir().expect("tempdir");
    let team_id = team_of.team_id().to_owned();
    let team_doc = team_of.document_bytes(&team_id).expect("team document");
    let vault = Vault::join(dir.path(), &pass(), member, &team_doc).expect("join");
    (dir, vault)
}

/// Locks the vault (drops it, which closes the database) and unlocks it again.
pub fn reopen(dir: &Path, vault: Vault) -> Vault {
    drop(vault);
    Vault::open(dir, &pass()).expect("reopen")
}

/// A moment, to the second, in UTC.
pub fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("valid time")
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

pub fn file_hash(path: &Path) -> [u8; 32] {
    sha256(&std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display())))
}

/// Everything a vault shows from outside, for "nothing changed" and "both equal" checks.
#[derive(Debug, PartialEq)]
pub struct Observed {
    pub documents: Vec<(String, DocKind)>,
    pub heads: Vec<Vec<String>>,
    pub people: Vec<PersonSummary>,
    pub outbox_len: u64,
}

pub fn observe(v: &mut Vault) -> Observed {
    let documents = v.documents().expect("documents");
    let heads = documents
        .iter()
        .map(|(id, _)| v.document_heads(id).expect("heads"))
        .collect();
    Observed {
        documents,
        heads,
        people: v.list_people().expect("list"),
        outbox_len: v.outbox_len().expect("outbox"),
    }
}

/// Every outbox entry of `from`, applied to `to` in outbox order.
pub fn deliver_all(from: &Vault, to: &mut Vault) {
    for e in from.outbox(usize::MAX >> 1).expect("outbox") {
        to.apply_changes(&e.doc_id, e.kind, &[&e.bytes])
            .unwrap_or_else(|err| panic!("applying {} ({:?}): {err}", e.doc_id, e.kind));
    }
}

/// Delivers every replica's outbox to every other replica, then acknowledges it all (as the
/// relay would once everyone has it).
pub fn exchange(vaults: &mut [&mut Vault]) {
    for from in 0..vaults.len() {
        for to in 0..vaults.len() {
            if from != to {
                let entries = vaults[from].outbox(usize::MAX >> 1).expect("outbox");
                for e in entries {
                    vaults[to]
                        .apply_changes(&e.doc_id, e.kind, &[&e.bytes])
                        .expect("apply");
                }
            }
        }
    }
    for v in vaults.iter_mut() {
        let seqs: Vec<i64> = v
            .outbox(usize::MAX >> 1)
            .expect("outbox")
            .iter()
            .map(|e| e.seq)
            .collect();
        v.acknowledge(&seqs).expect("acknowledge");
    }
}

/// The street log month of a moment, as the vault names it.
pub fn month(t: DateTime<Utc>) -> String {
    t.format("%Y-%m").to_string()
}
