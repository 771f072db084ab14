//! The vault: a folder holding an encrypted SQLite database of Automerge documents.

mod changes;
pub(crate) use changes::PulledPage;
pub use changes::{IncomingChanges, PageReport};
pub(crate) use membership::Joined;
pub use membership::RelaySettings;
#[cfg(test)]
mod erasure_tests;
mod handover;
mod legacy_view;
mod links;
pub use legacy_view::DocDevice;
mod membership;
mod outcomes;
mod places;
mod reading;
mod records;
mod relay_trail;
mod reports;
pub(crate) use relay_trail::RelayTrail;
mod set_aside;
pub use set_aside::{ChunkOrigin, SetAside, SetAsideReason};
mod team_record;
pub use team_record::TrustProblem;
mod pushed;
mod shared;
mod snapshots;
pub use shared::SharedVault;
pub(crate) use snapshots::snapshot_payloads;
pub use snapshots::{IncomingSnapshot, SnapshotReport};

use crate::db;
use crate::docs::{self, person, street, team, DocKind};
use crate::error::{Result, VaultError};
use crate::index;
use crate::keyfile::{Attempts, KdfParams, KeyFile, KEY_FILE};
use crate::passphrase::Passphrase;
use crate::store;
use automerge::transaction::{CommitOptions, Transaction};
use automerge::{ActorId, Automerge, ReadDoc};
use chrono::{DateTime, NaiveDate, Utc};
use ed25519_dalek::SigningKey;
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tandem_model::{
    ConsentId, Encounter, EncounterId, EncounterSubject, FollowUp, FollowUpDue, FollowUpId, GoalId,
    GoalUpdate, HistoryEntry, Lang, MemberId, MemberRole, NewConsent, NewEncounter, NewFollowUp,
    NewGoal, NewPerson, OptionList, PersonBrief, PersonId, PersonRecord, PersonSummary,
    ProfileUpdate, StepId, TeamInfo,
};
use zeroize::Zeroizing;

/// How many documents stay loaded in memory (least recently used are dropped).
const CACHED_DOCS: usize = 48;
/// How many encounters a brief shows.
pub const BRIEF_ENCOUNTERS: usize = 5;
/// The shortest passphrase accepted for a new vault.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// What a new vault needs.
#[derive(Clone, Debug)]
pub struct NewVault {
    /// The name of the person using this device (shown in the history of records).
    pub member_name: String,
    /// The team's name; a vault starts as a team of one until others join.
    pub team_name: String,
}

/// A local change waiting to be sent to the relay.
#[derive(Clone, Debug)]
pub struct OutboxEntry {
    /// Position in the outbox.
    pub seq: i64,
    /// The document it changes.
    pub doc_id: String,
    /// That document's kind.
    pub kind: DocKind,
    /// Automerge changes (loadable with `load_incremental`).
    pub bytes: Vec<u8>,
}

// Built once per vault creation and consumed at once: its size does not matter.
#[allow(clippy::large_enum_variant)]
enum TeamStart<'a> {
    New(&'a str),
    Join(&'a [u8]),
    /// Joining through a relay: the device is already enrolled with this identity, and the
    /// relay settings and team key go into the vault with its creation.
    Remote {
        team_id: String,
        identity: DeviceIdentity,
        meta: Vec<(String, Vec<u8>)>,
        /// The member id the device named when it joined (a team record names it), if any.
        member: Option<MemberId>,
        /// The team record it verified before joining, with its state (JSON), if the team
        /// has one: stored in the same transaction, so the vault never exists without it.
        record: Option<(Vec<tandem_protocol::record::UncheckedEntry>, String)>,
    },
}

/// A device's identity: its id (also its Automerge actor) and its Ed25519 signing key.
#[derive(Clone)]
pub(crate) struct DeviceIdentity {
    pub(crate) device: [u8; 16],
    pub(crate) signing: SigningKey,
}

impl DeviceIdentity {
    pub(crate) fn generate() -> Self {
        let mut device = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut device);
        Self {
            device,
            signing: SigningKey::generate(&mut rand::rngs::OsRng),
        }
    }
}

fn is_doc_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric())
}

/// A change made in memory, not yet written.
struct Pending {
    doc_id: String,
    kind: DocKind,
    bytes: Vec<u8>,
    new_doc: bool,
    index: IndexUpdate,
}

/// How the indexes follow a change.
enum IndexUpdate {
    /// Re-read the document and index it again.
    Full,
    /// Only an encounter (and its follow-ups) was added: index just those, so the cost of
    /// a save does not grow with the length of a person's record.
    Encounter {
        person: Option<PersonId>,
        encounter: Box<Encounter>,
        follow_ups: Vec<FollowUp>,
    },
}

#[derive(Default)]
struct DocCache {
    docs: HashMap<String, (Automerge, u64)>,
    tick: u64,
}

impl DocCache {
    fn touch(&mut self, id: &str) -> Option<&mut Automerge> {
        self.tick += 1;
        let t = self.tick;
        self.docs.get_mut(id).map(|(d, used)| {
            *used = t;
            d
        })
    }

    fn insert(&mut self, id: String, doc: Automerge) {
        if self.docs.len() >= CACHED_DOCS {
            if let Some(old) = self
                .docs
                .iter()
                .min_by_key(|(_, (_, t))| *t)
                .map(|(k, _)| k.clone())
            {
                self.docs.remove(&old);
            }
        }
        self.tick += 1;
        self.docs.insert(id, (doc, self.tick));
    }
}

/// An unlocked vault. Dropping it locks it (the key leaves memory with the connection).
pub struct Vault {
    dir: PathBuf,
    conn: Connection,
    key_file: KeyFile,
    device_id: String,
    actor: ActorId,
    signing_key: SigningKey,
    member: MemberId,
    team_id: String,
    cache: DocCache,
    pushed: pushed::PushedHere,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("dir", &self.dir)
            .field("device", &self.device_id)
            .finish()
    }
}

fn get_meta(conn: &Connection, key: &str) -> Result<Vec<u8>> {
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?
        .ok_or(VaultError::KeyFileDamaged(
            "the vault database is missing its device identity",
        ))
}

fn set_meta(conn: &Connection, key: &str, value: &[u8]) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
        params![key, value],
    )?;
    Ok(())
}

fn opt_meta(conn: &Connection, key: &str) -> Result<Option<Vec<u8>>> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

fn opt_meta_string(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(opt_meta(conn, key)?.and_then(|v| String::from_utf8(v).ok()))
}

fn meta_string(conn: &Connection, key: &str) -> Result<String> {
    String::from_utf8(get_meta(conn, key)?)
        .map_err(|_| VaultError::KeyFileDamaged("a device identity field is not text"))
}

fn load_doc(bytes: &store::StoredDoc, id: &str) -> Result<Automerge> {
    let damaged = |source| VaultError::DocumentDamaged {
        doc: id.to_owned(),
        source: Box::new(source),
    };
    let mut doc = if bytes.snapshot.is_empty() {
        Automerge::new()
    } else {
        Automerge::load(&bytes.snapshot).map_err(damaged)?
    };
    if !bytes.chunks.is_empty() {
        doc.load_incremental(&bytes.chunks).map_err(damaged)?;
    }
    Ok(doc)
}

fn commit_options(message: String, now: DateTime<Utc>) -> CommitOptions {
    CommitOptions::default()
        .with_message(message)
        .with_time(now.timestamp_millis())
}

impl Vault {
    /// Whether a vault exists in this folder.
    pub fn exists(dir: &Path) -> bool {
        dir.join(KEY_FILE).exists() && dir.join(db::DB_FILE).exists()
    }

    /// Creates a vault in `dir` (created if needed) protected by `passphrase`, with a new
    /// team of one.
    pub fn create(dir: &Path, passphrase: &Passphrase, setup: &NewVault) -> Result<Self> {
        Self::init(
            dir,
            passphrase,
            &setup.member_name,
            TeamStart::New(&setup.team_name),
        )
    }

    /// Creates a vault in `dir` for a device joining an existing team, from the team
    /// document received from a device already in it. This device is added to the team as
    /// a member; that change waits in the outbox like any other.
    pub fn join(
        dir: &Path,
        passphrase: &Passphrase,
        member_name: &str,
        team_doc: &[u8],
    ) -> Result<Self> {
        Self::init(dir, passphrase, member_name, TeamStart::Join(team_doc))
    }

    fn init(
        dir: &Path,
        passphrase: &Passphrase,
        member_name: &str,
        start: TeamStart<'_>,
    ) -> Result<Self> {
        if Self::exists(dir) {
            return Err(VaultError::VaultExists(dir.to_path_buf()));
        }
        if passphrase.len() < MIN_PASSPHRASE_CHARS {
            return Err(VaultError::Invalid {
                field: "passphrase",
                reason: "at least 8 characters; a few words are easier to remember",
            });
        }
        person::require_name(member_name)?;
        let identity = match &start {
            TeamStart::Remote { identity, .. } => identity.clone(),
            _ => DeviceIdentity::generate(),
        };
        let device_id = hex::encode(identity.device);
        let member = match &start {
            TeamStart::Remote {
                member: Some(m), ..
            } => m.clone(),
            _ => MemberId(docs::new_id()),
        };
        let actor = ActorId::from(&identity.device[..]);
        let now = Utc::now();
        let public_key = identity.signing.verifying_key().to_bytes();
        let entry = team::DeviceEntry {
            member: &member,
            member_name,
            role: MemberRole::Admin,
            device_id: &device_id,
            public_key: &public_key,
        };

        // The team document is built (or checked) before anything touches the disk. A device
        // joining through a relay has none yet: it arrives with the first sync, and the
        // device then adds itself to it (`ensure_registered`).
        let (team_id, team_doc) = match &start {
            TeamStart::New(name) => {
                let team_id = docs::new_id();
                let mut doc = Automerge::new().with_actor(actor.clone());
                doc.transact_with(
                    |_| commit_options("team.create".into(), now),
                    |tx| team::create(tx, &team_id, name, &entry, now),
                )
                .map_err(|f| f.error)?;
                (team_id, Some(doc))
            }
            TeamStart::Join(bytes) => {
                changes::bounded("team", bytes)?;
                let doc = Automerge::load(bytes).map_err(|source| VaultError::InvalidChanges {
                    doc: "team".into(),
                    source: Box::new(source),
                })?;
                let id = docs::str_at(&doc, &automerge::ROOT, "id");
                let team_id = match (docs::kind_of(&doc), id) {
                    (Some(DocKind::Team), Some(id)) if is_doc_id(&id) => id,
                    _ => {
                        return Err(VaultError::WrongDocumentShape {
                            doc: "team".into(),
                            expected: "team",
                        })
                    }
                };
                (team_id, Some(doc.with_actor(actor.clone())))
            }
            TeamStart::Remote { team_id, .. } => {
                if !is_doc_id(team_id) {
                    return Err(VaultError::Invalid {
                        field: "team id",
                        reason: "not a Tandem id",
                    });
                }
                (team_id.clone(), None)
            }
        };
        let mut pending_team = None;
        let team_doc = match (team_doc, &start) {
            (Some(mut doc), TeamStart::Join(_)) => {
                let heads = doc.get_heads();
                let entry = team::DeviceEntry {
                    role: MemberRole::Member,
                    ..entry
                };
                doc.transact_with(
                    |_| commit_options("team.join".into(), now),
                    |tx| team::add_device(tx, &entry, now),
                )
                .map_err(|f| f.error)?;
                pending_team = Some((doc.save(), doc.save_after(&heads)));
                Some(doc)
            }
            (Some(doc), _) => {
                let snapshot = doc.save();
                pending_team = Some((snapshot.clone(), snapshot));
                Some(doc)
            }
            (None, _) => None,
        };

        crate::private_files::create_dir(dir)?;
        // A database without its key file is a leftover of an interrupted creation: it can
        // never be opened, so it is replaced.
        for leftover in db::DB_FILES {
            let p = dir.join(leftover);
            if p.exists() {
                std::fs::remove_file(&p).map_err(VaultError::io("removing a leftover file"))?;
            }
        }
        let vault_id = docs::new_id();
        let (key_file, raw) = KeyFile::create(&vault_id, passphrase, KdfParams::RECOMMENDED)?;
        let mut conn = db::open(dir, &raw, true)?;
        {
            let tx = conn.transaction()?;
            // A new vault's indexes are written as its documents are: nothing to rebuild.
            tx.execute("DELETE FROM meta WHERE key = 'reindex_pending'", [])?;
            set_meta(&tx, "vault_id", vault_id.as_bytes())?;
            set_meta(&tx, "device_id", device_id.as_bytes())?;
            set_meta(
                &tx,
                "device_signing_key",
                &Zeroizing::new(identity.signing.to_bytes())[..],
            )?;
            set_meta(&tx, "member_id", member.as_str().as_bytes())?;
            set_meta(&tx, "member_name", member_name.trim().as_bytes())?;
            set_meta(&tx, "team_doc_id", team_id.as_bytes())?;
            if let Some((snapshot, outgoing)) = &pending_team {
                store::insert(&tx, &team_id, DocKind::Team, snapshot)?;
                store::push_outbox(&tx, &team_id, DocKind::Team, outgoing)?;
            }
            if let TeamStart::Remote { meta, record, .. } = &start {
                for (k, v) in meta.iter() {
                    set_meta(&tx, k, v)?;
                }
                if let Some((entries, state)) = record {
                    team_record::adopt_in(&tx, entries, state)?;
                }
            }
            tx.commit()?;
        }
        // The key file is written last: a vault exists once both files do.
        key_file.write(dir)?;
        let mut cache = DocCache::default();
        if let Some(doc) = team_doc {
            cache.insert(team_id.clone(), doc);
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            conn,
            key_file,
            device_id,
            actor,
            signing_key: identity.signing,
            member,
            team_id,
            cache,
            pushed: pushed::PushedHere::default(),
        })
    }

    /// Unlocks the vault in `dir`. A wrong passphrase changes nothing in the vault and makes
    /// the next attempts wait longer and longer.
    pub fn open(dir: &Path, passphrase: &Passphrase) -> Result<Self> {
        crate::private_files::restrict_vault(dir, &crate::VAULT_FILES);
        crate::private_files::restrict_vault(dir, &crate::VAULT_LEFTOVERS);
        let key_file = KeyFile::read(dir)?;
        if !dir.join(db::DB_FILE).exists() {
            return Err(VaultError::NoVault(dir.to_path_buf()));
        }
        let attempts = Attempts::load(dir);
        attempts.check()?;
        let Some(raw) = key_file.unwrap_key(passphrase)? else {
            let failures = attempts.record_failure(dir);
            return Err(VaultError::WrongPassphrase { failures });
        };
        Attempts::clear(dir);
        let conn = db::open(dir, &raw, false)?;
        let vault_id = meta_string(&conn, "vault_id")?;
        if vault_id != key_file.vault_id {
            return Err(VaultError::KeyFileDamaged(
                "the key file belongs to another vault",
            ));
        }
        let device_id = meta_string(&conn, "device_id")?;
        let device = hex::decode(&device_id)
            .map_err(|_| VaultError::KeyFileDamaged("device id is not hex"))?;
        let sk = Zeroizing::new(get_meta(&conn, "device_signing_key")?);
        let sk: [u8; 32] = sk
            .as_slice()
            .try_into()
            .map_err(|_| VaultError::KeyFileDamaged("device key has the wrong length"))?;
        let signing_key = SigningKey::from_bytes(&sk);
        let mut vault = Self {
            dir: dir.to_path_buf(),
            member: MemberId(meta_string(&conn, "member_id")?),
            team_id: meta_string(&conn, "team_doc_id")?,
            conn,
            key_file,
            actor: ActorId::from(device.as_slice()),
            device_id,
            signing_key,
            cache: DocCache::default(),
            pushed: pushed::PushedHere::default(),
        };
        vault.rebuild_indexes_if_pending()?;
        Ok(vault)
    }

    /// Rebuilds the indexes once after a migration added rows that only the documents can
    /// fill (schema 7: what reports count). The mark goes once they are rebuilt: an unlock cut
    /// off before that rebuilds them again.
    fn rebuild_indexes_if_pending(&mut self) -> Result<()> {
        if opt_meta(&self.conn, "reindex_pending")?.is_none() {
            return Ok(());
        }
        self.rebuild_indexes()?;
        self.conn
            .execute("DELETE FROM meta WHERE key = 'reindex_pending'", [])?;
        self.forget_cached_documents();
        Ok(())
    }

    /// Changes the passphrase: the database key is sealed again under the new one; the
    /// database itself is not rewritten.
    pub fn change_passphrase(&mut self, current: &Passphrase, new: &Passphrase) -> Result<()> {
        if new.len() < MIN_PASSPHRASE_CHARS {
            return Err(VaultError::Invalid {
                field: "passphrase",
                reason: "at least 8 characters; a few words are easier to remember",
            });
        }
        let attempts = Attempts::load(&self.dir);
        attempts.check()?;
        let Some(raw) = self.key_file.unwrap_key(current)? else {
            let failures = attempts.record_failure(&self.dir);
            return Err(VaultError::WrongPassphrase { failures });
        };
        let rewrapped = self.key_file.rewrap(&raw, new)?;
        rewrapped.write(&self.dir)?;
        self.key_file = rewrapped;
        Ok(())
    }

    /// The vault's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// This device's id (hex; also its Automerge actor id).
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// This device's Ed25519 public key.
    pub fn device_public_key(&self) -> [u8; 32] {
        self.signing_key.verifying_key().to_bytes()
    }

    /// The member using this device.
    pub fn member_id(&self) -> &MemberId {
        &self.member
    }

    /// The team document's id.
    pub fn team_id(&self) -> &str {
        &self.team_id
    }

    // ---- documents in memory ----

    fn doc(&mut self, id: &str) -> Result<&mut Automerge> {
        if self.cache.touch(id).is_none() {
            let stored = store::load(&self.conn, id)?
                .ok_or_else(|| VaultError::not_found("document", id))?;
            let doc = load_doc(&stored, id)?.with_actor(self.actor.clone());
            self.cache.insert(id.to_owned(), doc);
        }
        self.cache
            .touch(id)
            .ok_or_else(|| VaultError::not_found("document", id))
    }

    fn person_doc(&mut self, id: &PersonId) -> Result<&mut Automerge> {
        match self.doc(id.as_str()) {
            Err(VaultError::NotFound { .. }) => Err(VaultError::not_found("person", id)),
            other => other,
        }
    }

    /// Applies `f` as one Automerge change to a loaded document; the change stays in memory
    /// until `commit` writes it.
    fn edit<T>(
        &mut self,
        doc_id: &str,
        kind: DocKind,
        action: &str,
        target: impl FnOnce(&T) -> Option<String>,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<T>,
    ) -> Result<(T, Option<Pending>)> {
        let now = Utc::now();
        let doc = self.doc(doc_id)?;
        let heads = doc.get_heads();
        let ok = doc
            .transact_with(
                |out| {
                    let msg = match target(out) {
                        Some(t) => format!("{action} {t}"),
                        None => action.to_owned(),
                    };
                    commit_options(msg, now)
                },
                f,
            )
            .map_err(|f| f.error)?;
        if ok.hash.is_none() {
            return Ok((ok.result, None));
        }
        let bytes = doc.save_after(&heads);
        Ok((
            ok.result,
            Some(Pending {
                doc_id: doc_id.to_owned(),
                kind,
                bytes,
                new_doc: false,
                index: IndexUpdate::Full,
            }),
        ))
    }

    /// Writes changes made in memory, with their outbox rows and index updates, in one
    /// transaction, synced to disk before returning. If anything fails, the documents touched
    /// are dropped from memory so that memory never holds what the disk does not.
    fn commit(&mut self, pending: Vec<Pending>) -> Result<()> {
        self.commit_with(pending, |_| Ok(()))
    }

    /// [`Self::commit`], with more writes (`then`) in the same transaction.
    fn commit_with(
        &mut self,
        pending: Vec<Pending>,
        then: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<()>,
    ) -> Result<()> {
        let result = self.write_pending(&pending, then);
        if result.is_err() {
            for p in &pending {
                self.cache.docs.remove(&p.doc_id);
            }
        }
        result
    }

    fn write_pending(
        &mut self,
        pending: &[Pending],
        then: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<()>,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        for p in pending {
            let chunks = if p.new_doc {
                store::insert(&tx, &p.doc_id, p.kind, &p.bytes)?;
                0
            } else {
                store::append_chunk(&tx, &p.doc_id, &p.bytes)?
            };
            store::push_outbox(&tx, &p.doc_id, p.kind, &p.bytes)?;
            let doc = self
                .cache
                .touch(&p.doc_id)
                .ok_or_else(|| VaultError::not_found("document", &p.doc_id))?;
            match &p.index {
                IndexUpdate::Full => reindex(&tx, &p.doc_id, p.kind, doc)?,
                IndexUpdate::Encounter {
                    person,
                    encounter,
                    follow_ups,
                } => index::add_encounter(&tx, &p.doc_id, person.as_ref(), encounter, follow_ups)?,
            }
            if chunks >= store::COMPACT_AFTER_CHUNKS {
                compact_doc(&tx, &p.doc_id, doc)?;
            }
        }
        then(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// One change to a person's record. A merged record's id writes to the record it was
    /// merged into; an edit of something the merged record holds (a goal, a follow-up…)
    /// goes to the document that holds it, tried in the group's order.
    fn edit_person<T>(
        &mut self,
        id: &PersonId,
        action: &str,
        target: impl Fn(&T) -> Option<String>,
        f: impl Fn(&mut Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let root = self.resolve_person(id)?;
        let group = self.merge_group(&root)?;
        let last = group.len() - 1;
        for (i, doc) in group.iter().enumerate() {
            if let Err(e) = self.person_doc(doc) {
                if i == 0 {
                    return Err(e);
                }
                continue;
            }
            match self.edit(doc.as_str(), DocKind::Person, action, &target, &f) {
                Err(VaultError::NotFound { .. }) if i < last => continue,
                Err(e) => return Err(e),
                Ok((out, pending)) => {
                    if let Some(p) = pending {
                        self.commit(vec![p])?;
                    }
                    return Ok(out);
                }
            }
        }
        Err(VaultError::not_found("person", id))
    }

    pub(crate) fn member(&self) -> &MemberId {
        &self.member
    }

    pub(crate) fn actor(&self) -> &ActorId {
        &self.actor
    }
}

/// What the indexes hold about a document, read from it (`None` for the team document, or a
/// person's document whose creation has not arrived yet).
fn index_rows(doc_id: &str, kind: DocKind, doc: &Automerge) -> Result<Option<index::IndexRows>> {
    match kind {
        DocKind::Person => match person::read(doc, doc_id) {
            Ok(rec) => Ok(Some(index::IndexRows::of_person(
                &rec,
                &person::read_goal_status_times(doc),
                docs::merge::merged_into(doc, doc_id).map(|m| m.0).as_ref(),
            ))),
            // Changes that arrived before the person's creation: nothing to index yet.
            Err(VaultError::WrongDocumentShape { .. }) if docs::kind_of(doc).is_none() => Ok(None),
            Err(e) => Err(e),
        },
        DocKind::StreetLog => Ok(Some(index::IndexRows::of_encounters(&street::read(doc)))),
        DocKind::Team => Ok(None),
    }
}

fn reindex(conn: &Connection, doc_id: &str, kind: DocKind, doc: &Automerge) -> Result<()> {
    if let Some(rows) = index_rows(doc_id, kind, doc)? {
        rows.write(conn, doc_id)?;
    }
    Ok(())
}

fn compact_doc(conn: &Connection, doc_id: &str, doc: &Automerge) -> Result<()> {
    // Changes still waiting for their dependencies are only in the chunks: keep them.
    if doc.get_missing_deps(&[]).is_empty() {
        store::replace_snapshot(conn, doc_id, &doc.save())?;
    }
    Ok(())
}
