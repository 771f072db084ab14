//! Per-device token buckets. In memory, per relay instance: behind a load balancer each
//! instance allows the configured rate, which is enough to stop a runaway device.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;
use tandem_protocol::DeviceId;

/// Buckets kept before idle full ones are forgotten.
const PRUNE_ABOVE: usize = 10_000;

/// A token bucket per device.
#[derive(Debug)]
pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<DeviceId, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    /// `per_second` tokens refill each second, up to `burst`.
    pub fn new(per_second: f64, burst: u32) -> Self {
        Self {
            per_second,
            burst: f64::from(burst),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `device`; `false` if it has none left.
    pub fn allow(&self, device: DeviceId, now: Instant) -> bool {
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() > PRUNE_ABOVE {
            let (rate, burst) = (self.per_second, self.burst);
            buckets.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * rate < burst
            });
        }
        let bucket = buckets.entry(device).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        let refill = now.saturating_duration_since(bucket.at).as_secs_f64() * self.per_second;
        bucket.tokens = (bucket.tokens + refill).min(self.burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn burst_then_refill_per_device() {
        let limiter = RateLimiter::new(2.0, 3);
        let (a, b) = (DeviceId([1; 16]), DeviceId([2; 16]));
        let t0 = Instant::now();
        assert!((0..3).all(|_| limiter.allow(a, t0)));
        assert!(!limiter.allow(a, t0));
        assert!(limiter.allow(b, t0), "buckets are per device");
        assert!(limiter.allow(a, t0 + Duration::from_millis(500)));
        assert!(!limiter.allow(a, t0 + Duration::from_millis(500)));
    }
}
