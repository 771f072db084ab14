//! Syncing a vault with its team's relay.
//!
//! - [`relay`]: the relay over HTTP, each request signed by the device.
//! - `engine`: one sync, its jobs in order; each job has its own module: `push` (the outbox
//!   sealed and sent), `pull` (the log page by page: verify, decrypt, one batched Automerge
//!   load per document, cursor in the same transaction; `opener` checks and opens each
//!   envelope), `snapshots` (uploaded once caught up; records stored from them checked).
//! - `team`: creating a team on a relay, inviting, joining, listing and revoking devices.
//! - `record`: the team record (who is in the team, by the team's own signatures): fetched
//!   and verified first in every sync, and new entries posted on its head.
//! - `key_epochs`: a new team key epoch after a revocation, sealed for each remaining device;
//!   taking delivery of one (for a team with a record, only a key its `KeyEpoch` entry
//!   committed to, from that entry's author).
//! - [`runner`]: the same in the background for the app: starts when unlocked, stops when
//!   locked, backs off with jitter while the relay is unreachable, pushes at once after a
//!   local change, and long-polls so other devices' work shows up within moments.
//! - Leaves the others share: `link` (this device's signed client, team and id), `sealing`
//!   (envelopes of this device's changes and snapshots), `report` (progress and outcome).
//!
//! Modules only use those listed after them or the leaves, never back up: `team` uses
//! `engine`, which uses the jobs, which use `key_epochs`, which uses `record` and the
//! leaves.
//!
//! The vault is shared as a [`SharedVault`](crate::SharedVault); the lock is never held
//! across network calls.

mod engine;
mod key_epochs;
mod legacy;
mod link;
mod migrate;
mod opener;
mod pull;
mod push;
mod record;
pub mod relay;
mod report;
pub mod runner;
mod sealing;
mod snapshots;
mod team;

pub use engine::{pull_new, sync_once};
pub use migrate::{record_setup_plan, set_up_record, SetupDevice, SetupDone, SetupPlan};
pub use push::{push_pending, Pushed};
pub use relay::{relay_info, RelayClient};
pub use report::{SyncProgress, SyncReport};
pub use runner::{next_status_seq, SyncHandle, SyncState, SyncStatus};
pub use snapshots::check_deferred;
#[cfg(feature = "test-hooks")]
pub use team::test_hook_create_team_without_record;
pub use team::{create_invite, create_team_on_relay, join_team, list_devices, revoke_device};

use crate::error::VaultError;
use tandem_protocol::envelope::EnvelopeError;

/// What can go wrong while syncing. None of these lose data: a sync interrupted anywhere
/// resumes where it stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// The relay cannot be reached (no network, relay down, connection cut).
    #[error("the relay cannot be reached: {0}")]
    Offline(String),
    /// The relay refused a request.
    #[error("the relay refused ({status} {code}): {reason}")]
    Relay {
        /// HTTP status.
        status: u16,
        /// The relay's error code.
        code: tandem_protocol::RelayErrorCode,
        /// The relay's short reason.
        reason: String,
    },
    /// This device was revoked by an admin.
    #[error("this device was removed from the team")]
    Revoked,
    /// The vault is not in a team on a relay (or lacks its key).
    #[error("this vault is not in a team on a relay yet")]
    NotInTeam,
    /// A setting is not acceptable.
    #[error("{0}")]
    Config(&'static str),
    /// The relay said something that does not follow the protocol.
    #[error("protocol error: {0}")]
    Protocol(&'static str),
    /// The relay sent envelopes that fail verification (altered, forged, or sealed for
    /// another team): they were refused and the sync stopped before them, so nothing after
    /// them is skipped; it resumes from there once the relay sends the real ones.
    #[error("the relay sent {0} envelope(s) that fail verification; they were refused")]
    Refused(usize),
    /// The relay's log went back past what this device saw: restored from a backup, or
    /// showing this device another log than the others'. Nothing more is sent to it or taken
    /// from it (this device's changes wait) until someone who checked it accepts it
    /// (`accept_restored_relay`).
    #[error(
        "the relay's log went back (this device had seen it at {seen}, it now says {relay}): \
         it may have been restored from a backup; changes stay on this device until an admin \
         checks the relay"
    )]
    RelayWentBack {
        /// The highest head this device had seen.
        seen: u64,
        /// What the relay says now.
        relay: u64,
    },
    /// The relay offered the team record something no device allowed to make it signed, or
    /// went back on it: it was refused, and nothing is sent to that relay or taken from it
    /// (this device's changes wait) until its answers extend the verified record again.
    #[error("{}", untrusted_message(*.0))]
    Untrusted(crate::vault::TrustProblem),
    /// An invite code is wrong.
    #[error("invite: {0}")]
    Invite(#[from] tandem_protocol::invite::InviteError),
    /// An envelope of ours could not be sealed.
    #[error("sealing failed: {0}")]
    Envelope(#[from] EnvelopeError),
    /// The vault refused.
    #[error(transparent)]
    Vault(#[from] VaultError),
}

fn untrusted_message(problem: crate::vault::TrustProblem) -> &'static str {
    use crate::vault::TrustProblem;
    match problem {
        TrustProblem::ForgedChange => {
            "the relay offered a change to the team that no admin signed; it was refused and \
             syncing is paused (changes stay on this device)"
        }
        TrustProblem::OutOfOrder => {
            "the relay offered the team record out of order or twice; it was refused and \
             syncing is paused (changes stay on this device)"
        }
        TrustProblem::RecordWentBack => {
            "the relay's team record is behind or beside the one this device verified; \
             syncing is paused (changes stay on this device)"
        }
    }
}

impl SyncError {
    /// [`SyncError::Untrusted`], once `problem` (what the relay offered that the team record
    /// does not allow) is noted in the vault for the app and `tandem status` to show.
    pub(crate) fn untrusted_noted(
        vault: &crate::vault::SharedVault,
        problem: crate::vault::TrustProblem,
    ) -> Self {
        match vault.lock().note_trust_problem(problem) {
            Ok(()) => Self::Untrusted(problem),
            Err(e) => e.into(),
        }
    }
}

impl SyncError {
    /// The stable code the UI matches on.
    pub fn code(&self) -> tandem_model::ErrorCode {
        use tandem_model::ErrorCode;
        match self {
            Self::Offline(_) => ErrorCode::Offline,
            Self::Relay { code, .. } if code.is_invite_refusal() => ErrorCode::InviteInvalid,
            // The team record's rules refuse the invite (its maker was removed, the team
            // changed its key since, it was revoked): for the person, a dead invite.
            Self::Relay {
                code: tandem_protocol::RelayErrorCode::RecordRefused,
                reason,
                ..
            } if reason.starts_with("invite_")
                || reason == "stale_invite"
                || reason == "unknown_invite" =>
            {
                ErrorCode::InviteInvalid
            }
            Self::Relay {
                code:
                    tandem_protocol::RelayErrorCode::TeamCreationClosed
                    | tandem_protocol::RelayErrorCode::BadCreationToken,
                ..
            } => ErrorCode::TeamCreationRefused,
            Self::Relay { .. } => ErrorCode::RelayRefused,
            Self::Revoked => ErrorCode::Revoked,
            Self::RelayWentBack { .. } => ErrorCode::RelayWentBack,
            Self::Untrusted(_) => ErrorCode::TeamRecordRefused,
            Self::NotInTeam => ErrorCode::NotInTeam,
            Self::Config(_) | Self::Invite(_) => ErrorCode::InvalidInput,
            Self::Protocol(_) | Self::Envelope(_) | Self::Refused(_) => ErrorCode::Internal,
            Self::Vault(v) => v.code(),
        }
    }

    /// Worth retrying later (the relay may come back); the others need a person.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Offline(_) => true,
            Self::Relay { status, .. } => *status == 429 || *status >= 500,
            Self::Refused(_) | Self::Untrusted(_) => true,
            _ => false,
        }
    }
}
