//! Signed requests. Each request to the relay carries the device id, the time and an Ed25519
//! signature over the relay's identity, the method, the path with its query, the SHA-256 of
//! the body and the time. The relay refuses unknown or revoked devices, bad signatures,
//! requests whose time is too far from its clock, and a signature it has already seen.

use crate::ids::DeviceId;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

/// Header with the device id (hex).
pub const HEADER_DEVICE: &str = "x-tandem-device";
/// Header with the request time (Unix milliseconds).
pub const HEADER_TIME: &str = "x-tandem-time";
/// Header with the signature (hex).
pub const HEADER_SIGNATURE: &str = "x-tandem-signature";
/// Header with the SHA-256 of the body (hex), as signed: the relay checks the signature
/// over it before reading a large body, then the body against it. Older clients do not
/// send it (the relay then reads the body, bounded, before checking).
pub const HEADER_BODY_SHA256: &str = "x-tandem-body-sha256";
/// How far a request's time may be from the relay's clock.
pub const MAX_CLOCK_SKEW_MS: i64 = 5 * 60 * 1000;

/// What is wrong with a request's signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// A header is missing or malformed.
    #[error("missing or malformed authentication headers")]
    Malformed,
    /// The time is too far from the relay's clock.
    #[error("request time too far from the relay's clock")]
    Stale,
    /// The signature does not verify.
    #[error("bad request signature")]
    BadSignature,
}

/// The parts of a request that are signed.
#[derive(Debug, Clone, Copy)]
pub struct RequestToSign<'a> {
    /// The relay's identity (from `/v1/info`): a request for one relay is worthless to another.
    pub relay_id: &'a str,
    /// `GET`, `POST`…
    pub method: &'a str,
    /// Path and query, as sent (`/v1/teams/…/envelopes?after=12`).
    pub path_and_query: &'a str,
    /// The body (empty for GET).
    pub body: &'a [u8],
    /// Unix milliseconds.
    pub time_ms: i64,
    /// The signing device.
    pub device: DeviceId,
}

/// What is signed, with the body named by its SHA-256 only: what the relay can check
/// before it has read the body.
fn message(
    relay_id: &str,
    method: &str,
    path_and_query: &str,
    body_sha256: &[u8; 32],
    time_ms: i64,
    device: DeviceId,
) -> Vec<u8> {
    format!(
        "tandem-request-v1\n{}\n{}\n{}\n{}\n{}\n{}",
        relay_id,
        method.to_ascii_uppercase(),
        path_and_query,
        hex::encode(body_sha256),
        time_ms,
        device.to_hex()
    )
    .into_bytes()
}

fn verify_at(
    time_ms: i64,
    now_ms: i64,
    message: &[u8],
    key: &VerifyingKey,
    signature: &[u8; 64],
) -> Result<(), RequestError> {
    // `abs_diff`: any two times, however far apart, without overflow.
    if time_ms.abs_diff(now_ms) > MAX_CLOCK_SKEW_MS.unsigned_abs() {
        return Err(RequestError::Stale);
    }
    key.verify(message, &Signature::from_bytes(signature))
        .map_err(|_| RequestError::BadSignature)
}

/// A request as the relay sees it before reading its body: the body is only the SHA-256
/// its sender declared ([`HEADER_BODY_SHA256`]). Verifying it proves the key's holder sent
/// a body with that hash; the body read afterwards must have it.
#[derive(Debug, Clone, Copy)]
pub struct DeclaredRequest<'a> {
    /// The relay's identity.
    pub relay_id: &'a str,
    /// `GET`, `POST`…
    pub method: &'a str,
    /// Path and query, as sent.
    pub path_and_query: &'a str,
    /// The body's SHA-256, as declared.
    pub body_sha256: [u8; 32],
    /// Unix milliseconds.
    pub time_ms: i64,
    /// The signing device.
    pub device: DeviceId,
}

impl DeclaredRequest<'_> {
    /// Checks the time against `now_ms`, then the signature.
    pub fn verify(
        &self,
        key: &VerifyingKey,
        signature: &[u8; 64],
        now_ms: i64,
    ) -> Result<(), RequestError> {
        let message = message(
            self.relay_id,
            self.method,
            self.path_and_query,
            &self.body_sha256,
            self.time_ms,
            self.device,
        );
        verify_at(self.time_ms, now_ms, &message, key, signature)
    }
}

/// Parses the declared body hash header.
pub fn parse_body_sha256(hex_hash: &str) -> Result<[u8; 32], RequestError> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_hash.trim(), &mut out).map_err(|_| RequestError::Malformed)?;
    Ok(out)
}

impl RequestToSign<'_> {
    fn body_sha256(&self) -> [u8; 32] {
        Sha256::digest(self.body).into()
    }

    fn message(&self) -> Vec<u8> {
        message(
            self.relay_id,
            self.method,
            self.path_and_query,
            &self.body_sha256(),
            self.time_ms,
            self.device,
        )
    }

    /// Signs it.
    pub fn sign(&self, key: &SigningKey) -> [u8; 64] {
        key.sign(&self.message()).to_bytes()
    }

    /// The authentication headers to send with it, `(name, value)`, signed with `key` (the
    /// device's): every client sends exactly these, so they are written once.
    pub fn signed_headers(&self, key: &SigningKey) -> [(&'static str, String); 4] {
        [
            (HEADER_DEVICE, self.device.to_hex()),
            (HEADER_TIME, self.time_ms.to_string()),
            (HEADER_SIGNATURE, hex::encode(self.sign(key))),
            (HEADER_BODY_SHA256, hex::encode(self.body_sha256())),
        ]
    }

    /// Checks the time against `now_ms`, then the signature.
    pub fn verify(
        &self,
        key: &VerifyingKey,
        signature: &[u8; 64],
        now_ms: i64,
    ) -> Result<(), RequestError> {
        verify_at(self.time_ms, now_ms, &self.message(), key, signature)
    }
}

/// Parses the signature header.
pub fn parse_signature(hex_sig: &str) -> Result<[u8; 64], RequestError> {
    let mut out = [0u8; 64];
    hex::decode_to_slice(hex_sig.trim(), &mut out).map_err(|_| RequestError::Malformed)?;
    Ok(out)
}

/// The authentication headers of a request as the relay reads them: parsed, not checked yet
/// (that is [`RequestToSign::verify`], once the device's key is known).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedHeaders {
    /// The claimed device ([`HEADER_DEVICE`]).
    pub device: DeviceId,
    /// The claimed time, Unix milliseconds ([`HEADER_TIME`]).
    pub time_ms: i64,
    /// The signature ([`HEADER_SIGNATURE`]).
    pub signature: [u8; 64],
}

impl SignedHeaders {
    /// Parses the three header values, each `None` when the header is missing (or not text).
    /// Surrounding white space is ignored; anything else malformed is
    /// [`RequestError::Malformed`].
    pub fn parse(
        device: Option<&str>,
        time: Option<&str>,
        signature: Option<&str>,
    ) -> Result<Self, RequestError> {
        let device = device
            .and_then(|v| v.trim().parse::<DeviceId>().ok())
            .ok_or(RequestError::Malformed)?;
        let time_ms = time
            .and_then(|v| v.trim().parse::<i64>().ok())
            .ok_or(RequestError::Malformed)?;
        let signature = parse_signature(signature.ok_or(RequestError::Malformed)?)?;
        Ok(Self {
            device,
            time_ms,
            signature,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn signed_requests_verify_and_any_change_breaks_them() {
        let key = SigningKey::generate(&mut rand::rngs::OsRng);
        let req = RequestToSign {
            relay_id: "relay-1",
            method: "POST",
            path_and_query: "/v1/teams/ab/envelopes",
            body: b"body",
            time_ms: 1_000_000,
            device: DeviceId([4; 16]),
        };
        let sig = req.sign(&key);
        let vk = key.verifying_key();
        assert_eq!(req.verify(&vk, &sig, 1_000_000 + 1000), Ok(()));
        assert_eq!(
            req.verify(&vk, &sig, 1_000_000 + MAX_CLOCK_SKEW_MS + 1),
            Err(RequestError::Stale)
        );
        for changed in [
            RequestToSign {
                relay_id: "relay-2",
                ..req
            },
            RequestToSign {
                method: "GET",
                ..req
            },
            RequestToSign {
                path_and_query: "/v1/teams/ab/envelopes?x",
                ..req
            },
            RequestToSign {
                body: b"bodY",
                ..req
            },
            RequestToSign {
                time_ms: 1_000_001,
                ..req
            },
            RequestToSign {
                device: DeviceId([5; 16]),
                ..req
            },
        ] {
            assert_eq!(
                changed.verify(&vk, &sig, 1_000_000),
                Err(RequestError::BadSignature)
            );
        }
    }

    #[test]
    fn times_far_from_the_clock_are_stale_whatever_they_are() {
        // Found by fuzzing (fuzz/, target `request`): `(time - now).abs()` overflowed for a
        // time header near i64::MIN or i64::MAX, a panic in a debug build; in a release build
        // a time of exactly `now + i64::MIN` wrapped to a difference below the skew.
        let key = SigningKey::generate(&mut rand::rngs::OsRng);
        let now = 1_700_000_000_000;
        for time_ms in [
            i64::MIN,
            i64::MIN + now,
            i64::MIN + 1,
            -now,
            i64::MAX,
            i64::MAX - 1,
        ] {
            let req = RequestToSign {
                relay_id: "relay-1",
                method: "GET",
                path_and_query: "/v1/info",
                body: b"",
                time_ms,
                device: DeviceId([4; 16]),
            };
            let sig = req.sign(&key);
            for clock in [now, 0, -1, i64::MIN, i64::MAX] {
                let apart = (i128::from(time_ms) - i128::from(clock)).abs();
                let expected = if apart <= i128::from(MAX_CLOCK_SKEW_MS) {
                    Ok(())
                } else {
                    Err(RequestError::Stale)
                };
                assert_eq!(
                    req.verify(&key.verifying_key(), &sig, clock),
                    expected,
                    "{time_ms} at {clock}"
                );
            }
        }
    }

    #[test]
    fn signed_headers_carry_what_the_relay_checks() {
        let key = SigningKey::generate(&mut rand::rngs::OsRng);
        let req = RequestToSign {
            relay_id: "relay-1",
            method: "GET",
            path_and_query: "/v1/teams/ab/envelopes?after=3",
            body: b"",
            time_ms: 1_700_000_000_000,
            device: DeviceId([7; 16]),
        };
        let headers = req.signed_headers(&key);
        let value = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_str())
                .unwrap()
        };
        assert_eq!(value(HEADER_DEVICE), DeviceId([7; 16]).to_hex());
        assert_eq!(value(HEADER_TIME), "1700000000000");
        let sig = parse_signature(value(HEADER_SIGNATURE)).unwrap();
        assert_eq!(sig, req.sign(&key));
        // The declared hash is the body's, and the signature checks against it alone.
        let declared = parse_body_sha256(value(HEADER_BODY_SHA256)).unwrap();
        let before_the_body = DeclaredRequest {
            relay_id: req.relay_id,
            method: req.method,
            path_and_query: req.path_and_query,
            body_sha256: declared,
            time_ms: req.time_ms,
            device: req.device,
        };
        let vk = key.verifying_key();
        assert_eq!(before_the_body.verify(&vk, &sig, 1_700_000_000_000), Ok(()));
        let other_body = DeclaredRequest {
            body_sha256: Sha256::digest(b"another body").into(),
            ..before_the_body
        };
        assert_eq!(
            other_body.verify(&vk, &sig, 1_700_000_000_000),
            Err(RequestError::BadSignature)
        );
        assert_eq!(
            before_the_body.verify(&vk, &sig, 1_700_000_000_000 + MAX_CLOCK_SKEW_MS + 1),
            Err(RequestError::Stale)
        );
        assert!(parse_body_sha256("zz").is_err());
        let parsed = SignedHeaders::parse(
            Some(value(HEADER_DEVICE)),
            Some(value(HEADER_TIME)),
            Some(value(HEADER_SIGNATURE)),
        )
        .unwrap();
        assert_eq!(
            parsed,
            SignedHeaders {
                device: DeviceId([7; 16]),
                time_ms: 1_700_000_000_000,
                signature: sig,
            }
        );
        for missing in 0..3 {
            let mut values = [
                Some(value(HEADER_DEVICE)),
                Some(value(HEADER_TIME)),
                Some(value(HEADER_SIGNATURE)),
            ];
            values[missing] = None;
            assert_eq!(
                SignedHeaders::parse(values[0], values[1], values[2]),
                Err(RequestError::Malformed)
            );
        }
        assert_eq!(
            req.verify(&key.verifying_key(), &sig, 1_700_000_000_000),
            Ok(())
        );
    }
}
