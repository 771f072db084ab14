//! The team record: `GET`/`POST /v1/teams/{team}/record`, and the end of a join
//! (`POST /v1/join/complete`). Every post is judged by `storage::judge_record_post` on the
//! verified record at the head it was read at (the cache), outside any transaction, and
//! stored with a compare-and-swap on that head: a post racing another on the same head gets
//! 409 `record_conflict` and stores nothing.

use super::auth::{admit, Member, Signed};
use super::envelopes::query_u64;
use super::error::ApiError;
use super::{now_ms, AppState};
use crate::storage::{
    already_stored, judge_entry_clock, judge_migration, judge_post_shape, judge_record_post,
    refused, stored_invite_usable, JudgedPost, LegacyTeam, RecordAppend, RecordBase, RecordHead,
    Refusal, Via, MAX_RECORD_POST,
};
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ed25519_dalek::VerifyingKey;
use std::sync::Arc;
use tandem_protocol::api::{
    self, CompleteJoin, JoinAccepted, PostRecord, HEADER_MORE, HEADER_RECORD_HASH,
    HEADER_RECORD_SEQ, RECORD_PAGE,
};
use tandem_protocol::frames::encode_page;
use tandem_protocol::invite::token_hash;
use tandem_protocol::key_package::KeyPackage;
use tandem_protocol::record::{invite_id, EntryBody, Origin, RecordState, UncheckedEntry};
use tandem_protocol::{RelayErrorCode, TeamId};

/// More packages than any team has devices is not a key epoch.
const MAX_PACKAGES: usize = 1000;

const NO_RECORD: ApiError = ApiError::bad_request(
    RelayErrorCode::NoRecord,
    "this team has no record: it keeps the older membership routes",
);

/// The team's record head, or 400 `no_record`.
pub(super) async fn head_of(state: &AppState, team: TeamId) -> Result<RecordHead, ApiError> {
    state.storage().record_head(team).await?.ok_or(NO_RECORD)
}

/// 410 `use_team_record` if the team has a record: for the older membership routes.
pub(super) async fn refuse_on_record_team(state: &AppState, team: TeamId) -> Result<(), ApiError> {
    match state.storage().record_head(team).await? {
        Some(_) => Err(Refusal::UseTeamRecord.into()),
        None => Ok(()),
    }
}

/// The team's verified record at `head`.
pub(super) async fn state_at(
    state: &AppState,
    team: TeamId,
    head: RecordHead,
) -> Result<Arc<RecordState>, ApiError> {
    Ok(state
        .records()
        .state_at(state.storage(), team, head)
        .await?)
}

/// The team's verified record at its head now (400 `no_record` without one).
pub(super) async fn current_state(
    state: &AppState,
    team: TeamId,
) -> Result<Arc<RecordState>, ApiError> {
    let head = head_of(state, team).await?;
    state_at(state, team, head).await
}

/// Every entry of the record from seq 0 up to its head, hex, for a join offer.
pub(super) async fn whole_record(state: &AppState, team: TeamId) -> Result<Vec<String>, ApiError> {
    let mut out = Vec::new();
    loop {
        let page = state
            .storage()
            .record_page(team, out.len() as u64, RECORD_PAGE)
            .await?;
        let more = page.more && !page.entries.is_empty();
        out.extend(page.entries.iter().map(|(_, bytes)| hex::encode(bytes)));
        if !more {
            return Ok(out);
        }
    }
}

fn parse_entry(hex_entry: &str) -> Result<UncheckedEntry, ApiError> {
    hex::decode(hex_entry)
        .ok()
        .and_then(|bytes| UncheckedEntry::parse(&bytes).ok())
        .ok_or(ApiError::malformed(
            "an entry is not a hex team-record entry",
        ))
}

fn head_answer(head: RecordHead) -> api::RecordHead {
    api::RecordHead {
        seq: head.seq,
        hash: hex::encode(head.hash),
    }
}

/// `GET /v1/teams/{team}/record?from=N`: the record's entries from seq `N` (default 0), at
/// most [`RECORD_PAGE`], as frames (each frame's seq is its entry's); the head in
/// `x-tandem-record-seq` and `x-tandem-record-hash`, `x-tandem-more` when more follow.
pub async fn fetch(State(state): State<AppState>, member: Member) -> Result<Response, ApiError> {
    let from = query_u64(member.query.as_deref(), "from")?.unwrap_or(0);
    let page = state
        .storage()
        .record_page(member.team, from, RECORD_PAGE)
        .await?;
    let head = page.head.ok_or(NO_RECORD)?;
    let mut response = (
        [(header::CONTENT_TYPE, "application/octet-stream")],
        encode_page(&page.entries),
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(HEADER_RECORD_SEQ, HeaderValue::from(head.seq));
    if let Ok(hash) = HeaderValue::from_str(&hex::encode(head.hash)) {
        headers.insert(HEADER_RECORD_HASH, hash);
    }
    headers.insert(
        HEADER_MORE,
        HeaderValue::from_static(if page.more { "1" } else { "0" }),
    );
    Ok(response)
}

/// The answer a post got the first time, if every entry of it is stored already byte for
/// byte (a re-post after a lost answer).
async fn stored_already(
    state: &AppState,
    team: TeamId,
    entries: &[UncheckedEntry],
) -> Result<Option<api::RecordHead>, ApiError> {
    let first = entries[0].header().seq;
    let stored = state
        .storage()
        .record_page(team, first, entries.len())
        .await?
        .entries;
    Ok(already_stored(&stored, entries).then(|| {
        let last = &entries[entries.len() - 1];
        head_answer(RecordHead {
            seq: last.header().seq,
            hash: last.hash(),
        })
    }))
}

/// Stores a judged post on the head it was judged at, keeping the new state.
async fn store(
    state: &AppState,
    team: TeamId,
    on: RecordBase,
    judged: JudgedPost,
) -> Result<RecordHead, ApiError> {
    let new = state
        .storage()
        .append_record(RecordAppend {
            team,
            on,
            entries: judged.entries,
            effects: judged.effects,
            now_ms: now_ms(),
        })
        .await?;
    state.records().put(judged.state);
    Ok(new)
}

/// `POST /v1/teams/{team}/record`: [`PostRecord`], entries signed by the posting device on
/// the record's head. 201 with the new head; 200 with the same when every entry is stored
/// already, byte for byte; 409 `record_conflict` (the head in the reason) when they are not
/// on the head; 403 `record_refused` (the rule in the reason) when a rule refuses them, or
/// their key packages; 400 `no_record` for a team without a record. Nothing stored unless
/// all of it is.
pub async fn post(
    State(state): State<AppState>,
    member: Member,
) -> Result<(StatusCode, Json<api::RecordHead>), ApiError> {
    let body: PostRecord = serde_json::from_slice(&member.body)
        .map_err(|_| ApiError::malformed("the body is not a PostRecord"))?;
    if body.entries.is_empty() || body.entries.len() > MAX_RECORD_POST {
        return Err(ApiError::malformed("a post holds between 1 and 16 entries"));
    }
    if body.packages.len() > MAX_PACKAGES {
        return Err(ApiError::malformed(
            "more key packages than a team has devices",
        ));
    }
    let entries = body
        .entries
        .iter()
        .map(|e| parse_entry(e))
        .collect::<Result<Vec<_>, _>>()?;
    let packages = body
        .packages
        .iter()
        .map(|p| {
            hex::decode(p)
                .ok()
                .and_then(|b| KeyPackage::parse(b).ok())
                .ok_or(ApiError::malformed("a package is not a hex key package"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let team = member.team;
    let via = Via::Post {
        poster: member.device.device,
    };
    let log_head = state.storage().head(team).await?;
    let Some(head) = state.storage().record_head(team).await? else {
        judge_entry_clock(&entries, u64::try_from(now_ms()).unwrap_or(0), log_head)?;
        return migrate(&state, &member, log_head, &entries, &packages).await;
    };
    if matches!(
        entries[0].body(),
        EntryBody::Founding {
            origin: Origin::Migrated,
            ..
        }
    ) {
        // A migration's post again after a lost answer is answered as the first time; any
        // other founding entry has no place on a record.
        return match stored_already(&state, team, &entries).await? {
            Some(answer) => Ok((StatusCode::OK, Json(answer))),
            None => Err(Refusal::RecordRefused {
                rule: refused::FOUNDING_VIA_CREATE_TEAM,
            }
            .into()),
        };
    }
    judge_post_shape(&entries, via)?;
    judge_entry_clock(&entries, u64::try_from(now_ms()).unwrap_or(0), log_head)?;
    if entries[0].header().team == team && entries[0].header().seq <= head.seq {
        // Entries at or before the head: the same answer again if they are stored already
        // (a lost answer), else a conflict.
        return match stored_already(&state, team, &entries).await? {
            Some(answer) => Ok((StatusCode::OK, Json(answer))),
            None => Err(ApiError::record_conflict(head.seq)),
        };
    }
    let at_head = state_at(&state, team, head).await?;
    let judged = judge_record_post(&at_head, &entries, &packages, via)?;
    let new = store(&state, team, RecordBase::Head(head), judged).await?;
    tracing::info!(%team, device = %member.device.device, seq = new.seq, entries = entries.len(), "record entries stored");
    Ok((StatusCode::CREATED, Json(head_answer(new))))
}

/// The first record of a team made before the record (`storage::judge_migration`): a
/// migrated founding entry by an admin the relay lists, then the key epoch for the devices
/// it keeps. 201 with the new head; 409 `record_conflict` when another migration or a key
/// epoch through the older route got there first.
async fn migrate(
    state: &AppState,
    member: &Member,
    log_head: u64,
    entries: &[UncheckedEntry],
    packages: &[KeyPackage],
) -> Result<(StatusCode, Json<api::RecordHead>), ApiError> {
    let team = member.team;
    let devices = state.storage().devices(team).await?;
    let epoch = state
        .storage()
        .key_packages(team, member.device.device, u32::MAX)
        .await?
        .current_epoch;
    let legacy = LegacyTeam {
        devices: &devices,
        epoch,
        log_head,
    };
    let judged = judge_migration(team, &member.device, legacy, entries, packages)?;
    let base = RecordBase::Legacy {
        epoch,
        devices: devices.len() as u64,
    };
    let new = store(state, team, base, judged).await?;
    tracing::info!(%team, device = %member.device.device, seq = new.seq, "team record set up for a team from before");
    Ok((StatusCode::CREATED, Json(head_answer(new))))
}

const NOT_THE_SIGNER: ApiError =
    ApiError::malformed("the entry's author is not the device that signed the request");

/// `POST /v1/join/complete`: [`CompleteJoin`], signed with the key its `DeviceJoined` entry
/// introduces. The relay checks the token's invite is its record's, unused, unrevoked and
/// unexpired (its clock), that the entry is a join for it on the record's head and accepted
/// by the record's rules; then, in one transaction, stores it, marks the invite used and
/// enrols the device (as a member). 201 [`JoinAccepted`] (`enrolled`); the same with 200
/// when the entry is stored already (a lost answer); 409 `record_conflict` off the head.
pub async fn complete_join(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<(StatusCode, Json<JoinAccepted>), ApiError> {
    let body: CompleteJoin = serde_json::from_slice(&signed.body)
        .map_err(|_| ApiError::malformed("the body is not a CompleteJoin"))?;
    let entry = parse_entry(&body.entry)?;
    let EntryBody::DeviceJoined {
        invite_id: joined_with,
        device_key,
        ..
    } = entry.body()
    else {
        return Err(ApiError::record_refused(refused::NOT_A_JOIN));
    };
    let (joined_with, device_key) = (*joined_with, *device_key);
    let h = *entry.header();
    if h.author != signed.device {
        return Err(NOT_THE_SIGNER);
    }
    let key =
        VerifyingKey::from_bytes(&device_key).map_err(|_| ApiError::record_refused("bad_key"))?;
    let token = hex::decode(&body.token)
        .ok()
        .filter(|t| !t.is_empty() && t.len() <= 64)
        .ok_or(ApiError::malformed("the invite token is not hex"))?;
    admit(&state, &signed, &key).await?;
    let hash = token_hash(&token);
    let invite = state
        .storage()
        .record_invite(hash)
        .await?
        .ok_or(UNKNOWN_INVITE)?;
    let Some(id) = invite.invite_id else {
        return Err(NO_RECORD);
    };
    if invite.team != h.team {
        return Err(ApiError::record_refused("wrong_team"));
    }
    if id != joined_with || id != invite_id(&hash) {
        return Err(ApiError::record_refused(refused::NOT_THIS_INVITE));
    }
    let team = invite.team;
    let accepted = |sealed: &[u8]| JoinAccepted {
        team,
        sealed_team_key: hex::encode(sealed),
        relay_id: state.storage().relay_id().to_owned(),
        record: Vec::new(),
        enrolled: true,
    };
    let head = head_of(&state, team).await?;
    if invite.used_by == Some(h.author) && h.seq <= head.seq {
        // Completed already by this device: the same entry again is a lost answer.
        let stored = state.storage().record_page(team, h.seq, 1).await?.entries;
        if already_stored(&stored, std::slice::from_ref(&entry)) {
            return Ok((StatusCode::OK, Json(accepted(&[]))));
        }
    }
    stored_invite_usable(&invite, now_ms())?;
    judge_entry_clock(
        std::slice::from_ref(&entry),
        u64::try_from(now_ms()).unwrap_or(0),
        u64::MAX,
    )?;
    let at_head = state_at(&state, team, head).await?;
    let judged = judge_record_post(
        &at_head,
        std::slice::from_ref(&entry),
        &[],
        Via::JoinComplete {
            invite_id: id,
            token_hash: hash,
        },
    )?;
    // An invite used by another device since it was read above refuses the whole append
    // (410 `invite_used`), in its transaction.
    let new = store(&state, team, RecordBase::Head(head), judged).await?;
    tracing::info!(%team, device = %h.author, seq = new.seq, "device joined through the record");
    Ok((StatusCode::CREATED, Json(accepted(&invite.sealed_team_key))))
}

pub(super) const UNKNOWN_INVITE: ApiError = ApiError::not_found(
    RelayErrorCode::UnknownInvite,
    "no such invite on this relay",
);
