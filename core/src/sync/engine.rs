//! One sync, and the team operations that go through the relay.

use super::key_epochs::{fetch_key_packages, start_key_epoch};
use super::relay::{relay_info, RelayClient};
use super::SyncError;
use crate::docs::DocKind;
use crate::passphrase::Passphrase;
use crate::vault::{
    DeviceIdentity, IncomingChanges, IncomingSnapshot, RelaySettings, SharedVault, Vault,
};
use ed25519_dalek::VerifyingKey;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;
use tandem_protocol::api::{CreateInvite, DeviceInfo, DEFAULT_PAGE};
use tandem_protocol::envelope::UncheckedEnvelope;
use tandem_protocol::invite::InviteCode;
use tandem_protocol::{
    DeviceId, DocClass, DocId, EnvelopeKind, PlainChange, SealedEnvelope, TeamId, TeamKey,
};

/// Outbox entries sealed and pushed per request, at most.
const PUSH_BATCH: usize = 200;
/// Bytes pushed per request, about (the relay accepts 16 MiB by default).
const PUSH_BYTES: usize = 4 * 1024 * 1024;
/// A document gets a snapshot on the relay once this many of its envelopes are in the log...
const SNAPSHOT_AFTER: i64 = 64;
/// ...or this many bytes of them: a new device then stores it as received instead of
/// replaying (loading) it.
const SNAPSHOT_AFTER_BYTES: i64 = 8 * 1024;
/// Snapshots uploaded per sync, at most (each is a request: the relay's per-device rate limit
/// is shared with the changes themselves).
const SNAPSHOTS_PER_SYNC: usize = 40;

/// Where a sync is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncProgress {
    /// Sending local changes: done so far, of total.
    Pushing(u64, u64),
    /// Receiving: the log position reached, of the relay's head.
    Pulling(u64, u64),
    /// Checking records a first sync stored without loading: done so far, of total.
    Checking(u64, u64),
}

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SyncReport {
    /// Local changes sent.
    pub pushed: usize,
    /// Envelopes received (log and snapshots).
    pub pulled: usize,
    /// Documents that learnt something.
    pub documents_updated: usize,
    /// Envelopes refused (bad signature, cannot be opened, not valid changes).
    pub refused: usize,
    /// Snapshots uploaded.
    pub snapshots_uploaded: usize,
    /// The relay's log head after the sync.
    pub head: u64,
}

fn class_of(kind: DocKind) -> DocClass {
    match kind {
        DocKind::Team => DocClass::Team,
        DocKind::Person => DocClass::Person,
        DocKind::StreetLog => DocClass::StreetLog,
    }
}

fn kind_of(class: DocClass) -> DocKind {
    match class {
        DocClass::Team => DocKind::Team,
        DocClass::Person => DocKind::Person,
        DocClass::StreetLog => DocKind::StreetLog,
    }
}

/// The nonce is derived from the key and the plaintext, so sealing the same change twice
/// (a push retried after a lost answer) gives the same envelope, which the relay stores once.
/// Different plaintexts never share a nonce.
fn nonce_for(
    key: &TeamKey,
    doc: &DocId,
    class: DocClass,
    kind: EnvelopeKind,
    payload: &[u8],
) -> [u8; 24] {
    let mut h = Sha256::new();
    h.update(b"tandem envelope nonce v1\0");
    h.update(key.bytes());
    h.update(key.epoch.to_be_bytes());
    h.update(doc.0);
    h.update([class as u8, kind as u8]);
    h.update(payload);
    let d = h.finalize();
    let mut n = [0u8; 24];
    n.copy_from_slice(&d[..24]);
    n
}

pub(super) struct Context {
    pub(super) client: RelayClient,
    pub(super) team: TeamId,
    pub(super) device: DeviceId,
}

fn context(vault: &SharedVault) -> Result<Context, SyncError> {
    let v = vault.lock();
    let relay = v.relay()?.ok_or(SyncError::NotInTeam)?;
    let device = v.wire_device()?;
    let client = RelayClient::new(&relay.url, &relay.relay_id, device, v.signing_key().clone())?;
    Ok(Context {
        client,
        team: v.wire_team()?,
        device,
    })
}

fn seal(
    v: &Vault,
    kind: EnvelopeKind,
    doc: DocId,
    doc_kind: DocKind,
    payload: Vec<u8>,
    key: &TeamKey,
) -> Result<SealedEnvelope, SyncError> {
    let class = class_of(doc_kind);
    let nonce = nonce_for(key, &doc, class, kind, &payload);
    let plain = PlainChange {
        kind,
        team: v.wire_team()?,
        doc,
        class,
        payload,
    };
    Ok(plain.seal(key, v.wire_device()?, v.signing_key(), nonce)?)
}

/// Sends every waiting local change. Outbox rows leave only once the relay acknowledged them.
fn push(
    vault: &SharedVault,
    cx: &Context,
    progress: &dyn Fn(SyncProgress),
) -> Result<usize, SyncError> {
    let total = vault.lock().outbox_len()?;
    let mut refetched = false;
    let mut pushed = 0usize;
    loop {
        let (seqs, docs, envelopes) = {
            let v = vault.lock();
            let key = v.current_team_key()?.ok_or(SyncError::NotInTeam)?;
            let mut seqs = Vec::new();
            let mut docs = Vec::new();
            let mut envelopes = Vec::new();
            let mut bytes = 0usize;
            for entry in v.outbox(PUSH_BATCH)? {
                if bytes > 0 && bytes + entry.bytes.len() > PUSH_BYTES {
                    break;
                }
                let doc: DocId = entry
                    .doc_id
                    .parse()
                    .map_err(|_| SyncError::Protocol("a local document id is not hex"))?;
                bytes += entry.bytes.len();
                let len = entry.bytes.len();
                let env = seal(&v, EnvelopeKind::Change, doc, entry.kind, entry.bytes, &key)?;
                seqs.push(entry.seq);
                docs.push((entry.doc_id, len));
                envelopes.push(env.into_bytes());
            }
            (seqs, docs, envelopes)
        };
        if envelopes.is_empty() {
            return Ok(pushed);
        }
        let answer = match cx.client.push(cx.team, &envelopes) {
            Err(SyncError::Relay {
                status: 409, code, ..
            }) if code == "stale_epoch" && !refetched => {
                // The team moved to a new key epoch (a revocation) that this device has not
                // heard of, e.g. while it was offline: take the key and seal again, so what
                // it wrote meanwhile stays closed to the revoked device (once; the outbox rows
                // are still there).
                refetched = true;
                fetch_key_packages(vault, cx)?;
                continue;
            }
            other => other?,
        };
        if answer.appended.len() != envelopes.len() {
            return Err(SyncError::Protocol(
                "the relay acknowledged a different number of changes",
            ));
        }
        {
            let mut v = vault.lock();
            v.acknowledge(&seqs)?;
            v.count_pushed(&docs)?;
        }
        pushed += envelopes.len();
        progress(SyncProgress::Pushing(pushed as u64, total));
    }
}

/// Checks and opens envelopes from the relay. Anything that fails (not from a device of the
/// team, altered, sealed with a key this device lacks) is refused, never applied.
struct Opener {
    team: TeamId,
    keys: HashMap<u32, TeamKey>,
    devices: HashMap<String, [u8; 32]>,
    relay_devices: Option<HashMap<String, [u8; 32]>>,
    /// Key packages were fetched during this pull already (once is enough: it brings every
    /// newer epoch).
    refreshed: bool,
}

fn keys_by_epoch(v: &Vault) -> Result<HashMap<u32, TeamKey>, SyncError> {
    if v.current_team_key()?.is_none() {
        return Err(SyncError::NotInTeam);
    }
    Ok(v.team_keys()?.into_iter().map(|k| (k.epoch, k)).collect())
}

impl Opener {
    fn new(v: &mut Vault) -> Result<Self, SyncError> {
        Ok(Self {
            team: v.wire_team()?,
            keys: keys_by_epoch(v)?,
            devices: v.team_device_keys()?,
            relay_devices: None,
            refreshed: false,
        })
    }

    /// Fetches this device's key packages (once per pull) and reloads the keys.
    fn refresh_keys(&mut self, vault: &SharedVault, cx: &Context) -> Result<(), SyncError> {
        if self.refreshed {
            return Ok(());
        }
        self.refreshed = true;
        fetch_key_packages(vault, cx)?;
        self.keys = keys_by_epoch(&vault.lock())?;
        Ok(())
    }

    /// When the relay says the team is at a newer epoch than this device holds.
    fn note_epoch(
        &mut self,
        vault: &SharedVault,
        cx: &Context,
        epoch: Option<u32>,
    ) -> Result<(), SyncError> {
        match epoch {
            Some(e) if !self.keys.contains_key(&e) => self.refresh_keys(vault, cx),
            _ => Ok(()),
        }
    }

    fn author_key(
        &mut self,
        cx: &Context,
        author: &DeviceId,
    ) -> Result<Option<VerifyingKey>, SyncError> {
        let hexid = author.to_hex();
        // The team document (written by members, sealed) is trusted over the relay's list;
        // a device that just joined is not in it yet, so the relay's list fills the gap
        // (the relay still cannot forge what the team key seals).
        let raw = match self.devices.get(&hexid) {
            Some(k) => Some(*k),
            None => {
                if self.relay_devices.is_none() {
                    let list = cx.client.devices(cx.team)?;
                    self.relay_devices = Some(relay_keys(&list));
                }
                self.relay_devices
                    .as_ref()
                    .and_then(|m| m.get(&hexid).copied())
            }
        };
        Ok(raw.and_then(|k| VerifyingKey::from_bytes(&k).ok()))
    }

    fn open(
        &mut self,
        vault: &SharedVault,
        cx: &Context,
        bytes: Vec<u8>,
    ) -> Result<Option<PlainChange>, SyncError> {
        match UncheckedEnvelope::parse(bytes) {
            Ok(unchecked) => self.open_parsed(vault, cx, unchecked),
            Err(_) => Ok(None),
        }
    }

    fn open_parsed(
        &mut self,
        vault: &SharedVault,
        cx: &Context,
        unchecked: UncheckedEnvelope,
    ) -> Result<Option<PlainChange>, SyncError> {
        let h = *unchecked.header();
        if h.team != self.team {
            return Ok(None);
        }
        let Some(author) = self.author_key(cx, &h.author)? else {
            return Ok(None);
        };
        let Ok(sealed) = unchecked.verify(&author) else {
            return Ok(None);
        };
        if !self.keys.contains_key(&h.epoch) {
            self.refresh_keys(vault, cx)?;
        }
        let Some(key) = self.keys.get(&h.epoch) else {
            return Ok(None);
        };
        Ok(sealed.open(key).ok())
    }
}

pub(super) fn relay_keys(list: &[DeviceInfo]) -> HashMap<String, [u8; 32]> {
    // Revoked devices included: what they wrote before revocation stays valid (the relay
    // refuses anything new from them).
    list.iter()
        .filter_map(|d| {
            let mut k = [0u8; 32];
            hex::decode_to_slice(&d.public_key, &mut k).ok()?;
            Some((d.device.to_hex(), k))
        })
        .collect()
}

/// Groups opened changes by document, keeping their order.
fn group(changes: Vec<PlainChange>) -> Vec<IncomingChanges> {
    let mut order: Vec<IncomingChanges> = Vec::new();
    let mut index: HashMap<DocId, usize> = HashMap::new();
    for c in changes {
        let i = *index.entry(c.doc).or_insert_with(|| {
            order.push(IncomingChanges {
                doc_id: c.doc.to_hex(),
                kind: kind_of(c.class),
                chunks: Vec::new(),
            });
            order.len() - 1
        });
        order[i].chunks.push(c.payload);
    }
    order
}

/// Pulls and applies the log page by page. On a device's first sync, the relay's snapshots
/// come first and log envelopes they cover are skipped.
fn pull(
    vault: &SharedVault,
    cx: &Context,
    wait_ms: u64,
    report: &mut SyncReport,
    progress: &dyn Fn(SyncProgress),
) -> Result<(), SyncError> {
    let (mut opener, mut cursor) = {
        let mut v = vault.lock();
        let cursor = if v.full_pull_requested()? {
            0
        } else {
            v.sync_cursor()?
        };
        (Opener::new(&mut v)?, cursor)
    };
    let full_pull = cursor == 0;
    let mut covered: HashMap<DocId, u64> = HashMap::new();
    if cursor == 0 {
        let snapshots = cx.client.snapshots(cx.team)?;
        let mut opened = Vec::with_capacity(snapshots.len());
        for (covers, bytes) in snapshots {
            report.pulled += 1;
            match opener.open(vault, cx, bytes)? {
                Some(p) if p.kind == EnvelopeKind::Snapshot => opened.push(IncomingSnapshot {
                    doc_id: p.doc.to_hex(),
                    kind: kind_of(p.class),
                    covers,
                    payload: p.payload,
                }),
                _ => report.refused += 1,
            }
        }
        if !opened.is_empty() {
            let r = vault.lock().apply_snapshots(opened)?;
            report.documents_updated += r.learnt;
            report.refused += r.refused;
            // Only what was taken in: the log replays any document whose snapshot was not.
            for (doc, c) in r.taken {
                if let Ok(doc) = doc.parse::<DocId>() {
                    covered.insert(doc, c);
                }
            }
            opener.devices = vault.lock().team_device_keys()?;
        }
    }
    let mut wait = wait_ms;
    let mut incomplete = 0;
    loop {
        let page = cx.client.pull(cx.team, cursor, DEFAULT_PAGE, wait)?;
        wait = 0;
        opener.note_epoch(vault, cx, page.epoch)?;
        report.head = page.head;
        // Defensive: in order, once each, only what is new (a relay may reorder or replay).
        let mut items = page.items;
        items.sort_by_key(|(seq, _)| *seq);
        items.dedup_by_key(|(seq, _)| *seq);
        items.retain(|(seq, _)| *seq > cursor);
        let Some(last) = items.last().map(|(s, _)| *s) else {
            if page.more {
                return Err(SyncError::Protocol(
                    "the relay announced more but sent nothing new",
                ));
            }
            break;
        };
        let mut opened = Vec::with_capacity(items.len());
        let mut applied_to = last;
        let mut refused = 0;
        let mut previous = cursor;
        for (seq, bytes) in items {
            report.pulled += 1;
            let parsed = UncheckedEnvelope::parse(bytes);
            if let Ok(u) = &parsed {
                // A snapshot taken in holds it already: not even worth checking.
                if covered.get(&u.header().doc).is_some_and(|c| seq <= *c) {
                    previous = seq;
                    continue;
                }
            }
            let opened_one = match parsed {
                Ok(u) => opener.open_parsed(vault, cx, u)?,
                Err(_) => None,
            };
            match opened_one {
                Some(p) if p.kind == EnvelopeKind::Change => {
                    opened.push(p);
                }
                _ => {
                    // Stop before it: nothing after a refused envelope is applied, so the
                    // cursor never moves past a change this device has not really got.
                    refused += 1;
                    applied_to = previous;
                    break;
                }
            }
            previous = seq;
        }
        let r = vault.lock().apply_page(group(opened), Some(applied_to))?;
        report.documents_updated += r.learnt;
        report.refused += r.refused.len() + refused;
        incomplete = r.incomplete;
        cursor = applied_to;
        progress(SyncProgress::Pulling(cursor, page.head));
        if refused > 0 {
            return Err(SyncError::Refused(refused));
        }
        if r.learnt > 0 && opener.devices.is_empty() {
            opener.devices = vault.lock().team_device_keys()?;
        }
        if !page.more {
            break;
        }
    }
    // Records stored from a snapshot that changed since are read now, so what lists show
    // is up to date when the sync returns.
    vault.lock().check_changed_deferred()?;
    if full_pull {
        vault.lock().full_pull_done()?;
    }
    if incomplete > 0 {
        // Some document holds changes whose predecessors never came: the relay withheld or
        // lost them. Ask for the whole log again next time (Automerge drops what it has).
        vault.lock().request_full_pull()?;
    }
    Ok(())
}

/// Uploads snapshots of documents whose log has grown, once this device is caught up; at
/// most [`SNAPSHOTS_PER_SYNC`] per sync, and it stops (for this time) when the relay says to
/// slow down, so snapshots never hold up the changes themselves.
fn upload_snapshots(vault: &SharedVault, cx: &Context, head: u64) -> Result<usize, SyncError> {
    let docs = vault
        .lock()
        .docs_needing_snapshot(SNAPSHOT_AFTER, SNAPSHOT_AFTER_BYTES)?;
    let mut n = 0;
    for (doc, kind) in docs.into_iter().take(SNAPSHOTS_PER_SYNC) {
        let env = {
            let mut v = vault.lock();
            let key = v.current_team_key()?.ok_or(SyncError::NotInTeam)?;
            let payload = v.snapshot_payload(&doc.to_hex(), kind)?;
            seal(&v, EnvelopeKind::Snapshot, doc, kind, payload, &key)?
        };
        match cx.client.put_snapshot(cx.team, head, env.bytes()) {
            Ok(()) => {}
            Err(SyncError::Relay { status: 429, .. }) => break,
            Err(e) => return Err(e),
        }
        vault.lock().snapshot_uploaded(&doc, head)?;
        n += 1;
    }
    Ok(n)
}

/// Checks every record a first sync stored as received without loading it
/// ([`Vault::check_deferred`]), reporting progress; returns how many were checked. The app's
/// background sync does the same a few at a time.
pub fn check_deferred(
    vault: &SharedVault,
    progress: &dyn Fn(SyncProgress),
) -> Result<u64, SyncError> {
    let total = vault.lock().deferred_count()?;
    let mut left = total;
    while left > 0 {
        left = vault.lock().check_deferred(32)?;
        progress(SyncProgress::Checking(total.saturating_sub(left), total));
    }
    Ok(total)
}

/// Sends every waiting local change; returns how many.
pub fn push_pending(
    vault: &SharedVault,
    progress: &dyn Fn(SyncProgress),
) -> Result<usize, SyncError> {
    let cx = context(vault)?;
    let pushed = push(vault, &cx, progress)?;
    send_erasures(vault, &cx)?;
    Ok(pushed)
}

/// Asks the relay to drop the log of each person erased here (after the team document's
/// note of the erasure has gone out with the push).
fn send_erasures(vault: &SharedVault, cx: &Context) -> Result<(), SyncError> {
    let erasures = vault.lock().relay_erasures()?;
    for id in erasures {
        // An id that is not a relay document id has nothing there.
        if let Ok(doc) = id.parse::<DocId>() {
            cx.client.erase_doc(cx.team, doc)?;
        }
        vault.lock().relay_erased(&id)?;
    }
    Ok(())
}

/// One sync: push what waits, pull what is new (waiting up to `wait_ms` for news when there
/// is none), add this device to the team document if it just joined, upload snapshots.
pub fn sync_once(
    vault: &SharedVault,
    wait_ms: u64,
    progress: &dyn Fn(SyncProgress),
) -> Result<SyncReport, SyncError> {
    let pushed = push_pending(vault, progress)?;
    let mut report = pull_new(vault, wait_ms, progress)?;
    report.pushed += pushed;
    Ok(report)
}

/// Pulls what is new (waiting up to `wait_ms` when there is nothing), then adds this device
/// to the team document if it just joined and uploads snapshots when caught up.
pub fn pull_new(
    vault: &SharedVault,
    wait_ms: u64,
    progress: &dyn Fn(SyncProgress),
) -> Result<SyncReport, SyncError> {
    let cx = context(vault)?;
    let mut report = SyncReport::default();
    finish_rotation(vault, &cx)?;
    pull(vault, &cx, wait_ms, &mut report, progress)?;
    if vault.lock().ensure_registered()? {
        report.pushed += push(vault, &cx, progress)?;
    }
    if vault.lock().outbox_len()? == 0 {
        report.snapshots_uploaded = upload_snapshots(vault, &cx, report.head)?;
    }
    vault.lock().set_last_synced_at(chrono::Utc::now())?;
    Ok(report)
}

/// Puts this vault's team on a relay: registers it with this device as admin, makes the
/// first team key, names the team. The next sync sends everything recorded so far.
pub fn create_team_on_relay(vault: &SharedVault, url: &str, name: &str) -> Result<(), SyncError> {
    let info = relay_info(url)?;
    let mut v = vault.lock();
    if v.relay()?.is_some() {
        return Err(SyncError::Config(
            "this vault is already in a team on a relay",
        ));
    }
    let client = RelayClient::new(
        url,
        &info.relay_id,
        v.wire_device()?,
        v.signing_key().clone(),
    )?;
    client.create_team(v.wire_team()?)?;
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    let key = TeamKey::new(1, key);
    v.connect_relay(
        &RelaySettings {
            url: client.url().to_owned(),
            relay_id: info.relay_id,
        },
        &key,
    )?;
    v.rename_team(name)?;
    Ok(())
}

/// Makes an invite for a new device: parks the team keys (every epoch's, so it reads what
/// was written before the last revocation), sealed under the code's secret half, on the
/// relay, and returns the code to show.
pub fn create_invite(vault: &SharedVault, valid_for_s: u64) -> Result<InviteCode, SyncError> {
    let cx = context(vault)?;
    // Keys of a rotation this device has not heard of yet go in too; the relay refuses the
    // invite if the team moves on before it is used (the new device could not read).
    let epoch = super::key_epochs::fetch_key_packages(vault, &cx)?;
    let keys = vault.lock().team_keys()?;
    if keys.is_empty() {
        return Err(SyncError::NotInTeam);
    }
    let mut token = [0u8; 10];
    let mut wrap = [0u8; 10];
    let mut nonce = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut token);
    rand::rngs::OsRng.fill_bytes(&mut wrap);
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let code = InviteCode {
        relay: cx.client.url().to_owned(),
        token,
        wrap,
    };
    cx.client.create_invite(
        cx.team,
        &CreateInvite {
            token_hash: hex::encode(code.token_hash()),
            sealed_team_key: hex::encode(code.seal_team_keys(cx.team, &keys, nonce)),
            expires_in_s: valid_for_s,
            epoch: Some(epoch),
        },
    )?;
    Ok(code)
}

/// Joins a team with an invite code: enrolls a new device on the relay, creates its vault in
/// `dir`, and runs the first sync (which brings the team document and everyone's records).
/// If that first sync is interrupted, the vault is there and the next sync resumes it.
pub fn join_team(
    dir: &Path,
    passphrase: &Passphrase,
    member_name: &str,
    code: &str,
    progress: &dyn Fn(SyncProgress),
) -> Result<(SharedVault, Result<SyncReport, SyncError>), SyncError> {
    if Vault::exists(dir) {
        return Err(SyncError::Vault(crate::VaultError::VaultExists(
            dir.to_path_buf(),
        )));
    }
    let code = InviteCode::parse(code)?;
    let info = relay_info(&code.relay)?;
    let identity = DeviceIdentity::generate();
    let device = DeviceId(identity.device);
    let client = RelayClient::new(
        &code.relay,
        &info.relay_id,
        device,
        identity.signing.clone(),
    )?;
    let accepted = client.join(&code.token)?;
    let sealed = hex::decode(&accepted.sealed_team_key)
        .map_err(|_| SyncError::Protocol("sealed key is not hex"))?;
    let keys = code.open_team_keys(accepted.team, &sealed)?;
    let key = keys
        .iter()
        .max_by_key(|k| k.epoch)
        .cloned()
        .ok_or(SyncError::Protocol("the invite holds no team key"))?;
    let relay = RelaySettings {
        url: client.url().to_owned(),
        relay_id: info.relay_id,
    };
    let vault = Vault::create_enrolled(
        dir,
        passphrase,
        member_name,
        accepted.team,
        identity,
        &relay,
        &key,
    )?;
    for older in keys.iter().filter(|k| k.epoch != key.epoch) {
        vault.store_team_key(older)?;
    }
    let vault = SharedVault::new(vault);
    let first = sync_once(&vault, 0, progress);
    Ok((vault, first))
}

/// The team's devices as the relay knows them.
pub fn list_devices(vault: &SharedVault) -> Result<Vec<DeviceInfo>, SyncError> {
    let cx = context(vault)?;
    cx.client.devices(cx.team)
}

/// Revokes a device (admins only): the relay refuses it from its next request on, and the
/// team moves to a new key epoch delivered to the remaining devices only, so what is written
/// from now on stays closed to the revoked device even if it gets hold of the envelopes.
///
/// If the new epoch cannot be delivered (the relay went away after revoking), this fails;
/// revoking again finishes it with the same new key.
pub fn revoke_device(vault: &SharedVault, device: &str) -> Result<(), SyncError> {
    let cx = context(vault)?;
    let device: DeviceId = device
        .parse()
        .map_err(|_| SyncError::Config("not a device id"))?;
    if device == cx.device {
        return Err(SyncError::Config("a device cannot revoke itself"));
    }
    vault.lock().set_rotation_pending(true)?;
    cx.client.revoke(cx.team, device)?;
    start_key_epoch(vault, &cx)?;
    vault.lock().set_rotation_pending(false)?;
    Ok(())
}

/// Finishes a key rotation an earlier revocation could not deliver (the relay went away, the
/// app closed). Failing again is not an error for the sync: it is tried at the next one.
fn finish_rotation(vault: &SharedVault, cx: &Context) -> Result<(), SyncError> {
    if !vault.lock().rotation_pending()? {
        return Ok(());
    }
    if start_key_epoch(vault, cx).is_ok() {
        vault.lock().set_rotation_pending(false)?;
    }
    Ok(())
}
