//! Two relay instances over one PostgreSQL, as behind a load balancer: they share one
//! identity, one replay table and one log, and a pull waiting on one instance sees a push
//! made through the other (by looking again every second; no timing is asserted).

use crate::support::{doc, now_ms, Relay, Team};
use tandem_protocol::EnvelopeKind;
use tandem_relay::config::Limits;
use tandem_relay::storage::Storage;

/// The database URL, or `None` (loudly) outside CI; in CI its absence is a failure.
fn postgres_url() -> Option<String> {
    match std::env::var("TANDEM_TEST_POSTGRES_URL") {
        Ok(url) => Some(url),
        Err(_) if std::env::var_os("CI").is_some() => {
            panic!("TANDEM_TEST_POSTGRES_URL is not set but CI is: PostgreSQL must be tested in CI")
        }
        Err(_) => {
            // Straight to stderr: the test harness captures `eprintln!`.
            use std::io::Write as _;
            let _ = writeln!(
                std::io::stderr(),
                "\n!!! SKIPPING the two-instance PostgreSQL relay test: TANDEM_TEST_POSTGRES_URL \
                 is not set (see sync-server/scripts/throwaway-postgres.sh).\n"
            );
            None
        }
    }
}

fn instance(url: &str, schema: &str) -> Relay {
    let (url, schema) = (url.to_owned(), schema.to_owned());
    Relay::start_on(
        Limits::default(),
        tempfile::tempdir().unwrap(),
        move || async move { Storage::connect_postgres_in_schema(&url, &schema).await },
    )
}

#[test]
fn two_instances_share_identity_replays_log_and_news() {
    let Some(url) = postgres_url() else {
        return;
    };
    let schema = "relay_http_two_instances";
    {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .unwrap();
            let task = tokio::spawn(connection);
            client
                .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                .await
                .unwrap();
            drop(client);
            let _ = task.await;
        });
    }
    let a = instance(&url, schema);
    let b = instance(&url, schema);
    assert_eq!(a.relay_id, b.relay_id, "one relay identity, made once");

    let team = Team::create(&a);
    let member = team.enrol(&b);

    // A request seen by one instance is a replay to the other.
    let path = team.path("/envelopes");
    let body = tandem_protocol::frames::encode_push(&[team.seal(
        &team.admin,
        doc(),
        b"once",
        EnvelopeKind::Change,
    )]);
    let headers = team.admin.sign(&a.relay_id, "POST", &path, &body, now_ms());
    assert_eq!(a.raw("POST", &path, &headers, &body).status, 200);
    b.raw("POST", &path, &headers, &body)
        .expect(401, "replayed");
    assert_eq!(b.head(team.id), 1);

    // A pull waiting on B wakes for a push through A.
    std::thread::scope(|scope| {
        let waiter = scope.spawn(|| team.pull(&b, &member, "after=1&wait_ms=30000"));
        while !b.metrics().contains("tandem_relay_long_polls 1") {
            std::thread::yield_now();
        }
        let news = team.seal(&team.admin, doc(), b"news", EnvelopeKind::Change);
        team.push(&a, &team.admin, std::slice::from_ref(&news));
        assert_eq!(waiter.join().unwrap().page(), vec![(2, news)]);
    });
    // B heard of it through PostgreSQL's NOTIFY, not by looking again later.
    assert!(
        !b.metrics().contains("tandem_relay_append_notices_total 0"),
        "{}",
        b.metrics()
    );
}
