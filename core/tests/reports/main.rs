//! Reports on real SQLCipher vaults: counts checked against the documents, period edges,
//! exports read back by Python's `csv` module.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod demo_team;
mod edges;
mod expected;
mod exports;

use chrono::{DateTime, TimeZone, Utc};
use tandem_core::{NewVault, Passphrase, Vault};
use tempfile::TempDir;

pub const PASS: &str = "correct horse battery staple";

pub fn new_vault() -> (TempDir, Vault) {
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = Vault::create(
        dir.path(),
        &Passphrase::new(PASS),
        &NewVault {
            member_name: "Sam".into(),
            team_name: "Équipe Centre-Sud".into(),
        },
    )
    .expect("create vault");
    (dir, vault)
}

pub fn reopen(dir: &std::path::Path, vault: Vault) -> Vault {
    drop(vault);
    Vault::open(dir, &Passphrase::new(PASS)).expect("reopen")
}

/// A moment, to the second, in UTC.
pub fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s)
        .single()
        .expect("valid time")
}

pub fn day(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}
