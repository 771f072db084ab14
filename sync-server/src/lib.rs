//! Tandem's relay: an append-only log of sealed envelopes per team, with enrolment, invites,
//! signed requests, long polling and snapshots. It cannot read what it stores: it depends on
//! `tandem-protocol` only, never on the crates that hold keys and documents.
//!
//! - [`config`]: flags, TOML file, limits;
//! - [`storage`]: SQLite and PostgreSQL behind one [`storage::Storage`];
//! - [`http`]: the API of [`tandem_protocol::api`] ([`app`], [`serve`]).
#![forbid(unsafe_code)]

pub mod config;
pub mod http;
mod long_poll;
mod metrics;
mod rate_limit;
mod record_cache;
pub mod storage;

pub use http::{app, serve, AppState};

use config::{Config, Database};
use std::future::Future;
use std::net::SocketAddr;
use storage::{Storage, StorageError};

/// Why the relay could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// Storage could not be opened.
    #[error("cannot open storage")]
    Storage(#[from] StorageError),
    /// The address could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Serving failed.
    #[error("serving failed")]
    Serve(#[source] std::io::Error),
}

/// Opens the configured storage.
pub async fn open_storage(database: &Database) -> Result<Storage, StorageError> {
    match database {
        Database::Sqlite(path) => Storage::open_sqlite(path).await,
        Database::Postgres(url) => Storage::connect_postgres(url).await,
    }
}

/// Each connected device holds a socket open (a long poll waits on it): below this many
/// open files, say so at start.
const FEW_OPEN_FILES: u64 = 4096;

/// Logs a warning when the process may open few files (Linux, `/proc/self/limits`): a
/// thousand devices need a thousand sockets, and the usual soft limit is 1024. Raise it with
/// `ulimit -n` or the service's `LimitNOFILE=`.
fn warn_if_few_open_files() {
    let Ok(limits) = std::fs::read_to_string("/proc/self/limits") else {
        return;
    };
    let soft = limits
        .lines()
        .find_map(|l| l.strip_prefix("Max open files"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|soft| soft.parse::<u64>().ok());
    if let Some(soft) = soft.filter(|soft| *soft < FEW_OPEN_FILES) {
        tracing::warn!(
            open_files = soft,
            "this process may open only {soft} files, so at most about that many devices can \
             be connected at once; raise it (ulimit -n, LimitNOFILE=) for more"
        );
    }
}

/// Opens storage, binds, and serves until `shutdown` completes.
pub async fn run(
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), RunError> {
    let storage = open_storage(&config.database).await?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| RunError::Bind {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(RunError::Serve)?;
    tracing::info!(
        addr = %addr,
        relay_id = storage.relay_id(),
        backend = storage.backend(),
        max_body_bytes = config.limits.max_body_bytes,
        team_creation = config.team_creation.name(),
        "listening"
    );
    if config.team_creation == config::TeamCreation::Closed {
        tracing::warn!(
            "no team can be created on this relay: set a team-creation token \
             (--team-creation-token-file, TANDEM_RELAY_TEAM_CREATION_TOKEN or [team_creation] \
             in the config file) for founding devices to present, or --open-team-creation \
             for a demo relay"
        );
    }
    warn_if_few_open_files();
    let state = AppState::new(storage, config.limits, config.team_creation);
    serve(listener, state, shutdown)
        .await
        .map_err(RunError::Serve)?;
    tracing::info!("stopped");
    Ok(())
}
