//! Appends announced between relays: a group's commit notifies this schema's channel with
//! the teams it appended to, and every relay on the database listens, to wake its long
//! polls at once.

use super::super::Result;
use super::PostgresStorage;
use std::sync::Arc;
use tandem_protocol::TeamId;
use tokio::sync::mpsc;

/// The `NOTIFY` channel appends are announced on: one per schema (relays of one database
/// with different schemas are different relays), within PostgreSQL's 63-byte names.
pub(super) const CHANNEL: &str = "'tandem_log_' || left(md5(current_schema()), 16)";

/// Listens for appends announced on this schema's channel and calls `ring` with each team,
/// until the connection ends.
async fn listen_once(
    config: &tokio_postgres::Config,
    ring: &(dyn Fn(TeamId) + Send + Sync),
) -> Result<()> {
    let (client, mut connection) = config.connect(tokio_postgres::NoTls).await?;
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let driver = tokio::spawn(async move {
        while let Some(message) = std::future::poll_fn(|cx| connection.poll_message(cx)).await {
            match message {
                Ok(tokio_postgres::AsyncMessage::Notification(n)) => {
                    if tx.send(n.payload().to_owned()).is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
    });
    let channel: String = client
        .query_one(&format!("SELECT {CHANNEL}"), &[])
        .await?
        .get(0);
    client.batch_execute(&format!("LISTEN {channel}")).await?;
    while let Some(payload) = rx.recv().await {
        if let Ok(team) = payload.parse::<TeamId>() {
            ring(team);
        }
    }
    driver.abort();
    Ok(())
}

impl PostgresStorage {
    /// Calls `ring` with each team any relay on this database appends to (`LISTEN`), for as
    /// long as the task runs; after a lost connection it connects again (meanwhile, long polls
    /// still look again on their own every few seconds).
    pub(in crate::storage) fn listen_for_appends(
        &self,
        ring: Arc<dyn Fn(TeamId) + Send + Sync>,
    ) -> tokio::task::JoinHandle<()> {
        let config = self.config.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = listen_once(&config, &*ring).await {
                    tracing::warn!(error = %e, "listening for appends failed; trying again");
                }
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        })
    }
}
