//! Counters for Prometheus, written out by hand in the text exposition format (a handful of
//! counters do not need a metrics framework). Labels are routes and statuses, never ids.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// The relay's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), RouteStats>>,
    envelopes_appended: AtomicU64,
    envelopes_duplicate: AtomicU64,
    bytes_appended: AtomicU64,
    envelopes_collected: AtomicU64,
    append_notices: AtomicU64,
    long_polls: AtomicI64,
}

#[derive(Debug, Default, Clone, Copy)]
struct RouteStats {
    count: u64,
    seconds: f64,
}

impl Metrics {
    /// Counts a finished request.
    pub fn request(&self, route: &str, status: u16, took: Duration) {
        let mut map = self
            .requests
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let stats = map.entry((route.to_owned(), status)).or_default();
        stats.count += 1;
        stats.seconds += took.as_secs_f64();
    }

    /// Counts a push's outcome.
    pub fn appended(&self, new: u64, duplicate: u64, bytes: u64) {
        self.envelopes_appended.fetch_add(new, Ordering::Relaxed);
        self.envelopes_duplicate
            .fetch_add(duplicate, Ordering::Relaxed);
        self.bytes_appended.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Counts envelopes dropped because snapshots cover them.
    pub fn collected(&self, n: u64) {
        self.envelopes_collected.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts a notice (PostgreSQL `NOTIFY`) that some relay on the database appended.
    pub fn append_notice(&self) {
        self.append_notices.fetch_add(1, Ordering::Relaxed);
    }

    /// A long poll starts waiting; the guard ends it.
    pub fn long_poll(&self) -> LongPollGuard<'_> {
        self.long_polls.fetch_add(1, Ordering::Relaxed);
        LongPollGuard(self)
    }

    /// Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let requests = self
            .requests
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        out.push_str("# HELP tandem_relay_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE tandem_relay_requests_total counter\n");
        for ((route, status), stats) in &requests {
            let _ = writeln!(
                out,
                "tandem_relay_requests_total{{route=\"{route}\",status=\"{status}\"}} {}",
                stats.count
            );
        }
        out.push_str(
            "# HELP tandem_relay_request_seconds_total Time spent answering, by route and status.\n",
        );
        out.push_str("# TYPE tandem_relay_request_seconds_total counter\n");
        for ((route, status), stats) in &requests {
            let _ = writeln!(
                out,
                "tandem_relay_request_seconds_total{{route=\"{route}\",status=\"{status}\"}} {}",
                stats.seconds
            );
        }
        let counters = [
            (
                "tandem_relay_envelopes_appended_total",
                "Envelopes appended to a log.",
                &self.envelopes_appended,
            ),
            (
                "tandem_relay_envelopes_duplicate_total",
                "Envelopes pushed again (stored once).",
                &self.envelopes_duplicate,
            ),
            (
                "tandem_relay_bytes_stored_total",
                "Envelope bytes appended.",
                &self.bytes_appended,
            ),
            (
                "tandem_relay_envelopes_collected_total",
                "Envelopes dropped because a snapshot covers them.",
                &self.envelopes_collected,
            ),
            (
                "tandem_relay_append_notices_total",
                "Notices that a relay sharing the PostgreSQL database appended (wake long polls).",
                &self.append_notices,
            ),
        ];
        for (name, help, value) in counters {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            let _ = writeln!(out, "{name} {}", value.load(Ordering::Relaxed));
        }
        let _ = writeln!(
            out,
            "# HELP tandem_relay_long_polls Pulls waiting for news now.\n\
             # TYPE tandem_relay_long_polls gauge\ntandem_relay_long_polls {}",
            self.long_polls.load(Ordering::Relaxed)
        );
        out
    }
}

/// Ends a long poll in the gauge when dropped (also when the client hangs up).
#[derive(Debug)]
pub struct LongPollGuard<'a>(&'a Metrics);

impl Drop for LongPollGuard<'_> {
    fn drop(&mut self) {
        self.0.long_polls.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_gauge() {
        let m = Metrics::default();
        m.request("/v1/info", 200, Duration::from_millis(3));
        m.request("/v1/info", 200, Duration::from_millis(1));
        m.appended(3, 1, 900);
        let guard = m.long_poll();
        let text = m.render();
        assert!(text.contains("tandem_relay_requests_total{route=\"/v1/info\",status=\"200\"} 2"));
        assert!(text.contains("tandem_relay_envelopes_appended_total 3"));
        assert!(text.contains("tandem_relay_bytes_stored_total 900"));
        assert!(text.contains("tandem_relay_long_polls 1"));
        drop(guard);
        assert!(m.render().contains("tandem_relay_long_polls 0"));
    }
}
