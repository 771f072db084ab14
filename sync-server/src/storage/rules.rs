//! The rule book both backends follow: given the rows a backend has read, what to answer
//! and what to write. Pure functions, no I/O, so each decision is written (and unit tested)
//! once; a backend's method reads rows, asks the rule, and writes rows.
//!
//! Where a backend reads its rows, and how it keeps them still meanwhile (SQLite's single
//! writer, PostgreSQL's row locks), is the backend's business; what the rows mean is here.

use super::UsedInvite;
use super::{AppendOutcome, KeyEpochOutcome, NewKeyPackage, PageRequest, Quota, Refusal, Result};
use super::{NewRecordEntry, RecordBase, RecordDevice, RecordEffects, RecordHead, StoredInvite};
use super::{SnapshotOutcome, StorageError};
use ed25519_dalek::VerifyingKey;
use std::collections::HashSet;
use tandem_protocol::key_package::KeyPackage;
use tandem_protocol::record::{EntryBody, Origin, RecordError, RecordState, UncheckedEntry};
use tandem_protocol::{DeviceId, DocId, TeamId};

/// The team's key epoch from the highest epoch with packages: 1 before any rotation.
pub(super) fn current_epoch(highest: Option<i64>) -> Result<u32> {
    highest.map_or(Ok(1), epoch_from_db)
}

/// A key epoch as stored (`BIGINT`) back to the protocol's `u32`.
pub(super) fn epoch_from_db(epoch: i64) -> Result<u32> {
    u32::try_from(epoch).map_err(|_| StorageError::Corrupt("a key epoch is out of range"))
}

/// An insert made with `ON CONFLICT DO NOTHING` that changed no row found its key taken.
pub(super) fn inserted(rows: u64) -> Result<(), Refusal> {
    if rows == 0 {
        Err(Refusal::Exists)
    } else {
        Ok(())
    }
}

/// What redeeming an invite needs to know of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct InviteState {
    /// When it was redeemed, if it was.
    pub used_at_ms: Option<i64>,
    /// When it stops working.
    pub expires_at_ms: i64,
    /// The newest key epoch it carries (`None` from older clients: not checked).
    pub epoch: Option<i64>,
}

/// Whether an invite may be redeemed at `now_ms` while the team is at key epoch `current`:
/// once only, before it expires, and only if it carries the team's current key (a device
/// joining with older keys could read nothing sealed since). Checked in that order.
pub(super) fn redeemable(invite: InviteState, now_ms: i64, current: u32) -> Result<(), Refusal> {
    if invite.used_at_ms.is_some() {
        return Err(Refusal::InviteUsed);
    }
    if now_ms >= invite.expires_at_ms {
        return Err(Refusal::InviteExpired);
    }
    match invite.epoch {
        Some(e) if e < i64::from(current) => Err(Refusal::InviteStale),
        _ => Ok(()),
    }
}

/// A push sealed under key epochs from `oldest` up is refused whole once the team has moved
/// past it (`None`: an append that is not a device's push, never refused for its epoch).
pub(super) fn push_epoch(oldest: Option<u32>, current: u32) -> Result<(), Refusal> {
    match oldest {
        Some(oldest) if oldest < current => Err(Refusal::StaleEpoch),
        _ => Ok(()),
    }
}

/// What becomes of one envelope of an append, when it is not new: `known` is the number
/// the team's log (or an earlier envelope of the same write) gave its id, and `erased` says
/// whether its document was erased at the person's request (asked only for an unknown id).
/// `None`: it is new, and gets the team's next number.
pub(super) fn envelope_fate(
    known: Option<u64>,
    erased: impl FnOnce() -> Result<bool>,
) -> Result<Option<AppendOutcome>> {
    if let Some(seq) = known {
        return Ok(Some(AppendOutcome {
            seq,
            duplicate: true,
            erased: false,
        }));
    }
    if erased()? {
        // Acknowledged, never stored: sequence number 0 names no envelope. Said to be
        // erased, and (for older clients, which know only that) a duplicate.
        return Ok(Some(AppendOutcome {
            seq: 0,
            duplicate: true,
            erased: true,
        }));
    }
    Ok(None)
}

/// Whether `device` (an admin or not) may erase `doc` of `team`, whose first envelope was
/// written by `first_author` (`None`: no envelope, or one stored before authors were kept
/// and whose bytes are gone). The team document (its id is the team's) never: without it no
/// device knows who is in the team, and every later change to it would be dropped. Another
/// document: an admin device, or the device that wrote its first envelope (the peer who
/// opened the person's record, who is who the person asks). Anyone else is refused, so a
/// member cannot wipe a colleague's records.
pub(super) fn may_erase(
    team: TeamId,
    doc: DocId,
    device: DeviceId,
    admin: bool,
    first_author: Option<DeviceId>,
) -> Result<(), Refusal> {
    if doc.0 == team.0 {
        return Err(Refusal::TeamDocument);
    }
    if admin || first_author == Some(device) {
        return Ok(());
    }
    Err(Refusal::NotDocAuthor)
}

/// Who wrote a document's first envelope, from its row: the author column (kept since
/// schema 6), else the header of its bytes while it has them.
pub(super) fn first_author(column: Option<&[u8]>, bytes: Option<Vec<u8>>) -> Option<DeviceId> {
    if let Some(id) = column.and_then(|c| <[u8; 16]>::try_from(c).ok()) {
        return Some(DeviceId(id));
    }
    let parsed = tandem_protocol::envelope::UncheckedEnvelope::parse(bytes?).ok()?;
    Some(parsed.header().author)
}

/// What a team would store once a write is done: the envelopes in its log (its head: rows
/// are never deleted, collected or erased ones keep theirs) and the bytes held (envelopes
/// that still have theirs, and snapshots).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Usage {
    /// Envelopes in the log.
    pub envelopes: u64,
    /// Bytes stored.
    pub bytes: u64,
}

/// Whether a push may leave the team at `after` (counting only what it stores: duplicates
/// and envelopes of erased documents add nothing): within both halves of the quota, or
/// refused whole (`None`: an append that is not a device's push, never refused for it).
/// Envelopes are judged first: a log full of rows cannot be helped by collection, bytes can.
pub(super) fn push_quota(after: Usage, quota: Option<Quota>) -> Result<(), Refusal> {
    let Some(quota) = quota else {
        return Ok(());
    };
    if after.envelopes > quota.max_envelopes {
        return Err(Refusal::QuotaEnvelopes);
    }
    if after.bytes > quota.max_bytes {
        return Err(Refusal::QuotaBytes);
    }
    Ok(())
}

/// How far past its byte quota a team may go with snapshots: an eighth. A team at its quota
/// can still upload the snapshots that let covered envelopes be collected (and so make room
/// for pushes again), while a member uploading snapshots of made-up documents is still
/// bounded.
pub(super) fn snapshot_allowance(quota: Quota) -> u64 {
    quota.max_bytes.saturating_add(quota.max_bytes / 8)
}

/// Whether a snapshot of `new_len` bytes may replace one of `old_len` (0 when the document
/// has none) while the team stores `bytes`. A snapshot that stores no more than the one it
/// replaces is always taken.
pub(super) fn snapshot_quota(
    bytes: u64,
    old_len: u64,
    new_len: u64,
    quota: Option<Quota>,
) -> Result<(), Refusal> {
    let Some(quota) = quota else {
        return Ok(());
    };
    if new_len <= old_len {
        return Ok(());
    }
    let after = bytes.saturating_add(new_len - old_len);
    if after > snapshot_allowance(quota) {
        return Err(Refusal::QuotaBytes);
    }
    Ok(())
}

/// A byte count as stored (`BIGINT`) back to `u64`; a count that went negative is corrupt.
pub(super) fn bytes_from_db(bytes: i64) -> Result<u64> {
    u64::try_from(bytes).map_err(|_| StorageError::Corrupt("a team's stored bytes are negative"))
}

/// Whether an uploaded snapshot covering up to `covers` is looked at, given the team's head
/// and whether its document was erased: `Some` answers at once and stores nothing; `None`
/// means "store it if it covers more than the one there" (then see [`snapshot_kept`]).
pub(super) fn admit_snapshot(
    covers: u64,
    head: u64,
    erased: bool,
) -> Result<Option<SnapshotOutcome>, Refusal> {
    if covers > head {
        return Err(Refusal::CoversBeyondHead);
    }
    Ok(erased.then_some(SnapshotOutcome::Erased))
}

/// The outcome of the conditional upsert of a snapshot, from the rows it changed.
pub(super) fn snapshot_kept(rows: u64) -> SnapshotOutcome {
    if rows == 0 {
        SnapshotOutcome::Superseded
    } else {
        SnapshotOutcome::Stored
    }
}

/// Whether a post of `epoch` is a new epoch (`None`), a faithful re-post, or refused, given
/// the team's current epoch and what is stored for `epoch` (`(to, bytes)`).
pub(super) fn judge_key_epoch(
    current: u32,
    epoch: u32,
    stored: &[(Vec<u8>, Vec<u8>)],
    packages: &[NewKeyPackage],
) -> Result<Option<KeyEpochOutcome>, Refusal> {
    if Some(epoch) == current.checked_add(1) {
        return Ok(None);
    }
    if epoch == current && current >= 2 {
        let same = stored.len() == packages.len()
            && packages.iter().all(|p| {
                stored
                    .iter()
                    .any(|(to, bytes)| to.as_slice() == p.to.0 && *bytes == p.bytes)
            });
        return if same {
            Ok(Some(KeyEpochOutcome::AlreadyThere))
        } else {
            Err(Refusal::Exists)
        };
    }
    Err(Refusal::WrongEpoch { current })
}

/// A new epoch's packages go to active devices only, and must reach every one of them: one
/// enrolled while the admin was sealing them would otherwise never get the key.
pub(super) fn check_every_active_device(
    active: &[Vec<u8>],
    packages: &[NewKeyPackage],
) -> Result<(), Refusal> {
    if packages
        .iter()
        .any(|p| !active.iter().any(|d| d.as_slice() == p.to.0.as_slice()))
    {
        return Err(Refusal::InactiveRecipient);
    }
    let missing = active
        .iter()
        .any(|d| !packages.iter().any(|p| p.to.0.as_slice() == d.as_slice()));
    if missing {
        return Err(Refusal::MissingRecipient);
    }
    Ok(())
}

/// A snapshot whose covered envelopes are not all collected yet: `(doc, covers,
/// collected)`, sequence numbers as stored.
pub(super) type Pending<D> = (D, i64, i64);

/// Which covered envelopes may lose their bytes: those of a snapshot in `(collected,
/// covers]`, once every active device's cursor is at or past `covers` (`floor`: the lowest
/// active cursor, `None` when no device is active). Each item: `(doc, after, up_to)`.
pub(super) fn collectable<D>(
    pending: Vec<Pending<D>>,
    floor: Option<i64>,
) -> impl Iterator<Item = Pending<D>> {
    pending
        .into_iter()
        .filter(move |(_, covers, _)| floor.is_some_and(|floor| *covers <= floor))
}

/// Record entries judged on the head `judged` may be written only while the record's head
/// is still that one: a compare-and-swap, decided the same way by both backends with the
/// head read under their write lock.
pub(super) fn record_on_head(now: RecordHead, judged: RecordHead) -> Result<(), Refusal> {
    if now == judged {
        Ok(())
    } else {
        Err(Refusal::RecordConflict { seq: now.seq })
    }
}

/// Whether entries judged on `base` may be written now that the record's head is `now` and
/// (asked only for a migration) the team's key epoch and device count are `legacy_now`;
/// and the head they are written on (`None`: a migration's founding entry).
pub(super) fn record_on_base(
    now: Option<RecordHead>,
    legacy_now: impl FnOnce() -> Result<(u32, u64)>,
    base: RecordBase,
) -> Result<Option<RecordHead>> {
    match (now, base) {
        (Some(now), RecordBase::Head(judged)) => {
            record_on_head(now, judged)?;
            Ok(Some(now))
        }
        (None, RecordBase::Head(_)) => Err(Refusal::NoRecord.into()),
        (Some(now), RecordBase::Legacy { .. }) => {
            Err(Refusal::RecordConflict { seq: now.seq }.into())
        }
        (None, RecordBase::Legacy { epoch, devices }) => {
            if legacy_now()? == (epoch, devices) {
                Ok(None)
            } else {
                Err(Refusal::RecordConflict { seq: 0 }.into())
            }
        }
    }
}

/// The head after writing `entries` on `on` (`None`: a migration, which has entries).
pub(super) fn head_after(
    on: Option<RecordHead>,
    entries: &[NewRecordEntry],
) -> Result<RecordHead, Refusal> {
    match (entries.last(), on) {
        (Some(e), _) => Ok(RecordHead {
            seq: e.seq,
            hash: e.hash,
        }),
        (None, Some(on)) => Ok(on),
        (None, None) => Err(Refusal::NoRecord),
    }
}

/// Which of the first rows (`(seq, length)` in order, up to `limit + 1` of them) make the
/// page, and whether more follow: at most `limit`, within `max_bytes` but never none.
pub(super) fn page_cut(rows: &[(u64, usize)], request: &PageRequest) -> (usize, bool) {
    let lens: Vec<usize> = rows.iter().map(|(_, len)| *len).collect();
    cut(&lens, request.limit, request.max_bytes)
}

/// Of items of these lengths (in order, up to `limit + 1` of them), how many make a page of
/// at most `limit` within `max_bytes` (never none), and whether more follow: the rule for
/// every page the relay hands out, log and snapshots alike.
pub(super) fn cut(lens: &[usize], limit: usize, max_bytes: usize) -> (usize, bool) {
    let mut total = 0usize;
    let mut take = 0;
    for len in lens.iter().take(limit) {
        if take > 0 && total.saturating_add(*len) > max_bytes {
            break;
        }
        total = total.saturating_add(*len);
        take += 1;
    }
    (take, take < lens.len())
}

// The team record.

/// The relay's own reasons for refusing record entries, beside the record's rules
/// (`RecordError::code`): sent as the reason of a 403 `record_refused`.
pub mod refused {
    /// A post holds no entry, or more than `MAX_RECORD_POST`.
    pub const POST_SIZE: &str = "post_size";
    /// A founding entry goes with `POST /v1/teams` only.
    pub const FOUNDING_VIA_CREATE_TEAM: &str = "founding_via_create_team";
    /// A founding entry that is not the requesting device's own, with its own key.
    pub const FOUNDING_NOT_THE_REQUESTER: &str = "founding_not_the_requester";
    /// A founding entry of a migrated team (not in this version).
    pub const FOUNDING_NOT_NEW: &str = "founding_not_new";
    /// `POST /v1/teams` with something else than a founding entry.
    pub const NOT_A_FOUNDING: &str = "not_a_founding";
    /// A `DeviceJoined` goes with `POST /v1/join/complete` only (the invite is used up there).
    pub const JOIN_VIA_JOIN_COMPLETE: &str = "join_via_join_complete";
    /// `POST /v1/join/complete` with something else than one `DeviceJoined`.
    pub const NOT_A_JOIN: &str = "not_a_join";
    /// A `DeviceJoined` for another invite than the token's.
    pub const NOT_THIS_INVITE: &str = "not_this_invite";
    /// An entry posted by another device than its author.
    pub const NOT_THE_POSTER: &str = "not_the_poster";
    /// An invite parked by another device than the one whose `InviteCreated` it is.
    pub const INVITE_NOT_BY_REQUESTER: &str = "invite_not_by_requester";
    /// A key package for no recipient of a `KeyEpoch` of the post (or twice for one).
    pub const PACKAGE_EXTRA: &str = "package_extra";
    /// A recipient of a `KeyEpoch` of the post has no key package.
    pub const PACKAGE_MISSING: &str = "package_missing";
    /// A key package not signed by the author of its `KeyEpoch`.
    pub const PACKAGE_NOT_BY_AUTHOR: &str = "package_not_by_author";
    /// A key package of another team.
    pub const PACKAGE_WRONG_TEAM: &str = "package_wrong_team";
    /// An entry dated more than a day from the relay's clock.
    pub const ENTRY_TIME: &str = "entry_time";
    /// A removal whose cutoff is past the team's log head (a device leaving would keep
    /// writing for ever).
    pub const CUTOFF_AHEAD: &str = "cutoff_ahead";
}

/// How far an entry's date may be from the relay's clock.
pub const ENTRY_TIME_SKEW_MS: u64 = 24 * 60 * 60 * 1000;

/// What the relay checks of new entries against its own clock and log, beside the record's
/// rules (which know neither): each is dated within a day of `now_ms`, so a member cannot
/// date its invites ahead to count its old ones as expired; and a removal's cutoff is not
/// past the log's head `log_head`, so a device removing itself cannot name a cutoff that
/// keeps what it writes afterwards valid.
pub fn judge_entry_clock(
    entries: &[UncheckedEntry],
    now_ms: u64,
    log_head: u64,
) -> Result<(), Refusal> {
    for entry in entries {
        if entry.header().time_ms.abs_diff(now_ms) > ENTRY_TIME_SKEW_MS {
            return Err(refuse(refused::ENTRY_TIME));
        }
        if let EntryBody::DeviceRemoved { cutoff_log_seq, .. } = entry.body() {
            if *cutoff_log_seq > log_head {
                return Err(refuse(refused::CUTOFF_AHEAD));
            }
        }
    }
    Ok(())
}

/// Most entries in one post to a team's record.
pub const MAX_RECORD_POST: usize = 16;

/// A refusal by the relay's own rule `rule` (`refused`, `refused_migration`).
pub(super) fn refuse(rule: &'static str) -> Refusal {
    Refusal::RecordRefused { rule }
}

fn broke(e: &RecordError) -> Refusal {
    refuse(e.code())
}

/// How entries reach the relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// `POST /v1/teams/{team}/record`, by this (active) device.
    Post {
        /// The device that signed the request.
        poster: DeviceId,
    },
    /// `POST /v1/join/complete` with the token of this invite.
    JoinComplete {
        /// The invite's id in the record (`token_hash[..16]`).
        invite_id: [u8; 16],
        /// The token's hash.
        token_hash: [u8; 32],
    },
}

/// A post the record's rules and the relay's accept: the state after it, and what to store.
#[derive(Debug, Clone)]
pub struct JudgedPost {
    /// The record after the entries.
    pub state: RecordState,
    /// The entries to store.
    pub entries: Vec<NewRecordEntry>,
    /// What they change in the relay's tables.
    pub effects: RecordEffects,
}

/// A founding entry the relay accepts.
#[derive(Debug, Clone)]
pub struct JudgedFounding {
    /// The record it starts.
    pub state: RecordState,
    /// The entry to store (seq 0).
    pub entry: NewRecordEntry,
    /// The devices it enrols.
    pub devices: Vec<RecordDevice>,
}

pub(super) fn to_store(entry: &UncheckedEntry) -> NewRecordEntry {
    let h = entry.header();
    NewRecordEntry {
        seq: h.seq,
        hash: entry.hash(),
        kind: h.kind.as_u8(),
        author: h.author,
        bytes: entry.bytes().to_vec(),
    }
}

/// Judges `POST /v1/teams` with a founding entry, for `device` with `public_key` (the
/// request's signer): a new team's record, founded by that device with that key (the
/// record's rules then say: exactly that device, an admin, and epoch 1).
pub fn judge_founding(
    team: TeamId,
    device: DeviceId,
    public_key: [u8; 32],
    entry: &UncheckedEntry,
) -> Result<JudgedFounding, Refusal> {
    let EntryBody::Founding { origin, .. } = entry.body() else {
        return Err(refuse(refused::NOT_A_FOUNDING));
    };
    if *origin != Origin::New {
        return Err(refuse(refused::FOUNDING_NOT_NEW));
    }
    if entry.header().author != device {
        return Err(refuse(refused::FOUNDING_NOT_THE_REQUESTER));
    }
    let (state, _) = RecordState::found(team, entry).map_err(|e| broke(&e))?;
    if state.device(&device).map(|d| d.key) != Some(public_key) {
        return Err(refuse(refused::FOUNDING_NOT_THE_REQUESTER));
    }
    let devices = state
        .active()
        .map(|(d, s)| RecordDevice {
            device: *d,
            public_key: s.key,
            role: s.role,
        })
        .collect();
    Ok(JudgedFounding {
        state,
        entry: to_store(entry),
        devices,
    })
}

/// One `KeyEpoch` of a post, for checking its packages.
struct PostedEpoch {
    epoch: u32,
    author: DeviceId,
    author_key: [u8; 32],
    recipients: Vec<DeviceId>,
}

/// The part of [`judge_record_post`] that needs no state: how many entries, and whether
/// each is of a kind this route takes and (posted) signed by the poster. Checked first, also
/// before a post is taken for a re-post of entries stored already.
pub fn judge_post_shape(entries: &[UncheckedEntry], via: Via) -> Result<(), Refusal> {
    if entries.is_empty() || entries.len() > MAX_RECORD_POST {
        return Err(refuse(refused::POST_SIZE));
    }
    for entry in entries {
        let h = entry.header();
        match (via, entry.body()) {
            (_, EntryBody::Founding { .. }) => {
                return Err(refuse(refused::FOUNDING_VIA_CREATE_TEAM))
            }
            (Via::Post { .. }, EntryBody::DeviceJoined { .. }) => {
                return Err(refuse(refused::JOIN_VIA_JOIN_COMPLETE))
            }
            (Via::Post { poster }, _) if h.author != poster => {
                return Err(refuse(refused::NOT_THE_POSTER))
            }
            (Via::Post { .. }, _) => {}
            (
                Via::JoinComplete { invite_id, .. },
                EntryBody::DeviceJoined { invite_id: id, .. },
            ) if entries.len() == 1 => {
                if *id != invite_id {
                    return Err(refuse(refused::NOT_THIS_INVITE));
                }
            }
            (Via::JoinComplete { .. }, _) => return Err(refuse(refused::NOT_A_JOIN)),
        }
    }
    Ok(())
}

/// Judges entries posted on the record whose verified state at its head is `state`, with
/// the key packages that come with them. Pure, and the one code path of both backends;
/// the caller then stores the result with a compare-and-swap on `state`'s head.
///
/// In order: 1 to `MAX_RECORD_POST` entries; each of a kind this route takes (a founding
/// entry only with `POST /v1/teams`; a `DeviceJoined` only with `POST /v1/join/complete`,
/// alone and for the token's invite) and, posted, signed by the poster; the first on the
/// head ([`Refusal::RecordConflict`] otherwise, the head's seq with it); each accepted by
/// `RecordState::apply` on the state the ones before it leave; then the packages: exactly
/// one per recipient of each `KeyEpoch` of the post, naming this team, that epoch and its
/// author as sender, and signed with the key the record holds for that author. Any other
/// fault: [`Refusal::RecordRefused`], with the `RecordError` code or a [`refused`] rule.
pub fn judge_record_post(
    state: &RecordState,
    entries: &[UncheckedEntry],
    packages: &[KeyPackage],
    via: Via,
) -> Result<JudgedPost, Refusal> {
    judge_post_shape(entries, via)?;
    let first = entries[0].header();
    if first.team != state.team() {
        return Err(broke(&RecordError::WrongTeam));
    }
    if first.seq != state.seq().saturating_add(1) || first.prev != state.head() {
        return Err(Refusal::RecordConflict { seq: state.seq() });
    }
    let mut next = state.clone();
    let mut effects = RecordEffects::default();
    let mut epochs: Vec<PostedEpoch> = Vec::new();
    for entry in entries {
        let applied = next.apply(entry).map_err(|e| broke(&e))?;
        if let Some(joined) = applied.joined {
            let Some(d) = next.device(&joined) else {
                return Err(broke(&RecordError::UnknownDevice));
            };
            effects.enrol.push(RecordDevice {
                device: joined,
                public_key: d.key,
                role: d.role,
            });
            if let Via::JoinComplete { token_hash, .. } = via {
                effects.use_invite = Some(UsedInvite {
                    token_hash,
                    device: joined,
                });
            }
        }
        if let Some(change) = applied.role_changed {
            effects.roles.push(change);
        }
        effects.revoke.extend(applied.removed.iter().copied());
        if let Some(doc) = applied.erased {
            effects.erase.push(doc);
        }
        if let Some(id) = applied.invite_revoked {
            effects.revoke_invites.push(id);
        }
        if let (Some(epoch), EntryBody::KeyEpoch { recipients, .. }) =
            (applied.new_epoch, entry.body())
        {
            let author = entry.header().author;
            let Some(author_key) = next.device(&author).map(|d| d.key) else {
                return Err(broke(&RecordError::UnknownAuthor));
            };
            epochs.push(PostedEpoch {
                epoch,
                author,
                author_key,
                recipients: recipients.clone(),
            });
        }
    }
    effects.key_packages = judge_packages(state.team(), &epochs, packages)?;
    Ok(JudgedPost {
        state: next,
        entries: entries.iter().map(to_store).collect(),
        effects,
    })
}

/// The packages of a post's key epochs: exactly one per recipient, each signed by the
/// epoch's author with the key the record holds for it.
fn judge_packages(
    team: TeamId,
    epochs: &[PostedEpoch],
    packages: &[KeyPackage],
) -> Result<Vec<(u32, NewKeyPackage)>, Refusal> {
    let mut seen: HashSet<(u32, DeviceId)> = HashSet::new();
    let mut out = Vec::with_capacity(packages.len());
    for p in packages {
        let h = p.header();
        if h.team != team {
            return Err(refuse(refused::PACKAGE_WRONG_TEAM));
        }
        let Some(epoch) = epochs.iter().find(|e| e.epoch == h.epoch) else {
            return Err(refuse(refused::PACKAGE_EXTRA));
        };
        if !epoch.recipients.contains(&h.to) || !seen.insert((h.epoch, h.to)) {
            return Err(refuse(refused::PACKAGE_EXTRA));
        }
        let signed = h.from == epoch.author
            && VerifyingKey::from_bytes(&epoch.author_key).is_ok_and(|key| p.verify(&key).is_ok());
        if !signed {
            return Err(refuse(refused::PACKAGE_NOT_BY_AUTHOR));
        }
        out.push((
            h.epoch,
            NewKeyPackage {
                to: h.to,
                from: h.from,
                bytes: p.bytes().to_vec(),
            },
        ));
    }
    for epoch in epochs {
        if epoch
            .recipients
            .iter()
            .any(|r| !seen.contains(&(epoch.epoch, *r)))
        {
            return Err(refuse(refused::PACKAGE_MISSING));
        }
    }
    Ok(out)
}

/// Whether posted entries are all stored already, byte for byte (`stored`: the record's
/// entries from the first one's seq on): a re-post after a lost answer, answered as the
/// first post was.
pub fn already_stored(stored: &[(u64, Vec<u8>)], entries: &[UncheckedEntry]) -> bool {
    !entries.is_empty()
        && stored.len() >= entries.len()
        && entries
            .iter()
            .zip(stored)
            .all(|(e, (seq, bytes))| e.header().seq == *seq && e.bytes() == bytes.as_slice())
}

/// The record from its stored entries (seq 0 on), verified again as a device would.
/// Stored entries that do not verify are corrupt: the relay verified each before storing
/// it.
pub fn replay_record<'a>(
    team: TeamId,
    entries: impl IntoIterator<Item = &'a [u8]>,
) -> Result<RecordState> {
    RecordState::verify_all(team, entries).map_err(|(seq, e)| {
        tracing::error!(%team, seq, error = %e, "a stored record entry does not verify");
        StorageError::Corrupt("a stored record entry does not verify")
    })
}

/// Whether a stored invite (of a team with a record) may still be used at `now_ms` by the
/// relay's own bookkeeping: not used, not revoked, not expired by the relay's clock.
pub fn stored_invite_usable(invite: &StoredInvite, now_ms: i64) -> Result<(), Refusal> {
    if invite.used_at_ms.is_some() {
        return Err(Refusal::InviteUsed);
    }
    if invite.revoked {
        return Err(broke(&RecordError::InviteRevoked));
    }
    if now_ms >= invite.expires_at_ms {
        return Err(Refusal::InviteExpired);
    }
    Ok(())
}

/// Whether the record's invite `id` can be offered to a joiner: known, unused, unrevoked,
/// and made by a device still active (a removed maker's invites are dead).
pub fn record_invite_open(state: &RecordState, id: &[u8; 16]) -> Result<(), Refusal> {
    let Some(invite) = state.invite(id) else {
        return Err(broke(&RecordError::UnknownInvite));
    };
    if invite.used_by.is_some() {
        return Err(Refusal::InviteUsed);
    }
    if invite.revoked {
        return Err(broke(&RecordError::InviteRevoked));
    }
    if !state.device(&invite.maker).is_some_and(|d| d.is_active()) {
        return Err(broke(&RecordError::InviteMakerRemoved));
    }
    Ok(())
}

/// Whether `by` may park the record's invite `id` on the relay, and until when (the relay's
/// expiry is never later than the record's): the invite is open and `by` made it.
pub fn record_invite_parkable(
    state: &RecordState,
    id: &[u8; 16],
    by: DeviceId,
) -> Result<u64, Refusal> {
    record_invite_open(state, id)?;
    let invite = state
        .invite(id)
        .ok_or_else(|| broke(&RecordError::UnknownInvite))?;
    if invite.maker != by {
        return Err(refuse(refused::INVITE_NOT_BY_REQUESTER));
    }
    Ok(invite.expires_at_ms)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use tandem_protocol::DeviceId;

    fn package(to: u8) -> NewKeyPackage {
        NewKeyPackage {
            to: DeviceId([to; 16]),
            from: DeviceId([1; 16]),
            bytes: vec![to, 7],
        }
    }

    fn stored(p: &NewKeyPackage) -> (Vec<u8>, Vec<u8>) {
        (p.to.0.to_vec(), p.bytes.clone())
    }

    #[test]
    fn the_epoch_is_one_before_any_rotation() {
        assert_eq!(current_epoch(None).unwrap(), 1);
        assert_eq!(current_epoch(Some(4)).unwrap(), 4);
        assert!(matches!(
            current_epoch(Some(-1)),
            Err(StorageError::Corrupt(_))
        ));
        assert!(matches!(
            epoch_from_db(i64::from(u32::MAX) + 1),
            Err(StorageError::Corrupt(_))
        ));
    }

    #[test]
    fn an_insert_that_changed_nothing_found_it_there() {
        assert_eq!(inserted(0), Err(Refusal::Exists));
        assert_eq!(inserted(1), Ok(()));
    }

    #[test]
    fn invites_are_used_once_before_expiry_with_the_current_key() {
        let fresh = InviteState {
            used_at_ms: None,
            expires_at_ms: 100,
            epoch: Some(2),
        };
        assert_eq!(redeemable(fresh, 99, 2), Ok(()));
        assert_eq!(redeemable(fresh, 100, 2), Err(Refusal::InviteExpired));
        assert_eq!(redeemable(fresh, 99, 3), Err(Refusal::InviteStale));
        // From an older client: no epoch, not checked.
        let unknown = InviteState {
            epoch: None,
            ..fresh
        };
        assert_eq!(redeemable(unknown, 99, 9), Ok(()));
        // Used first, then expired, then stale: the most definite reason wins.
        let used = InviteState {
            used_at_ms: Some(5),
            ..fresh
        };
        assert_eq!(redeemable(used, 200, 9), Err(Refusal::InviteUsed));
        assert_eq!(redeemable(fresh, 200, 9), Err(Refusal::InviteExpired));
    }

    #[test]
    fn pushes_under_an_older_epoch_are_refused() {
        assert_eq!(push_epoch(None, 5), Ok(()));
        assert_eq!(push_epoch(Some(5), 5), Ok(()));
        assert_eq!(push_epoch(Some(6), 5), Ok(()));
        assert_eq!(push_epoch(Some(4), 5), Err(Refusal::StaleEpoch));
    }

    #[test]
    fn a_known_id_wins_over_an_erasure_which_wins_over_a_new_number() {
        let asked = std::cell::Cell::new(false);
        let fate = envelope_fate(Some(7), || {
            asked.set(true);
            Ok(true)
        })
        .unwrap();
        assert_eq!(
            fate,
            Some(AppendOutcome {
                seq: 7,
                duplicate: true,
                erased: false,
            })
        );
        assert!(!asked.get(), "a known id needs no erasure check");
        assert_eq!(
            envelope_fate(None, || Ok(true)).unwrap(),
            Some(AppendOutcome {
                seq: 0,
                duplicate: true,
                erased: true,
            })
        );
        assert_eq!(envelope_fate(None, || Ok(false)).unwrap(), None);
        assert!(envelope_fate(None, || Err(StorageError::WriterGone)).is_err());
    }

    #[test]
    fn the_team_document_is_never_erased_and_others_by_an_admin_or_their_first_writer() {
        let team = TeamId([1; 16]);
        let (doc, writer, other) = (DocId([2; 16]), DeviceId([3; 16]), DeviceId([4; 16]));
        let team_doc = DocId(team.0);
        assert_eq!(
            may_erase(team, team_doc, writer, true, Some(writer)),
            Err(Refusal::TeamDocument)
        );
        assert_eq!(may_erase(team, doc, writer, false, Some(writer)), Ok(()));
        assert_eq!(may_erase(team, doc, other, true, Some(writer)), Ok(()));
        assert_eq!(
            may_erase(team, doc, other, false, Some(writer)),
            Err(Refusal::NotDocAuthor)
        );
        // Nothing known of its writer: admins only.
        assert_eq!(
            may_erase(team, doc, other, false, None),
            Err(Refusal::NotDocAuthor)
        );
        assert_eq!(may_erase(team, doc, other, true, None), Ok(()));
        assert_eq!(first_author(Some(&[5; 16]), None), Some(DeviceId([5; 16])));
        assert_eq!(first_author(None, Some(vec![1, 2, 3])), None);
        assert_eq!(first_author(None, None), None);
    }

    #[test]
    fn pushes_stay_within_both_halves_of_the_quota() {
        let quota = Some(Quota {
            max_bytes: 1000,
            max_envelopes: 10,
        });
        let at = |envelopes, bytes| Usage { envelopes, bytes };
        assert_eq!(push_quota(at(10, 1000), quota), Ok(()));
        assert_eq!(
            push_quota(at(11, 1000), quota),
            Err(Refusal::QuotaEnvelopes)
        );
        assert_eq!(push_quota(at(10, 1001), quota), Err(Refusal::QuotaBytes));
        // Both over: the log's rows are named, collection cannot help them.
        assert_eq!(
            push_quota(at(11, 1001), quota),
            Err(Refusal::QuotaEnvelopes)
        );
        assert_eq!(push_quota(at(u64::MAX, u64::MAX), None), Ok(()));
    }

    #[test]
    fn snapshots_may_go_an_eighth_past_the_byte_quota_and_never_grow_it_beyond() {
        let quota = Some(Quota {
            max_bytes: 800,
            max_envelopes: 10,
        });
        assert_eq!(snapshot_quota(800, 0, 100, quota), Ok(()));
        assert_eq!(snapshot_quota(801, 0, 100, quota), Err(Refusal::QuotaBytes));
        // Replacing one with one no larger is always taken, even past the allowance.
        assert_eq!(snapshot_quota(5000, 300, 300, quota), Ok(()));
        assert_eq!(snapshot_quota(5000, 300, 10, quota), Ok(()));
        assert_eq!(
            snapshot_quota(850, 300, 351, quota),
            Err(Refusal::QuotaBytes)
        );
        assert_eq!(snapshot_quota(850, 300, 350, quota), Ok(()));
        assert_eq!(snapshot_quota(u64::MAX, 0, u64::MAX, None), Ok(()));
        assert_eq!(
            snapshot_allowance(Quota {
                max_bytes: u64::MAX,
                max_envelopes: 1
            }),
            u64::MAX
        );
        assert!(bytes_from_db(-1).is_err());
    }

    #[test]
    fn snapshots_stay_within_the_head_and_erased_documents_keep_none() {
        assert_eq!(admit_snapshot(5, 4, false), Err(Refusal::CoversBeyondHead));
        assert_eq!(admit_snapshot(5, 4, true), Err(Refusal::CoversBeyondHead));
        assert_eq!(
            admit_snapshot(4, 4, true),
            Ok(Some(SnapshotOutcome::Erased))
        );
        assert_eq!(admit_snapshot(4, 4, false), Ok(None));
        assert_eq!(snapshot_kept(0), SnapshotOutcome::Superseded);
        assert_eq!(snapshot_kept(1), SnapshotOutcome::Stored);
    }

    #[test]
    fn key_epochs_go_one_at_a_time_and_reposts_must_match() {
        let (a, b) = (package(2), package(3));
        assert_eq!(
            judge_key_epoch(1, 2, &[], std::slice::from_ref(&a)),
            Ok(None)
        );
        for wrong in [0, 1, 3] {
            assert_eq!(
                judge_key_epoch(1, wrong, &[], std::slice::from_ref(&a)),
                Err(Refusal::WrongEpoch { current: 1 })
            );
        }
        let there = [stored(&a), stored(&b)];
        assert_eq!(
            judge_key_epoch(2, 2, &there, &[b.clone(), a.clone()]),
            Ok(Some(KeyEpochOutcome::AlreadyThere))
        );
        assert_eq!(
            judge_key_epoch(2, 2, &there, std::slice::from_ref(&a)),
            Err(Refusal::Exists)
        );
        let other = NewKeyPackage {
            bytes: vec![0],
            ..a.clone()
        };
        assert_eq!(
            judge_key_epoch(2, 2, &there, &[other, b.clone()]),
            Err(Refusal::Exists)
        );
        assert_eq!(
            judge_key_epoch(3, 2, &there, &[a, b]),
            Err(Refusal::WrongEpoch { current: 3 })
        );
    }

    #[test]
    fn a_new_epoch_reaches_every_active_device_and_no_other() {
        let active = vec![vec![2; 16], vec![3; 16]];
        assert_eq!(
            check_every_active_device(&active, &[package(2), package(3)]),
            Ok(())
        );
        assert_eq!(
            check_every_active_device(&active, &[package(2), package(3), package(4)]),
            Err(Refusal::InactiveRecipient)
        );
        assert_eq!(
            check_every_active_device(&active, &[package(2)]),
            Err(Refusal::MissingRecipient)
        );
        // A stranger is the graver fault: it is named even when someone is missing too.
        assert_eq!(
            check_every_active_device(&active, &[package(4)]),
            Err(Refusal::InactiveRecipient)
        );
    }

    #[test]
    fn only_snapshots_every_active_device_is_past_are_collected() {
        let pending = || vec![("a", 10, 0), ("b", 20, 5), ("c", 30, 29)];
        let docs = |floor| {
            collectable(pending(), floor)
                .map(|(d, ..)| d)
                .collect::<Vec<_>>()
        };
        assert_eq!(docs(None), Vec::<&str>::new());
        assert_eq!(docs(Some(9)), Vec::<&str>::new());
        assert_eq!(docs(Some(20)), vec!["a", "b"]);
        assert_eq!(docs(Some(99)), vec!["a", "b", "c"]);
        assert_eq!(collectable(pending(), Some(20)).nth(1), Some(("b", 20, 5)));
    }

    #[test]
    fn pages_keep_to_their_limit_and_byte_budget_but_are_never_empty() {
        let request = |limit, max_bytes| PageRequest {
            after: 0,
            limit,
            skip_covered: false,
            max_bytes,
        };
        let rows = [(1, 100), (2, 100), (3, 100)];
        assert_eq!(page_cut(&rows, &request(2, usize::MAX)), (2, true));
        assert_eq!(page_cut(&rows, &request(3, usize::MAX)), (3, false));
        assert_eq!(page_cut(&rows, &request(3, 250)), (2, true));
        assert_eq!(page_cut(&rows, &request(3, 1)), (1, true));
        assert_eq!(page_cut(&rows[..1], &request(3, 1)), (1, false));
        assert_eq!(page_cut(&[], &request(3, 1)), (0, false));
    }

    #[test]
    fn record_entries_are_written_only_on_the_head_they_were_judged_on() {
        let head = RecordHead {
            seq: 4,
            hash: [4; 32],
        };
        assert_eq!(record_on_head(head, head), Ok(()));
        let behind = RecordHead {
            seq: 3,
            hash: [3; 32],
        };
        assert_eq!(
            record_on_head(head, behind),
            Err(Refusal::RecordConflict { seq: 4 })
        );
        // Same seq, another hash: a fork, refused the same way.
        let forked = RecordHead {
            seq: 4,
            hash: [9; 32],
        };
        assert_eq!(
            record_on_head(head, forked),
            Err(Refusal::RecordConflict { seq: 4 })
        );
    }

    #[test]
    fn a_record_invite_is_usable_once_unrevoked_and_before_the_relays_expiry() {
        let open = StoredInvite {
            team: TeamId([1; 16]),
            created_by: DeviceId([2; 16]),
            sealed_team_key: vec![1],
            expires_at_ms: 100,
            used_at_ms: None,
            used_by: None,
            invite_id: Some([3; 16]),
            revoked: false,
        };
        assert_eq!(stored_invite_usable(&open, 99), Ok(()));
        assert_eq!(
            stored_invite_usable(&open, 100),
            Err(Refusal::InviteExpired)
        );
        let used = StoredInvite {
            used_at_ms: Some(5),
            ..open.clone()
        };
        assert_eq!(stored_invite_usable(&used, 200), Err(Refusal::InviteUsed));
        let revoked = StoredInvite {
            revoked: true,
            ..open
        };
        assert_eq!(
            stored_invite_usable(&revoked, 1),
            Err(Refusal::RecordRefused {
                rule: "invite_revoked"
            })
        );
    }

    #[test]
    fn entries_dated_far_from_the_relays_clock_or_removals_cut_off_ahead_are_refused() {
        use tandem_protocol::record::{EntryBody, NewEntry};
        let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        let entry = |time_ms: u64, cutoff_log_seq: u64| {
            NewEntry {
                team: TeamId([1; 16]),
                seq: 3,
                prev: [0; 32],
                author: DeviceId([2; 16]),
                time_ms,
                body: EntryBody::DeviceRemoved {
                    device: DeviceId([2; 16]),
                    cutoff_log_seq,
                    cascade_since: u64::MAX,
                },
            }
            .sign(&key)
        };
        let now = 10 * ENTRY_TIME_SKEW_MS;
        assert_eq!(judge_entry_clock(&[entry(now, 50)], now, 50), Ok(()));
        assert_eq!(
            judge_entry_clock(&[entry(now - ENTRY_TIME_SKEW_MS, 0)], now, 50),
            Ok(())
        );
        for (time, cutoff, rule) in [
            (now + ENTRY_TIME_SKEW_MS + 1, 0, refused::ENTRY_TIME),
            (now - ENTRY_TIME_SKEW_MS - 1, 0, refused::ENTRY_TIME),
            (now, 51, refused::CUTOFF_AHEAD),
            (now, u64::MAX, refused::CUTOFF_AHEAD),
        ] {
            assert_eq!(
                judge_entry_clock(&[entry(now, 0), entry(time, cutoff)], now, 50),
                Err(Refusal::RecordRefused { rule })
            );
        }
    }
}
