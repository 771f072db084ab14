//! Start-up and unlock timings on stderr when `TANDEM_TIMINGS=1`, for the numbers in the
//! README (cold start to the first screen, unlock to Today, brief). Labels only, never data.

use std::sync::OnceLock;
use std::time::Instant;

static START: OnceLock<Option<Instant>> = OnceLock::new();

/// Notes the process start (call first thing).
pub fn start() {
    START
        .get_or_init(|| (std::env::var("TANDEM_TIMINGS").as_deref() == Ok("1")).then(Instant::now));
}

/// Prints the milliseconds since start with a label, when timings are on.
pub fn mark(label: &str) {
    if let Some(Some(t0)) = START.get() {
        eprintln!(
            "timing: {:>8.1} ms  {label}",
            t0.elapsed().as_secs_f64() * 1000.0
        );
    }
}
