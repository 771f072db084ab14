//! Key epochs: an admin device parks a new epoch's key, sealed once per remaining device, and
//! each device fetches its own. The relay checks who signed and who is addressed; it cannot
//! open a package.

use super::auth::Member;
use super::envelopes::query_u64;
use super::error::ApiError;
use super::{now_ms, AppState};
use crate::storage::{KeyEpochOutcome, NewKeyPackage, Refusal, StorageError};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use ed25519_dalek::VerifyingKey;
use std::collections::HashSet;
use tandem_protocol::api::{DeviceRole, KeyPackages, PostKeyPackages};
use tandem_protocol::key_package::KeyPackage;
use tandem_protocol::RelayErrorCode;

/// More packages than any team has devices is not a key epoch.
const MAX_PACKAGES: usize = 1000;

/// `POST /v1/teams/{team}/keys` (admins only).
pub async fn post(
    State(state): State<AppState>,
    member: Member,
) -> Result<(StatusCode, Json<KeyPackages>), ApiError> {
    // A team with a record rotates keys with a `KeyEpoch` entry and its packages.
    super::record::refuse_on_record_team(&state, member.team).await?;
    if member.device.role != DeviceRole::Admin {
        return Err(ApiError::forbidden(
            RelayErrorCode::NotAdmin,
            "only an admin device may start a key epoch",
        ));
    }
    let body: PostKeyPackages = serde_json::from_slice(&member.body)
        .map_err(|_| ApiError::malformed("the body is not a PostKeyPackages"))?;
    if body.packages.is_empty() || body.packages.len() > MAX_PACKAGES {
        return Err(ApiError::malformed(
            "a key epoch needs between 1 and 1000 packages",
        ));
    }
    let signer = VerifyingKey::from_bytes(&member.device.public_key).map_err(|_| {
        tracing::error!("a stored device key is not a valid Ed25519 key");
        ApiError::internal()
    })?;
    let mut recipients = HashSet::new();
    let mut packages = Vec::with_capacity(body.packages.len());
    for hex_package in &body.packages {
        let package = hex::decode(hex_package)
            .ok()
            .and_then(|b| KeyPackage::parse(b).ok())
            .ok_or(ApiError::malformed("a package is not a hex key package"))?;
        let h = *package.header();
        if h.team != member.team || h.epoch != body.epoch || h.from != member.device.device {
            return Err(ApiError::malformed(
                "a package names another team, epoch or sender",
            ));
        }
        if package.verify(&signer).is_err() {
            return Err(ApiError::bad_request(
                RelayErrorCode::BadSignature,
                "a package is not signed by the posting device",
            ));
        }
        if !recipients.insert(h.to) {
            return Err(ApiError::malformed("two packages for the same device"));
        }
        packages.push(NewKeyPackage {
            to: h.to,
            from: h.from,
            bytes: package.bytes().to_vec(),
        });
    }
    let outcome = state
        .storage()
        .put_key_packages(member.team, body.epoch, packages, now_ms())
        .await
        .map_err(|e| match e {
            // For a key epoch, "exists" means the epoch, with other packages.
            StorageError::Refused(Refusal::Exists) => ApiError::conflict(
                RelayErrorCode::EpochExists,
                "this key epoch exists with other packages",
            ),
            other => other.into(),
        })?;
    let status = match outcome {
        KeyEpochOutcome::Stored => {
            tracing::info!(team = %member.team, device = %member.device.device, epoch = body.epoch, "key epoch started");
            StatusCode::CREATED
        }
        KeyEpochOutcome::AlreadyThere => StatusCode::OK,
    };
    Ok((
        status,
        Json(KeyPackages {
            current_epoch: body.epoch,
            packages: Vec::new(),
        }),
    ))
}

/// `GET /v1/teams/{team}/keys?after_epoch=N`: the packages sealed for the asking device.
pub async fn fetch(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<KeyPackages>, ApiError> {
    let after = query_u64(member.query.as_deref(), "after_epoch")?.unwrap_or(0);
    let after = u32::try_from(after).unwrap_or(u32::MAX);
    let found = state
        .storage()
        .key_packages(member.team, member.device.device, after)
        .await?;
    Ok(Json(KeyPackages {
        current_epoch: found.current_epoch,
        packages: found.packages.iter().map(|(_, b)| hex::encode(b)).collect(),
    }))
}
