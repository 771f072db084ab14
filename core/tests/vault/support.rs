//! Shared helpers for the vault tests.

use tandem_core::{NewVault, Passphrase, Vault};
use tempfile::TempDir;

pub const PASS: &str = "correct horse battery staple";

pub fn pass() -> Passphrase {
    Passphrase::new(PASS)
}

pub fn new_vault() -> (TempDir, Vault) {
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = Vault::create(
        dir.path(),
        &pass(),
        &NewVault {
            member_name: "Sam".into(),
            team_name: "Équipe Centre-Sud".into(),
        },
    )
    .expect("create vault");
    (dir, vault)
}
