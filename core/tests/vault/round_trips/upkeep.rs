//! Refused input, index rebuilds, compaction and the outbox.

use super::{add, goal};
use crate::support::*;
use tandem_core::model::*;
use tandem_core::{DocKind, Vault, VaultError};

#[test]
fn invalid_input_is_refused_and_changes_nothing() {
    let (dir, mut v) = new_vault();
    let id = add(&mut v, "Paul");
    let g = v.add_goal(&id, &goal("Dormir au chaud")).expect("goal");
    let before = observe(&mut v);
    let rec = v.person(&id).expect("p");

    let invalid = |r: Result<(), VaultError>, field: &str| match r {
        Err(VaultError::Invalid { field: f, .. }) if f == field => {}
        other => panic!("expected Invalid {{ field: {field:?} }}, got {other:?}"),
    };
    invalid(v.add_person(&NewPerson::default()).map(drop), "name");
    invalid(
        v.add_person(&NewPerson {
            name: " \t ".into(),
            ..NewPerson::default()
        })
        .map(drop),
        "name",
    );
    invalid(
        v.add_person(&NewPerson {
            name: "x".repeat(201),
            ..NewPerson::default()
        })
        .map(drop),
        "name",
    );
    invalid(
        v.update_profile(
            &id,
            &ProfileUpdate {
                name: Some("".into()),
                remember: Some("should not be written".into()),
                ..ProfileUpdate::default()
            },
        ),
        "name",
    );
    invalid(v.add_goal(&id, &goal("   ")).map(drop), "goal");
    invalid(
        v.update_goal(
            &id,
            &g,
            &GoalUpdate {
                words: Some("".into()),
                status: Some(GoalStatus::Reached),
                ..GoalUpdate::default()
            },
        ),
        "goal",
    );
    invalid(v.add_step(&id, &g, " ").map(drop), "step");
    invalid(
        v.record_encounter(&NewEncounter {
            duration_minutes: Some(24 * 60 + 1),
            ..NewEncounter::with_person(id.clone())
        })
        .map(drop),
        "duration",
    );
    invalid(
        v.record_encounter(&NewEncounter {
            follow_ups: vec![NewFollowUp {
                what: " ".into(),
                due: None,
            }],
            ..NewEncounter::with_person(id.clone())
        })
        .map(drop),
        "follow-up",
    );
    invalid(
        v.record_encounter(&NewEncounter {
            goals: vec![g.clone()],
            ..NewEncounter::anonymous()
        })
        .map(drop),
        "encounter",
    );
    // In a month with no street log yet: the log must not be created by a refused encounter.
    invalid(
        v.record_encounter(&NewEncounter {
            at: Some(at(2023, 7, 1, 12, 0)),
            duration_minutes: Some(10_000),
            ..NewEncounter::anonymous()
        })
        .map(drop),
        "duration",
    );
    match v.record_encounter(&NewEncounter {
        goals: vec![g.clone(), GoalId::from("0000not0a0goal")],
        notes: "should not be written".into(),
        ..NewEncounter::with_person(id.clone())
    }) {
        Err(VaultError::NotFound { what: "goal", .. }) => {}
        other => panic!("expected NotFound goal, got {other:?}"),
    }
    match v.record_encounter(&NewEncounter::with_person(PersonId::from("abc123"))) {
        Err(VaultError::NotFound { what: "person", .. }) => {}
        other => panic!("expected NotFound person, got {other:?}"),
    }
    invalid(
        v.change_passphrase(&pass(), &tandem_core::Passphrase::new("short12")),
        "passphrase",
    );
    assert_eq!(observe(&mut v), before);
    assert_eq!(v.person(&id).expect("p"), rec);

    let mut v = reopen(dir.path(), v);
    assert_eq!(observe(&mut v), before);
    assert_eq!(v.person(&id).expect("p"), rec);
    assert!(v.street_log("2023-07").expect("log").is_empty());
    // The refused month still works afterwards.
    v.record_encounter(&NewEncounter {
        at: Some(at(2023, 7, 1, 12, 0)),
        ..NewEncounter::anonymous()
    })
    .expect("valid anonymous encounter");
    assert_eq!(v.street_log("2023-07").expect("log").len(), 1);

    let other = tempfile::tempdir().expect("tempdir");
    let new_dir = other.path().join("vault");
    match Vault::create(
        &new_dir,
        &tandem_core::Passphrase::new("1234567"),
        &tandem_core::NewVault {
            member_name: "Sam".into(),
            team_name: "Team".into(),
        },
    ) {
        Err(VaultError::Invalid {
            field: "passphrase",
            ..
        }) => {}
        other => panic!("expected Invalid passphrase, got {other:?}"),
    }
    assert!(!new_dir.exists(), "nothing written for a refused vault");
    match Vault::create(
        dir.path(),
        &pass(),
        &tandem_core::NewVault {
            member_name: "Sam".into(),
            team_name: "Team".into(),
        },
    ) {
        Err(VaultError::VaultExists(_)) => {}
        other => panic!("expected VaultExists, got {other:?}"),
    }
    let v = reopen(dir.path(), v);
    assert_eq!(v.list_people().expect("list"), before.people);
}

#[test]
fn rebuilt_indexes_and_compaction_change_nothing() {
    let (dir, mut v) = new_vault();
    let mut people = Vec::new();
    for (i, name) in ["Émile", "Zora", "léa", "Omar"].iter().enumerate() {
        let id = v
            .add_person(&NewPerson {
                name: (*name).into(),
                nicknames: vec![format!("nick{i}")],
                ..NewPerson::default()
            })
            .expect("add");
        let g = v
            .add_goal(
                &id,
                &NewGoal {
                    next_check_in: Some(day(2024, 4, 1 + i as u32)),
                    steps: vec!["un pas".into()],
                    ..goal("un but")
                },
            )
            .expect("goal");
        for k in 0..=i {
            v.record_encounter(&NewEncounter {
                at: Some(at(2024, 3, 1 + k as u32, 10, i as u32)),
                goals: vec![g.clone()],
                follow_ups: vec![NewFollowUp {
                    what: format!("suivi {k}"),
                    due: Some(day(2024, 3, 10 + k as u32)),
                }],
                ..NewEncounter::with_person(id.clone())
            })
            .expect("enc");
        }
        people.push(id);
    }
    v.record_encounter(&NewEncounter {
        at: Some(at(2024, 3, 9, 10, 0)),
        ..NewEncounter::anonymous()
    })
    .expect("anon");

    let snapshot = |v: &mut Vault| {
        let records: Vec<PersonRecord> = people.iter().map(|p| v.person(p).expect("p")).collect();
        (
            observe(v),
            records,
            v.follow_ups_due(day(2030, 1, 1)).expect("due"),
            v.recent_encounters(100).expect("recent"),
            v.search_people("nick").expect("search"),
            v.street_log("2024-03").expect("log"),
        )
    };
    let before = snapshot(&mut v);
    assert_eq!(
        before.1.iter().map(|r| r.encounters.len()).sum::<usize>(),
        10
    );
    assert_eq!(before.3.len(), 11);

    v.rebuild_indexes().expect("rebuild");
    assert_eq!(snapshot(&mut v), before);
    v.compact().expect("compact");
    assert_eq!(snapshot(&mut v), before);
    let mut v = reopen(dir.path(), v);
    assert_eq!(snapshot(&mut v), before);
    v.rebuild_indexes().expect("rebuild");
    assert_eq!(snapshot(&mut v), before);

    // Compaction keeps working afterwards: new changes land on the compacted documents.
    v.record_encounter(&NewEncounter::with_person(people[0].clone()))
        .expect("enc");
    v.compact().expect("compact");
    let mut v = reopen(dir.path(), v);
    assert_eq!(v.person(&people[0]).expect("p").encounters.len(), 2);
}

#[test]
fn outbox_grows_one_entry_per_change_and_acknowledge_removes() {
    let (dir, mut v) = new_vault();
    let team = v.team_id().to_owned();
    let start = v.outbox(100).expect("outbox");
    assert_eq!(start.len(), 1, "the team's creation");
    assert_eq!(
        (start[0].doc_id.as_str(), start[0].kind),
        (team.as_str(), DocKind::Team)
    );

    let len = |v: &Vault| v.outbox_len().expect("len");
    let id = add(&mut v, "Yves");
    assert_eq!(
        len(&v),
        3,
        "the new person's document and its line in the team document"
    );
    let g = v.add_goal(&id, &goal("Marcher")).expect("goal");
    assert_eq!(len(&v), 4);
    v.update_goal(
        &id,
        &g,
        &GoalUpdate {
            status: Some(GoalStatus::Reached),
            ..GoalUpdate::default()
        },
    )
    .expect("edit");
    assert_eq!(len(&v), 5);
    v.update_profile(&id, &ProfileUpdate::default())
        .expect("no-op");
    assert_eq!(len(&v), 5, "a change that changes nothing is not sent");
    v.record_encounter(&NewEncounter::with_person(id.clone()))
        .expect("enc");
    assert_eq!(len(&v), 6);
    v.record_encounter(&NewEncounter {
        at: Some(at(2024, 1, 5, 9, 0)),
        ..NewEncounter::anonymous()
    })
    .expect("anon");
    assert_eq!(
        len(&v),
        8,
        "a new month's street log, then the encounter in it"
    );
    v.record_encounter(&NewEncounter {
        at: Some(at(2024, 1, 6, 9, 0)),
        ..NewEncounter::anonymous()
    })
    .expect("anon");
    assert_eq!(len(&v), 9);

    let all = v.outbox(100).expect("outbox");
    assert_eq!(all.len(), 9);
    assert!(all.windows(2).all(|w| w[0].seq < w[1].seq), "oldest first");
    let kinds: Vec<DocKind> = all.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            DocKind::Team,
            DocKind::Person,
            DocKind::Team,
            DocKind::Person,
            DocKind::Person,
            DocKind::Person,
            DocKind::StreetLog,
            DocKind::StreetLog,
            DocKind::StreetLog
        ]
    );
    assert!(all
        .iter()
        .filter(|e| e.kind == DocKind::Person)
        .all(|e| e.doc_id == id.as_str()));
    assert_eq!(v.outbox(3).expect("limit").len(), 3);

    let mut v = reopen(dir.path(), v);
    let again = v.outbox(100).expect("outbox");
    assert_eq!(
        again
            .iter()
            .map(|e| (e.seq, e.bytes.clone()))
            .collect::<Vec<_>>(),
        all.iter()
            .map(|e| (e.seq, e.bytes.clone()))
            .collect::<Vec<_>>(),
        "the outbox survives a lock and unlock"
    );
    let acked: Vec<i64> = all[..4].iter().map(|e| e.seq).collect();
    v.acknowledge(&acked).expect("ack");
    v.acknowledge(&[acked[0], -5, 1_000_000])
        .expect("acking unknown or twice is harmless");
    assert_eq!(len(&v), 5);
    let v = reopen(dir.path(), v);
    let left: Vec<i64> = v
        .outbox(100)
        .expect("outbox")
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(left, all[4..].iter().map(|e| e.seq).collect::<Vec<_>>());
}
