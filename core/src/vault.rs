//! The vault: a folder holding an encrypted SQLite database of Automerge documents.

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
    ConsentId, Encounter, EncounterId, EncounterSubject, FollowUpDue, FollowUpId, GoalId,
    GoalUpdate, HistoryEntry, Lang, MemberId, MemberRole, NewConsent, NewEncounter, NewFollowUp,
    NewGoal, NewPerson, PersonBrief, PersonId, PersonRecord, PersonSummary, ProfileUpdate, StepId,
    TeamInfo,
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

/// A change made in memory, not yet written.
struct Pending {
    doc_id: String,
    kind: DocKind,
    bytes: Vec<u8>,
    new_doc: bool,
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

fn meta_string(conn: &Connection, key: &str) -> Result<String> {
    String::from_utf8(get_meta(conn, key)?)
        .map_err(|_| VaultError::KeyFileDamaged("a device identity field is not text"))
}

fn load_doc(bytes: &store::StoredDoc, id: &str) -> Result<Automerge> {
    let damaged = |source| VaultError::DocumentDamaged {
        doc: id.to_owned(),
        source,
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

    /// Creates a vault in `dir` (created if needed) protected by `passphrase`.
    pub fn create(dir: &Path, passphrase: &Passphrase, setup: &NewVault) -> Result<Self> {
        if Self::exists(dir) {
            return Err(VaultError::VaultExists(dir.to_path_buf()));
        }
        if passphrase.len() < MIN_PASSPHRASE_CHARS {
            return Err(VaultError::Invalid {
                field: "passphrase",
                reason: "at least 8 characters; a few words are easier to remember",
            });
        }
        person::require_name(&setup.member_name)?;
        std::fs::create_dir_all(dir).map_err(VaultError::io("creating the vault folder"))?;
        // A database without its key file is a leftover of an interrupted creation: it can
        // never be opened, so it is replaced.
        for leftover in [
            db::DB_FILE,
            "vault.db-wal",
            "vault.db-shm",
            "vault.db-journal",
        ] {
            let p = dir.join(leftover);
            if p.exists() {
                std::fs::remove_file(&p).map_err(VaultError::io("removing a leftover file"))?;
            }
        }
        let vault_id = docs::new_id();
        let (key_file, raw) = KeyFile::create(&vault_id, passphrase, KdfParams::RECOMMENDED)?;
        let mut conn = db::open(dir, &raw, true)?;

        let signing_key = SigningKey::generate(&mut rand::rngs::OsRng);
        let mut device = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut device);
        let device_id = hex::encode(device);
        let member = MemberId(docs::new_id());
        let team_id = docs::new_id();
        let actor = ActorId::from(&device[..]);
        let now = Utc::now();

        let mut team_doc = Automerge::new().with_actor(actor.clone());
        let entry = team::DeviceEntry {
            member: &member,
            member_name: &setup.member_name,
            role: MemberRole::Admin,
            device_id: &device_id,
            public_key: &signing_key.verifying_key().to_bytes(),
        };
        team_doc
            .transact_with(
                |_| commit_options("team.create".into(), now),
                |tx| team::create(tx, &team_id, &setup.team_name, &entry, now),
            )
            .map_err(|f| f.error)?;
        let snapshot = team_doc.save();
        {
            let tx = conn.transaction()?;
            set_meta(&tx, "vault_id", vault_id.as_bytes())?;
            set_meta(&tx, "device_id", device_id.as_bytes())?;
            set_meta(
                &tx,
                "device_signing_key",
                &Zeroizing::new(signing_key.to_bytes())[..],
            )?;
            set_meta(&tx, "member_id", member.as_str().as_bytes())?;
            set_meta(&tx, "team_doc_id", team_id.as_bytes())?;
            store::insert(&tx, &team_id, DocKind::Team, &snapshot)?;
            store::push_outbox(&tx, &team_id, DocKind::Team, &snapshot)?;
            tx.commit()?;
        }
        // The key file is written last: a vault exists once both files do.
        key_file.write(dir)?;
        let mut cache = DocCache::default();
        cache.insert(team_id.clone(), team_doc);
        Ok(Self {
            dir: dir.to_path_buf(),
            conn,
            key_file,
            device_id,
            actor,
            signing_key,
            member,
            team_id,
            cache,
        })
    }

    /// Unlocks the vault in `dir`. A wrong passphrase changes nothing in the vault and makes
    /// the next attempts wait longer and longer.
    pub fn open(dir: &Path, passphrase: &Passphrase) -> Result<Self> {
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
        Ok(Self {
            dir: dir.to_path_buf(),
            member: MemberId(meta_string(&conn, "member_id")?),
            team_id: meta_string(&conn, "team_doc_id")?,
            conn,
            key_file,
            actor: ActorId::from(device.as_slice()),
            device_id,
            signing_key,
            cache: DocCache::default(),
        })
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
            }),
        ))
    }

    /// Writes changes made in memory, with their outbox rows and index updates, in one
    /// transaction, synced to disk before returning. If anything fails, the documents touched
    /// are dropped from memory so that memory never holds what the disk does not.
    fn commit(&mut self, pending: Vec<Pending>) -> Result<()> {
        let result = self.write_pending(&pending);
        if result.is_err() {
            for p in &pending {
                self.cache.docs.remove(&p.doc_id);
            }
        }
        result
    }

    fn write_pending(&mut self, pending: &[Pending]) -> Result<()> {
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
            reindex(&tx, &p.doc_id, p.kind, doc)?;
            if chunks >= store::COMPACT_AFTER_CHUNKS {
                compact_doc(&tx, &p.doc_id, doc)?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn edit_person<T>(
        &mut self,
        id: &PersonId,
        action: &str,
        target: impl FnOnce(&T) -> Option<String>,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        self.person_doc(id)?;
        let (out, pending) = self.edit(id.as_str(), DocKind::Person, action, target, f)?;
        if let Some(p) = pending {
            self.commit(vec![p])?;
        }
        Ok(out)
    }

    // ---- people ----

    /// Starts a record for a person.
    pub fn add_person(&mut self, new: &NewPerson) -> Result<PersonId> {
        person::require_name(&new.name)?;
        let id = PersonId(docs::new_id());
        let now = Utc::now();
        let mut doc = Automerge::new().with_actor(self.actor.clone());
        doc.transact_with(
            |_| commit_options("person.add".into(), now),
            |tx| person::create(tx, &id, new, &self.member, now),
        )
        .map_err(|f| f.error)?;
        let bytes = doc.save();
        self.cache.insert(id.0.clone(), doc);
        let team_id = self.team_id.clone();
        let (_, team_change) = self.edit(
            &team_id,
            DocKind::Team,
            "person.register",
            |_| None,
            |tx| team::register_person(tx, &id, now),
        )?;
        let mut pending = vec![Pending {
            doc_id: id.0.clone(),
            kind: DocKind::Person,
            bytes,
            new_doc: true,
        }];
        pending.extend(team_change);
        self.commit(pending)?;
        Ok(id)
    }

    /// Edits how a person is known and reached.
    pub fn update_profile(&mut self, id: &PersonId, update: &ProfileUpdate) -> Result<()> {
        self.edit_person(
            id,
            "profile.edit",
            |_| None,
            |tx| person::update_profile(tx, update),
        )
    }

    /// Records a consent.
    pub fn record_consent(&mut self, id: &PersonId, consent: &NewConsent) -> Result<ConsentId> {
        let (by, now) = (self.member.clone(), Utc::now());
        self.edit_person(
            id,
            "consent.add",
            |c: &ConsentId| Some(c.0.clone()),
            |tx| person::add_consent(tx, consent, &by, now),
        )
    }

    /// Records that a consent was withdrawn (today if no date).
    pub fn withdraw_consent(
        &mut self,
        id: &PersonId,
        consent: &ConsentId,
        on: Option<NaiveDate>,
    ) -> Result<()> {
        let on = on.unwrap_or_else(|| Utc::now().date_naive());
        self.edit_person(
            id,
            "consent.withdraw",
            |_| Some(consent.0.clone()),
            |tx| person::withdraw_consent(tx, consent, on),
        )
    }

    /// Adds a goal in the person's own words.
    pub fn add_goal(&mut self, id: &PersonId, goal: &NewGoal) -> Result<GoalId> {
        let now = Utc::now();
        self.edit_person(
            id,
            "goal.add",
            |g: &GoalId| Some(g.0.clone()),
            |tx| person::add_goal(tx, goal, now),
        )
    }

    /// Edits a goal.
    pub fn update_goal(&mut self, id: &PersonId, goal: &GoalId, update: &GoalUpdate) -> Result<()> {
        self.edit_person(
            id,
            "goal.edit",
            |_| Some(goal.0.clone()),
            |tx| person::update_goal(tx, goal, update),
        )
    }

    /// Adds a small step to a goal.
    pub fn add_step(&mut self, id: &PersonId, goal: &GoalId, text: &str) -> Result<StepId> {
        let now = Utc::now();
        self.edit_person(
            id,
            "step.add",
            |_| Some(goal.0.clone()),
            |tx| person::add_step(tx, goal, text, now),
        )
    }

    /// Ticks (or unticks) a step.
    pub fn set_step_done(
        &mut self,
        id: &PersonId,
        goal: &GoalId,
        step: &StepId,
        done: bool,
    ) -> Result<()> {
        let now = Utc::now();
        let action = if done { "step.done" } else { "step.undone" };
        self.edit_person(
            id,
            action,
            |_| Some(goal.0.clone()),
            |tx| person::set_step_done(tx, goal, step, done, now),
        )
    }

    /// Records an encounter: in the person's record, or in the month's street log for someone
    /// not known. Durable when this returns.
    pub fn record_encounter(&mut self, new: &NewEncounter) -> Result<EncounterId> {
        let now = Utc::now();
        let by = self.member.clone();
        match &new.subject {
            EncounterSubject::Person(pid) => {
                if !new.follow_ups.is_empty()
                    && new.follow_ups.iter().any(|f| f.what.trim().is_empty())
                {
                    return Err(VaultError::Invalid {
                        field: "follow-up",
                        reason: "say what to do",
                    });
                }
                let (eid, _) = self.edit_person(
                    pid,
                    "encounter.add",
                    |(e, _): &(EncounterId, Vec<FollowUpId>)| Some(e.0.clone()),
                    |tx| person::add_encounter(tx, new, &by, now),
                )?;
                Ok(eid)
            }
            EncounterSubject::Anonymous(_) => {
                if !new.goals.is_empty() || !new.follow_ups.is_empty() {
                    return Err(VaultError::Invalid {
                        field: "encounter",
                        reason: "goals and follow-ups belong to a person's record",
                    });
                }
                let month = street::month_of(new.at.unwrap_or(now));
                let doc_id = street::doc_id(&self.team_id, &month);
                let mut pending = Vec::new();
                if store::load(&self.conn, &doc_id)?.is_none()
                    && self.cache.touch(&doc_id).is_none()
                {
                    let mut doc = street::genesis(&self.team_id, &month)?;
                    doc.set_actor(self.actor.clone());
                    pending.push(Pending {
                        doc_id: doc_id.clone(),
                        kind: DocKind::StreetLog,
                        bytes: doc.save(),
                        new_doc: true,
                    });
                    self.cache.insert(doc_id.clone(), doc);
                }
                let result = self.edit(
                    &doc_id,
                    DocKind::StreetLog,
                    "encounter.add",
                    |e: &EncounterId| Some(e.0.clone()),
                    |tx| {
                        let sec =
                            street::encounters_obj(tx).ok_or(VaultError::WrongDocumentShape {
                                doc: String::new(),
                                expected: "street log",
                            })?;
                        let id = docs::new_id();
                        let obj = automerge::transaction::Transactable::put_object(
                            tx,
                            &sec,
                            id.as_str(),
                            automerge::ObjType::Map,
                        )?;
                        person::write_encounter(tx, &obj, new, &by, now)?;
                        Ok(EncounterId(id))
                    },
                );
                let (eid, change) = match result {
                    Ok(ok) => ok,
                    Err(e) => {
                        self.cache.docs.remove(&doc_id);
                        return Err(e);
                    }
                };
                pending.extend(change);
                self.commit(pending)?;
                Ok(eid)
            }
        }
    }

    /// Rewrites an encounter's notes (merged with concurrent edits character by character).
    pub fn update_encounter_notes(
        &mut self,
        id: &PersonId,
        encounter: &EncounterId,
        notes: &str,
    ) -> Result<()> {
        self.edit_person(
            id,
            "encounter.edit",
            |_| Some(encounter.0.clone()),
            |tx| person::edit_encounter_notes(tx, encounter, notes),
        )
    }

    /// Adds a follow-up for a person.
    pub fn add_follow_up(&mut self, id: &PersonId, follow_up: &NewFollowUp) -> Result<FollowUpId> {
        let (by, now) = (self.member.clone(), Utc::now());
        self.edit_person(
            id,
            "followup.add",
            |f: &FollowUpId| Some(f.0.clone()),
            |tx| person::add_follow_up(tx, follow_up, None, &by, now),
        )
    }

    /// Marks a follow-up done.
    pub fn complete_follow_up(&mut self, id: &PersonId, follow_up: &FollowUpId) -> Result<()> {
        let now = Utc::now();
        self.edit_person(
            id,
            "followup.done",
            |_| Some(follow_up.0.clone()),
            |tx| person::complete_follow_up(tx, follow_up, now),
        )
    }

    /// Settles a field edited concurrently by keeping value number `choice` of the conflict
    /// (in the order `Conflict::values` lists them).
    pub fn resolve_conflict(
        &mut self,
        id: &PersonId,
        path: &[String],
        choice: usize,
    ) -> Result<()> {
        self.edit_person(
            id,
            "conflict.resolve",
            |_| None,
            |tx| person::resolve_conflict(tx, path, choice),
        )
    }

    // ---- reading ----

    /// Everything written about a person.
    pub fn person(&mut self, id: &PersonId) -> Result<PersonRecord> {
        let doc = self.person_doc(id)?;
        person::read(doc, id.as_str())
    }

    /// What to read before a visit.
    pub fn brief(&mut self, id: &PersonId) -> Result<PersonBrief> {
        Ok(self.person(id)?.brief(BRIEF_ENCOUNTERS))
    }

    /// Everyone, by name.
    pub fn list_people(&self) -> Result<Vec<PersonSummary>> {
        index::list_people(&self.conn)
    }

    /// People whose name or nicknames match (accents and case ignored).
    pub fn search_people(&self, query: &str) -> Result<Vec<PersonSummary>> {
        index::search_people(&self.conn, query, 50)
    }

    /// Finds one person from an id, the start of an id, or a name that matches only one
    /// person.
    pub fn find_person(&self, query: &str) -> Result<PersonId> {
        let q = query.trim();
        if q.is_empty() {
            return Err(VaultError::Invalid {
                field: "person",
                reason: "give a name or an id",
            });
        }
        if index::person_summary(&self.conn, q)?.is_some() {
            return Ok(PersonId(q.to_owned()));
        }
        if q.len() >= 6 && q.chars().all(|c| c.is_ascii_hexdigit()) {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT id FROM person_index WHERE id LIKE ?1 || '%' LIMIT 2")?;
            let ids = stmt
                .query_map([q.to_lowercase()], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            if ids.len() == 1 {
                return Ok(PersonId(ids[0].clone()));
            }
        }
        let found = index::search_people(&self.conn, q, 50)?;
        let folded = tandem_model::fold_for_search(q);
        let exact: Vec<&PersonSummary> = found
            .iter()
            .filter(|p| {
                tandem_model::fold_for_search(&p.name) == folded
                    || p.nicknames
                        .iter()
                        .any(|n| tandem_model::fold_for_search(n) == folded)
            })
            .collect();
        match (exact.len(), found.len()) {
            (1, _) => Ok(exact[0].id.clone()),
            (0, 1) => Ok(found[0].id.clone()),
            (0, 0) => Err(VaultError::not_found("person", "(no match)")),
            (n, m) => Err(VaultError::Ambiguous { count: n.max(m) }),
        }
    }

    /// Open follow-ups due on or before a date, across everyone.
    pub fn follow_ups_due(&self, until: NaiveDate) -> Result<Vec<FollowUpDue>> {
        index::follow_ups_due(&self.conn, until)
    }

    /// The latest encounters across everyone (and the street logs), newest first.
    pub fn recent_encounters(&mut self, limit: usize) -> Result<Vec<Encounter>> {
        let rows = index::recent_encounters(&self.conn, limit)?;
        let mut out = Vec::with_capacity(rows.len());
        for (doc_id, person_id, enc_id) in rows {
            let doc = self.doc(&doc_id)?;
            let found = match person_id {
                Some(p) => {
                    person::read_encounters(doc, &automerge::ROOT, "encounters", Some(&PersonId(p)))
                }
                None => street::read(doc),
            };
            out.extend(found.into_iter().filter(|e| e.id.0 == enc_id));
        }
        Ok(out)
    }

    /// The street log of a month (`YYYY-MM`), newest first.
    pub fn street_log(&mut self, month: &str) -> Result<Vec<Encounter>> {
        let doc_id = street::doc_id(&self.team_id, month);
        if store::load(&self.conn, &doc_id)?.is_none() && self.cache.touch(&doc_id).is_none() {
            return Ok(Vec::new());
        }
        Ok(street::read(self.doc(&doc_id)?))
    }

    /// Who changed what in a person's record, and when, newest first. Never the content.
    pub fn history(&mut self, id: &PersonId) -> Result<Vec<HistoryEntry>> {
        let team_id = self.team_id.clone();
        let owners = team::device_owners(self.doc(&team_id)?);
        let doc = self.person_doc(id)?;
        let mut out: Vec<HistoryEntry> = doc
            .get_changes_meta(&[])
            .into_iter()
            .map(|m| {
                let device = m.actor.to_hex_string();
                let (action, target) = match m.message.as_deref().unwrap_or("").split_once(' ') {
                    Some((a, t)) => (a.to_owned(), Some(t.to_owned())),
                    None => (m.message.as_deref().unwrap_or("").to_owned(), None),
                };
                let owner = owners.get(&device);
                HistoryEntry {
                    at: DateTime::from_timestamp_millis(m.timestamp).unwrap_or_default(),
                    by: owner.map(|o| o.0.clone()),
                    by_name: owner.map(|o| o.1.clone()),
                    device,
                    action,
                    target,
                }
            })
            .collect();
        out.reverse();
        out.sort_by(|a, b| b.at.cmp(&a.at));
        Ok(out)
    }

    /// The team as this device knows it.
    pub fn team(&mut self) -> Result<TeamInfo> {
        let team_id = self.team_id.clone();
        let (me, device) = (self.member.clone(), self.device_id.clone());
        let doc = self.doc(&team_id)?;
        Ok(TeamInfo {
            id: team_id,
            name: team::name(doc),
            members: team::members(doc),
            settings: team::settings(doc),
            me,
            device,
        })
    }

    // ---- export ----

    /// A person's record as JSON.
    pub fn export_json(&mut self, id: &PersonId) -> Result<String> {
        let rec = self.person(id)?;
        serde_json::to_string_pretty(&rec).map_err(|_| VaultError::Crypto)
    }

    /// A person's record as readable text, for them to take away.
    pub fn export_text(&mut self, id: &PersonId, lang: Lang) -> Result<String> {
        Ok(tandem_model::export::render_text(&self.person(id)?, lang))
    }

    /// A person's Automerge document, whole (any Automerge tool can read it).
    pub fn export_automerge(&mut self, id: &PersonId) -> Result<Vec<u8>> {
        Ok(self.person_doc(id)?.save())
    }

    // ---- changes in and out (the sync client builds on these) ----

    /// Local changes not yet acknowledged, oldest first.
    pub fn outbox(&self, limit: usize) -> Result<Vec<OutboxEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, doc_id, doc_kind, bytes FROM outbox ORDER BY seq LIMIT ?1",
        )?;
        let rows = stmt
            .query_map([limit as i64], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Vec<u8>>(3)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows
            .into_iter()
            .map(|(seq, doc_id, kind, bytes)| OutboxEntry {
                seq,
                doc_id,
                kind: DocKind::from_code(&kind).unwrap_or(DocKind::Person),
                bytes,
            })
            .collect())
    }

    /// How many local changes wait to be sent.
    pub fn outbox_len(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM outbox", [], |r| r.get::<_, i64>(0))?
            as u64)
    }

    /// Removes changes the relay has acknowledged.
    pub fn acknowledge(&mut self, seqs: &[i64]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut del = tx.prepare_cached("DELETE FROM outbox WHERE seq = ?1")?;
            for s in seqs {
                del.execute([s])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Applies changes to a document that came from another device (any order, duplicates
    /// welcome). Returns whether anything new was learnt. Bad bytes are refused whole and
    /// change nothing.
    pub fn apply_changes(&mut self, doc_id: &str, kind: DocKind, chunks: &[&[u8]]) -> Result<bool> {
        if doc_id.is_empty()
            || doc_id.len() > 64
            || !doc_id.chars().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(VaultError::Invalid {
                field: "document id",
                reason: "not a Tandem id",
            });
        }
        let exists =
            self.cache.touch(doc_id).is_some() || store::load(&self.conn, doc_id)?.is_some();
        if exists {
            self.doc(doc_id)?;
        } else {
            self.cache.insert(
                doc_id.to_owned(),
                Automerge::new().with_actor(self.actor.clone()),
            );
        }
        let result = self.apply_loaded(doc_id, kind, chunks, !exists);
        if result.is_err() {
            self.cache.docs.remove(doc_id);
        }
        result
    }

    fn apply_loaded(
        &mut self,
        doc_id: &str,
        kind: DocKind,
        chunks: &[&[u8]],
        new_doc: bool,
    ) -> Result<bool> {
        let doc = self
            .cache
            .touch(doc_id)
            .ok_or_else(|| VaultError::not_found("document", doc_id))?;
        let heads = doc.get_heads();
        let missing_before = doc.get_missing_deps(&[]).len();
        let all: Vec<u8> = chunks.concat();
        doc.load_incremental(&all)
            .map_err(|source| VaultError::InvalidChanges {
                doc: doc_id.to_owned(),
                source,
            })?;
        let learnt = doc.get_heads() != heads || doc.get_missing_deps(&[]).len() != missing_before;
        let kind = match docs::kind_of(doc) {
            Some(k) if k != kind => {
                return Err(VaultError::WrongDocumentShape {
                    doc: doc_id.to_owned(),
                    expected: kind.code(),
                })
            }
            Some(k) => k,
            None => kind,
        };
        if !learnt && !new_doc {
            return Ok(false);
        }
        let tx = self.conn.transaction()?;
        if new_doc {
            store::insert(&tx, doc_id, kind, &[])?;
        }
        // The bytes are kept as received: changes whose dependencies have not arrived yet
        // are not in the document yet and would be lost by saving the document instead.
        let count = store::append_chunk(&tx, doc_id, &all)?;
        let doc = self
            .cache
            .touch(doc_id)
            .ok_or_else(|| VaultError::not_found("document", doc_id))?;
        reindex(&tx, doc_id, kind, doc)?;
        if count >= store::COMPACT_AFTER_CHUNKS {
            compact_doc(&tx, doc_id, doc)?;
        }
        tx.commit()?;
        Ok(learnt)
    }

    /// Every document's id and kind.
    pub fn documents(&self) -> Result<Vec<(String, DocKind)>> {
        let mut out = Vec::new();
        for kind in [DocKind::Team, DocKind::Person, DocKind::StreetLog] {
            out.extend(
                store::doc_ids(&self.conn, Some(kind))?
                    .into_iter()
                    .map(|id| (id, kind)),
            );
        }
        Ok(out)
    }

    /// A document's full Automerge bytes.
    pub fn document_bytes(&mut self, doc_id: &str) -> Result<Vec<u8>> {
        Ok(self.doc(doc_id)?.save())
    }

    /// A document's heads (hex), sorted: equal heads mean equal documents.
    pub fn document_heads(&mut self, doc_id: &str) -> Result<Vec<String>> {
        let mut h: Vec<String> = self
            .doc(doc_id)?
            .get_heads()
            .iter()
            .map(|h| h.to_string())
            .collect();
        h.sort();
        Ok(h)
    }

    // ---- upkeep ----

    /// Rebuilds every index from the documents alone.
    pub fn rebuild_indexes(&mut self) -> Result<()> {
        let ids = self.documents()?;
        let mut loaded = Vec::new();
        for (id, kind) in &ids {
            if *kind == DocKind::Team {
                continue;
            }
            let stored = store::load(&self.conn, id)?
                .ok_or_else(|| VaultError::not_found("document", id))?;
            loaded.push((id.clone(), *kind, load_doc(&stored, id)?));
        }
        let tx = self.conn.transaction()?;
        index::clear(&tx)?;
        for (id, kind, doc) in &loaded {
            reindex(&tx, id, *kind, doc)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Folds every document's chunks into its snapshot.
    pub fn compact(&mut self) -> Result<()> {
        let ids: Vec<String> = {
            let mut stmt = self
                .conn
                .prepare("SELECT id FROM docs WHERE chunk_count > 0")?;
            let ids = stmt
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            ids
        };
        for id in ids {
            self.doc(&id)?;
            let tx = self.conn.transaction()?;
            let doc = self
                .cache
                .touch(&id)
                .ok_or_else(|| VaultError::not_found("document", &id))?;
            compact_doc(&tx, &id, doc)?;
            tx.commit()?;
        }
        Ok(())
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn member(&self) -> &MemberId {
        &self.member
    }

    pub(crate) fn actor(&self) -> &ActorId {
        &self.actor
    }
}

fn reindex(conn: &Connection, doc_id: &str, kind: DocKind, doc: &Automerge) -> Result<()> {
    match kind {
        DocKind::Person => match person::read(doc, doc_id) {
            Ok(rec) => index::index_person(conn, &rec),
            // Changes that arrived before the person's creation: nothing to index yet.
            Err(VaultError::WrongDocumentShape { .. }) if docs::kind_of(doc).is_none() => Ok(()),
            Err(e) => Err(e),
        },
        DocKind::StreetLog => index::index_encounters(conn, doc_id, None, &street::read(doc)),
        DocKind::Team => Ok(()),
    }
}

fn compact_doc(conn: &Connection, doc_id: &str, doc: &Automerge) -> Result<()> {
    // Changes still waiting for their dependencies are only in the chunks: keep them.
    if doc.get_missing_deps(&[]).is_empty() {
        store::replace_snapshot(conn, doc_id, &doc.save())?;
    }
    Ok(())
}
