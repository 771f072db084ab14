//! Reading records, lists, history and exports.

use super::*;
use std::collections::HashSet;

impl Vault {
    // ---- reading ----

    /// Everything written about a person: with the records merged into theirs and the
    /// street entries linked to them. A merged record's id gives the record it was merged
    /// into.
    pub fn person(&mut self, id: &PersonId) -> Result<PersonRecord> {
        self.merged_person(id)
    }

    /// What to read before a visit.
    pub fn brief(&mut self, id: &PersonId) -> Result<PersonBrief> {
        let mut brief = self.person(id)?.brief(BRIEF_ENCOUNTERS);
        // Only the members this brief names, so it reads the same on every device that holds
        // the same record.
        let mut named: Vec<&MemberId> = brief.accompanied_by.iter().collect();
        named.extend(
            brief
                .open_follow_ups
                .iter()
                .filter_map(|f| f.responsible.as_ref()),
        );
        named.extend(brief.handovers.iter().filter_map(|n| n.by.as_ref()));
        // Who noted what came of a referral or a debrief, on the encounters shown.
        for e in &brief.last_encounters {
            named.extend(
                e.referral_details
                    .iter()
                    .filter_map(|r| r.outcome.as_ref()?.by.as_ref()),
            );
            named.extend(e.debrief_done.as_ref().and_then(|d| d.by.as_ref()));
        }
        // Who merged the records gathered here.
        named.extend(brief.merged.iter().filter_map(|m| m.by.as_ref()));
        for c in brief
            .conflicts
            .iter()
            .filter(|c| c.field() == "responsible")
        {
            brief.member_names.extend(
                c.values
                    .iter()
                    .map(|v| (MemberId(v.clone()), String::new())),
            );
        }
        let directory = self.member_directory()?;
        let wanted: Vec<MemberId> = named
            .into_iter()
            .cloned()
            .chain(brief.member_names.drain(..).map(|(m, _)| m))
            .collect();
        brief.member_names = directory
            .into_iter()
            .filter(|(m, _)| wanted.contains(m))
            .collect();
        Ok(brief)
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
            return self.resolve_person(&PersonId(q.to_owned()));
        }
        if q.len() >= 6 && q.chars().all(|c| c.is_ascii_hexdigit()) {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT id FROM person_index WHERE id LIKE ?1 || '%' LIMIT 2")?;
            let ids = stmt
                .query_map([q.to_lowercase()], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            if ids.len() == 1 {
                return self.resolve_person(&PersonId(ids[0].clone()));
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
            (0, 0) => Err(VaultError::NoMatch),
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
        self.hide_links_to_erased(&mut out)?;
        Ok(out)
    }

    /// The names of the records `ids` stand for now (a merged record's id gives the name of
    /// the record it was merged into), in the order given; ids the vault does not hold are
    /// left out. One indexed read each.
    pub fn person_names(&self, ids: &[PersonId]) -> Result<Vec<(PersonId, String)>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let root = self.resolve_person(id)?;
            if let Some(p) = index::person_summary(&self.conn, root.as_str())? {
                out.push((id.clone(), p.name));
            }
        }
        Ok(out)
    }

    /// The street log of a month (`YYYY-MM`), newest first.
    pub fn street_log(&mut self, month: &str) -> Result<Vec<Encounter>> {
        let doc_id = street::doc_id(&self.team_id, month);
        if store::load(&self.conn, &doc_id)?.is_none() && self.cache.touch(&doc_id).is_none() {
            return Ok(Vec::new());
        }
        let mut entries = street::read(self.doc(&doc_id)?);
        self.hide_links_to_erased(&mut entries)?;
        Ok(entries)
    }

    /// A street entry's link to a person erased at their request is read as no link (until
    /// a sync's sweep takes it off the log: `unlink_links_to_erased`).
    fn hide_links_to_erased(&mut self, entries: &mut [Encounter]) -> Result<()> {
        if entries.iter().any(|e| e.link.is_some()) {
            let erased: HashSet<String> = self.erased_people()?.into_iter().collect();
            for e in entries {
                let gone = e
                    .link
                    .as_ref()
                    .is_some_and(|l| erased.contains(l.person.as_str()));
                if gone {
                    e.link = None;
                }
            }
        }
        Ok(())
    }

    /// Who changed what in a person's record, and when, newest first. Never the content.
    pub fn history(&mut self, id: &PersonId) -> Result<Vec<HistoryEntry>> {
        let team_id = self.team_id.clone();
        let owners = team::device_owners(self.doc(&team_id)?);
        let root = self.resolve_person(id)?;
        let mut metas = Vec::new();
        for (i, p) in self.merge_group(&root)?.iter().enumerate() {
            match self.person_doc(p) {
                Ok(doc) => metas.extend(doc.get_changes_meta(&[]).into_iter().map(|m| {
                    (
                        m.actor.to_hex_string(),
                        m.message.as_deref().unwrap_or("").to_owned(),
                        m.timestamp,
                    )
                })),
                Err(VaultError::NotFound { .. }) if i > 0 => {}
                Err(e) => return Err(e),
            }
        }
        let mut out: Vec<HistoryEntry> = metas
            .into_iter()
            .map(|(device, message, timestamp)| {
                let (action, target) = match message.split_once(' ') {
                    Some((a, t)) => (a.to_owned(), Some(t.to_owned())),
                    None => (message.clone(), None),
                };
                let owner = owners.get(&device);
                HistoryEntry {
                    at: DateTime::from_timestamp_millis(timestamp).unwrap_or_default(),
                    by: owner.map(|o| o.0.clone()),
                    by_name: owner.map(|o| o.1.clone()),
                    device,
                    action,
                    target,
                }
            })
            .collect();
        // Newest first; changes made in the same millisecond keep their causal order, reversed.
        out.reverse();
        out.sort_by_key(|e| std::cmp::Reverse(e.at));
        Ok(out)
    }

    /// The team as this device knows it.
    pub fn team(&mut self) -> Result<TeamInfo> {
        let team_id = self.team_id.clone();
        let (me, device) = (self.member.clone(), self.device_id.clone());
        let record = self.team_record()?;
        let record_fingerprint = record.as_ref().map(|r| r.fingerprint());
        let doc = self.doc(&team_id)?;
        let mut members = team::members(doc);
        if let Some(record) = record {
            // Roles are the record's, whatever the team document (which any member can
            // write) claims: an admin is a member with a device the record keeps as one.
            for m in &mut members {
                let admin = record.active().any(|(_, d)| {
                    d.role == tandem_protocol::api::DeviceRole::Admin
                        && hex::encode(d.member) == m.id.as_str()
                });
                m.role = if admin {
                    MemberRole::Admin
                } else {
                    MemberRole::Member
                };
            }
        }
        Ok(TeamInfo {
            id: team_id,
            name: team::name(doc),
            members,
            settings: team::settings(doc),
            me,
            device,
            record_fingerprint,
        })
    }

    // ---- export ----

    /// A person's record as JSON.
    pub fn export_json(&mut self, id: &PersonId) -> Result<String> {
        let rec = self.person(id)?;
        serde_json::to_string_pretty(&rec)
            .map_err(|_| VaultError::Internal("a record did not serialise"))
    }

    /// A person's record as readable text, for them to take away.
    pub fn export_text(&mut self, id: &PersonId, lang: Lang) -> Result<String> {
        Ok(tandem_model::export::render_text(&self.person(id)?, lang))
    }

    /// A person's Automerge document, whole (any Automerge tool can read it).
    pub fn export_automerge(&mut self, id: &PersonId) -> Result<Vec<u8>> {
        Ok(self.person_doc(id)?.save())
    }
}
