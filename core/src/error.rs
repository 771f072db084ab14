//! The vault's errors. Messages never contain a person's data: only ids, counts and causes.

use std::path::PathBuf;
use std::time::Duration;
use tandem_model::ErrorCode;

/// Everything that can go wrong in the vault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    /// There is no vault in this folder.
    #[error("no vault in {0}")]
    NoVault(PathBuf),
    /// A vault already exists in this folder.
    #[error("a vault already exists in {0}")]
    VaultExists(PathBuf),
    /// The passphrase did not open the vault key. Nothing was changed.
    #[error("wrong passphrase ({failures} failed attempt(s) in a row)")]
    WrongPassphrase {
        /// Failed attempts in a row so far.
        failures: u32,
    },
    /// Too many wrong passphrases in a row; the next attempt is allowed after a delay.
    #[error("too many wrong passphrases: try again in {} s", retry_after.as_secs().max(1))]
    TooManyAttempts {
        /// How long to wait.
        retry_after: Duration,
    },
    /// The vault is open in another program (the app, or another `tandem` command).
    #[error("the vault is open in another program")]
    InUse,
    /// The vault was written by a newer Tandem.
    #[error("this vault was written by a newer version of Tandem (schema {found}, this version knows up to {supported}): update Tandem to open it")]
    NewerSchema {
        /// Schema version found in the vault.
        found: i64,
        /// Highest schema version this build knows.
        supported: i64,
    },
    /// The key file is of a format this build does not know.
    #[error("the vault key file has format {0}, which this version of Tandem does not know")]
    UnsupportedKeyFile(u32),
    /// The key file is damaged (truncated, edited, unreadable).
    #[error("the vault key file is damaged: {0}")]
    KeyFileDamaged(&'static str),
    /// The database file cannot be read with the unwrapped key: damaged or replaced.
    #[error("the vault database cannot be read: it is damaged or is not this vault's")]
    DatabaseUnreadable(#[source] Box<rusqlite::Error>),
    /// A stored document does not load.
    #[error("document {doc} is damaged")]
    DocumentDamaged {
        /// The document's id.
        doc: String,
        /// Why Automerge refused it.
        #[source]
        source: Box<automerge::AutomergeError>,
    },
    /// Bytes given as Automerge changes are not valid.
    #[error("these changes for document {doc} are not valid Automerge data")]
    InvalidChanges {
        /// The document's id.
        doc: String,
        /// Why Automerge refused them.
        #[source]
        source: Box<automerge::AutomergeError>,
    },
    /// Bytes given as Automerge data were refused before Automerge read them (too large once
    /// inflated, or not laid out as Automerge chunks).
    #[error("these changes for document {doc} were refused before reading")]
    RefusedInput {
        /// The document's id.
        doc: String,
        /// Why.
        #[source]
        source: crate::automerge_input::InputError,
    },
    /// A document does not have the shape Tandem writes.
    #[error("document {doc} is not a Tandem {expected} document")]
    WrongDocumentShape {
        /// The document's id.
        doc: String,
        /// What it should have been.
        expected: &'static str,
    },
    /// No such person, goal, encounter, follow-up…
    #[error("{what} {id} not found")]
    NotFound {
        /// What was looked for ("person", "goal"…).
        what: &'static str,
        /// The id or text used.
        id: String,
    },
    /// Several people match a name.
    #[error("{count} people match; use more of the name, or the id")]
    Ambiguous {
        /// How many matched.
        count: usize,
    },
    /// A value is not acceptable.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// No one matches the name given.
    #[error("no one matches that name or id")]
    NoMatch,
    /// What an action was confirmed for is not what it would do now (a sync changed it
    /// since it was shown): nothing was done.
    #[error("{0} changed since it was shown: nothing was done; look again")]
    ChangedMeanwhile(&'static str),
    /// A merge would make a record of more than `max` records merged together.
    #[error(
        "a person's record can hold at most {max} records merged together: nothing was merged"
    )]
    TooManyMerged {
        /// The bound.
        max: usize,
    },
    /// The device's storage is full. The write was rolled back whole: nothing was saved, and
    /// what was saved before is intact.
    #[error("this device's storage is full: nothing was saved; free some space and try again")]
    DiskFull(#[source] Box<rusqlite::Error>),
    /// A database operation failed.
    #[error("vault database error")]
    Database(#[source] Box<rusqlite::Error>),
    /// An Automerge operation failed.
    #[error("document operation failed")]
    Automerge(#[source] Box<automerge::AutomergeError>),
    /// Something that cannot fail with good data failed (a bug).
    #[error("internal error: {0}")]
    Internal(&'static str),
    /// Reading or writing a file failed.
    #[error("file error: {context}")]
    Io {
        /// What was being done.
        context: &'static str,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Encrypting or decrypting failed where it cannot fail with good data.
    #[error("encryption failed")]
    Crypto,
}

impl From<rusqlite::Error> for VaultError {
    fn from(e: rusqlite::Error) -> Self {
        if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull) {
            return Self::DiskFull(Box::new(e));
        }
        Self::Database(Box::new(e))
    }
}

impl From<automerge::AutomergeError> for VaultError {
    fn from(e: automerge::AutomergeError) -> Self {
        Self::Automerge(Box::new(e))
    }
}

impl VaultError {
    /// The stable code the UI matches on.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NoVault(_) => ErrorCode::NoVault,
            Self::VaultExists(_) => ErrorCode::VaultExists,
            Self::WrongPassphrase { .. } => ErrorCode::WrongPassphrase,
            Self::TooManyAttempts { .. } => ErrorCode::TooManyAttempts,
            Self::InUse => ErrorCode::VaultInUse,
            Self::NewerSchema { .. } | Self::UnsupportedKeyFile(_) => ErrorCode::VaultTooNew,
            Self::KeyFileDamaged(_)
            | Self::DatabaseUnreadable(_)
            | Self::DocumentDamaged { .. }
            | Self::WrongDocumentShape { .. } => ErrorCode::VaultDamaged,
            Self::InvalidChanges { .. } | Self::RefusedInput { .. } | Self::Invalid { .. } => {
                ErrorCode::InvalidInput
            }
            Self::NotFound { .. } | Self::NoMatch => ErrorCode::NotFound,
            Self::Ambiguous { .. } => ErrorCode::Ambiguous,
            Self::ChangedMeanwhile(_) => ErrorCode::ChangedMeanwhile,
            Self::TooManyMerged { .. } => ErrorCode::TooManyMerged,
            Self::Io { .. } => ErrorCode::Io,
            Self::DiskFull(_) => ErrorCode::DiskFull,
            Self::Database(_) | Self::Automerge(_) | Self::Crypto | Self::Internal(_) => {
                ErrorCode::Internal
            }
        }
    }

    pub(crate) fn io(context: &'static str) -> impl FnOnce(std::io::Error) -> Self {
        move |source| Self::Io { context, source }
    }

    pub(crate) fn not_found(what: &'static str, id: impl ToString) -> Self {
        Self::NotFound {
            what,
            id: id.to_string(),
        }
    }
}

/// Shorthand for results of vault operations.
pub type Result<T, E = VaultError> = std::result::Result<T, E>;
