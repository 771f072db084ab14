//! The envelope log: push, pull (with long polling), snapshots and erasing a document.

use super::auth::Member;
use super::error::ApiError;
use super::{now_ms, AppState};
use crate::storage::{
    NewEnvelope, NewSnapshot, Page, PageRequest, SnapshotOutcome, SnapshotPageRequest,
};
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ed25519_dalek::VerifyingKey;
use std::time::Duration;
use tandem_protocol::api::{
    Appended, PushResponse, SnapshotFate, SnapshotsStored, HEADER_EPOCH, HEADER_HEAD, HEADER_MORE,
    MAX_WAIT_MS, SNAPSHOT_BATCH,
};
use tandem_protocol::envelope::{envelope_id, EnvelopeError, UncheckedEnvelope};
use tandem_protocol::frames::{decode_page_within, decode_push, encode_page, FrameError};
use tandem_protocol::{DocId, EnvelopeKind, RelayErrorCode, SealedEnvelope};

/// The query string as `key=value` pairs (only integers are expected, so no decoding).
pub(super) fn query_u64(query: Option<&str>, key: &str) -> Result<Option<u64>, ApiError> {
    let Some(query) = query else {
        return Ok(None);
    };
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if k == key {
            return v
                .parse()
                .map(Some)
                .map_err(|_| ApiError::malformed("a query parameter is not a number"));
        }
    }
    Ok(None)
}

/// A query parameter's raw value (the ids asked for are hex: no decoding).
fn query_str<'q>(query: Option<&'q str>, key: &str) -> Option<&'q str> {
    query?
        .split('&')
        .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
}

/// Parses an uploaded envelope and checks it belongs here: this team, signed by the device
/// that signed the request, of the expected kind.
fn check_envelope(
    member: &Member,
    key: &VerifyingKey,
    bytes: &[u8],
    kind: EnvelopeKind,
) -> Result<SealedEnvelope, ApiError> {
    let unchecked = UncheckedEnvelope::parse(bytes.to_vec()).map_err(|e| match e {
        EnvelopeError::TooLarge => ApiError::too_large(),
        _ => ApiError::bad_request(
            RelayErrorCode::MalformedEnvelope,
            "an envelope is malformed",
        ),
    })?;
    let header = unchecked.header();
    if header.team != member.team {
        return Err(ApiError::forbidden(
            RelayErrorCode::WrongTeam,
            "an envelope belongs to another team",
        ));
    }
    if header.author != member.device.device {
        return Err(ApiError::forbidden(
            RelayErrorCode::WrongAuthor,
            "an envelope was written by another device",
        ));
    }
    if header.kind != kind {
        return Err(match kind {
            EnvelopeKind::Change => ApiError::bad_request(
                RelayErrorCode::WrongKind,
                "snapshots go to /snapshots, not /envelopes",
            ),
            EnvelopeKind::Snapshot => {
                ApiError::bad_request(RelayErrorCode::WrongKind, "this is not a snapshot envelope")
            }
        });
    }
    unchecked.verify(key).map_err(|_| {
        ApiError::bad_request(
            RelayErrorCode::BadEnvelopeSignature,
            "an envelope's signature is not valid",
        )
    })
}

fn device_key(member: &Member) -> Result<VerifyingKey, ApiError> {
    VerifyingKey::from_bytes(&member.device.public_key).map_err(|_| ApiError::internal())
}

/// `POST /v1/teams/{team}/docs/{doc}/erase`, when a person asks to be erased: by an admin
/// device or the device that wrote the document's first envelope, never of the team
/// document (`rules::may_erase`). The document's envelopes and snapshot are dropped, and so
/// is anything of it pushed later (answered `erased`).
pub async fn erase_doc(
    State(state): State<AppState>,
    member: Member,
) -> Result<StatusCode, ApiError> {
    let doc: DocId = member
        .param("doc")
        .and_then(|d| d.parse().ok())
        .ok_or(ApiError::malformed("the document id is not 32 hex digits"))?;
    let admin = member.device.role == tandem_protocol::api::DeviceRole::Admin;
    let dropped = state
        .storage()
        .erase_doc_by(member.team, doc, member.device.device, admin, now_ms())
        .await?;
    tracing::info!(team = %member.team, device = %member.device.device, dropped, "document erased");
    Ok(StatusCode::OK)
}

/// `POST /v1/teams/{team}/envelopes`: verifies every envelope, then appends them all in one
/// transaction. Any bad envelope refuses the whole push, so nothing is half-stored.
pub async fn push(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<PushResponse>, ApiError> {
    let limits = state.limits();
    let frames = decode_push(
        &member.body,
        limits.max_envelopes_per_push,
        limits.max_envelope_bytes,
    )
    .map_err(|e| match e {
        FrameError::TooLarge => ApiError::too_large(),
        FrameError::TooMany => ApiError::bad_request(
            RelayErrorCode::TooMany,
            "too many envelopes in one push; send fewer at a time",
        ),
        _ => ApiError::malformed("the push body is not a batch of envelopes"),
    })?;
    let key = device_key(&member)?;
    let mut envelopes = Vec::with_capacity(frames.len());
    let mut bytes = 0u64;
    let mut oldest_epoch = u32::MAX;
    for frame in frames {
        let sealed = check_envelope(&member, &key, frame, EnvelopeKind::Change)?;
        oldest_epoch = oldest_epoch.min(sealed.header().epoch);
        bytes += frame.len() as u64;
        envelopes.push(NewEnvelope {
            id: sealed.id(),
            doc: sealed.header().doc,
            bytes: sealed.into_bytes(),
        });
    }
    let ids: Vec<[u8; 32]> = envelopes.iter().map(|e| e.id).collect();
    // In the append's own transaction: sealed under a key a revoked device still holds (the
    // device has not heard of the team's new epoch yet) refuses the push, so the device
    // fetches the key and seals again; changes to a document erased at the person's request
    // (written offline before the device heard of it) are acknowledged and dropped.
    let outcomes = if envelopes.is_empty() {
        Vec::new()
    } else {
        state
            .storage()
            .push_by(
                member.team,
                member.device.device,
                envelopes,
                oldest_epoch,
                limits.quota(),
                now_ms(),
            )
            .await?
    };
    let new = outcomes.iter().filter(|o| !o.duplicate).count() as u64;
    let erased = outcomes.iter().filter(|o| o.erased).count() as u64;
    let duplicate = outcomes.len() as u64 - new - erased;
    if new > 0 {
        state.bells().ring(member.team);
    }
    state.metrics().appended(new, duplicate, bytes);
    tracing::info!(
        team = %member.team,
        device = %member.device.device,
        appended = new,
        duplicate,
        erased,
        "push"
    );
    Ok(Json(PushResponse {
        appended: ids
            .iter()
            .zip(outcomes)
            .map(|(id, o)| Appended {
                id: hex::encode(id),
                seq: o.seq,
                duplicate: o.duplicate,
                erased: o.erased,
            })
            .collect(),
    }))
}

fn page_response(page: &Page) -> Response {
    let mut response = (
        [(header::CONTENT_TYPE, "application/octet-stream")],
        encode_page(&page.items),
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(HEADER_HEAD, HeaderValue::from(page.head));
    headers.insert(
        HEADER_MORE,
        HeaderValue::from_static(if page.more { "1" } else { "0" }),
    );
    response
}

/// `GET /v1/teams/{team}/envelopes?after=N&limit=L&wait_ms=W&skip_covered=1`.
pub async fn pull(State(state): State<AppState>, member: Member) -> Result<Response, ApiError> {
    let query = member.query.as_deref();
    let after = query_u64(query, "after")?.unwrap_or(0);
    let cap = state.limits().page_size_cap;
    let limit = query_u64(query, "limit")?
        .map_or(cap, |l| usize::try_from(l).unwrap_or(cap))
        .clamp(1, cap);
    let wait_ms = query_u64(query, "wait_ms")?.unwrap_or(0).min(MAX_WAIT_MS);
    let skip_covered = query_u64(query, "skip_covered")?.unwrap_or(0) == 1;
    let request = PageRequest {
        after,
        limit,
        skip_covered,
        max_bytes: state.limits().max_body_bytes,
    };

    // Asking for `after = N` says the device holds everything up to N: that is what lets
    // snapshots' covered envelopes go. Unchanged (a long poll that found nothing, asked
    // again), there is nothing to write.
    if after != member.device.cursor {
        let collected = state
            .storage()
            .set_cursor(member.team, member.device.device, after)
            .await?;
        state.metrics().collected(collected);
    }

    let deadline = tokio::time::Instant::now() + Duration::from_millis(wait_ms);
    let recheck = state.storage().recheck_every();
    let mut waiting = None;
    let (page, epoch) = loop {
        let bell = state.bells().bell(member.team);
        let rung = bell.notified();
        tokio::pin!(rung);
        // Listen before looking, so an append between the look and the wait is not missed.
        rung.as_mut().enable();
        // The team's key epoch rides along, so a device learns of a new one without asking.
        let (page, epoch) = state
            .storage()
            .page_with_epoch(member.team, request)
            .await?;
        let now = tokio::time::Instant::now();
        if !page.items.is_empty() || page.head > after || now >= deadline {
            break (page, epoch);
        }
        waiting.get_or_insert_with(|| state.metrics().long_poll());
        let mut stopping = state.stopping();
        tokio::select! {
            () = &mut rung => {}
            () = tokio::time::sleep((deadline - now).min(recheck)) => {}
            _ = stopping.wait_for(|stop| *stop) => break (page, epoch),
        }
    };
    drop(waiting);
    tracing::info!(
        team = %member.team,
        device = %member.device.device,
        after,
        count = page.items.len(),
        head = page.head,
        more = page.more,
        "pull"
    );
    let mut response = page_response(&page);
    response
        .headers_mut()
        .insert(HEADER_EPOCH, HeaderValue::from(epoch));
    Ok(response)
}

/// `POST /v1/teams/{team}/snapshots?covers=S`: one snapshot envelope (its raw bytes).
pub async fn put_snapshot(
    State(state): State<AppState>,
    member: Member,
) -> Result<StatusCode, ApiError> {
    let covers = query_u64(member.query.as_deref(), "covers")?
        .ok_or(ApiError::malformed("covers=S is required"))?;
    if member.body.len() > state.limits().max_envelope_bytes {
        return Err(ApiError::too_large());
    }
    let key = device_key(&member)?;
    let sealed = check_envelope(&member, &key, &member.body, EnvelopeKind::Snapshot)?;
    // A snapshot of an erased document is taken and dropped (`SnapshotOutcome::Erased`),
    // like a change of it: checked in the storage's own transaction.
    let outcome = state
        .storage()
        .put_snapshot_within(
            member.team,
            NewSnapshot {
                doc: sealed.header().doc,
                covers,
                id: envelope_id(sealed.bytes()),
                bytes: sealed.into_bytes(),
                author: member.device.device,
                stored_at_ms: now_ms(),
            },
            state.limits().quota(),
        )
        .await?;
    tracing::info!(
        team = %member.team,
        device = %member.device.device,
        covers,
        kept = outcome == SnapshotOutcome::Stored,
        "snapshot"
    );
    Ok(StatusCode::OK)
}

/// `POST /v1/teams/{team}/snapshots/batch`: page frames, each a snapshot envelope with what
/// it covers as its `seq`. Every envelope is checked as a single upload is, before anything
/// is stored; then all are stored in one transaction (a quota refusal stores none), so a
/// founder putting a large team on a relay needs a request per batch, not per document.
pub async fn put_snapshots(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<SnapshotsStored>, ApiError> {
    let limits = state.limits();
    let frames = decode_page_within(&member.body, SNAPSHOT_BATCH, limits.max_envelope_bytes)
        .map_err(|e| match e {
            FrameError::TooLarge => ApiError::too_large(),
            FrameError::TooMany => ApiError::bad_request(
                RelayErrorCode::TooMany,
                "too many snapshots in one batch; send fewer at a time",
            ),
            _ => ApiError::malformed("the body is not a batch of snapshots"),
        })?;
    let key = device_key(&member)?;
    let mut snapshots = Vec::with_capacity(frames.len());
    for (covers, bytes) in frames {
        let sealed = check_envelope(&member, &key, &bytes, EnvelopeKind::Snapshot)?;
        snapshots.push(NewSnapshot {
            doc: sealed.header().doc,
            covers,
            id: envelope_id(sealed.bytes()),
            bytes: sealed.into_bytes(),
            author: member.device.device,
            stored_at_ms: now_ms(),
        });
    }
    let outcomes = if snapshots.is_empty() {
        Vec::new()
    } else {
        state
            .storage()
            .put_snapshots_within(member.team, snapshots, limits.quota())
            .await?
    };
    let fates: Vec<SnapshotFate> = outcomes
        .into_iter()
        .map(|o| match o {
            SnapshotOutcome::Stored => SnapshotFate::Stored,
            SnapshotOutcome::Superseded => SnapshotFate::Superseded,
            SnapshotOutcome::Erased => SnapshotFate::Erased,
        })
        .collect();
    tracing::info!(
        team = %member.team,
        device = %member.device.device,
        count = fates.len(),
        kept = fates.iter().filter(|f| **f == SnapshotFate::Stored).count(),
        "snapshots"
    );
    Ok(Json(SnapshotsStored { fates }))
}

/// `GET /v1/teams/{team}/snapshots?after=DOC&limit=L`: a page of page frames in document
/// order, `seq` = what each snapshot covers, `x-tandem-more` when more follow; without
/// `limit`, every snapshot at once (what older devices ask for) if they fit in one body.
pub async fn snapshots(
    State(state): State<AppState>,
    member: Member,
) -> Result<Response, ApiError> {
    let query = member.query.as_deref();
    let Some(limit) = query_u64(query, "limit")? else {
        // As devices from before paging ask: everything in one answer, but never more than
        // a body (the relay would hold it all in memory, and such a device could not read
        // it anyway).
        let all = SnapshotPageRequest {
            after: None,
            limit: usize::MAX,
            max_bytes: state.limits().max_body_bytes,
        };
        let page = state.storage().snapshot_page(member.team, all).await?;
        if page.more {
            return Err(ApiError::bad_request(
                RelayErrorCode::TooMany,
                "too many snapshots for one answer; ask for them by the page (a newer Tandem does)",
            ));
        }
        let items: Vec<(u64, Vec<u8>)> = page
            .items
            .into_iter()
            .map(|s| (s.covers, s.bytes))
            .collect();
        tracing::info!(team = %member.team, device = %member.device.device, count = items.len(), "snapshots");
        return Ok((
            [(header::CONTENT_TYPE, "application/octet-stream")],
            encode_page(&items),
        )
            .into_response());
    };
    let after = match query_str(query, "after") {
        None => None,
        Some(hex) => Some(
            hex.parse::<DocId>()
                .map_err(|_| ApiError::malformed("after= is not a document id"))?,
        ),
    };
    let request = SnapshotPageRequest {
        after,
        limit: usize::try_from(limit)
            .unwrap_or(usize::MAX)
            .clamp(1, state.limits().snapshot_page_cap),
        max_bytes: state.limits().max_body_bytes,
    };
    let page = state.storage().snapshot_page(member.team, request).await?;
    let items: Vec<(u64, Vec<u8>)> = page
        .items
        .into_iter()
        .map(|s| (s.covers, s.bytes))
        .collect();
    tracing::info!(
        team = %member.team,
        device = %member.device.device,
        count = items.len(),
        more = page.more,
        "snapshots"
    );
    let mut response = (
        [(header::CONTENT_TYPE, "application/octet-stream")],
        encode_page(&items),
    )
        .into_response();
    response.headers_mut().insert(
        HEADER_MORE,
        HeaderValue::from_static(if page.more { "1" } else { "0" }),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn query_numbers() {
        let q = Some("after=12&limit=5&skip_covered=1&x");
        assert_eq!(query_u64(q, "after").unwrap(), Some(12));
        assert_eq!(query_u64(q, "limit").unwrap(), Some(5));
        assert_eq!(query_u64(q, "wait_ms").unwrap(), None);
        assert!(query_u64(Some("after=-1"), "after").is_err());
        assert!(query_u64(Some("after"), "after").is_err());
        assert_eq!(query_u64(None, "after").unwrap(), None);
    }
}
