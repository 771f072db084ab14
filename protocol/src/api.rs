//! The relay's HTTP API: paths and JSON bodies.
//!
//! Every path under `/v1/teams/{team}` needs the signed headers of [`crate::request`] from a
//! device enrolled in that team and not revoked. Errors are JSON [`ErrorBody`] with a status:
//! 400 malformed, 401 unauthenticated (unknown device, bad signature, stale or replayed),
//! 403 forbidden (revoked, not an admin, pushing another device's envelope), 404 unknown,
//! 409 exists or stale key epoch (a push sealed under an epoch older than the team's), 410 invite expired or used, 413 too large, 429 rate limited,
//! 503 busy (too many requests in flight). The signed headers (with the body's declared
//! hash) are checked before the body is read.
//!
//! | method and path | body | answer |
//! | --- | --- | --- |
//! | `GET /health` | | `ok` when storage answers |
//! | `GET /metrics` | | Prometheus text |
//! | `GET /v1/info` | | [`RelayInfo`] |
//! | `POST /v1/teams` | [`CreateTeam`], signed by the device it names, with the operator's token unless creation is open; with a `founding` entry, the team has a record | 201; 403 `team_creation_closed`, `bad_creation_token` or `record_refused` |
//! | `GET /v1/teams/{team}/record?from=N` | | page frames of record entries from seq N (at most [`RECORD_PAGE`]), `seq` = the entry's; headers `x-tandem-record-seq`, `x-tandem-record-hash`, `x-tandem-more`; 400 `no_record` |
//! | `POST /v1/teams/{team}/record` | [`PostRecord`] | 201 [`RecordHead`], 200 when re-posted byte for byte; 409 `record_conflict`; 403 `record_refused`; 400 `no_record` |
//! | `GET /v1/teams/{team}/devices` | | `[DeviceInfo]` |
//! | `POST /v1/teams/{team}/devices/{device}/revoke` | (admin) | 200 |
//! | `POST /v1/teams/{team}/invites` | [`CreateInvite`] | 201; on a team with a record, only for the record's `InviteCreated` (id = `token_hash[..16]`) by the same device, still open: else 403 `record_refused` |
//! | `POST /v1/join` | [`JoinTeam`], signed by the new device's key | [`JoinAccepted`] (for a team with a record: the offer, not enrolled) |
//! | `POST /v1/join/complete` | [`CompleteJoin`], signed by the key in its entry | 201 [`JoinAccepted`] (enrolled), 200 when the same entry is re-sent; 409 `record_conflict`; 403 `record_refused`; 410 `invite_used` or `invite_expired`; 404 `unknown_invite` |
//! | `POST /v1/teams/{team}/envelopes` | push frames (`application/octet-stream`) | [`PushResponse`] |
//! | `GET /v1/teams/{team}/envelopes?after=N&limit=L&wait_ms=W` | | page frames; headers `x-tandem-head`, `x-tandem-more`, `x-tandem-epoch` |
//! | `POST /v1/teams/{team}/snapshots?covers=S` | one snapshot envelope | 200 |
//! | `POST /v1/teams/{team}/snapshots/batch` | page frames (`application/octet-stream`), `seq` = what each snapshot envelope covers; at most [`SNAPSHOT_BATCH`] | [`SnapshotsStored`]; all or none is stored (a quota refusal stores none) |
//! | `GET /v1/teams/{team}/snapshots?after=DOC&limit=L` | | page frames in document order, documents after `DOC` (32 hex digits; absent: from the first), at most `L` (≤ [`SNAPSHOT_PAGE`]) and the relay's body limit, `seq` = the sequence number covered; header `x-tandem-more`. Without `limit`, every snapshot in one answer if they fit the relay's body limit, else 400 `too_many` (what relays before paging sent; kept for older devices) |
//! | `POST /v1/teams/{team}/keys` | [`PostKeyPackages`] (admin) | 201, or 200 when re-posted |
//! | `GET /v1/teams/{team}/keys?after_epoch=N` | | [`KeyPackages`] for the asking device |
//! | `POST /v1/teams/{team}/docs/{doc}/erase` | (a person asked to be erased; an admin or the device that wrote the document's first change; never the team document) | 200; the document's envelopes and snapshot are dropped, later pushes of it answered `erased` and dropped; 403 `team_doc_not_erasable` or `not_doc_author` |
//!
//! On a team with a record, `POST .../devices/{device}/revoke` and `POST .../keys` answer 410
//! `use_team_record`: membership and key epochs change only through the record.
//!
//! A pull with `wait_ms` > 0 and nothing new waits (long poll, at most 30 s) until an
//! envelope arrives: online devices see each other's changes at once.

use crate::error_code::RelayErrorCode;
use crate::ids::{DeviceId, TeamId};
use serde::{Deserialize, Serialize};

/// Response header: the team's latest sequence number.
pub const HEADER_HEAD: &str = "x-tandem-head";
/// Response header: `1` when more envelopes follow this page.
pub const HEADER_MORE: &str = "x-tandem-more";
/// Response header on a pull: the team's current key epoch (a device holding an older one
/// fetches its key packages).
pub const HEADER_EPOCH: &str = "x-tandem-epoch";
/// Response header on a record pull: the seq of the team record's head (absent when the team
/// has no record).
pub const HEADER_RECORD_SEQ: &str = "x-tandem-record-seq";
/// Response header on a record pull: the head's [`crate::record::entry_hash`] (hex).
pub const HEADER_RECORD_HASH: &str = "x-tandem-record-hash";
/// Record entries per page of `GET /v1/teams/{team}/record`.
pub const RECORD_PAGE: usize = 256;
/// Envelopes per page unless asked for fewer.
pub const DEFAULT_PAGE: usize = 500;
/// The longest a pull may wait for news.
pub const MAX_WAIT_MS: u64 = 30_000;
/// Snapshots per page of `GET /v1/teams/{team}/snapshots`, at most (a new device holds one
/// page at a time, whatever the team's size).
pub const SNAPSHOT_PAGE: usize = 256;
/// Snapshots per `POST /v1/teams/{team}/snapshots/batch`, at most.
pub const SNAPSHOT_BATCH: usize = 128;

/// `GET /v1/info`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayInfo {
    /// This relay's identity (signed into every request).
    pub relay_id: String,
    /// Protocol version.
    pub version: u32,
    /// The largest request body accepted.
    pub max_body_bytes: usize,
    /// The largest envelope accepted.
    pub max_envelope_bytes: usize,
}

/// `POST /v1/teams`: the first device registers the team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateTeam {
    /// The team's id.
    pub team: TeamId,
    /// The first device (an admin).
    pub device: DeviceId,
    /// Its Ed25519 public key (hex).
    pub public_key: String,
    /// The relay operator's team-creation token, when the relay asks for one. Inside the
    /// signed body, so it travels only with this one request (which cannot be replayed).
    /// Absent from older clients: a relay that wants a token refuses them with
    /// `bad_creation_token`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_token: Option<String>,
    /// The team record's founding entry (hex), signed by `device` ([`crate::record`]). Absent
    /// for a team without a record (and from older clients).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub founding: Option<String>,
}

/// A device's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceRole {
    /// May revoke devices.
    Admin,
    /// May read, write and invite.
    Member,
}

/// A device as the relay knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    /// Its id.
    pub device: DeviceId,
    /// Its Ed25519 public key (hex).
    pub public_key: String,
    /// Its role.
    pub role: DeviceRole,
    /// When it was enrolled (Unix ms).
    pub enrolled_at_ms: i64,
    /// When it was revoked, if it was.
    pub revoked_at_ms: Option<i64>,
}

/// `POST /v1/teams/{team}/invites`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateInvite {
    /// [`crate::invite::token_hash`] of the token (hex).
    pub token_hash: String,
    /// The team key sealed under the invite's wrap secret (hex).
    pub sealed_team_key: String,
    /// Seconds until it expires (at most 7 days).
    pub expires_in_s: u64,
    /// The newest key epoch the sealed keys include: the relay refuses the invite once the
    /// team has moved past it. Absent from older clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<u32>,
}

/// `POST /v1/join`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinTeam {
    /// The invite token (hex).
    pub token: String,
    /// The new device.
    pub device: DeviceId,
    /// Its Ed25519 public key (hex).
    pub public_key: String,
}

/// Answer to a join.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinAccepted {
    /// The team joined.
    pub team: TeamId,
    /// The sealed team key parked with the invite (hex).
    pub sealed_team_key: String,
    /// The relay's identity.
    pub relay_id: String,
    /// For a team with a record, its entries from seq 0 (hex), to verify before completing
    /// the join; empty for a team without one (and from older relays). Not sent when empty,
    /// so a legacy team's answer is what older clients know.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub record: Vec<String>,
    /// Whether the device is enrolled now. False for a team with a record: the device
    /// completes with [`CompleteJoin`]. True from older relays; not sent when true.
    #[serde(default = "enrolled_default", skip_serializing_if = "is_true")]
    pub enrolled: bool,
}

fn enrolled_default() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

/// `POST /v1/join/complete`: the new device's `DeviceJoined` entry, signed (request and entry)
/// by its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompleteJoin {
    /// The invite token (hex).
    pub token: String,
    /// The `DeviceJoined` entry (hex), on the record's head.
    pub entry: String,
}

/// `POST /v1/teams/{team}/record`: 1 to 16 entries continuing the head, and for a `KeyEpoch`
/// its key packages (one per recipient, signed by the entry's author).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostRecord {
    /// The entries (hex), in order.
    pub entries: Vec<String>,
    /// The key packages (hex) of the `KeyEpoch` among them, if any.
    #[serde(default)]
    pub packages: Vec<String>,
}

/// The team record's head after a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordHead {
    /// Its seq.
    pub seq: u64,
    /// Its [`crate::record::entry_hash`] (hex).
    pub hash: String,
}

/// One pushed envelope's fate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appended {
    /// Envelope id (hex SHA-256).
    pub id: String,
    /// Its sequence number in the team's log.
    pub seq: u64,
    /// Whether it was already there (also set, with `seq` 0, for an envelope dropped
    /// because its document was erased: what older clients understand).
    pub duplicate: bool,
    /// Its document was erased at a person's request, so the relay dropped it: it is not
    /// stored and no device will receive it. Absent (false) otherwise, and from older relays.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub erased: bool,
}

/// Answer to a push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    /// In the order pushed.
    pub appended: Vec<Appended>,
}

/// What became of one snapshot of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotFate {
    /// Kept: it is now its document's snapshot.
    Stored,
    /// Dropped: the document already has a snapshot covering as much.
    Superseded,
    /// Dropped: the document was erased at the person's request.
    Erased,
}

/// Answer to a snapshot batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotsStored {
    /// In the order sent.
    pub fates: Vec<SnapshotFate>,
}

/// `POST /v1/teams/{team}/keys`: a new key epoch, one [`crate::key_package::KeyPackage`] per
/// remaining device. The epoch must be the team's current one plus one (or the current one,
/// re-posted byte for byte after a lost answer); every package must be signed by the posting
/// admin and addressed to an enrolled, unrevoked device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostKeyPackages {
    /// The new epoch.
    pub epoch: u32,
    /// The sealed packages (hex).
    pub packages: Vec<String>,
}

/// Answer to `GET /v1/teams/{team}/keys?after_epoch=N`: the packages sealed for the asking
/// device, oldest epoch first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyPackages {
    /// The team's latest epoch (1 until a first rotation).
    pub current_epoch: u32,
    /// Sealed packages (hex) for epochs above `after_epoch`.
    pub packages: Vec<String>,
}

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// A short stable code (`bad_signature`, `revoked`, `too_large`…).
    pub error: RelayErrorCode,
    /// A short human reason (never content).
    pub reason: String,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_legacy_join_answer_keeps_its_wire_form_and_means_enrolled() {
        let legacy =
            r#"{"team":"07070707070707070707070707070707","sealed_team_key":"00","relay_id":"r"}"#;
        let answer: JoinAccepted = serde_json::from_str(legacy).unwrap();
        assert!(answer.enrolled);
        assert!(answer.record.is_empty());
        assert_eq!(serde_json::to_string(&answer).unwrap(), legacy);
        let offer = JoinAccepted {
            record: vec!["ab".into()],
            enrolled: false,
            ..answer
        };
        let json = serde_json::to_string(&offer).unwrap();
        assert!(json.contains(r#""record":["ab"]"#) && json.contains(r#""enrolled":false"#));
        assert_eq!(serde_json::from_str::<JoinAccepted>(&json).unwrap(), offer);
    }

    #[test]
    fn create_team_sends_founding_only_when_there_is_one() {
        let mut create = CreateTeam {
            team: TeamId([7; 16]),
            device: DeviceId([1; 16]),
            public_key: "00".into(),
            creation_token: None,
            founding: None,
        };
        assert!(!serde_json::to_string(&create).unwrap().contains("founding"));
        create.founding = Some("54".into());
        let json = serde_json::to_string(&create).unwrap();
        assert!(json.contains(r#""founding":"54""#));
        assert_eq!(serde_json::from_str::<CreateTeam>(&json).unwrap(), create);
        let post: PostRecord = serde_json::from_str(r#"{"entries":["00"]}"#).unwrap();
        assert!(post.packages.is_empty());
    }
}
