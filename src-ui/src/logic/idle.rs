//! When the app locks itself.

/// Whether the app should lock: after `minutes` without a touch or a key, or at once when the
/// window is hidden.
pub fn should_lock(last_activity_ms: f64, now_ms: f64, minutes: u32, hidden: bool) -> bool {
    hidden || now_ms - last_activity_ms >= f64::from(minutes.max(1)) * 60_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_the_idle_time_or_when_hidden() {
        assert!(!should_lock(0.0, 4.0 * 60_000.0, 5, false));
        assert!(should_lock(0.0, 5.0 * 60_000.0, 5, false));
        assert!(should_lock(0.0, 1.0, 5, true));
        // Zero minutes is taken as one, never "lock continuously".
        assert!(!should_lock(0.0, 30_000.0, 0, false));
    }
}
