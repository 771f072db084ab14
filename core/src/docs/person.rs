//! A person's document: profile, consents, goals, encounters, follow-ups.
//!
//! Layout (every collection is a map keyed by a random id, so concurrent additions never
//! collide):
//! ```text
//! kind: "person", schema: 1, id, created_at, created_by
//! profile:    { name, pronouns, nicknames: [..], languages: [..], contact: Text, remember: Text }
//! consents:   { id: { what: Text, uses: [..], given_on, how, recorded_by, recorded_at, withdrawn_on } }
//! goals:      { id: { words: Text, domain, status, status_at, next_check_in, created_at,
//!                     steps: { id: { text, done_at, created_at } } } }
//! encounters: { id: { at, duration, place, kind, domains: [..], goals: [..], notes: Text,
//!                     given: [..], referrals: [..], debrief, recorded_by,
//!                     referral_<i>_place, referral_<i>_outcome.., debrief_done_.. } }
//!             (what came of an encounter afterwards: `outcomes.rs`)
//! follow_ups: { id: { what, due, done_at, encounter, created_at, created_by, responsible } }
//! ```
//!
//! Who accompanies the person and hand-over notes are kept by `super::handover`.

use super::*;
use crate::error::{Result, VaultError};
use automerge::{Automerge, ObjId, ObjType, ReadDoc, ROOT};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use tandem_model::{
    Consent, ConsentId, ConsentUse, Encounter, EncounterId, EncounterSubject, FollowUp, FollowUpId,
    Goal, GoalId, GoalStatus, GoalUpdate, MemberId, NewConsent, NewEncounter, NewFollowUp, NewGoal,
    NewPerson, PersonId, PersonRecord, Profile, ProfileUpdate, Step, StepId,
};

const SCHEMA: i64 = 1;

fn clean(s: &str) -> String {
    s.trim().to_owned()
}

fn clean_list(v: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in v.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if !out.iter().any(|o| o == s) {
            out.push(s.to_owned());
        }
    }
    out
}

pub(crate) fn require_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(VaultError::Invalid {
            field: "name",
            reason: "a name is needed",
        });
    }
    if name.chars().count() > 200 {
        return Err(VaultError::Invalid {
            field: "name",
            reason: "longer than 200 characters",
        });
    }
    Ok(())
}

/// Writes a new person's document structure.
pub(crate) fn create(
    tx: &mut impl Transactable,
    id: &PersonId,
    person: &NewPerson,
    by: &MemberId,
    now: DateTime<Utc>,
) -> Result<()> {
    require_name(&person.name)?;
    tx.put(ROOT, "kind", "person")?;
    tx.put(ROOT, "schema", SCHEMA)?;
    tx.put(ROOT, "id", id.as_str())?;
    tx.put(ROOT, "created_at", timestamp(now))?;
    tx.put(ROOT, "created_by", by.as_str())?;
    let profile = tx.put_object(ROOT, "profile", ObjType::Map)?;
    tx.put(&profile, "name", clean(&person.name))?;
    put_opt_str(tx, &profile, "pronouns", person.pronouns.as_deref())?;
    put_list(tx, &profile, "nicknames", &clean_list(&person.nicknames))?;
    put_list(tx, &profile, "languages", &clean_list(&person.languages))?;
    // Text objects exist from the start, so a first edit on two devices cannot create two.
    put_text(tx, &profile, "contact", person.contact.trim())?;
    put_text(tx, &profile, "remember", person.remember.trim())?;
    for key in ["consents", "goals", "encounters", "follow_ups"] {
        tx.put_object(ROOT, key, ObjType::Map)?;
    }
    Ok(())
}

fn section(tx: &impl ReadDoc, key: &str) -> Result<ObjId> {
    map_at(tx, &ROOT, key).ok_or(VaultError::WrongDocumentShape {
        doc: String::new(),
        expected: "person",
    })
}

fn item(tx: &impl ReadDoc, section_key: &str, what: &'static str, id: &str) -> Result<ObjId> {
    let sec = section(tx, section_key)?;
    map_at(tx, &sec, id).ok_or_else(|| VaultError::not_found(what, id))
}

pub(crate) fn update_profile(tx: &mut impl Transactable, u: &ProfileUpdate) -> Result<()> {
    let profile = section(tx, "profile")?;
    if let Some(name) = &u.name {
        require_name(name)?;
        tx.put(&profile, "name", clean(name))?;
    }
    if let Some(p) = &u.pronouns {
        put_opt_str(tx, &profile, "pronouns", Some(p))?;
    }
    if let Some(n) = &u.nicknames {
        put_list(tx, &profile, "nicknames", &clean_list(n))?;
    }
    if let Some(l) = &u.languages {
        put_list(tx, &profile, "languages", &clean_list(l))?;
    }
    if let Some(c) = &u.contact {
        put_text(tx, &profile, "contact", c.trim())?;
    }
    if let Some(r) = &u.remember {
        put_text(tx, &profile, "remember", r.trim())?;
    }
    Ok(())
}

pub(crate) fn add_consent(
    tx: &mut impl Transactable,
    c: &NewConsent,
    by: &MemberId,
    now: DateTime<Utc>,
) -> Result<ConsentId> {
    if c.what.trim().is_empty() {
        return Err(VaultError::Invalid {
            field: "consent",
            reason: "say what they agree to",
        });
    }
    if c.uses.is_empty() {
        return Err(VaultError::Invalid {
            field: "consent uses",
            reason: "at least one use",
        });
    }
    let sec = section(tx, "consents")?;
    let id = new_id();
    let obj = tx.put_object(&sec, id.as_str(), ObjType::Map)?;
    put_text(tx, &obj, "what", c.what.trim())?;
    let uses: Vec<String> = c.uses.iter().map(|u| u.code().to_owned()).collect();
    put_list(tx, &obj, "uses", &uses)?;
    tx.put(
        &obj,
        "given_on",
        date_value(c.given_on.unwrap_or_else(|| now.date_naive())),
    )?;
    put_opt_str(tx, &obj, "how", c.how.as_deref())?;
    tx.put(&obj, "recorded_by", by.as_str())?;
    tx.put(&obj, "recorded_at", timestamp(now))?;
    Ok(ConsentId(id))
}

pub(crate) fn withdraw_consent(
    tx: &mut impl Transactable,
    id: &ConsentId,
    on: chrono::NaiveDate,
) -> Result<()> {
    let obj = item(tx, "consents", "consent", id.as_str())?;
    tx.put(&obj, "withdrawn_on", date_value(on))?;
    Ok(())
}

fn check_domain(domain: Option<&str>) -> Result<()> {
    if domain.is_some_and(|d| d.chars().count() > 64) {
        return Err(VaultError::Invalid {
            field: "domain",
            reason: "longer than 64 characters",
        });
    }
    Ok(())
}

pub(crate) fn add_goal(
    tx: &mut impl Transactable,
    g: &NewGoal,
    now: DateTime<Utc>,
) -> Result<GoalId> {
    if g.words.trim().is_empty() {
        return Err(VaultError::Invalid {
            field: "goal",
            reason: "write the goal in their words",
        });
    }
    check_domain(g.domain.as_deref())?;
    let sec = section(tx, "goals")?;
    let id = new_id();
    let obj = tx.put_object(&sec, id.as_str(), ObjType::Map)?;
    put_text(tx, &obj, "words", g.words.trim())?;
    put_opt_str(tx, &obj, "domain", g.domain.as_deref())?;
    tx.put(
        &obj,
        "status",
        g.status.unwrap_or(GoalStatus::Exploring).code(),
    )?;
    tx.put(&obj, "status_at", timestamp(now))?;
    if let Some(d) = g.next_check_in {
        tx.put(&obj, "next_check_in", date_value(d))?;
    }
    tx.put(&obj, "created_at", timestamp(now))?;
    let steps = tx.put_object(&obj, "steps", ObjType::Map)?;
    for (i, s) in g.steps.iter().filter(|s| !s.trim().is_empty()).enumerate() {
        // Steps added together keep their order: one millisecond apart.
        put_step(
            tx,
            &steps,
            s,
            now + chrono::Duration::milliseconds(i as i64),
        )?;
    }
    Ok(GoalId(id))
}

fn put_step(
    tx: &mut impl Transactable,
    steps: &ObjId,
    text: &str,
    at: DateTime<Utc>,
) -> Result<StepId> {
    let id = new_id();
    let obj = tx.put_object(steps, id.as_str(), ObjType::Map)?;
    tx.put(&obj, "text", text.trim())?;
    tx.put(&obj, "created_at", timestamp(at))?;
    Ok(StepId(id))
}

/// `now` is noted as when the status changed, if it does: reports count goals reached in a
/// period by it.
pub(crate) fn update_goal(
    tx: &mut impl Transactable,
    id: &GoalId,
    u: &GoalUpdate,
    now: DateTime<Utc>,
) -> Result<()> {
    let obj = item(tx, "goals", "goal", id.as_str())?;
    if let Some(w) = &u.words {
        if w.trim().is_empty() {
            return Err(VaultError::Invalid {
                field: "goal",
                reason: "write the goal in their words",
            });
        }
        put_text(tx, &obj, "words", w.trim())?;
    }
    if let Some(d) = &u.domain {
        check_domain(Some(d))?;
        put_opt_str(tx, &obj, "domain", Some(d))?;
    }
    if let Some(s) = u.status {
        tx.put(&obj, "status", s.code())?;
        tx.put(&obj, "status_at", timestamp(now))?;
    }
    if let Some(d) = &u.next_check_in {
        put_opt_str(tx, &obj, "next_check_in", d.map(date_value).as_deref())?;
    }
    Ok(())
}

pub(crate) fn add_step(
    tx: &mut impl Transactable,
    goal: &GoalId,
    text: &str,
    now: DateTime<Utc>,
) -> Result<StepId> {
    if text.trim().is_empty() {
        return Err(VaultError::Invalid {
            field: "step",
            reason: "a step needs words",
        });
    }
    let obj = item(tx, "goals", "goal", goal.as_str())?;
    let steps = match map_at(tx, &obj, "steps") {
        Some(s) => s,
        None => tx.put_object(&obj, "steps", ObjType::Map)?,
    };
    put_step(tx, &steps, text, now)
}

pub(crate) fn set_step_done(
    tx: &mut impl Transactable,
    goal: &GoalId,
    step: &StepId,
    done: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let obj = item(tx, "goals", "goal", goal.as_str())?;
    let steps = map_at(tx, &obj, "steps").ok_or_else(|| VaultError::not_found("step", step))?;
    let s = map_at(tx, &steps, step.as_str()).ok_or_else(|| VaultError::not_found("step", step))?;
    if done {
        tx.put(&s, "done_at", timestamp(now))?;
    } else if tx.get(&s, "done_at")?.is_some() {
        tx.delete(&s, "done_at")?;
    }
    Ok(())
}

/// Fills an encounter map (shared by person documents and street logs). `places` are the
/// places of `e.referred_to` with their names, looked up by the caller in the team document.
pub(crate) fn write_encounter(
    tx: &mut impl Transactable,
    obj: &ObjId,
    e: &NewEncounter,
    places: &[(tandem_model::PlaceId, String)],
    by: &MemberId,
    now: DateTime<Utc>,
) -> Result<()> {
    if e.notes.len() > 100_000 {
        return Err(VaultError::Invalid {
            field: "notes",
            reason: "longer than 100,000 bytes",
        });
    }
    if let Some(d) = e.duration_minutes {
        if d > 24 * 60 {
            return Err(VaultError::Invalid {
                field: "duration",
                reason: "more than a day",
            });
        }
        tx.put(obj, "duration", i64::from(d))?;
    }
    tx.put(obj, "at", timestamp(e.at.unwrap_or(now)))?;
    put_opt_str(tx, obj, "place", e.place.as_deref())?;
    put_opt_str(tx, obj, "kind", e.kind.as_deref())?;
    put_list(tx, obj, "domains", &clean_list(&e.domains))?;
    let goals: Vec<String> = e.goals.iter().map(|g| g.0.clone()).collect();
    put_list(tx, obj, "goals", &clean_list(&goals))?;
    put_text(tx, obj, "notes", e.notes.trim())?;
    put_list(tx, obj, "given", &clean_list(&e.given))?;
    outcomes::write_referrals(tx, obj, places, &e.referrals)?;
    if e.debrief {
        tx.put(obj, "debrief", true)?;
    }
    tx.put(obj, "recorded_by", by.as_str())?;
    if let EncounterSubject::Anonymous(Some(who)) = &e.subject {
        put_opt_str(tx, obj, "who", Some(who))?;
    }
    Ok(())
}

pub(crate) fn add_encounter(
    tx: &mut impl Transactable,
    e: &NewEncounter,
    places: &[(tandem_model::PlaceId, String)],
    by: &MemberId,
    now: DateTime<Utc>,
) -> Result<(EncounterId, Vec<FollowUpId>)> {
    for g in &e.goals {
        item(tx, "goals", "goal", g.as_str())?;
    }
    let sec = section(tx, "encounters")?;
    let id = new_id();
    let obj = tx.put_object(&sec, id.as_str(), ObjType::Map)?;
    write_encounter(tx, &obj, e, places, by, now)?;
    let eid = EncounterId(id);
    let mut fus = Vec::new();
    for f in &e.follow_ups {
        fus.push(add_follow_up(tx, f, Some(&eid), by, now)?);
    }
    Ok((eid, fus))
}

pub(crate) fn add_follow_up(
    tx: &mut impl Transactable,
    f: &NewFollowUp,
    encounter: Option<&EncounterId>,
    by: &MemberId,
    now: DateTime<Utc>,
) -> Result<FollowUpId> {
    if f.what.trim().is_empty() {
        return Err(VaultError::Invalid {
            field: "follow-up",
            reason: "say what to do",
        });
    }
    let sec = section(tx, "follow_ups")?;
    let id = new_id();
    let obj = tx.put_object(&sec, id.as_str(), ObjType::Map)?;
    tx.put(&obj, "what", f.what.trim())?;
    if let Some(d) = f.due {
        tx.put(&obj, "due", date_value(d))?;
    }
    if let Some(e) = encounter {
        tx.put(&obj, "encounter", e.as_str())?;
    }
    tx.put(&obj, "created_at", timestamp(now))?;
    tx.put(&obj, "created_by", by.as_str())?;
    Ok(FollowUpId(id))
}

pub(crate) fn complete_follow_up(
    tx: &mut impl Transactable,
    id: &FollowUpId,
    now: DateTime<Utc>,
) -> Result<()> {
    let obj = item(tx, "follow_ups", "follow-up", id.as_str())?;
    if tx.get(&obj, "done_at")?.is_none() {
        tx.put(&obj, "done_at", timestamp(now))?;
    }
    Ok(())
}

pub(crate) fn edit_encounter_notes(
    tx: &mut impl Transactable,
    id: &EncounterId,
    notes: &str,
) -> Result<()> {
    let obj = item(tx, "encounters", "encounter", id.as_str())?;
    put_text(tx, &obj, "notes", notes.trim())?;
    Ok(())
}

/// Writes again one of a field's concurrent values, which settles it on every device.
pub(crate) fn resolve_conflict(
    tx: &mut impl Transactable,
    path: &[String],
    choice: usize,
) -> Result<()> {
    let Some((key, parent)) = path.split_last() else {
        return Err(VaultError::Invalid {
            field: "path",
            reason: "empty",
        });
    };
    let obj =
        obj_at_path(tx, parent).ok_or_else(|| VaultError::not_found("field", path.join(".")))?;
    let all = tx.get_all(&obj, key.as_str())?;
    let Some((value, id)) = all.iter().rev().nth(choice) else {
        return Err(VaultError::Invalid {
            field: "choice",
            reason: "no such value",
        });
    };
    match value {
        automerge::Value::Scalar(s) => tx.put(&obj, key.as_str(), s.as_ref().clone())?,
        automerge::Value::Object(ObjType::Text) => {
            let text = tx.text(id)?;
            let new = tx.put_object(&obj, key.as_str(), ObjType::Text)?;
            tx.splice_text(&new, 0, 0, &text)?;
        }
        automerge::Value::Object(_) => {
            return Err(VaultError::Invalid {
                field: "path",
                reason: "not a value",
            })
        }
    }
    Ok(())
}

// ---- reading ----

pub(crate) fn read_encounter(
    doc: &impl ReadDoc,
    id: String,
    obj: &ObjId,
    person: Option<&PersonId>,
) -> Option<Encounter> {
    let f = Fields::of(doc, obj);
    let subject = match person {
        Some(p) => EncounterSubject::Person(p.clone()),
        None => EncounterSubject::Anonymous(f.opt_str(doc, "who")),
    };
    let referrals = f.list(doc, "referrals");
    Some(Encounter {
        referral_details: outcomes::read_referrals(doc, &f, &referrals),
        debrief_done: outcomes::read_debrief_done(doc, &f),
        id: EncounterId(id),
        subject,
        at: f.time("at")?,
        duration_minutes: f.int("duration").and_then(|d| u32::try_from(d).ok()),
        place: f.opt_str(doc, "place"),
        kind: f.opt_str(doc, "kind"),
        domains: f.list(doc, "domains"),
        goals: f.list(doc, "goals").into_iter().map(GoalId).collect(),
        notes: f.text(doc, "notes"),
        given: f.list(doc, "given"),
        referrals,
        debrief: f.bool("debrief"),
        recorded_by: f.opt_str(doc, "recorded_by").map(MemberId),
        link: None,
    })
}

/// Encounters of a map of encounters, newest first.
pub(crate) fn read_encounters(
    doc: &impl ReadDoc,
    section_obj: &ObjId,
    key: &str,
    person: Option<&PersonId>,
) -> Vec<Encounter> {
    let mut out: Vec<Encounter> = entries(doc, section_obj, key)
        .into_iter()
        .filter_map(|(id, obj)| read_encounter(doc, id, &obj, person))
        .collect();
    out.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
    out
}

pub(crate) fn read_follow_up(doc: &impl ReadDoc, id: String, obj: &ObjId) -> Option<FollowUp> {
    let f = Fields::of(doc, obj);
    let created_by = f.opt_str(doc, "created_by").map(MemberId);
    Some(FollowUp {
        responsible: f
            .opt_str(doc, "responsible")
            .map(MemberId)
            .or_else(|| created_by.clone()),
        id: FollowUpId(id),
        what: f.str(doc, "what")?,
        due: f.date(doc, "due"),
        done_at: f.time("done_at"),
        encounter: f.opt_str(doc, "encounter").map(EncounterId),
        created_at: f.time("created_at")?,
        created_by,
    })
}

fn read_follow_ups(doc: &impl ReadDoc) -> Vec<FollowUp> {
    let mut out: Vec<FollowUp> = entries(doc, &ROOT, "follow_ups")
        .into_iter()
        .filter_map(|(id, obj)| read_follow_up(doc, id, &obj))
        .collect();
    // Open ones first, then by due date (undated last), then by creation.
    out.sort_by(|a, b| {
        (a.done_at.is_some(), a.due.is_none(), a.due, a.created_at).cmp(&(
            b.done_at.is_some(),
            b.due.is_none(),
            b.due,
            b.created_at,
        ))
    });
    out
}

fn read_goals(doc: &impl ReadDoc) -> Vec<Goal> {
    let mut goals: Vec<Goal> = entries(doc, &ROOT, "goals")
        .into_iter()
        .filter_map(|(id, obj)| {
            let f = Fields::of(doc, &obj);
            let mut steps: Vec<Step> = f
                .map("steps")
                .map(|steps| {
                    doc.map_range(&steps, ..)
                        .filter_map(|item| {
                            let s = Fields::of(doc, &item.id());
                            Some(Step {
                                id: StepId(item.key.to_string()),
                                text: s.str(doc, "text")?,
                                done_at: s.time("done_at"),
                                created_at: s.time("created_at")?,
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            steps.sort_by(|a, b| {
                a.created_at
                    .cmp(&b.created_at)
                    .then_with(|| a.id.cmp(&b.id))
            });
            Some(Goal {
                id: GoalId(id),
                words: f.text(doc, "words"),
                domain: f.opt_str(doc, "domain"),
                status: f
                    .str(doc, "status")
                    .and_then(|s| GoalStatus::from_code(&s))
                    .unwrap_or(GoalStatus::Exploring),
                steps,
                next_check_in: f.date(doc, "next_check_in"),
                created_at: f.time("created_at")?,
            })
        })
        .collect();
    goals.sort_by(|a, b| {
        a.created_at
            .cmp(&b.created_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    goals
}

/// When each goal's status last changed (goals written before this was noted have none).
pub(crate) fn read_goal_status_times(doc: &impl ReadDoc) -> HashMap<String, DateTime<Utc>> {
    entries(doc, &ROOT, "goals")
        .into_iter()
        .filter_map(|(id, obj)| Some((id, Fields::of(doc, &obj).time("status_at")?)))
        .collect()
}

fn read_consents(doc: &impl ReadDoc) -> Vec<Consent> {
    let mut out: Vec<Consent> = entries(doc, &ROOT, "consents")
        .into_iter()
        .filter_map(|(id, obj)| {
            let f = Fields::of(doc, &obj);
            Some(Consent {
                id: ConsentId(id),
                what: f.text(doc, "what"),
                uses: f
                    .list(doc, "uses")
                    .iter()
                    .filter_map(|u| ConsentUse::from_code(u))
                    .collect(),
                given_on: f.date(doc, "given_on")?,
                how: f.opt_str(doc, "how"),
                recorded_by: f.opt_str(doc, "recorded_by").map(MemberId),
                recorded_at: f.time("recorded_at")?,
                withdrawn_on: f.date(doc, "withdrawn_on"),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        a.recorded_at
            .cmp(&b.recorded_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    out
}

/// Reads the whole record. A document whose creation has not arrived yet (only later changes
/// came in) or that is not a person document is refused.
pub(crate) fn read(doc: &Automerge, doc_id: &str) -> Result<PersonRecord> {
    let shape = || VaultError::WrongDocumentShape {
        doc: doc_id.to_owned(),
        expected: "person",
    };
    let root = Fields::of(doc, &ROOT);
    if root.str(doc, "kind").as_deref() != Some(DocKind::Person.code()) {
        return Err(shape());
    }
    let profile_obj = root.map("profile").ok_or_else(shape)?;
    let pf = Fields::of(doc, &profile_obj);
    let id = PersonId(doc_id.to_owned());
    let profile = Profile {
        name: pf.str(doc, "name").unwrap_or_default(),
        nicknames: pf.list(doc, "nicknames"),
        pronouns: pf.opt_str(doc, "pronouns"),
        languages: pf.list(doc, "languages"),
        contact: pf.text(doc, "contact"),
        remember: pf.text(doc, "remember"),
    };
    let mut conflicts = Vec::new();
    collect_conflicts(doc, &ROOT, &mut Vec::new(), &mut conflicts);
    Ok(PersonRecord {
        encounters: read_encounters(doc, &ROOT, "encounters", Some(&id)),
        id,
        profile,
        consents: read_consents(doc),
        goals: read_goals(doc),
        follow_ups: read_follow_ups(doc),
        created_at: root.time("created_at").unwrap_or_default(),
        conflicts,
        accompanied_by: super::handover::accompanied_by(doc),
        handovers: super::handover::notes(doc),
        merged: Vec::new(),
    })
}

/// One encounter and the follow-ups decided in it, read back after recording it.
pub(crate) fn read_new_encounter(
    doc: &Automerge,
    person: &PersonId,
    encounter: &EncounterId,
    follow_ups: &[FollowUpId],
) -> Option<(Encounter, Vec<FollowUp>)> {
    let enc_obj = map_at(doc, &map_at(doc, &ROOT, "encounters")?, encounter.as_str())?;
    let e = read_encounter(doc, encounter.0.clone(), &enc_obj, Some(person))?;
    let sec = map_at(doc, &ROOT, "follow_ups")?;
    let fus = follow_ups
        .iter()
        .filter_map(|f| read_follow_up(doc, f.0.clone(), &map_at(doc, &sec, f.as_str())?))
        .collect();
    Some((e, fus))
}
