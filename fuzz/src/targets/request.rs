//! Signed requests (`protocol/src/request.rs`), as the relay reads them. The input is seven
//! fields separated by new lines: the three authentication headers (device, time, signature),
//! the method, the path and query, the relay's clock, and the rest is the body.
//!
//! - **As received**: the headers parse (or are refused as malformed, never a panic); what
//!   parses prints back to headers that parse to the same; the check against the relay's clock
//!   and the device's key never panics, whatever the times, refuses as stale exactly what is
//!   more than the allowed skew away, and accepts only the device's own signature of this
//!   very request.
//! - **As sent**: the same request signed by the device gives headers that parse to its
//!   device, time and signature, and verify at the relay exactly when the clocks agree within
//!   the skew.

use crate::fixtures::{author, stranger, RELAY_ID};
use tandem_protocol::request::{
    RequestError, RequestToSign, SignedHeaders, HEADER_DEVICE, HEADER_SIGNATURE, HEADER_TIME,
    MAX_CLOCK_SKEW_MS,
};
use tandem_protocol::DeviceId;

/// The target.
pub fn request(data: &[u8]) {
    let mut fields = data.splitn(7, |b| *b == b'\n');
    let mut text = || fields.next().and_then(|f| std::str::from_utf8(f).ok());
    let (device, time, signature) = (text(), text(), text());
    let method = text().unwrap_or("GET");
    let path = text().unwrap_or("/");
    let now_ms = text().and_then(|t| t.parse::<i64>().ok()).unwrap_or(0);
    let body = fields.next().unwrap_or_default();

    if let Ok(h) = SignedHeaders::parse(device, time, signature) {
        let printed = SignedHeaders::parse(
            Some(&h.device.to_hex()),
            Some(&h.time_ms.to_string()),
            Some(&hex::encode(h.signature)),
        );
        assert_eq!(printed, Ok(h));
        let req = RequestToSign {
            relay_id: RELAY_ID,
            method,
            path_and_query: path,
            body,
            time_ms: h.time_ms,
            device: h.device,
        };
        let in_time = within_skew(h.time_ms, now_ms);
        match req.verify(&author().verifying_key(), &h.signature, now_ms) {
            Ok(()) => {
                assert!(in_time);
                assert_eq!(h.signature, req.sign(author()), "another signature passed");
            }
            Err(RequestError::Stale) => assert!(!in_time),
            Err(e) => {
                assert_eq!(e, RequestError::BadSignature);
                assert!(in_time);
            }
        }
    }

    // The device's side: sign a request with whatever time and device the input says.
    let time_ms = time.and_then(|t| t.trim().parse::<i64>().ok()).unwrap_or(0);
    let mut id = [0u8; 16];
    for (i, b) in device.unwrap_or("").bytes().enumerate() {
        id[i % 16] ^= b;
    }
    let req = RequestToSign {
        relay_id: RELAY_ID,
        method,
        path_and_query: path,
        body,
        time_ms,
        device: DeviceId(id),
    };
    let headers = req.signed_headers(author());
    let value = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    };
    let h = SignedHeaders::parse(
        value(HEADER_DEVICE),
        value(HEADER_TIME),
        value(HEADER_SIGNATURE),
    )
    .expect("the headers a device sends parse");
    assert_eq!(
        (h.device, h.time_ms, h.signature),
        (req.device, time_ms, req.sign(author()))
    );
    let key = author().verifying_key();
    assert_eq!(req.verify(&key, &h.signature, time_ms), Ok(()));
    let expected = if within_skew(time_ms, now_ms) {
        Ok(())
    } else {
        Err(RequestError::Stale)
    };
    assert_eq!(req.verify(&key, &h.signature, now_ms), expected);
    if expected.is_ok() {
        assert_eq!(
            req.verify(&stranger().verifying_key(), &h.signature, now_ms),
            Err(RequestError::BadSignature)
        );
    }
}

/// Whether two times are within the allowed clock skew, computed without overflow.
fn within_skew(a: i64, b: i64) -> bool {
    (i128::from(a) - i128::from(b)).abs() <= i128::from(MAX_CLOCK_SKEW_MS)
}
