//! Who is asking. Every request under `/v1/teams/{team}` is signed by a device of that team
//! ([`Member`]); `POST /v1/teams` and `POST /v1/join` are signed by the key their own body
//! introduces ([`Signed`] checked with [`admit`]).
//!
//! Order of checks: the signature (and its time) first, so that only the key's holder learns
//! anything about a device; then the rate limit; then the replay table; then revocation.

use super::error::ApiError;
use super::AppState;
use crate::storage::{DeviceLookup, DeviceRecord};
use axum::body::Bytes;
use axum::extract::{FromRequest, RawPathParams, Request};
use axum::http::{HeaderMap, StatusCode};
use axum::RequestExt;
use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha256};
use std::time::Instant;
use tandem_protocol::request::{
    RequestError, RequestToSign, SignedHeaders, HEADER_DEVICE, HEADER_SIGNATURE, HEADER_TIME,
    MAX_CLOCK_SKEW_MS,
};
use tandem_protocol::{DeviceId, RelayErrorCode, TeamId};

/// A request with its signed headers and whole body, not checked yet.
#[derive(Debug)]
pub struct Signed {
    /// The claimed device.
    pub device: DeviceId,
    time_ms: i64,
    signature: [u8; 64],
    method: String,
    path_and_query: String,
    /// The body.
    pub body: Bytes,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

const MISSING_AUTH: ApiError = ApiError::unauthenticated(
    RelayErrorCode::Unauthenticated,
    "missing or malformed x-tandem-device, x-tandem-time or x-tandem-signature",
);

impl Signed {
    async fn read(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let headers = req.headers();
        let SignedHeaders {
            device,
            time_ms,
            signature,
        } = SignedHeaders::parse(
            header(headers, HEADER_DEVICE),
            header(headers, HEADER_TIME),
            header(headers, HEADER_SIGNATURE),
        )
        .map_err(|_| MISSING_AUTH)?;
        let method = req.method().as_str().to_owned();
        let path_and_query = req
            .uri()
            .path_and_query()
            .map_or_else(|| req.uri().path().to_owned(), |p| p.as_str().to_owned());
        let body = Bytes::from_request(req, state).await.map_err(|rejection| {
            match rejection.status() {
                StatusCode::PAYLOAD_TOO_LARGE => ApiError::too_large(),
                _ => ApiError::malformed("the request body could not be read"),
            }
        })?;
        Ok(Self {
            device,
            time_ms,
            signature,
            method,
            path_and_query,
            body,
        })
    }

    /// Checks the time and the signature with `key`.
    fn verify(&self, relay_id: &str, key: &VerifyingKey, now_ms: i64) -> Result<(), ApiError> {
        RequestToSign {
            relay_id,
            method: &self.method,
            path_and_query: &self.path_and_query,
            body: &self.body,
            time_ms: self.time_ms,
            device: self.device,
        }
        .verify(key, &self.signature, now_ms)
        .map_err(|e| match e {
            RequestError::Stale => ApiError::unauthenticated(
                RelayErrorCode::Stale,
                "the request time is too far from the relay's clock",
            ),
            _ => ApiError::unauthenticated(
                RelayErrorCode::BadSignature,
                "the request signature is not valid",
            ),
        })
    }
}

impl FromRequest<AppState> for Signed {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        Self::read(req, state).await
    }
}

/// Parses a hex Ed25519 public key.
pub fn parse_public_key(hex_key: &str) -> Result<([u8; 32], VerifyingKey), ApiError> {
    const BAD: ApiError = ApiError::malformed("public_key is not a hex Ed25519 public key");
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(hex_key, &mut bytes).map_err(|_| BAD)?;
    let key = VerifyingKey::from_bytes(&bytes).map_err(|_| BAD)?;
    Ok((bytes, key))
}

fn verifying_key(bytes: &[u8; 32]) -> Result<VerifyingKey, ApiError> {
    VerifyingKey::from_bytes(bytes).map_err(|_| {
        tracing::error!("a stored device key is not a valid Ed25519 key");
        ApiError::internal()
    })
}

/// Lets a signed request in: signature and time, rate limit, then the replay table.
pub async fn admit(state: &AppState, signed: &Signed, key: &VerifyingKey) -> Result<(), ApiError> {
    let now = super::now_ms();
    signed.verify(state.storage().relay_id(), key, now)?;
    if !state.rate_limiter().allow(signed.device, Instant::now()) {
        return Err(ApiError::rate_limited());
    }
    // A request is only valid within the clock skew of its time, so its signature need only
    // be remembered that long.
    let hash: [u8; 32] = Sha256::digest(signed.signature).into();
    let expires = signed.time_ms.max(now) + MAX_CLOCK_SKEW_MS + 1000;
    if !state.storage().record_signature(hash, expires).await? {
        return Err(ApiError::unauthenticated(
            RelayErrorCode::Replayed,
            "this request was received already",
        ));
    }
    Ok(())
}

/// A request from an enrolled, unrevoked device of the team in the path.
#[derive(Debug)]
pub struct Member {
    /// The team in the path.
    pub team: TeamId,
    /// The device that signed.
    pub device: DeviceRecord,
    /// The body.
    pub body: Bytes,
    /// The query string, if any.
    pub query: Option<String>,
    params: Vec<(String, String)>,
}

impl Member {
    /// A path parameter other than the team.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl FromRequest<AppState> for Member {
    type Rejection = ApiError;

    async fn from_request(mut req: Request, state: &AppState) -> Result<Self, ApiError> {
        let params: Vec<(String, String)> = req
            .extract_parts::<RawPathParams>()
            .await
            .map_err(|_| ApiError::malformed("bad path"))?
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let team = params
            .iter()
            .find(|(k, _)| k == "team")
            .and_then(|(_, v)| v.parse::<TeamId>().ok())
            .ok_or(ApiError::malformed("the team id is not 32 hex digits"))?;
        let query = req.uri().query().map(str::to_owned);
        let signed = Signed::read(req, state).await?;
        match state.storage().lookup_device(team, signed.device).await? {
            DeviceLookup::UnknownTeam => Err(ApiError::not_found(
                RelayErrorCode::UnknownTeam,
                "this relay has no such team",
            )),
            DeviceLookup::Unknown => Err(ApiError::unauthenticated(
                RelayErrorCode::UnknownDevice,
                "this device is not enrolled",
            )),
            DeviceLookup::OtherTeam(key) => {
                admit(state, &signed, &verifying_key(&key)?).await?;
                Err(ApiError::forbidden(
                    RelayErrorCode::WrongTeam,
                    "this device is not a member of this team",
                ))
            }
            DeviceLookup::Member(device) => {
                admit(state, &signed, &verifying_key(&device.public_key)?).await?;
                if device.revoked_at_ms.is_some() {
                    return Err(ApiError::forbidden(
                        RelayErrorCode::Revoked,
                        "this device has been revoked",
                    ));
                }
                Ok(Self {
                    team,
                    device,
                    body: signed.body,
                    query,
                    params,
                })
            }
        }
    }
}
