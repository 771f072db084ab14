//! Who is asking. Every request under `/v1/teams/{team}` is signed by a device of that team
//! ([`Member`]); `POST /v1/teams` and `POST /v1/join` are signed by the key their own body
//! introduces ([`Signed`] checked with [`admit`]).
//!
//! Order of checks: the headers and their time, then (team routes) the device, then the
//! signature over the declared body hash, all before the body is read; then the body,
//! within its route's limit, against that hash (an older client, which declares none: the
//! body first, then the signature over it); then the rate limit; then the replay table; then
//! revocation and team. Only the key's holder learns whether a device is revoked.

use super::error::ApiError;
use super::AppState;
use crate::storage::{DeviceLookup, DeviceRecord};
use axum::body::{Body, Bytes, HttpBody as _};
use axum::extract::{FromRequest, RawPathParams, Request};
use axum::http::{header, HeaderMap};
use axum::RequestExt;
use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha256};
use std::time::Instant;
use tandem_protocol::request::{
    parse_body_sha256, parse_signature, DeclaredRequest, RequestError, RequestToSign,
    HEADER_BODY_SHA256, HEADER_DEVICE, HEADER_SIGNATURE, HEADER_TIME, MAX_CLOCK_SKEW_MS,
};
use tandem_protocol::{DeviceId, RelayErrorCode, TeamId};

/// A request's signed headers, parsed and their time checked: all of it before the body is
/// read, so a stranger's request is answered without reading what it sends.
#[derive(Debug, Clone)]
pub(super) struct SignedHeaders {
    /// The claimed device.
    pub(super) device: DeviceId,
    time_ms: i64,
    signature: [u8; 64],
    /// The body's SHA-256 as declared (newer clients): the signature can be checked with it
    /// before the body is read.
    declared: Option<[u8; 32]>,
    method: String,
    path_and_query: String,
    content_length: Option<u64>,
}

impl SignedHeaders {
    /// Parses them: 401 if one is missing or malformed, or the time is too far from the
    /// relay's clock (no key needed for that).
    pub(super) fn parse(parts: &axum::http::request::Parts) -> Result<Self, ApiError> {
        let headers = &parts.headers;
        let device = header(headers, HEADER_DEVICE)
            .and_then(|v| v.trim().parse::<DeviceId>().ok())
            .ok_or(MISSING_AUTH)?;
        let time_ms = header(headers, HEADER_TIME)
            .and_then(|v| v.trim().parse::<i64>().ok())
            .ok_or(MISSING_AUTH)?;
        let signature = header(headers, HEADER_SIGNATURE)
            .ok_or(MISSING_AUTH)
            .and_then(|v| parse_signature(v).map_err(|_| MISSING_AUTH))?;
        let declared = match header(headers, HEADER_BODY_SHA256) {
            Some(v) => Some(parse_body_sha256(v).map_err(|_| MISSING_AUTH)?),
            None if headers.contains_key(HEADER_BODY_SHA256) => return Err(MISSING_AUTH),
            None => None,
        };
        if (time_ms - super::now_ms()).abs() > MAX_CLOCK_SKEW_MS {
            return Err(STALE);
        }
        let content_length = header(headers, header::CONTENT_LENGTH.as_str())
            .and_then(|v| v.trim().parse::<u64>().ok());
        Ok(Self {
            device,
            time_ms,
            signature,
            declared,
            method: parts.method.as_str().to_owned(),
            path_and_query: parts
                .uri
                .path_and_query()
                .map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned()),
            content_length,
        })
    }

    /// Checks the signature over the declared body hash, before reading the body; `false`
    /// when none was declared (an older client: checked once the body is read).
    pub(super) fn verify_declared(
        &self,
        relay_id: &str,
        key: &VerifyingKey,
        now_ms: i64,
    ) -> Result<bool, ApiError> {
        let Some(body_sha256) = self.declared else {
            return Ok(false);
        };
        DeclaredRequest {
            relay_id,
            method: &self.method,
            path_and_query: &self.path_and_query,
            body_sha256,
            time_ms: self.time_ms,
            device: self.device,
        }
        .verify(key, &self.signature, now_ms)
        .map_err(request_error)?;
        Ok(true)
    }

    /// Checks the time and the signature over `body`.
    fn verify_body(
        &self,
        relay_id: &str,
        key: &VerifyingKey,
        body: &[u8],
        now_ms: i64,
    ) -> Result<(), ApiError> {
        RequestToSign {
            relay_id,
            method: &self.method,
            path_and_query: &self.path_and_query,
            body,
            time_ms: self.time_ms,
            device: self.device,
        }
        .verify(key, &self.signature, now_ms)
        .map_err(request_error)
    }

    /// The largest body this route takes: a push or a snapshot batch, a snapshot (one
    /// envelope), or JSON.
    fn body_limit(&self, state: &AppState) -> usize {
        let limits = state.limits();
        let path = self.path_and_query.split('?').next().unwrap_or("");
        match (self.method.as_str(), path) {
            ("POST", p) if p.ends_with("/envelopes") => limits.max_body_bytes,
            ("POST", p) if p.ends_with("/snapshots") => limits.max_envelope_bytes,
            ("POST", p) if p.ends_with("/snapshots/batch") => limits.max_body_bytes,
            _ => limits.max_json_bytes.min(limits.max_body_bytes),
        }
    }

    /// Reads the body, at most the route's limit (a declared length over it is refused
    /// without reading), and checks it against the declared hash.
    async fn read_body(&self, body: Body, state: &AppState) -> Result<Bytes, ApiError> {
        let limit = self.body_limit(state);
        if self.content_length.is_some_and(|len| len > limit as u64) {
            return Err(ApiError::too_large());
        }
        let bytes = read_limited(body, limit).await?;
        if let Some(declared) = self.declared {
            let actual: [u8; 32] = Sha256::digest(&bytes).into();
            if actual != declared {
                return Err(ApiError::unauthenticated(
                    RelayErrorCode::BadSignature,
                    "the body is not the one the request signature names",
                ));
            }
        }
        Ok(bytes)
    }
}

/// Reads a body of at most `limit` bytes: 413 as soon as it goes over.
async fn read_limited(mut body: Body, limit: usize) -> Result<Bytes, ApiError> {
    let mut out: Vec<u8> = Vec::new();
    while let Some(frame) =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await
    {
        let frame = frame.map_err(|_| ApiError::malformed("the request body could not be read"))?;
        if let Ok(data) = frame.into_data() {
            if out.len().saturating_add(data.len()) > limit {
                return Err(ApiError::too_large());
            }
            out.extend_from_slice(&data);
        }
    }
    Ok(Bytes::from(out))
}

fn request_error(e: RequestError) -> ApiError {
    match e {
        RequestError::Stale => STALE,
        _ => ApiError::unauthenticated(
            RelayErrorCode::BadSignature,
            "the request signature is not valid",
        ),
    }
}

const STALE: ApiError = ApiError::unauthenticated(
    RelayErrorCode::Stale,
    "the request time is too far from the relay's clock",
);

/// A request with its signed headers and whole body, not checked yet (`POST /v1/teams` and
/// `POST /v1/join`, whose key is in the body: JSON, so the body is small).
#[derive(Debug)]
pub struct Signed {
    headers: SignedHeaders,
    /// The claimed device.
    pub device: DeviceId,
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
        let (parts, body) = req.into_parts();
        let headers = SignedHeaders::parse(&parts)?;
        let body = headers.read_body(body, state).await?;
        Ok(Self {
            device: headers.device,
            headers,
            body,
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
    signed.headers.verify_body(
        state.storage().relay_id(),
        key,
        &signed.body,
        super::now_ms(),
    )?;
    admit_verified(state, &signed.headers).await
}

/// Rate limit, then the replay table, for a request whose signature was checked.
async fn admit_verified(state: &AppState, signed: &SignedHeaders) -> Result<(), ApiError> {
    let now = super::now_ms();
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
        let (parts, body) = req.into_parts();
        let signed = SignedHeaders::parse(&parts)?;
        // Who it claims to be, before anything of the body is read.
        let found = state.storage().lookup_device(team, signed.device).await?;
        let key = match &found {
            DeviceLookup::UnknownTeam => {
                return Err(ApiError::not_found(
                    RelayErrorCode::UnknownTeam,
                    "this relay has no such team",
                ))
            }
            DeviceLookup::Unknown => {
                return Err(ApiError::unauthenticated(
                    RelayErrorCode::UnknownDevice,
                    "this device is not enrolled",
                ))
            }
            DeviceLookup::OtherTeam(key) => verifying_key(key)?,
            DeviceLookup::Member(device) => verifying_key(&device.public_key)?,
        };
        let relay_id = state.storage().relay_id();
        // Its signature over the declared body hash, still before reading the body (an
        // older client declares none: its body is read, within the route's limit, first).
        let checked = signed.verify_declared(relay_id, &key, super::now_ms())?;
        let body = signed.read_body(body, state).await?;
        if !checked {
            signed.verify_body(relay_id, &key, &body, super::now_ms())?;
        }
        admit_verified(state, &signed).await?;
        match found {
            DeviceLookup::Member(device) if device.revoked_at_ms.is_none() => Ok(Self {
                team,
                device,
                body,
                query,
                params,
            }),
            DeviceLookup::Member(_) => Err(ApiError::forbidden(
                RelayErrorCode::Revoked,
                "this device has been revoked",
            )),
            _ => Err(ApiError::forbidden(
                RelayErrorCode::WrongTeam,
                "this device is not a member of this team",
            )),
        }
    }
}
