//! Street contacts that become people, and two records of one person merged into one.
//!
//! Both are links written into Automerge documents, never moves or deletions: a street
//! entry says whom it was found to be (`linked_to`, in its month's log), a record merged
//! away says which record it is part of now (`merged_into`, in its own document). The
//! indexes hold both (`street_link_index`, `person_index.merged_into` / `merge_root`), and
//! reading a person reads every document of the group and the entries linked to it.

use super::*;
use crate::docs::merge;
use std::collections::{BTreeMap, HashSet};
use tandem_model::MergedRecord;

/// The most records read as one person (the record kept and those merged into it). A merge
/// that would make more is refused; a larger group (merges made on devices that had not
/// synced, or a hostile member's) is read up to this many, by id, so one brief never loads
/// an unbounded number of documents. The others still find the record they are part of.
pub const MAX_MERGE_GROUP: usize = 32;

impl Vault {
    /// The record a person's id stands for now: the record it was merged into (following
    /// chains), or itself. An id the index does not hold is returned as it is.
    pub fn resolve_person(&self, id: &PersonId) -> Result<PersonId> {
        let root: Option<Option<String>> = self
            .conn
            .prepare_cached("SELECT merge_root FROM person_index WHERE id = ?1")?
            .query_row([id.as_str()], |r| r.get(0))
            .optional()?;
        Ok(root.flatten().map(PersonId).unwrap_or_else(|| id.clone()))
    }

    /// The records read as one: `root` first, then those merged into it, by id (at most
    /// [`MAX_MERGE_GROUP`] in all).
    pub(super) fn merge_group(&self, root: &PersonId) -> Result<Vec<PersonId>> {
        let mut out = vec![root.clone()];
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM person_index WHERE merge_root = ?1 AND id != ?1 ORDER BY id
             LIMIT ?2",
        )?;
        let others = stmt
            .query_map(
                rusqlite::params![
                    root.as_str(),
                    i64::try_from(MAX_MERGE_GROUP - 1).unwrap_or(i64::MAX)
                ],
                |r| r.get::<_, String>(0),
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        out.extend(others.into_iter().map(PersonId));
        Ok(out)
    }

    /// Everything written about a person, with the records merged into theirs and the street
    /// entries linked to them.
    pub(super) fn merged_person(&mut self, id: &PersonId) -> Result<PersonRecord> {
        let root = self.resolve_person(id)?;
        let group = self.merge_group(&root)?;
        let mut rec = person::read(self.person_doc(&root)?, root.as_str())?;
        for other in &group[1..] {
            let doc = match self.person_doc(other) {
                Ok(doc) => doc,
                // Its rows came with a snapshot and its document is not here yet.
                Err(VaultError::NotFound { .. }) => continue,
                Err(e) => return Err(e),
            };
            let merged = merge::merged_into(doc, other.as_str());
            let Ok(o) = person::read(doc, other.as_str()) else {
                continue;
            };
            fold_into(&mut rec, o, merged);
        }
        let linked = self.linked_entries(&group)?;
        for e in linked {
            if !rec.encounters.iter().any(|x| x.id == e.id) {
                rec.encounters.push(e);
            }
        }
        rec.encounters
            .sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
        Ok(rec)
    }

    /// The street entries linked to any record of `group`, as encounters of `group[0]`.
    fn linked_entries(&mut self, group: &[PersonId]) -> Result<Vec<Encounter>> {
        let mut rows: Vec<(String, String)> = Vec::new();
        {
            let mut stmt = self.conn.prepare_cached(
                "SELECT doc_id, encounter_id FROM street_link_index WHERE person_id = ?1",
            )?;
            for p in group {
                rows.extend(
                    stmt.query_map([p.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?
                        .collect::<rusqlite::Result<Vec<(String, String)>>>()?,
                );
            }
        }
        let mut out = Vec::new();
        for (doc_id, entry) in rows {
            let doc = match self.doc(&doc_id) {
                Ok(doc) => doc,
                Err(VaultError::NotFound { .. }) => continue,
                Err(e) => return Err(e),
            };
            let Some(mut e) = street::read_one(doc, &EncounterId(entry)) else {
                continue;
            };
            // The document decides, not the row: only an entry still linked to the group.
            if !e.link.as_ref().is_some_and(|l| group.contains(&l.person)) {
                continue;
            }
            e.subject = EncounterSubject::Person(group[0].clone());
            out.push(e);
        }
        Ok(out)
    }

    /// The street entries linked to any record of `group` become anonymous contacts again
    /// (before the group is erased): one change a month's log, written in one transaction.
    ///
    /// A log that cannot be read or written (damaged, or not all here yet) is passed over
    /// rather than holding back the erasure: its links name a record that will not exist,
    /// so views read them as no link, and [`Self::unlink_links_to_erased`] takes them off
    /// once the log can be edited.
    pub(super) fn unlink_street_entries_of(&mut self, group: &[PersonId]) -> Result<()> {
        let mut by_log: BTreeMap<String, Vec<EncounterId>> = BTreeMap::new();
        {
            let mut stmt = self.conn.prepare_cached(
                "SELECT doc_id, encounter_id FROM street_link_index WHERE person_id = ?1",
            )?;
            for p in group {
                for row in stmt.query_map([p.as_str()], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })? {
                    let (doc, entry) = row?;
                    by_log.entry(doc).or_default().push(EncounterId(entry));
                }
            }
        }
        let mut pending: Vec<Pending> = Vec::new();
        for (doc_id, entries) in by_log {
            let edited = self.edit(
                &doc_id,
                DocKind::StreetLog,
                "street.unlink",
                |_| None,
                |tx| {
                    for e in &entries {
                        street::unlink_if_to(tx, e, group)?;
                    }
                    Ok(())
                },
            );
            match edited {
                Ok((_, change)) => pending.extend(change),
                Err(_) => {
                    // Whatever the edit left in memory goes; the log stays as stored.
                    self.cache.docs.remove(&doc_id);
                }
            }
        }
        self.commit(pending)
    }

    /// Takes off the links that name a person erased at their request: written on a device
    /// that had not heard of the erasure yet, or left in a log that could not be edited
    /// when the erasure was made. Run after each page that brings a street log or the team
    /// document; what cannot be edited
    /// now is tried again next time (the index keeps the rows).
    pub(super) fn unlink_links_to_erased(&mut self) -> Result<()> {
        let linked: Vec<String> = self
            .conn
            .prepare_cached("SELECT DISTINCT person_id FROM street_link_index")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if linked.is_empty() {
            return Ok(());
        }
        let erased: HashSet<String> = self.erased_people()?.into_iter().collect();
        let gone: Vec<PersonId> = linked
            .into_iter()
            .filter(|p| erased.contains(p))
            .map(PersonId)
            .collect();
        if !gone.is_empty() {
            self.unlink_street_entries_of(&gone)?;
        }
        Ok(())
    }

    /// Links a street-log entry to a person ("this was Marc"): the entry stays in its
    /// month's log (the month's count of street contacts does not change) and shows on the
    /// person's record with its time and author. Linking an entry linked already (here or,
    /// at the same time, on another device) replaces the link. Returns the record linked
    /// to (a merged record's id gives the record it was merged into).
    pub fn link_street_entry(&mut self, entry: &EncounterId, to: &PersonId) -> Result<PersonId> {
        let (eid, doc_id, person) = self.find_encounter(entry.as_str())?;
        if person.is_some() || &eid != entry {
            return Err(VaultError::not_found("street entry", entry));
        }
        if index::person_summary(&self.conn, to.as_str())?.is_none() {
            return Err(VaultError::not_found("person", to));
        }
        let to = self.resolve_person(to)?;
        let (by, now) = (self.member.clone(), Utc::now());
        let target = eid.0.clone();
        let (_, change) = self.edit(
            &doc_id,
            DocKind::StreetLog,
            "street.link",
            |_| Some(target),
            |tx| street::link(tx, &eid, &to, &by, now),
        )?;
        self.commit(change.into_iter().collect())?;
        Ok(to)
    }

    /// Takes the link off a street-log entry: it is an anonymous contact again. Returns
    /// whether it had one.
    pub fn unlink_street_entry(&mut self, entry: &EncounterId) -> Result<bool> {
        let (eid, doc_id, person) = self.find_encounter(entry.as_str())?;
        if person.is_some() || &eid != entry {
            return Err(VaultError::not_found("street entry", entry));
        }
        let target = eid.0.clone();
        let (had, change) = self.edit(
            &doc_id,
            DocKind::StreetLog,
            "street.unlink",
            |_| Some(target),
            |tx| street::unlink(tx, &eid),
        )?;
        self.commit(change.into_iter().collect())?;
        Ok(had)
    }

    /// Merges `other` into `keep` (two records of the same person, made on two devices):
    /// nothing is moved or deleted; `other`'s document says it is part of `keep` now, and
    /// every view reads both. `other`'s id still finds the merged record. Undone by
    /// [`Self::unmerge_person`].
    pub fn merge_people(&mut self, keep: &PersonId, other: &PersonId) -> Result<()> {
        for p in [keep, other] {
            if index::person_summary(&self.conn, p.as_str())?.is_none() {
                return Err(VaultError::not_found("person", p));
            }
        }
        let (keep, other) = (self.resolve_person(keep)?, self.resolve_person(other)?);
        if keep == other {
            return Err(VaultError::Invalid {
                field: "merge",
                reason: "these are one record already",
            });
        }
        // Each group as read, so capped: a group at the bound already makes the sum too large.
        if self.merge_group(&keep)?.len() + self.merge_group(&other)?.len() > MAX_MERGE_GROUP {
            return Err(VaultError::TooManyMerged {
                max: MAX_MERGE_GROUP,
            });
        }
        self.person_doc(&other)?;
        let (by, now) = (self.member.clone(), Utc::now());
        let (_, change) = self.edit(
            other.as_str(),
            DocKind::Person,
            "person.merge",
            |_| Some(keep.0.clone()),
            |tx| merge::set(tx, &keep, &by, now),
        )?;
        self.commit(change.into_iter().collect())
    }

    /// Undoes a merge: `other` is a record of its own again, with everything it held
    /// (what was added to the merged record meanwhile stays in the record it was added to).
    pub fn unmerge_person(&mut self, other: &PersonId) -> Result<()> {
        let doc = self.person_doc(other)?;
        if merge::merged_into(doc, other.as_str()).is_none() {
            return Err(VaultError::Invalid {
                field: "merge",
                reason: "this record is not merged into another",
            });
        }
        let (_, change) = self.edit(
            other.as_str(),
            DocKind::Person,
            "person.unmerge",
            |_| None,
            |tx| merge::clear(tx),
        )?;
        self.commit(change.into_iter().collect())
    }
}

/// Adds what another record of the same person holds to `rec`: every encounter, goal,
/// follow-up, consent, the other's name and nicknames (as nicknames), what `rec` lacks of
/// its profile, who accompanies them, notes, and conflicts of its items.
fn fold_into(
    rec: &mut PersonRecord,
    o: PersonRecord,
    merged: Option<(PersonId, Option<MemberId>, Option<DateTime<Utc>>)>,
) {
    let p = &mut rec.profile;
    for n in std::iter::once(&o.profile.name).chain(&o.profile.nicknames) {
        let n = n.trim();
        if !n.is_empty() && n != p.name && !p.nicknames.iter().any(|x| x == n) {
            p.nicknames.push(n.to_owned());
        }
    }
    for l in &o.profile.languages {
        if !p.languages.contains(l) {
            p.languages.push(l.clone());
        }
    }
    if p.pronouns.is_none() {
        p.pronouns = o.profile.pronouns.clone();
    }
    for (mine, theirs) in [
        (&mut p.contact, &o.profile.contact),
        (&mut p.remember, &o.profile.remember),
    ] {
        if !theirs.is_empty() && !mine.contains(theirs.as_str()) {
            if !mine.is_empty() {
                mine.push('\n');
            }
            mine.push_str(theirs);
        }
    }
    rec.encounters.extend(o.encounters);
    rec.goals.extend(o.goals);
    rec.goals.sort_by(|a, b| {
        a.created_at
            .cmp(&b.created_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    rec.follow_ups.extend(o.follow_ups);
    rec.follow_ups.sort_by(|a, b| {
        (a.done_at.is_some(), a.due.is_none(), a.due, a.created_at).cmp(&(
            b.done_at.is_some(),
            b.due.is_none(),
            b.due,
            b.created_at,
        ))
    });
    rec.consents.extend(o.consents);
    rec.consents.sort_by(|a, b| {
        a.recorded_at
            .cmp(&b.recorded_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    for m in o.accompanied_by {
        if !rec.accompanied_by.contains(&m) {
            rec.accompanied_by.push(m);
        }
    }
    rec.handovers.extend(o.handovers);
    rec.handovers.sort_by_key(|n| std::cmp::Reverse(n.at));
    // A profile's conflicts are the other record's own; those of its items (whose ids are
    // unique) and of the merge itself are shown here.
    rec.conflicts.extend(
        o.conflicts
            .into_iter()
            .filter(|c| c.path.first().map(String::as_str) != Some("profile")),
    );
    rec.created_at = rec.created_at.min(o.created_at);
    let (by, at) = merged.map(|m| (m.1, m.2)).unwrap_or_default();
    rec.merged.push(MergedRecord {
        id: o.id,
        name: o.profile.name,
        by,
        at,
    });
}

#[cfg(test)]
mod tests {
    //! What a hostile member can write with a changed client: links and merges to records
    //! that do not exist, values that are not ids, a merge into itself.
    use super::*;
    use automerge::ROOT;
    use tandem_model::{NewPerson, ReportPeriod};

    fn vault() -> (tempfile::TempDir, Vault) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e:?}"));
        let setup = super::super::NewVault {
            member_name: "Sam".into(),
            team_name: "Équipe".into(),
        };
        let pass = Passphrase::new("correct horse battery staple");
        let v = Vault::create(dir.path(), &pass, &setup).unwrap_or_else(|e| panic!("{e:?}"));
        (dir, v)
    }

    fn ok<T>(r: Result<T>) -> T {
        r.unwrap_or_else(|e| panic!("{e:?}"))
    }

    /// Writes raw values into a document, as a changed client could, and indexes it.
    fn hostile_put(v: &mut Vault, doc: &str, kind: DocKind, at: Option<&str>, kv: &[(&str, &str)]) {
        let (_, change) = ok(v.edit(
            doc,
            kind,
            "x",
            |_| None,
            |tx| {
                let obj = match at {
                    Some(entry) => {
                        let sec = docs::map_at(tx, &ROOT, "encounters").unwrap_or(ROOT);
                        docs::map_at(tx, &sec, entry).unwrap_or(ROOT)
                    }
                    None => ROOT,
                };
                for (k, val) in kv {
                    automerge::transaction::Transactable::put(tx, &obj, *k, *val)?;
                }
                Ok(())
            },
        ));
        ok(v.commit(change.into_iter().collect()));
    }

    #[test]
    fn a_link_to_a_record_that_does_not_exist_counts_nobody_and_breaks_nothing() {
        let (_dir, mut v) = vault();
        let marc = ok(v.add_person(&NewPerson {
            name: "Marc".into(),
            ..NewPerson::default()
        }));
        let when = DateTime::from_timestamp(1_714_780_800, 0).unwrap_or_default(); // 2024-05-04
        let e = ok(v.record_encounter(&tandem_model::NewEncounter {
            at: Some(when),
            ..tandem_model::NewEncounter::anonymous()
        }));
        let month = street::month_of(when);
        let log = street::doc_id(v.team_id(), &month);
        let made_up = "0123456789abcdef0123456789abcdef";
        hostile_put(
            &mut v,
            &log,
            DocKind::StreetLog,
            Some(e.as_str()),
            &[("linked_to", made_up)],
        );
        let period = ReportPeriod::days(
            chrono::Datelike::with_day0(&when.date_naive(), 0).unwrap_or_default(),
            when.date_naive(),
            "UTC",
        );
        let r = ok(v.report(&period));
        assert_eq!(
            (r.anonymous_contacts, r.street_contacts_linked, r.people_met),
            (1, 0, 0)
        );
        let entry = ok(v.street_log(&month)).remove(0);
        assert_eq!(entry.link.map(|l| l.person.0), Some(made_up.to_owned()));
        assert!(ok(v.person(&marc)).encounters.is_empty());
        // Not an id at all: no link.
        hostile_put(
            &mut v,
            &log,
            DocKind::StreetLog,
            Some(e.as_str()),
            &[("linked_to", "x' OR 1=1 --")],
        );
        assert!(ok(v.street_log(&month))[0].link.is_none());
        // A real link still works after both.
        ok(v.link_street_entry(&e, &marc));
        assert_eq!(ok(v.person(&marc)).encounters.len(), 1);
    }

    #[test]
    fn a_merge_group_stops_at_its_bound_and_a_larger_one_is_read_up_to_it() {
        let (_dir, mut v) = vault();
        let add = |v: &mut Vault, name: String| {
            ok(v.add_person(&NewPerson {
                name,
                ..NewPerson::default()
            }))
        };
        let root = add(&mut v, "Root".into());
        let others: Vec<_> = (0..MAX_MERGE_GROUP)
            .map(|i| add(&mut v, format!("Record {i}")))
            .collect();
        // Up to the bound, merges go through.
        for o in &others[..MAX_MERGE_GROUP - 1] {
            ok(v.merge_people(&root, o));
        }
        assert_eq!(ok(v.merge_group(&root)).len(), MAX_MERGE_GROUP);
        // One more is refused, and so is merging the whole group into another record.
        let last = &others[MAX_MERGE_GROUP - 1];
        for (keep, other) in [(&root, last), (last, &root)] {
            assert!(
                matches!(
                    v.merge_people(keep, other),
                    Err(VaultError::TooManyMerged { .. })
                ),
                "a group of {} refused",
                MAX_MERGE_GROUP + 1
            );
        }
        assert_eq!(ok(v.resolve_person(last)), *last);
        // Made all the same (by a device that had not synced, or a changed client): the id
        // still finds the record, which is read from the first 32 records only.
        hostile_put(
            &mut v,
            last.as_str(),
            DocKind::Person,
            None,
            &[("merged_into", root.as_str())],
        );
        assert_eq!(ok(v.resolve_person(last)), root);
        assert_eq!(ok(v.merge_group(&root)).len(), MAX_MERGE_GROUP);
        let rec = ok(v.person(&root));
        assert_eq!(rec.profile.nicknames.len(), MAX_MERGE_GROUP - 1);
        assert_eq!(ok(v.list_people()).len(), 1);
        // Erased as shown (those 32), the record beyond the bound is one of its own again, to
        // be seen and erased in turn: nothing stays hidden behind an erased record.
        let group = ok(v.merge_group(&root));
        ok(v.erase_person(&root, &group[1..]));
        let left = ok(v.list_people());
        assert_eq!(left.len(), 1);
        assert!(others.contains(&left[0].id) && !group.contains(&left[0].id));
        assert_eq!(ok(v.resolve_person(&left[0].id)), left[0].id);
    }

    #[test]
    fn merges_into_nothing_or_into_itself_leave_the_record_as_it_was() {
        let (_dir, mut v) = vault();
        let jo = ok(v.add_person(&NewPerson {
            name: "Jo".into(),
            ..NewPerson::default()
        }));
        for target in [
            "0123456789abcdef0123456789abcdef",
            jo.as_str(),
            "not an id!",
        ] {
            hostile_put(
                &mut v,
                jo.as_str(),
                DocKind::Person,
                None,
                &[("merged_into", target)],
            );
            let listed = ok(v.list_people());
            assert_eq!(listed.len(), 1, "{target}");
            assert_eq!(ok(v.person(&jo)).id, jo);
            assert_eq!(ok(v.find_person("Jo")), jo);
        }
        ok(v.rebuild_indexes());
        assert_eq!(ok(v.list_people()).len(), 1);
    }

    #[test]
    fn a_three_record_cycle_ends_at_its_smallest_id_from_every_start() {
        let mut edges = HashMap::new();
        for (a, b) in [("c", "a"), ("a", "b"), ("b", "c"), ("d", "b")] {
            edges.insert(a.to_owned(), b.to_owned());
        }
        for start in ["b", "c", "d"] {
            let root = ok(crate::index::merge_root_of_for_tests(start, &edges));
            assert_eq!(root.as_deref(), Some("a"), "{start}");
        }
        assert_eq!(ok(crate::index::merge_root_of_for_tests("a", &edges)), None);
    }
}

#[cfg(test)]
mod erasure_tests {
    //! Erasure and street links: a damaged log does not hold an erasure back, and links
    //! left naming an erased person are taken off the log itself, not only hidden.
    use super::*;
    use tandem_model::{NewEncounter, NewPerson};

    fn ok<T>(r: Result<T>) -> T {
        r.unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn raw_link(v: &mut Vault, log: &str) -> Option<PersonId> {
        let doc = ok(v.doc(log));
        street::read(doc).remove(0).link.map(|l| l.person)
    }

    #[test]
    fn a_damaged_street_log_does_not_stop_an_erasure_and_is_unlinked_once_readable() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e:?}"));
        let setup = super::super::NewVault {
            member_name: "Sam".into(),
            team_name: "Équipe".into(),
        };
        let pass = Passphrase::new("correct horse battery staple");
        let mut v = ok(Vault::create(dir.path(), &pass, &setup));
        let marc = ok(v.add_person(&NewPerson {
            name: "Marc".into(),
            ..NewPerson::default()
        }));
        let when = DateTime::from_timestamp(1_714_780_800, 0).unwrap_or_default(); // 2024-05-04
        let e = ok(v.record_encounter(&NewEncounter {
            at: Some(when),
            ..NewEncounter::anonymous()
        }));
        ok(v.link_street_entry(&e, &marc));
        let log = street::doc_id(v.team_id(), &street::month_of(when));
        let good = ok(v.doc(&log)).save();

        // The log's stored bytes are damaged: the erasure goes ahead all the same.
        ok(store::replace_snapshot(&v.conn, &log, b"not automerge"));
        v.cache.docs.remove(&log);
        ok(v.erase_person(&marc, &[]));
        assert!(v.person(&marc).is_err(), "erased");
        assert!(v.street_log("2024-05").is_err(), "the log is still damaged");

        // Readable again (repaired from another device's copy): the link the erasure could
        // not take off is hidden at once and taken off the document by the next sweep.
        ok(store::replace_snapshot(&v.conn, &log, &good));
        v.cache.docs.remove(&log);
        assert!(
            ok(v.street_log("2024-05"))[0].link.is_none(),
            "read as no link"
        );
        let recent = ok(v.recent_encounters(10));
        assert_eq!(recent.len(), 1, "the street entry is among the latest");
        assert!(recent[0].link.is_none(), "in every view");
        assert_eq!(
            raw_link(&mut v, &log),
            Some(marc.clone()),
            "still in the log"
        );
        let outbox = ok(v.outbox_len());
        ok(v.unlink_links_to_erased());
        assert_eq!(raw_link(&mut v, &log), None, "taken off the log itself");
        assert_eq!(ok(v.outbox_len()), outbox + 1, "and sent to the team");
        // Nothing left to do: a second sweep writes nothing.
        ok(v.unlink_links_to_erased());
        assert_eq!(ok(v.outbox_len()), outbox + 1);
        assert_eq!(ok(v.street_log("2024-05")).len(), 1, "the entry is kept");
    }
}
