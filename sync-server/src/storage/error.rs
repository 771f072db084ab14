//! What storage answers when it does not do what it was asked: a [`Refusal`] (the stored
//! state says no; the caller answers the client with it) or a failure (the database, the
//! disk or the relay itself went wrong; the caller answers "try again later").

/// A request storage turns down because of what is stored. Exhaustive on purpose: each one
/// has its answer to the client, and a new one must be given its own (see `http::error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The team, device or invite already exists.
    #[error("already exists")]
    Exists,
    /// No such team, device or invite.
    #[error("not found")]
    NotFound,
    /// The invite's time is up.
    #[error("invite expired")]
    InviteExpired,
    /// The invite was redeemed already.
    #[error("invite already used")]
    InviteUsed,
    /// A snapshot claims to cover envelopes the log does not have yet.
    #[error("a snapshot cannot cover beyond the team's head")]
    CoversBeyondHead,
    /// A key epoch that is neither the team's next one nor its current one.
    #[error("the team's key epoch is {current}; only the next one may be posted")]
    WrongEpoch {
        /// The team's current epoch.
        current: u32,
    },
    /// A key package is addressed to a device that is not an active member of the team.
    #[error("a key package is addressed to a revoked or unknown device")]
    InactiveRecipient,
    /// A new key epoch leaves out an active device (one enrolled while it was being made).
    #[error("a new key epoch must have a package for every active device")]
    MissingRecipient,
    /// The invite carries keys older than the team's current one.
    #[error("the invite was made before the team's key changed")]
    InviteStale,
    /// A push sealed under a key epoch older than the team's.
    #[error("sealed under an older key epoch than the team's")]
    StaleEpoch,
    /// The write would take the team past the bytes its quota allows.
    #[error("the team's quota of stored bytes would be exceeded")]
    QuotaBytes,
    /// The push would take the team's log past the envelopes its quota allows.
    #[error("the team's quota of envelopes would be exceeded")]
    QuotaEnvelopes,
    /// The team document is never erased: without it nobody knows who is in the team.
    #[error("the team document cannot be erased")]
    TeamDocument,
    /// Only an admin device or the one that wrote a document's first envelope may erase it.
    #[error("only an admin or the document's first writer may erase it")]
    NotDocAuthor,
    /// Record entries were judged on a head the record has moved past (or never had):
    /// nothing stored.
    #[error("the team record's head is at seq {seq}")]
    RecordConflict {
        /// The record's head now.
        seq: u64,
    },
    /// Record entries (or the key packages with them) break a rule of the record or of the
    /// relay: nothing stored. `rule` is the `RecordError` code, or one of the relay's own
    /// (`rules::judge_record_post`).
    #[error("refused by the team record's rules: {rule}")]
    RecordRefused {
        /// The rule broken.
        rule: &'static str,
    },
    /// A record operation on a team without a record.
    #[error("the team has no record")]
    NoRecord,
    /// A membership operation of teams without a record, on a team with one.
    #[error("the team has a record: membership changes go through it")]
    UseTeamRecord,
}

/// What can go wrong in storage: a [`Refusal`], or one of the failures.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    /// Refused because of what is stored; nothing was changed.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The database was written by a newer relay.
    #[error(
        "the database is at schema version {found}, newer than this relay knows ({supported}): \
         run a newer tandem-relay"
    )]
    NewerSchema {
        /// Version found in the database.
        found: i64,
        /// The newest this build knows.
        supported: i64,
    },
    /// A stored value is not what the schema promises.
    #[error("stored data is corrupt: {0}")]
    Corrupt(&'static str),
    /// SQLite failed.
    #[error("SQLite")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed.
    #[error("PostgreSQL")]
    Postgres(#[from] tokio_postgres::Error),
    /// No PostgreSQL connection could be had.
    #[error("PostgreSQL connection pool")]
    Pool(#[from] deadpool_postgres::PoolError),
    /// The PostgreSQL pool could not be built.
    #[error("PostgreSQL connection pool set-up")]
    BuildPool(#[from] deadpool_postgres::BuildError),
    /// The data directory could not be created.
    #[error("data directory")]
    Io(#[from] std::io::Error),
    /// A blocking storage task panicked or was cancelled.
    #[error("storage task")]
    Task(#[from] tokio::task::JoinError),
    /// The commit of a group of writes failed, so this write (which had succeeded on its
    /// own) is not stored either.
    #[error("the group commit failed")]
    GroupCommit(#[source] std::sync::Arc<StorageError>),
    /// The writer stopped (it panicked on this write, or the storage is closing).
    #[error("the storage writer stopped")]
    WriterGone,
}

/// Storage results.
pub type Result<T, E = StorageError> = std::result::Result<T, E>;
