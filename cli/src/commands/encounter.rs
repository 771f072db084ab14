//! `tandem encounter …`

use super::find;
use crate::args::{EncounterAdd, EncounterCommand};
use crate::output::{Failure, Output};
use crate::render;
use crate::session::Session;
use anyhow::{Context, Result};
use chrono::Utc;
use serde_json::json;
use std::collections::HashMap;
use tandem_core::Vault;
use tandem_model::{
    EncounterId, EncounterSubject, ErrorCode, GoalId, NewEncounter, NewFollowUp, PersonId,
};

pub fn run(command: EncounterCommand, session: &Session, out: &Output) -> Result<()> {
    match command {
        EncounterCommand::Add(a) => add(*a, session, out),
        EncounterCommand::List { person, limit } => {
            let mut vault = session.open()?;
            let encounters = match person {
                Some(p) => {
                    let id = find(&vault, &p)?;
                    let mut all = vault.person(&id)?.encounters;
                    all.truncate(limit);
                    all
                }
                None => vault.recent_encounters(limit)?,
            };
            let names = names(&vault)?;
            out.show(&encounters, |e| render::encounters(e, &names, out))
        }
        EncounterCommand::Street { month } => {
            let month = month.unwrap_or_else(|| tandem_core::month_of(Utc::now()));
            let log = session.open()?.street_log(&month)?;
            out.show(&log, |e| render::encounters(e, &HashMap::new(), out))
        }
        EncounterCommand::Referral {
            encounter,
            number,
            outcome,
        } => {
            let mut vault = session.open()?;
            let (id, _, _) = vault.find_encounter(&encounter)?;
            let index = number.checked_sub(1).ok_or_else(|| {
                Failure::new(ErrorCode::InvalidInput, "referrals are numbered from 1")
            })?;
            vault.set_referral_outcome(&id, index, outcome.0)?;
            out.done(
                json!({ "encounter": id, "referral": number, "outcome": outcome.0 }),
                || out.t("referral-noted"),
            )
        }
        EncounterCommand::EditNotes {
            person,
            encounter,
            notes,
        } => {
            let mut vault = session.open()?;
            let id = find(&vault, &person)?;
            vault.update_encounter_notes(&id, &EncounterId(encounter.clone()), &notes)?;
            out.done(json!({ "id": encounter }), || {
                out.t("encounter-notes-updated")
            })
        }
    }
}

fn add(a: EncounterAdd, session: &Session, out: &Output) -> Result<()> {
    let mut vault = session.open()?;
    let subject = match &a.person {
        Some(p) if !a.anonymous => EncounterSubject::Person(find(&vault, p)?),
        _ => EncounterSubject::Anonymous(a.who),
    };
    let mut referred_to = Vec::new();
    for place in &a.refer_to {
        referred_to.push(
            vault
                .find_place(place)
                .with_context(|| format!("finding the place \"{place}\""))?,
        );
    }
    let new = NewEncounter {
        subject,
        at: a.at,
        duration_minutes: a.minutes,
        place: a.place,
        kind: a.kind,
        domains: a.domains,
        goals: a.goals.into_iter().map(GoalId).collect(),
        notes: a.notes.unwrap_or_default(),
        given: a.given,
        referrals: a.referrals,
        referred_to,
        follow_ups: a
            .follow_up
            .map(|what| NewFollowUp { what, due: a.due })
            .into_iter()
            .collect(),
        debrief: a.debrief,
    };
    out.made(vault.record_encounter(&new)?.as_str())
}

/// Everyone's name by id, to say whom each encounter was with.
fn names(vault: &Vault) -> Result<HashMap<PersonId, String>> {
    Ok(vault
        .list_people()?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect())
}
