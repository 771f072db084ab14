//! Teams, devices and invites.

use super::auth::{admit, parse_public_key, Member, Signed};
use super::error::ApiError;
use super::record::{current_state, refuse_on_record_team, state_at, whole_record, UNKNOWN_INVITE};
use super::{now_ms, AppState};
use crate::config::CreationRefused;
use crate::storage::{
    judge_founding, record_invite_open, record_invite_parkable, stored_invite_usable, NewInvite,
    Refusal, StorageError, StoredInvite,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::de::DeserializeOwned;
use tandem_protocol::api::{
    CreateInvite, CreateTeam, DeviceInfo, DeviceRole, JoinAccepted, JoinTeam,
};
use tandem_protocol::invite::token_hash;
use tandem_protocol::record::{invite_id, UncheckedEntry};
use tandem_protocol::DeviceId;
use tandem_protocol::RelayErrorCode;

/// The longest an invite may stay open.
pub const MAX_INVITE_SECONDS: u64 = 7 * 24 * 3600;
/// A sealed team key is a nonce, 36 bytes per key epoch and a tag; anything much larger is
/// not one.
const MAX_SEALED_KEY_BYTES: usize = 16 * 1024;

fn json<T: DeserializeOwned>(body: &[u8], what: &'static str) -> Result<T, ApiError> {
    // serde's messages may quote the input: answer with a fixed reason instead.
    serde_json::from_slice(body).map_err(|_| ApiError::malformed(what))
}

const NOT_THE_SIGNER: ApiError =
    ApiError::malformed("the body names a device other than the signer");

/// `POST /v1/teams`: signed by the first device, whose key is in the body, and carrying the
/// operator's token unless creation is open. The token is checked first: a relay closed to
/// new teams spends no signature check and writes nothing (not even the replay table) for
/// a stranger's request.
pub async fn create_team(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<StatusCode, ApiError> {
    let body: CreateTeam = json(&signed.body, "the body is not a CreateTeam")?;
    state
        .team_creation()
        .admits(body.creation_token.as_deref())
        .map_err(|refused| match refused {
            CreationRefused::Closed => ApiError::forbidden(
                RelayErrorCode::TeamCreationClosed,
                "this relay takes no new teams: its operator has not opened team creation",
            ),
            CreationRefused::BadToken => ApiError::forbidden(
                RelayErrorCode::BadCreationToken,
                "creating a team on this relay needs its operator's token; this one is \
                 missing or wrong",
            ),
        })?;
    if body.device != signed.device {
        return Err(NOT_THE_SIGNER);
    }
    let (key_bytes, key) = parse_public_key(&body.public_key)?;
    let founding = body
        .founding
        .as_deref()
        .map(|hex_entry| {
            hex::decode(hex_entry)
                .ok()
                .and_then(|bytes| UncheckedEntry::parse(&bytes).ok())
                .ok_or(ApiError::malformed(
                    "founding is not a hex team-record entry",
                ))
        })
        .transpose()?;
    admit(&state, &signed, &key).await?;
    let Some(founding) = founding else {
        state
            .storage()
            .create_team(body.team, body.device, key_bytes, now_ms())
            .await?;
        tracing::info!(team = %body.team, device = %body.device, "team created");
        return Ok(StatusCode::CREATED);
    };
    // The record's founding entry: this device's own, with this key, an admin alone.
    let judged = judge_founding(body.team, body.device, key_bytes, &founding)?;
    state
        .storage()
        .create_record_team(body.team, judged.devices, judged.entry, now_ms())
        .await?;
    state.records().put(judged.state);
    tracing::info!(team = %body.team, device = %body.device, "team created with a record");
    Ok(StatusCode::CREATED)
}

/// `POST /v1/join`: redeems an invite, signed by the new device's key in the body.
pub async fn join(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Json<JoinAccepted>, ApiError> {
    let body: JoinTeam = json(&signed.body, "the body is not a JoinTeam")?;
    if body.device != signed.device {
        return Err(NOT_THE_SIGNER);
    }
    let (key_bytes, key) = parse_public_key(&body.public_key)?;
    let token = hex::decode(&body.token)
        .ok()
        .filter(|t| !t.is_empty() && t.len() <= 64)
        .ok_or(ApiError::malformed("the invite token is not hex"))?;
    admit(&state, &signed, &key).await?;
    let hash = token_hash(&token);
    if let Some(invite) = state.storage().record_invite(hash).await? {
        if let Some(id) = invite.invite_id {
            return offer(&state, invite, id).await.map(Json);
        }
    }
    let redeemed = state
        .storage()
        .redeem_invite(hash, body.device, key_bytes, now_ms())
        .await
        .map_err(|e| match e {
            StorageError::Refused(Refusal::NotFound) => UNKNOWN_INVITE,
            other => other.into(),
        })?;
    tracing::info!(team = %redeemed.team, device = %body.device, "device joined");
    Ok(Json(JoinAccepted {
        team: redeemed.team,
        sealed_team_key: hex::encode(redeemed.sealed_team_key),
        relay_id: state.storage().relay_id().to_owned(),
        record: Vec::new(),
        enrolled: true,
    }))
}

/// A join offer for a team with a record: the invite is usable (by the relay's bookkeeping
/// and clock, and by the record: open, its maker active), so the device is handed the whole
/// record and the sealed keys, and enrolled by nothing; it verifies the record and completes
/// with `POST /v1/join/complete`. Asking again is harmless (a lost answer).
async fn offer(
    state: &AppState,
    invite: StoredInvite,
    id: [u8; 16],
) -> Result<JoinAccepted, ApiError> {
    stored_invite_usable(&invite, now_ms())?;
    let record = current_state(state, invite.team).await?;
    record_invite_open(&record, &id)?;
    Ok(JoinAccepted {
        team: invite.team,
        sealed_team_key: hex::encode(&invite.sealed_team_key),
        relay_id: state.storage().relay_id().to_owned(),
        record: whole_record(state, invite.team).await?,
        enrolled: false,
    })
}

/// `GET /v1/teams/{team}/devices`.
pub async fn devices(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<Vec<DeviceInfo>>, ApiError> {
    let devices = state.storage().devices(member.team).await?;
    Ok(Json(devices.iter().map(|d| d.info()).collect()))
}

/// `POST /v1/teams/{team}/devices/{device}/revoke` (admins only).
pub async fn revoke(State(state): State<AppState>, member: Member) -> Result<StatusCode, ApiError> {
    refuse_on_record_team(&state, member.team).await?;
    if member.device.role != DeviceRole::Admin {
        return Err(ApiError::forbidden(
            RelayErrorCode::NotAdmin,
            "only an admin device may revoke devices",
        ));
    }
    let target: DeviceId = member
        .param("device")
        .and_then(|d| d.parse().ok())
        .ok_or(ApiError::malformed("the device id is not 32 hex digits"))?;
    state
        .storage()
        .revoke(member.team, target, now_ms())
        .await
        .map_err(|e| match e {
            StorageError::Refused(Refusal::NotFound) => {
                ApiError::not_found(RelayErrorCode::UnknownDevice, "no such device in this team")
            }
            other => other.into(),
        })?;
    tracing::info!(team = %member.team, device = %member.device.device, revoked = %target, "device revoked");
    Ok(StatusCode::OK)
}

/// `POST /v1/teams/{team}/invites`: any member may invite.
pub async fn create_invite(
    State(state): State<AppState>,
    member: Member,
) -> Result<StatusCode, ApiError> {
    let body: CreateInvite = json(&member.body, "the body is not a CreateInvite")?;
    let mut hash = [0u8; 32];
    hex::decode_to_slice(&body.token_hash, &mut hash)
        .map_err(|_| ApiError::malformed("token_hash is not 64 hex digits"))?;
    let sealed_team_key = hex::decode(&body.sealed_team_key)
        .ok()
        .filter(|k| !k.is_empty() && k.len() <= MAX_SEALED_KEY_BYTES)
        .ok_or(ApiError::malformed(
            "sealed_team_key is not a sealed key in hex",
        ))?;
    if body.expires_in_s == 0 || body.expires_in_s > MAX_INVITE_SECONDS {
        return Err(ApiError::malformed(
            "expires_in_s must be between 1 s and 7 days",
        ));
    }
    let now = now_ms();
    let expires_in_ms = i64::try_from(body.expires_in_s * 1000).unwrap_or(i64::MAX);
    let mut invite = NewInvite {
        token_hash: hash,
        team: member.team,
        created_by: member.device.device,
        sealed_team_key,
        created_at_ms: now,
        expires_at_ms: now.saturating_add(expires_in_ms),
        epoch: body.epoch,
    };
    match state.storage().record_head(member.team).await? {
        None => state.storage().create_invite(invite).await?,
        Some(head) => {
            // The record must hold this invite, made by this device and still open; the
            // relay keeps it no longer than the record says.
            let id = invite_id(&hash);
            let record = state_at(&state, member.team, head).await?;
            let until = record_invite_parkable(&record, &id, member.device.device)?;
            invite.expires_at_ms = invite
                .expires_at_ms
                .min(i64::try_from(until).unwrap_or(i64::MAX));
            state.storage().create_record_invite(invite, id).await?;
        }
    }
    tracing::info!(team = %member.team, device = %member.device.device, "invite created");
    Ok(StatusCode::CREATED)
}
