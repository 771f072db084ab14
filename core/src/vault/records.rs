//! Writing to people's records: each call is one Automerge change, durable on return.

use super::*;
use std::collections::BTreeSet;

impl Vault {
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
            index: IndexUpdate::Full,
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
        let now = Utc::now();
        self.edit_person(
            id,
            "goal.edit",
            |_| Some(goal.0.clone()),
            |tx| person::update_goal(tx, goal, update, now),
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
        let places = self.referred_places(&new.referred_to)?;
        match &new.subject {
            EncounterSubject::Person(pid) => {
                self.person_doc(pid)?;
                let ((eid, fids), pending) = self.edit(
                    pid.as_str(),
                    DocKind::Person,
                    "encounter.add",
                    |(e, _): &(EncounterId, Vec<FollowUpId>)| Some(e.0.clone()),
                    |tx| person::add_encounter(tx, new, &places, &by, now),
                )?;
                if let Some(mut p) = pending {
                    let doc = self.person_doc(pid)?;
                    if let Some((encounter, follow_ups)) =
                        person::read_new_encounter(doc, pid, &eid, &fids)
                    {
                        p.index = IndexUpdate::Encounter {
                            person: Some(pid.clone()),
                            encounter: Box::new(encounter),
                            follow_ups,
                        };
                    }
                    self.commit(vec![p])?;
                }
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
                        index: IndexUpdate::Full,
                    });
                    self.cache.insert(doc_id.clone(), doc);
                } else if docs::kind_of(self.doc(&doc_id)?).is_none() {
                    // Changes to this month's log arrived before its creation, which is the
                    // same on every device: write it here.
                    let genesis = street::genesis(&self.team_id, &month)?.save();
                    self.doc(&doc_id)?.load_incremental(&genesis)?;
                    pending.push(Pending {
                        doc_id: doc_id.clone(),
                        kind: DocKind::StreetLog,
                        bytes: genesis,
                        new_doc: false,
                        index: IndexUpdate::Full,
                    });
                }
                let result = self.edit(
                    &doc_id,
                    DocKind::StreetLog,
                    "encounter.add",
                    |e: &EncounterId| Some(e.0.clone()),
                    |tx| street::add_encounter(tx, new, &places, &by, now),
                );
                let (eid, mut change) = match result {
                    Ok(ok) => ok,
                    Err(e) => {
                        self.cache.docs.remove(&doc_id);
                        return Err(e);
                    }
                };
                if let Some(p) = change.as_mut() {
                    if let Some(encounter) = street::read_one(self.doc(&doc_id)?, &eid) {
                        p.index = IndexUpdate::Encounter {
                            person: None,
                            encounter: Box::new(encounter),
                            follow_ups: Vec::new(),
                        };
                    }
                }
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

    /// Erases a person's record from this vault at their request: the document, its indexes
    /// and its unsent changes are deleted, and the team document records the erasure so every
    /// device that syncs erases it too and refuses changes to it afterwards.
    ///
    /// `id` is the record as it was shown and `merged` the records shown as merged into it
    /// (`PersonRecord::merged`): they are erased with it, since they are the same person.
    /// When that is not what the vault holds now (a sync brought a merge, or took one off,
    /// since it was shown), nothing is erased: [`VaultError::ChangedMeanwhile`]. So a merge
    /// a member wrote into someone else's record never makes an erasure take that record
    /// unseen. Street entries linked to the person become anonymous contacts again.
    pub fn erase_person(&mut self, id: &PersonId, merged: &[PersonId]) -> Result<()> {
        self.person_doc(id)?;
        let changed = VaultError::ChangedMeanwhile("the records merged into this one");
        if self.resolve_person(id)? != *id {
            return Err(changed);
        }
        let group = self.merge_group(id)?;
        let holds: BTreeSet<&PersonId> = group[1..].iter().collect();
        if holds != merged.iter().collect::<BTreeSet<_>>() {
            return Err(changed);
        }
        // A log that cannot be edited now keeps its links to a record that will not exist:
        // read as no link, and taken off after a later sync.
        self.unlink_street_entries_of(&group)?;
        for p in group.iter().rev() {
            self.erase_one(p)?;
        }
        Ok(())
    }

    fn erase_one(&mut self, id: &PersonId) -> Result<()> {
        self.person_doc(id)?;
        let now = Utc::now();
        let team_id = self.team_id.clone();
        let (_, change) = self.edit(
            &team_id,
            DocKind::Team,
            "person.erase",
            |_| Some(id.0.clone()),
            |tx| team::mark_erased(tx, id, now),
        )?;
        // One transaction: the team hears of it, the record goes, and the relay will be asked
        // to drop its log — all of it, or none of it if the process dies half-way.
        let doc_id = id.as_str().to_owned();
        self.commit_with(change.into_iter().collect(), |tx| {
            let _ = store::remove(tx, &doc_id)?;
            index::remove_person(tx, &doc_id)?;
            Vault::forget_set_aside_of(tx, &doc_id)?;
            queue_relay_erasure(tx, &doc_id, now)
        })?;
        self.cache.docs.remove(id.as_str());
        // What was deleted is zeroed (secure_delete); older page images leave the log too.
        // Best effort: the erasure is done either way, and closing the vault also writes the
        // log back and removes it.
        let _ = crate::db::truncate_wal(&self.conn);
        Ok(())
    }

    /// Adds an option to one of the team's lists (encounter kinds, life domains, what can be
    /// given): the forms of every device offer it once they hear of it. An option already
    /// there changes nothing.
    pub fn add_team_option(&mut self, which: OptionList, value: &str) -> Result<()> {
        let value = check_option(value)?;
        let team_id = self.team_id.clone();
        let (_, change) = self.edit(
            &team_id,
            DocKind::Team,
            "settings.edit",
            |_| None,
            |tx| team::add_option(tx, which, &value),
        )?;
        self.commit(change.into_iter().collect())
    }

    /// Removes an option from one of the team's lists (by its code: `clothing` for a built-in
    /// one, the words as added for the team's own). Records written with it keep it. An
    /// option that is not in the list is [`VaultError::NotFound`], nothing changed.
    pub fn remove_team_option(&mut self, which: OptionList, value: &str) -> Result<()> {
        let team_id = self.team_id.clone();
        let value = value.trim();
        let (removed, change) = self.edit(
            &team_id,
            DocKind::Team,
            "settings.edit",
            |_| None,
            |tx| team::remove_option(tx, which, value),
        )?;
        self.commit(change.into_iter().collect())?;
        if !removed {
            return Err(VaultError::not_found("option", value));
        }
        Ok(())
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
}

/// An option as the team will see it: trimmed, one line, not empty, not too long.
fn check_option(value: &str) -> Result<String> {
    let value = value.trim();
    let reason = if value.is_empty() {
        Some("an option needs a name")
    } else if value.chars().count() > tandem_model::MAX_OPTION_CHARS {
        Some("an option is at most 60 characters")
    } else if value.chars().any(char::is_control) {
        Some("an option is one line")
    } else if value.contains([';', '|']) {
        // Exports list codes with `;` between, and a spreadsheet may split cells there.
        Some("an option cannot hold ; or |")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(VaultError::Invalid {
            field: "option",
            reason,
        }),
        None => Ok(value.to_owned()),
    }
}

/// Asks the relay, at the next sync, to drop a record's log: the device that erases it, and
/// every device that held the record when it heard of the erasure (so the request is not lost
/// with one device).
pub(crate) fn queue_relay_erasure(
    tx: &rusqlite::Transaction<'_>,
    doc_id: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    tx.execute(
        "INSERT OR IGNORE INTO relay_erasures (doc_id, requested_at) VALUES (?1, ?2)",
        rusqlite::params![doc_id, now.timestamp_millis()],
    )?;
    Ok(())
}
