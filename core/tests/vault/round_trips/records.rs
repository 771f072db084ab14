//! A person's record: profile, consents, goals and steps, encounters, follow-ups.

use super::{add, goal};
use crate::support::*;
use tandem_core::model::*;
use tandem_core::{DocKind, Vault, VaultError};

#[test]
fn smoke_person_goal_encounter_brief() {
    let (dir, mut v) = new_vault();
    let id = v
        .add_person(&NewPerson {
            name: "Hélène".into(),
            nicknames: vec!["Lulu".into()],
            remember: "Meet at the park, not the clinic".into(),
            ..NewPerson::default()
        })
        .expect("add");
    let g = v
        .add_goal(
            &id,
            &NewGoal {
                words: "Avoir mon propre appart".into(),
                domain: Some("housing".into()),
                status: Some(GoalStatus::WorkingOnIt),
                steps: vec!["Call the housing office".into(), "Get my ID back".into()],
                next_check_in: None,
            },
        )
        .expect("goal");
    let mut e = NewEncounter::with_person(id.clone());
    e.notes = "Talked about the flat".into();
    e.goals = vec![g.clone()];
    v.record_encounter(&e).expect("encounter");
    let mut anon = NewEncounter::anonymous();
    anon.given = vec!["naloxone".into()];
    v.record_encounter(&anon).expect("anon");
    let b = v.brief(&id).expect("brief");
    assert_eq!(b.name, "Hélène");
    assert_eq!(
        b.goals[0].next_step().map(|s| s.text.as_str()),
        Some("Call the housing office")
    );
    assert_eq!(b.last_encounters.len(), 1);
    assert_eq!(v.search_people("helene").expect("s").len(), 1);
    assert_eq!(v.search_people("LULU").expect("s").len(), 1);
    drop(v);
    let mut v = Vault::open(dir.path(), &pass()).expect("reopen");
    let b2 = v.brief(&id).expect("brief");
    assert_eq!(b2, b);
    assert_eq!(v.history(&id).expect("h").len(), 3);
    assert_eq!(v.recent_encounters(10).expect("recent").len(), 2);
}

#[test]
fn profile_edits_round_trip() {
    let (dir, mut v) = new_vault();
    let id = v
        .add_person(&NewPerson {
            name: "  Jo  ".into(),
            nicknames: vec!["Joey".into()],
            pronouns: Some("il".into()),
            languages: vec!["fr".into()],
            contact: "Le refuge, le soir".into(),
            remember: "Aime le café".into(),
        })
        .expect("add");
    assert_eq!(
        v.person(&id).expect("p").profile.name,
        "Jo",
        "names are trimmed"
    );

    v.update_profile(
        &id,
        &ProfileUpdate {
            name: Some("Josée".into()),
            nicknames: Some(vec![" Jojo ".into(), "Jojo".into(), "".into(), "J.".into()]),
            pronouns: Some("elle".into()),
            languages: Some(vec!["fr".into(), "en".into(), "fr".into()]),
            contact: Some("514-555-0199, après 17 h".into()),
            remember: Some("Rencontrer au parc, pas à la clinique".into()),
        },
    )
    .expect("update");
    let expected = Profile {
        name: "Josée".into(),
        nicknames: vec!["Jojo".into(), "J.".into()],
        pronouns: Some("elle".into()),
        languages: vec!["fr".into(), "en".into()],
        contact: "514-555-0199, après 17 h".into(),
        remember: "Rencontrer au parc, pas à la clinique".into(),
    };
    assert_eq!(v.person(&id).expect("p").profile, expected);
    let before = v.person(&id).expect("p");
    let mut v = reopen(dir.path(), v);
    assert_eq!(v.person(&id).expect("p"), before);

    // Only what is given changes; an empty pronoun clears it.
    v.update_profile(
        &id,
        &ProfileUpdate {
            pronouns: Some("".into()),
            remember: Some("Au parc".into()),
            ..ProfileUpdate::default()
        },
    )
    .expect("update");
    let mut v = reopen(dir.path(), v);
    let p = v.person(&id).expect("p").profile;
    assert_eq!(
        p,
        Profile {
            pronouns: None,
            remember: "Au parc".into(),
            ..expected
        }
    );
    let summary = &v.list_people().expect("list")[0];
    assert_eq!(summary.name, "Josée");
    assert_eq!(summary.nicknames, vec!["Jojo".to_owned(), "J.".to_owned()]);
    assert_eq!(summary.pronouns, None);
}

#[test]
fn consents_are_recorded_and_withdrawn() {
    let (dir, mut v) = new_vault();
    let id = add(&mut v, "Marc");
    let c = v
        .record_consent(
            &id,
            &NewConsent {
                what: "Garder des notes pour m'accompagner".into(),
                uses: vec![ConsentUse::Accompaniment, ConsentUse::Research],
                given_on: Some(day(2024, 3, 1)),
                how: Some("spoken".into()),
            },
        )
        .expect("consent");
    let other = v
        .record_consent(
            &id,
            &NewConsent {
                what: "Me texter".into(),
                uses: vec![ConsentUse::Contact],
                given_on: None,
                how: None,
            },
        )
        .expect("consent");
    v.withdraw_consent(&id, &c, Some(day(2024, 4, 2)))
        .expect("withdraw");
    let me = v.member_id().clone();
    let mut v = reopen(dir.path(), v);
    let rec = v.person(&id).expect("p");
    assert_eq!(rec.consents.len(), 2);
    let first = rec
        .consents
        .iter()
        .find(|x| x.id == c)
        .expect("first consent");
    assert_eq!(first.id, c);
    assert_eq!(first.what, "Garder des notes pour m'accompagner");
    assert_eq!(
        first.uses,
        vec![ConsentUse::Accompaniment, ConsentUse::Research]
    );
    assert_eq!(first.given_on, day(2024, 3, 1));
    assert_eq!(first.how.as_deref(), Some("spoken"));
    assert_eq!(first.recorded_by.as_ref(), Some(&me));
    assert_eq!(first.withdrawn_on, Some(day(2024, 4, 2)));
    let second = rec
        .consents
        .iter()
        .find(|x| x.id == other)
        .expect("second consent");
    assert_eq!(second.given_on, second.recorded_at.date_naive());
    assert_eq!(second.withdrawn_on, None);
    assert_eq!(v.brief(&id).expect("brief").consents, rec.consents);

    let len = v.outbox_len().expect("outbox");
    assert!(matches!(
        v.withdraw_consent(&id, &ConsentId::from("nope"), None),
        Err(VaultError::NotFound {
            what: "consent",
            ..
        })
    ));
    assert!(matches!(
        v.record_consent(
            &id,
            &NewConsent {
                what: "x".into(),
                uses: vec![],
                given_on: None,
                how: None
            }
        ),
        Err(VaultError::Invalid { .. })
    ));
    assert_eq!(v.outbox_len().expect("outbox"), len);
    assert_eq!(v.person(&id).expect("p"), rec);
}

#[test]
fn goals_and_steps_round_trip() {
    let (dir, mut v) = new_vault();
    let id = add(&mut v, "Nadia");
    let g = v
        .add_goal(
            &id,
            &NewGoal {
                words: "  Retrouver mes enfants  ".into(),
                domain: Some("relationships".into()),
                status: Some(GoalStatus::Exploring),
                steps: vec![
                    "Appeler l'avocate".into(),
                    " ".into(),
                    "Écrire une lettre".into(),
                ],
                next_check_in: Some(day(2024, 5, 10)),
            },
        )
        .expect("goal");
    let rec = v.person(&id).expect("p");
    let gl = &rec.goals[0];
    assert_eq!(gl.words, "Retrouver mes enfants");
    assert_eq!(gl.domain.as_deref(), Some("relationships"));
    assert_eq!(gl.status, GoalStatus::Exploring);
    assert_eq!(gl.next_check_in, Some(day(2024, 5, 10)));
    let texts: Vec<&str> = gl.steps.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(
        texts,
        ["Appeler l'avocate", "Écrire une lettre"],
        "blank steps dropped, order kept"
    );
    let mut v = reopen(dir.path(), v);
    assert_eq!(v.person(&id).expect("p"), rec);

    v.update_goal(
        &id,
        &g,
        &GoalUpdate {
            words: Some("Revoir mes enfants chaque semaine".into()),
            domain: Some("health".into()),
            status: Some(GoalStatus::WorkingOnIt),
            next_check_in: Some(Some(day(2024, 6, 1))),
        },
    )
    .expect("edit");
    let s3 = v.add_step(&id, &g, "Trouver un appartement").expect("step");
    let first = rec.goals[0].steps[0].id.clone();
    v.set_step_done(&id, &g, &first, true).expect("tick");
    v.set_step_done(&id, &g, &s3, true).expect("tick");
    v.set_step_done(&id, &g, &s3, false).expect("untick");
    let mut v = reopen(dir.path(), v);
    let gl = v.person(&id).expect("p").goals[0].clone();
    assert_eq!(gl.words, "Revoir mes enfants chaque semaine");
    assert_eq!(gl.domain.as_deref(), Some("health"));
    assert_eq!(gl.status, GoalStatus::WorkingOnIt);
    assert_eq!(gl.next_check_in, Some(day(2024, 6, 1)));
    assert_eq!(gl.steps.len(), 3);
    assert!(gl.steps[0].done_at.is_some());
    assert!(gl.steps[1].done_at.is_none());
    assert_eq!(gl.steps[2].id, s3);
    assert!(gl.steps[2].done_at.is_none(), "unticked");
    assert_eq!(
        gl.next_step().map(|s| s.text.as_str()),
        Some("Écrire une lettre")
    );

    // Clearing: the check-in with Some(None), the domain with "".
    v.update_goal(
        &id,
        &g,
        &GoalUpdate {
            domain: Some("".into()),
            next_check_in: Some(None),
            status: Some(GoalStatus::Paused),
            ..GoalUpdate::default()
        },
    )
    .expect("clear");
    let mut v = reopen(dir.path(), v);
    let gl2 = v.person(&id).expect("p").goals[0].clone();
    assert_eq!(gl2.next_check_in, None);
    assert_eq!(gl2.domain, None);
    assert_eq!(gl2.status, GoalStatus::Paused);
    assert_eq!(gl2.words, gl.words, "words untouched");
    assert_eq!(gl2.steps, gl.steps, "steps untouched");
    assert!(matches!(
        v.set_step_done(&id, &g, &StepId::from("nope"), true),
        Err(VaultError::NotFound { what: "step", .. })
    ));
    assert!(matches!(
        v.add_step(&id, &GoalId::from("nope"), "x"),
        Err(VaultError::NotFound { what: "goal", .. })
    ));
}

#[test]
fn an_encounter_keeps_every_field() {
    let (dir, mut v) = new_vault();
    let id = add(&mut v, "Bruno");
    let g = v.add_goal(&id, &goal("Arrêter de boire")).expect("goal");
    let when = at(2024, 3, 15, 14, 30);
    let e = NewEncounter {
        subject: EncounterSubject::Person(id.clone()),
        at: Some(when),
        duration_minutes: Some(45),
        place: Some("Parc Émilie-Gamelin".into()),
        kind: Some("street_outreach".into()),
        domains: vec!["substance_use".into(), "health".into()],
        goals: vec![g.clone()],
        notes: "Il a parlé de sa fille.\nOn se revoit jeudi.".into(),
        given: vec!["naloxone".into(), "food".into()],
        referrals: vec!["CRAN".into()],
        referred_to: vec![],
        follow_ups: vec![
            NewFollowUp {
                what: "Appeler le CRAN".into(),
                due: Some(day(2024, 3, 20)),
            },
            NewFollowUp {
                what: "Apporter des bas".into(),
                due: None,
            },
        ],
        debrief: true,
    };
    let eid = v.record_encounter(&e).expect("record");
    let me = v.member_id().clone();
    let mut v = reopen(dir.path(), v);
    let rec = v.person(&id).expect("p");
    assert_eq!(
        rec.encounters,
        vec![Encounter {
            id: eid.clone(),
            subject: EncounterSubject::Person(id.clone()),
            at: when,
            duration_minutes: Some(45),
            place: Some("Parc Émilie-Gamelin".into()),
            kind: Some("street_outreach".into()),
            domains: vec!["substance_use".into(), "health".into()],
            goals: vec![g.clone()],
            notes: "Il a parlé de sa fille.\nOn se revoit jeudi.".into(),
            given: vec!["naloxone".into(), "food".into()],
            referrals: vec!["CRAN".into()],
            debrief: true,
            recorded_by: Some(me.clone()),
            referral_details: vec![Referral {
                text: "CRAN".into(),
                place: None,
                outcome: None,
            }],
            debrief_done: None,
            link: None,
        }]
    );
    let fus: Vec<(&str, Option<chrono::NaiveDate>, Option<&EncounterId>)> = rec
        .follow_ups
        .iter()
        .map(|f| (f.what.as_str(), f.due, f.encounter.as_ref()))
        .collect();
    assert_eq!(
        fus,
        vec![
            ("Appeler le CRAN", Some(day(2024, 3, 20)), Some(&eid)),
            ("Apporter des bas", None, Some(&eid)),
        ]
    );
    assert!(rec.follow_ups.iter().all(|f| f.done_at.is_none()));
    assert!(rec
        .follow_ups
        .iter()
        .all(|f| f.created_by.as_ref() == Some(&me)));
    assert_eq!(rec.last_seen(), Some(when));

    // A bare encounter reads back with empty fields, not with leftovers.
    let bare = v
        .record_encounter(&NewEncounter {
            at: Some(at(2024, 3, 16, 9, 0)),
            ..NewEncounter::with_person(id.clone())
        })
        .expect("bare");
    let own = v
        .add_follow_up(
            &id,
            &NewFollowUp {
                what: "Vérifier la carte d'assurance maladie".into(),
                due: Some(day(2024, 3, 18)),
            },
        )
        .expect("follow-up");
    let cran = fus_id(&v.person(&id).expect("p"), "Appeler le CRAN");
    v.complete_follow_up(&id, &cran).expect("complete");
    v.update_encounter_notes(
        &id,
        &eid,
        "Il a parlé de sa fille et de son fils.\nOn se revoit jeudi.",
    )
    .expect("notes");
    let before = v.person(&id).expect("p");
    let mut v = reopen(dir.path(), v);
    let rec = v.person(&id).expect("p");
    assert_eq!(rec, before);
    assert_eq!(rec.encounters[0].id, bare, "newest first");
    let b = &rec.encounters[0];
    assert_eq!(
        (b.duration_minutes, &b.place, &b.kind, b.debrief),
        (None, &None, &None, false)
    );
    assert!(b.domains.is_empty() && b.goals.is_empty() && b.given.is_empty());
    assert!(b.notes.is_empty() && b.referrals.is_empty());
    assert_eq!(
        rec.encounters[1].notes,
        "Il a parlé de sa fille et de son fils.\nOn se revoit jeudi."
    );
    let open: Vec<&str> = rec
        .follow_ups
        .iter()
        .filter(|f| f.done_at.is_none())
        .map(|f| f.what.as_str())
        .collect();
    assert_eq!(
        open,
        ["Vérifier la carte d'assurance maladie", "Apporter des bas"],
        "open first, dated before undated"
    );
    let own_fu = rec.follow_ups.iter().find(|f| f.id == own).expect("own");
    assert_eq!(own_fu.encounter, None);
    let done = rec.follow_ups.last().expect("done one");
    assert_eq!(done.what, "Appeler le CRAN");
    assert!(done.done_at.is_some(), "done ones last");
    assert_eq!(v.brief(&id).expect("b").open_follow_ups.len(), 2);
    assert!(matches!(
        v.update_encounter_notes(&id, &EncounterId::from("nope"), "x"),
        Err(VaultError::NotFound {
            what: "encounter",
            ..
        })
    ));
    assert!(matches!(
        v.complete_follow_up(&id, &FollowUpId::from("nope")),
        Err(VaultError::NotFound { .. })
    ));
}

fn fus_id(rec: &PersonRecord, what: &str) -> FollowUpId {
    rec.follow_ups
        .iter()
        .find(|f| f.what == what)
        .map(|f| f.id.clone())
        .expect("follow-up by text")
}

#[test]
fn anonymous_encounters_round_trip_in_the_street_log() {
    let (dir, mut v) = new_vault();
    let when = at(2024, 2, 29, 23, 59);
    let e1 = v
        .record_encounter(&NewEncounter {
            subject: EncounterSubject::Anonymous(Some("manteau vert, métro Berri".into())),
            at: Some(when),
            given: vec!["hygiene_kit".into()],
            notes: "Cherche un refuge".into(),
            kind: Some("street_outreach".into()),
            ..NewEncounter::anonymous()
        })
        .expect("anon");
    let e2 = v
        .record_encounter(&NewEncounter {
            at: Some(at(2024, 3, 1, 0, 1)),
            ..NewEncounter::anonymous()
        })
        .expect("anon");
    let mut v = reopen(dir.path(), v);
    let feb = v.street_log("2024-02").expect("feb");
    assert_eq!(feb.len(), 1);
    assert_eq!(feb[0].id, e1);
    assert_eq!(
        feb[0].subject,
        EncounterSubject::Anonymous(Some("manteau vert, métro Berri".into()))
    );
    assert_eq!(feb[0].given, vec!["hygiene_kit".to_owned()]);
    assert_eq!(feb[0].notes, "Cherche un refuge");
    assert_eq!(feb[0].at, when);
    let mar = v.street_log("2024-03").expect("mar");
    assert_eq!(mar.iter().map(|e| &e.id).collect::<Vec<_>>(), vec![&e2]);
    assert_eq!(mar[0].subject, EncounterSubject::Anonymous(None));
    assert!(v.street_log("2024-04").expect("apr").is_empty());
    let logs = v
        .documents()
        .expect("docs")
        .into_iter()
        .filter(|(_, k)| *k == DocKind::StreetLog)
        .count();
    assert_eq!(logs, 2, "one street log per month");
    assert!(
        v.list_people().expect("list").is_empty(),
        "no person record forced"
    );
}
