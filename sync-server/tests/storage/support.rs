//! Backends for the suite, and small builders.

use rand::RngCore;
use std::path::PathBuf;
use tandem_protocol::{DeviceId, DocId, TeamId};
use tandem_relay::storage::{NewEnvelope, NewSnapshot, Storage};

/// A backend under test, and how to open it again.
pub struct Backend {
    pub storage: Storage,
    pub reopen: Reopen,
    _dir: Option<tempfile::TempDir>,
}

pub enum Reopen {
    Sqlite(PathBuf),
    Postgres { url: String, schema: String },
}

impl std::ops::Deref for Backend {
    type Target = Storage;
    fn deref(&self) -> &Storage {
        &self.storage
    }
}

impl Backend {
    pub async fn reopen(&self) -> Result<Storage, tandem_relay::storage::StorageError> {
        match &self.reopen {
            Reopen::Sqlite(path) => Storage::open_sqlite(path).await,
            Reopen::Postgres { url, schema } => {
                Storage::connect_postgres_in_schema(url, schema).await
            }
        }
    }
}

pub async fn sqlite() -> Backend {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("relay.db");
    Backend {
        storage: Storage::open_sqlite(&path).await.unwrap(),
        reopen: Reopen::Sqlite(path),
        _dir: Some(dir),
    }
}

/// A fresh schema per case, or `None` (with a loud notice) when no PostgreSQL is configured
/// outside CI.
pub async fn postgres(case: &str) -> Option<Backend> {
    let Ok(url) = std::env::var("TANDEM_TEST_POSTGRES_URL") else {
        if std::env::var_os("CI").is_some() {
            panic!(
                "TANDEM_TEST_POSTGRES_URL is not set but CI is: the PostgreSQL backend must be \
                 tested in CI (see sync-server/scripts/throwaway-postgres.sh)"
            );
        }
        // Straight to stderr: the test harness captures `eprintln!`, and this must be seen.
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "\n!!! SKIPPING the PostgreSQL half of `{case}`: TANDEM_TEST_POSTGRES_URL is not \
             set.\n!!! Start one with sync-server/scripts/throwaway-postgres.sh and export the \
             URL it prints.\n"
        );
        return None;
    };
    let schema = format!("relay_test_{case}");
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .expect("connect to TANDEM_TEST_POSTGRES_URL");
    let task = tokio::spawn(connection);
    client
        .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .await
        .unwrap();
    drop(client);
    let _ = task.await;
    let storage = Storage::connect_postgres_in_schema(&url, &schema)
        .await
        .unwrap();
    Some(Backend {
        storage,
        reopen: Reopen::Postgres { url, schema },
        _dir: None,
    })
}

pub fn random16() -> [u8; 16] {
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b
}

pub fn random32() -> [u8; 32] {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b
}

pub fn team() -> TeamId {
    TeamId(random16())
}

pub fn device() -> DeviceId {
    DeviceId(random16())
}

pub fn doc() -> DocId {
    DocId(random16())
}

/// An envelope as storage sees it: opaque bytes with an id and a document.
pub fn envelope(doc: DocId) -> NewEnvelope {
    let mut bytes = vec![0u8; 200];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    NewEnvelope {
        id: tandem_protocol::envelope::envelope_id(&bytes),
        doc,
        bytes,
    }
}

pub const NOW: i64 = 1_800_000_000_000;

/// A team with an admin device; returns (team, admin).
pub async fn new_team(storage: &Storage) -> (TeamId, DeviceId) {
    let (t, admin) = (team(), device());
    storage
        .create_team(t, admin, random32(), NOW)
        .await
        .unwrap();
    (t, admin)
}

/// Enrols a member through an invite.
pub async fn enrol(storage: &Storage, team: TeamId, by: DeviceId) -> DeviceId {
    let token = random32();
    storage
        .create_invite(tandem_relay::storage::NewInvite {
            token_hash: token,
            team,
            created_by: by,
            sealed_team_key: vec![1, 2, 3],
            created_at_ms: NOW,
            expires_at_ms: NOW + 60_000,
            epoch: None,
        })
        .await
        .unwrap();
    let d = device();
    storage
        .redeem_invite(token, d, random32(), NOW + 1)
        .await
        .unwrap();
    d
}

/// A snapshot as storage sees it: `len` opaque bytes (at least 32, random first) for `doc`.
pub fn sized_snapshot(doc: DocId, covers: u64, author: DeviceId, len: usize) -> NewSnapshot {
    let mut bytes = random32().to_vec();
    bytes.resize(len, 7);
    NewSnapshot {
        doc,
        covers,
        id: tandem_protocol::envelope::envelope_id(&bytes),
        bytes,
        author,
        stored_at_ms: NOW,
    }
}

/// Sends `write` to the held group-commit writer from this task, polling it here until the
/// writer's queue holds `n` writes, then hands it to its own task; await the handle for the
/// answer. Writes sent one after another this way are queued, and so run, in that order. A
/// task spawned at once would not do: the queue counts a write once its place is reserved, and
/// on a loaded machine another task can reserve after it and push first (seen in CI), while in
/// one poll reserving and pushing happen together. Once queued it must go on being polled: a
/// write PostgreSQL runs outside the group holds the team's row lock while it waits, and left
/// unpolled it would stall the group for good (seen in CI too).
pub async fn queue<T: Send + 'static>(
    s: &Storage,
    n: usize,
    write: impl std::future::Future<Output = T> + Send + 'static,
) -> tokio::task::JoinHandle<T> {
    let mut write = Box::pin(write);
    loop {
        std::future::poll_fn(|cx| {
            assert!(
                write.as_mut().poll(cx).is_pending(),
                "a write was answered while the writer was held"
            );
            std::task::Poll::Ready(())
        })
        .await;
        if s.queued_writes() >= n {
            return tokio::spawn(write);
        }
        tokio::task::yield_now().await;
    }
}

/// Waits until the writer's queue holds `n` writes, in whatever order they came.
pub async fn until_queued(s: &Storage, n: usize) {
    while s.queued_writes() < n {
        tokio::task::yield_now().await;
    }
}
