//! Tandem's core: the vault.
//!
//! A vault is a folder with an encrypted SQLite database (SQLCipher, random 256-bit key) and a
//! key file holding that key sealed under a passphrase (Argon2id). The database holds Automerge
//! documents — the team, one per person, one street log per month — which are the source of
//! truth, an outbox of local changes for the relay, and indexes rebuilt from the documents.
//!
//! Nothing here knows about Tauri, the CLI or the UI: they call [`Vault`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

pub mod automerge_input;
mod cover_index;
mod db;
pub mod demo;
mod docs;
mod error;
mod index;
mod keyfile;
mod passphrase;
mod private_files;
pub mod report;
mod store;
pub mod sync;
mod vault;

pub use db::SCHEMA_VERSION;
pub use docs::street::month_of;
pub use docs::DocKind;
pub use error::{Result, VaultError};
pub use keyfile::{KdfParams, KeyFile};
pub use passphrase::Passphrase;
pub use tandem_model as model;
pub use vault::{
    ChunkOrigin, IncomingChanges, IncomingSnapshot, NewVault, OutboxEntry, PageReport,
    RelaySettings, SetAside, SetAsideReason, SharedVault, SnapshotReport, TrustProblem, Vault,
    BRIEF_ENCOUNTERS, MIN_PASSPHRASE_CHARS,
};

/// Files a vault folder may hold (for tests and tools that check what is on disk).
pub const VAULT_FILES: [&str; 3] = [keyfile::KEY_FILE, db::DB_FILE, keyfile::ATTEMPTS_FILE];

/// Files a vault may leave beside them (a write cut off before its rename): narrowed too.
pub(crate) const VAULT_LEFTOVERS: [&str; 2] = ["vault.tmp", "unlock-attempts.tmp"];
