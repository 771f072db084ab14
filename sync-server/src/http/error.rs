//! Error answers: a status and a short, fixed reason. Never content, never internals: a
//! storage refusal has its own answer (all of them mapped here), a storage failure is
//! logged here and answered with a bare 500.

use crate::storage::{Refusal, StorageError};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::borrow::Cow;
use tandem_protocol::api::ErrorBody;
use tandem_protocol::RelayErrorCode;

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A short stable code clients can match.
    pub code: RelayErrorCode,
    /// A short human reason (fixed, or a code such as a record rule's).
    pub reason: Cow<'static, str>,
}

impl ApiError {
    const fn new(status: StatusCode, code: RelayErrorCode, reason: &'static str) -> Self {
        Self {
            status,
            code,
            reason: Cow::Borrowed(reason),
        }
    }

    /// 403 `record_refused`: the reason is the rule broken (a `RecordError` code, or the
    /// relay's own check), which the device reports.
    pub const fn record_refused(rule: &'static str) -> Self {
        Self::new(StatusCode::FORBIDDEN, RelayErrorCode::RecordRefused, rule)
    }

    /// 409 `record_conflict`: the reason names the record's head now.
    pub fn record_conflict(head_seq: u64) -> Self {
        Self {
            status: StatusCode::CONFLICT,
            code: RelayErrorCode::RecordConflict,
            reason: Cow::Owned(format!(
                "the team record's head is at seq {head_seq}: fetch it and sign again on it"
            )),
        }
    }

    /// 400: the request or a body part is malformed.
    pub const fn malformed(reason: &'static str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, RelayErrorCode::Malformed, reason)
    }

    /// 400 with a more specific code.
    pub const fn bad_request(code: RelayErrorCode, reason: &'static str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, reason)
    }

    /// 401.
    pub const fn unauthenticated(code: RelayErrorCode, reason: &'static str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, reason)
    }

    /// 403.
    pub const fn forbidden(code: RelayErrorCode, reason: &'static str) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, reason)
    }

    /// 404.
    pub const fn not_found(code: RelayErrorCode, reason: &'static str) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, reason)
    }

    /// 409.
    pub const fn conflict(code: RelayErrorCode, reason: &'static str) -> Self {
        Self::new(StatusCode::CONFLICT, code, reason)
    }

    /// 413.
    pub const fn too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            RelayErrorCode::TooLarge,
            "the request is larger than this relay accepts",
        )
    }

    /// 429.
    pub const fn rate_limited() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            RelayErrorCode::RateLimited,
            "too many requests from this device; slow down",
        )
    }

    /// 503: too many requests in flight.
    pub const fn busy() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            RelayErrorCode::Busy,
            "the relay is serving as many requests as it takes at once; try again shortly",
        )
    }

    /// 500.
    pub const fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            RelayErrorCode::Internal,
            "the relay could not do this; try again later",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(ErrorBody {
                error: self.code,
                reason: self.reason.into_owned(),
            }),
        )
            .into_response()
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::Refused(refusal) => refusal.into(),
            // Failures, named one by one so that a new kind of error must be placed here.
            StorageError::NewerSchema { .. }
            | StorageError::Corrupt(_)
            | StorageError::Sqlite(_)
            | StorageError::Postgres(_)
            | StorageError::Pool(_)
            | StorageError::BuildPool(_)
            | StorageError::Io(_)
            | StorageError::Task(_)
            | StorageError::GroupCommit(_)
            | StorageError::WriterGone => {
                tracing::error!(error = %error_chain(&e), "storage failed");
                Self::internal()
            }
        }
    }
}

/// Every refusal has its answer here: no wildcard, so a new one cannot slip into a 500.
/// A handler may word one more precisely for its request (`unknown_invite` for a
/// [`Refusal::NotFound`] when joining) and leave the others to this.
impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Exists => Self::new(
                StatusCode::CONFLICT,
                RelayErrorCode::Exists,
                "it exists already",
            ),
            Refusal::NotFound => Self::not_found(RelayErrorCode::NotFound, "no such thing here"),
            Refusal::InviteExpired => Self::new(
                StatusCode::GONE,
                RelayErrorCode::InviteExpired,
                "this invite has expired",
            ),
            Refusal::InviteUsed => Self::new(
                StatusCode::GONE,
                RelayErrorCode::InviteUsed,
                "this invite has been used already",
            ),
            Refusal::StaleEpoch => Self::new(
                StatusCode::CONFLICT,
                RelayErrorCode::StaleEpoch,
                "the team moved to a newer key epoch: fetch its key and seal again",
            ),
            Refusal::InviteStale => Self::new(
                StatusCode::GONE,
                RelayErrorCode::InviteStale,
                "this invite was made before a device was removed from the team: make a new one",
            ),
            Refusal::CoversBeyondHead => Self::bad_request(
                RelayErrorCode::BadCovers,
                "a snapshot cannot cover more than the log holds",
            ),
            Refusal::WrongEpoch { .. } => Self::conflict(
                RelayErrorCode::WrongEpoch,
                "only the team's next key epoch may be posted",
            ),
            Refusal::InactiveRecipient => Self::bad_request(
                RelayErrorCode::InactiveRecipient,
                "a package is addressed to a revoked or unknown device",
            ),
            Refusal::MissingRecipient => Self::conflict(
                RelayErrorCode::MissingRecipient,
                "a device enrolled meanwhile: seal the new key for it too",
            ),
            Refusal::QuotaBytes => Self::forbidden(
                RelayErrorCode::QuotaBytes,
                "the team stores as many bytes as this relay allows it; nothing was stored",
            ),
            Refusal::TeamDocument => Self::forbidden(
                RelayErrorCode::TeamDocNotErasable,
                "the team document is never erased",
            ),
            Refusal::NotDocAuthor => Self::forbidden(
                RelayErrorCode::NotDocAuthor,
                "only an admin device or the one that wrote this record's first change may \
                 erase it",
            ),
            Refusal::RecordConflict { seq } => Self::record_conflict(seq),
            Refusal::RecordRefused { rule } => Self::record_refused(rule),
            Refusal::NoRecord => {
                Self::bad_request(RelayErrorCode::NoRecord, "this team has no record")
            }
            Refusal::UseTeamRecord => Self::new(
                StatusCode::GONE,
                RelayErrorCode::UseTeamRecord,
                "this team has a record: membership and key changes are entries posted to it",
            ),
            Refusal::QuotaEnvelopes => Self::forbidden(
                RelayErrorCode::QuotaEnvelopes,
                "the team's log holds as many envelopes as this relay allows it; nothing was \
                 stored",
            ),
        }
    }
}

/// `error: cause: cause`, for logs (storage errors carry no envelope content).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The answers clients match on: each refusal keeps the status and code it had before
    /// refusals were split from failures (the HTTP suite reaches only some of them).
    #[test]
    fn every_refusal_keeps_its_status_and_code() {
        let table = [
            (Refusal::Exists, 409, "exists"),
            (Refusal::NotFound, 404, "not_found"),
            (Refusal::InviteExpired, 410, "invite_expired"),
            (Refusal::InviteUsed, 410, "invite_used"),
            (Refusal::StaleEpoch, 409, "stale_epoch"),
            (Refusal::InviteStale, 410, "invite_stale"),
            (Refusal::CoversBeyondHead, 400, "bad_covers"),
            (Refusal::WrongEpoch { current: 3 }, 409, "wrong_epoch"),
            (Refusal::InactiveRecipient, 400, "inactive_recipient"),
            (Refusal::MissingRecipient, 409, "missing_recipient"),
            (Refusal::QuotaBytes, 403, "quota_bytes"),
            (Refusal::QuotaEnvelopes, 403, "quota_envelopes"),
            (Refusal::TeamDocument, 403, "team_doc_not_erasable"),
            (Refusal::NotDocAuthor, 403, "not_doc_author"),
            (Refusal::RecordConflict { seq: 4 }, 409, "record_conflict"),
            (Refusal::NoRecord, 400, "no_record"),
            (
                Refusal::RecordRefused {
                    rule: "bad_signature",
                },
                403,
                "record_refused",
            ),
            (Refusal::UseTeamRecord, 410, "use_team_record"),
        ];
        for (refusal, status, code) in table {
            let answer = ApiError::from(StorageError::from(refusal));
            assert_eq!(
                (answer.status.as_u16(), answer.code.as_str()),
                (status, code),
                "{refusal:?}"
            );
        }
    }

    #[test]
    fn a_failure_is_a_bare_500() {
        let answer = ApiError::from(StorageError::Corrupt("a detail the client must not see"));
        assert_eq!(answer, ApiError::internal());
        assert!(!answer.reason.contains("detail"));
    }
}
