//! Synthetic teams for demos and benchmarks: realistic French and English people, goals and
//! encounters (with consents, some covering research, and referrals), and no real person.
//!
//! Documents are built in memory with the same functions the vault uses for single changes,
//! then written in batches (one transaction per batch), each whole document going to the
//! outbox as one entry, so a demo vault syncs like any other.

use crate::docs::{person, street, DocKind};
use crate::error::Result;
use crate::vault::Vault;
use automerge::transaction::CommitOptions;
use automerge::Automerge;
use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::time::Instant;
use tandem_model::{
    ConsentUse, EncounterSubject, GoalStatus, NewConsent, NewEncounter, NewFollowUp, NewGoal,
    NewPerson, PersonId,
};

/// How big a demo team to make.
#[derive(Clone, Copy, Debug)]
pub struct DemoSize {
    /// People accompanied.
    pub persons: usize,
    /// Encounters in all (about 5% of them anonymous, in the street logs).
    pub encounters: usize,
    /// Seed for the content (names, words, dates).
    pub seed: u64,
}

impl Default for DemoSize {
    fn default() -> Self {
        Self {
            persons: 40,
            encounters: 400,
            seed: 7,
        }
    }
}

/// What a demo run made.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct DemoReport {
    /// People added.
    pub persons: usize,
    /// Encounters recorded (with people and anonymous).
    pub encounters: usize,
    /// Follow-ups added.
    pub follow_ups: usize,
    /// Time taken.
    pub elapsed_ms: u128,
}

const FIRST_FR: &[&str] = &[
    "Hélène",
    "François",
    "Zoë",
    "Amélie",
    "Jérôme",
    "Noémie",
    "Gaëlle",
    "Benoît",
    "Céline",
    "Mathéo",
    "Inès",
    "Léa",
    "Chloé",
    "Raphaël",
    "Maëlys",
    "Théo",
    "Anaïs",
    "Cédric",
    "Élodie",
    "Joël",
    "Rémi",
    "Solène",
    "Loïc",
    "Françoise",
    "Ginette",
    "Réjean",
    "Sylvie",
    "Gaétan",
];
const FIRST_EN: &[&str] = &[
    "Sam", "Alex", "Jordan", "Taylor", "Casey", "Morgan", "Riley", "Jamie", "Robin", "Charlie",
    "Dakota", "Avery", "Quinn", "Rowan", "Skyler", "Jessie", "Frankie", "Billie", "Reese",
    "Parker", "Mike", "Danny", "Tina", "Marcus", "Wendy", "Curtis", "Darlene", "Owen",
];
const NICKNAMES: &[&str] = &[
    "Lulu",
    "Ti-Guy",
    "Big Mike",
    "Doc",
    "Sunny",
    "Coco",
    "Frenchie",
    "Shorty",
    "Pépère",
    "La Grande",
    "Red",
    "Kid",
    "Mémé",
    "Boss",
];
const PRONOUNS: &[&str] = &["elle", "il", "iel", "she/her", "he/him", "they/them"];
const GOALS_FR: &[(&str, &str)] = &[
    (
        "Avoir mon propre appart, avec une porte qui barre",
        "housing",
    ),
    ("Reprendre contact avec ma fille", "relationships"),
    ("Diminuer ma consommation, pas arrêter", "substance_use"),
    ("Refaire mes papiers d'identité", "papers"),
    ("Travailler en cuisine comme avant", "work_and_learning"),
    ("Voir un dentiste pour mes dents d'en avant", "health"),
    (
        "Dormir dans un endroit où je me sens en sécurité",
        "housing",
    ),
    ("Retourner à la chorale le jeudi", "leisure_and_culture"),
    ("Avoir mon chèque chaque mois sans me battre", "income"),
];
const GOALS_EN: &[(&str, &str)] = &[
    ("Get my own place, with a door that locks", "housing"),
    ("Get back in touch with my daughter", "relationships"),
    ("Cut down, not stop", "substance_use"),
    ("Get my ID papers back", "papers"),
    ("Find work in a kitchen again", "work_and_learning"),
    ("See a dentist about my front teeth", "health"),
    ("Sleep somewhere I feel safe", "housing"),
    (
        "Go back to the Thursday drop-in choir",
        "leisure_and_culture",
    ),
    ("Get my cheque every month without a fight", "income"),
];
const STEPS_FR: &[&str] = &[
    "Appeler le bureau du logement",
    "Trouver mon certificat de naissance",
    "Aller à la clinique dentaire mardi",
    "Écrire une lettre à ma fille",
    "Demander une preuve de résidence au refuge",
];
const STEPS_EN: &[&str] = &[
    "Call the housing office",
    "Find my birth certificate",
    "Go to the dental clinic on Tuesday",
    "Write a letter to my daughter",
    "Ask the shelter for a proof of address",
];
const REFERRALS: &[&str] = &[
    "Refuge Saint-Michel",
    "Banque alimentaire du quartier",
    "Clinique de proximité",
    "Legal aid clinic",
];
const PLACES: &[&str] = &[
    "parc Émilie-Gamelin",
    "station Berri",
    "the library steps",
    "refuge Saint-Michel",
    "the clinic",
    "Tim's on Ste-Catherine",
    "le square Viger",
    "the river path",
    "chez lui",
];
const NOTES_FR: &[&str] = &[
    "On a jasé un bon moment. {n} allait mieux que la semaine passée.",
    "{n} m'a parlé de sa fille; elle a peut-être un numéro.",
    "Froid ce matin. J'ai laissé des bas et un café. {n} veut qu'on se revoie jeudi.",
    "Accompagné·e au rendez-vous du logement. Il manque une preuve de revenu.",
    "{n} était fatigué·e, pas envie de parler. On est resté·es assis·es ensemble.",
    "Rappel: rencontrer au parc, pas à la clinique.",
];
const NOTES_EN: &[&str] = &[
    "We talked for a good while. {n} seemed better than last week.",
    "{n} told me about their daughter; they might have a number for her.",
    "Cold this morning. Left socks and a coffee. {n} wants to meet again Thursday.",
    "Went with them to the housing appointment. A proof of income is missing.",
    "{n} was tired, didn't want to talk. We sat together for a while.",
    "Remember: meet at the park, not at the clinic.",
];

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

fn random_encounter(
    rng: &mut StdRng,
    subject: EncounterSubject,
    name: &str,
    at: DateTime<Utc>,
    fr: bool,
) -> NewEncounter {
    let mut e = NewEncounter::with_person(PersonId::from(""));
    e.subject = subject;
    e.at = Some(at);
    e.duration_minutes = Some(*pick(rng, &[5u32, 10, 15, 20, 30, 45, 60, 90]));
    e.place = Some(pick(rng, PLACES).to_string());
    e.kind = Some(pick(rng, &tandem_model::labels::ENCOUNTER_KINDS).to_string());
    e.domains = vec![pick(rng, &tandem_model::labels::LIFE_DOMAINS).to_string()];
    let template = if fr {
        pick(rng, NOTES_FR)
    } else {
        pick(rng, NOTES_EN)
    };
    e.notes = template.replace("{n}", name);
    if rng.gen_bool(0.3) {
        e.given = vec![pick(rng, &tandem_model::labels::GIVEN_ITEMS).to_string()];
    }
    e.debrief = rng.gen_bool(0.03);
    e
}

/// Fills the vault with a synthetic team.
pub fn generate(vault: &mut Vault, size: &DemoSize) -> Result<DemoReport> {
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(size.seed);
    // Consents and referrals draw from their own stream, so the rest of a seed's team stays
    // what it was before they were added.
    let mut extra = StdRng::seed_from_u64(size.seed ^ 0x7265_706f_7274);
    let mut outcomes_rng = StdRng::seed_from_u64(size.seed ^ 0x6f75_7463_6f6d_6573);
    let now = Utc::now();
    let actor = vault.actor().clone();
    let member = vault.member().clone();
    let anonymous = if size.persons == 0 {
        size.encounters
    } else {
        size.encounters / 20
    };
    let with_people = size.encounters - anonymous;
    let mut report = DemoReport {
        persons: 0,
        encounters: 0,
        follow_ups: 0,
        elapsed_ms: 0,
    };

    let mut batch: Vec<(String, DocKind, Automerge)> = Vec::new();
    let mut person_ids: Vec<PersonId> = Vec::with_capacity(size.persons);
    for i in 0..size.persons {
        let fr = rng.gen_bool(0.5);
        let first = if fr {
            *pick(&mut rng, FIRST_FR)
        } else {
            *pick(&mut rng, FIRST_EN)
        };
        let initial = (b'A' + rng.gen_range(0..26u8)) as char;
        let name = format!("{first} {initial}.");
        let id = PersonId(crate::docs::new_id());
        // Encounters spread so that the total is exact.
        let count = with_people / size.persons + usize::from(i < with_people % size.persons);
        let started_at = now - Duration::days(rng.gen_range(30..730));
        let mut doc = Automerge::new().with_actor(actor.clone());
        let new = NewPerson {
            name: name.clone(),
            nicknames: if rng.gen_bool(0.3) {
                vec![pick(&mut rng, NICKNAMES).to_string()]
            } else {
                vec![]
            },
            pronouns: if rng.gen_bool(0.6) {
                Some(pick(&mut rng, PRONOUNS).to_string())
            } else {
                None
            },
            languages: vec![if fr { "fr".into() } else { "en".into() }],
            contact: if fr {
                "Via le refuge, ou au parc le matin".into()
            } else {
                "Through the shelter, or at the park mornings".into()
            },
            remember: pick(
                &mut rng,
                &[
                    "Rencontrer au parc, pas à la clinique",
                    "Meet at the park, not the clinic",
                    "Prefers text to calls",
                    "Aime le café noir",
                    "",
                ],
            )
            .to_string(),
        };
        doc.transact_with(
            |_| commit_opts("person.add", started_at),
            |tx| person::create(tx, &id, &new, &member, started_at),
        )
        .map_err(|f| f.error)?;
        // Most people agree to be counted; some for research too, a few withdraw later.
        let uses = if extra.gen_bool(0.6) {
            vec![ConsentUse::Accompaniment, ConsentUse::Research]
        } else {
            vec![ConsentUse::Accompaniment]
        };
        let research = uses.contains(&ConsentUse::Research);
        let consent = NewConsent {
            what: if fr {
                "Garder des notes pour l'accompagnement".into()
            } else {
                "Keep notes to accompany them".into()
            },
            uses,
            given_on: Some(started_at.date_naive()),
            how: Some("spoken".into()),
        };
        let cid = doc
            .transact_with(
                |_| commit_opts("consent.add", started_at),
                |tx| person::add_consent(tx, &consent, &member, started_at),
            )
            .map_err(|f| f.error)?
            .result;
        if research && extra.gen_bool(0.1) {
            let on = (started_at + Duration::days(20)).date_naive();
            doc.transact_with(
                |_| commit_opts("consent.withdraw", started_at + Duration::days(20)),
                |tx| person::withdraw_consent(tx, &cid, on),
            )
            .map_err(|f| f.error)?;
        }
        let mut goal_ids = Vec::new();
        for g in 0..rng.gen_range(1..=3) {
            let (words, domain) = if fr {
                *pick(&mut rng, GOALS_FR)
            } else {
                *pick(&mut rng, GOALS_EN)
            };
            let steps: Vec<String> = (0..rng.gen_range(0..=3))
                .map(|_| {
                    if fr {
                        pick(&mut rng, STEPS_FR).to_string()
                    } else {
                        pick(&mut rng, STEPS_EN).to_string()
                    }
                })
                .collect();
            let goal = NewGoal {
                words: words.into(),
                domain: Some(domain.into()),
                status: Some(*pick(&mut rng, &GoalStatus::ALL)),
                steps,
                next_check_in: Some((now + Duration::days(rng.gen_range(-10..40))).date_naive()),
            };
            let at = started_at + Duration::days(g);
            let gid = doc
                .transact_with(
                    |_| commit_opts("goal.add", at),
                    |tx| person::add_goal(tx, &goal, at),
                )
                .map_err(|f| f.error)?
                .result;
            goal_ids.push(gid);
        }
        let span = (now - started_at).num_minutes().max(1);
        for k in 0..count {
            let at = started_at + Duration::minutes(span * (k as i64 + 1) / (count as i64 + 1));
            let mut e = random_encounter(
                &mut rng,
                EncounterSubject::Person(id.clone()),
                first,
                at,
                fr,
            );
            if rng.gen_bool(0.3) {
                e.goals = vec![pick(&mut rng, &goal_ids).clone()];
            }
            if extra.gen_bool(0.12) {
                e.referrals = vec![pick(&mut extra, REFERRALS).to_string()];
            }
            if rng.gen_bool(0.1) {
                e.follow_ups = vec![NewFollowUp {
                    what: if fr {
                        "Rappeler pour le rendez-vous".into()
                    } else {
                        "Call back about the appointment".into()
                    },
                    due: Some((at + Duration::days(rng.gen_range(1..14))).date_naive()),
                }];
                report.follow_ups += 1;
            }
            let (eid, fus) = doc
                .transact_with(
                    |_| commit_opts("encounter.add", at),
                    |tx| person::add_encounter(tx, &e, &[], &member, at),
                )
                .map_err(|f| f.error)?
                .result;
            // What came of referrals a week on: a stream of its own, as above.
            let noted = at + Duration::days(7);
            if !e.referrals.is_empty() && noted < now {
                let outcome = match outcomes_rng.gen_range(0..10) {
                    0..=4 => Some(tandem_model::Outcome::Done),
                    5..=6 => Some(tandem_model::Outcome::DidNotHappen),
                    _ => None,
                };
                if outcome.is_some() {
                    doc.transact_with(
                        |_| commit_opts("referral.outcome", noted),
                        |tx| {
                            crate::docs::outcomes::set_referral_outcome(
                                tx, &eid, 0, outcome, &member, noted,
                            )
                        },
                    )
                    .map_err(|f| f.error)?;
                }
            }
            // Older follow-ups are mostly done.
            if now - at > Duration::days(14) && rng.gen_bool(0.8) {
                for f in fus {
                    let done = at + Duration::days(3);
                    doc.transact_with(
                        |_| commit_opts("followup.done", done),
                        |tx| person::complete_follow_up(tx, &f, done),
                    )
                    .map_err(|f| f.error)?;
                }
            }
            report.encounters += 1;
        }
        batch.push((id.0.clone(), DocKind::Person, doc));
        person_ids.push(id);
        report.persons += 1;
        if batch.len() >= 50 {
            vault.write_new_docs(std::mem::take(&mut batch))?;
        }
    }
    vault.write_new_docs(std::mem::take(&mut batch))?;

    // Anonymous encounters: one street log per month, written the way devices write them.
    let mut by_month: std::collections::BTreeMap<String, Automerge> = Default::default();
    for _ in 0..anonymous {
        let at = now - Duration::minutes(rng.gen_range(0..(730 * 24 * 60)));
        let month = street::month_of(at);
        if !by_month.contains_key(&month) {
            let mut doc = street::genesis(vault.team_id(), &month)?;
            doc.set_actor(actor.clone());
            by_month.insert(month.clone(), doc);
        }
        let who = if rng.gen_bool(0.5) {
            Some("manteau vert, près du métro".to_owned())
        } else {
            None
        };
        let fr = rng.gen_bool(0.5);
        let e = random_encounter(&mut rng, EncounterSubject::Anonymous(who), "", at, fr);
        if let Some(doc) = by_month.get_mut(&month) {
            doc.transact_with(
                |_| commit_opts("encounter.add", at),
                |tx| street::add_encounter(tx, &e, &[], &member, at),
            )
            .map_err(|f| f.error)?;
        }
        report.encounters += 1;
    }
    let logs: Vec<(String, DocKind, Automerge)> = by_month
        .into_iter()
        .map(|(month, doc)| {
            (
                street::doc_id(vault.team_id(), &month),
                DocKind::StreetLog,
                doc,
            )
        })
        .collect();
    vault.merge_new_docs(logs)?;
    vault.register_people(&person_ids)?;
    report.elapsed_ms = started.elapsed().as_millis();
    Ok(report)
}

fn commit_opts(message: &str, at: DateTime<Utc>) -> CommitOptions {
    CommitOptions::default()
        .with_message(message.to_owned())
        .with_time(at.timestamp_millis())
}
