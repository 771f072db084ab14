//! Two or three devices of one team, exchanging their outboxes as the relay would.

use crate::support::*;
use tandem_core::model::*;
use tandem_core::{DocKind, Vault, VaultError};

/// Device A creates the team, device B ("Alex") joins it, and each knows the other.
fn team_of_two() -> (tempfile::TempDir, Vault, tempfile::TempDir, Vault) {
    let (da, mut a) = new_vault();
    let (db, mut b) = join_vault(&mut a, "Alex");
    exchange(&mut [&mut a, &mut b]);
    (da, a, db, b)
}

fn add(v: &mut Vault, name: &str) -> PersonId {
    v.add_person(&NewPerson {
        name: name.into(),
        ..NewPerson::default()
    })
    .expect("add person")
}

/// Both show the same documents and people.
fn assert_same(a: &mut Vault, b: &mut Vault) {
    let (oa, ob) = (observe(a), observe(b));
    assert_eq!(oa.documents, ob.documents);
    assert_eq!(oa.heads, ob.heads);
    assert_eq!(oa.people, ob.people);
    for p in &oa.people {
        assert_eq!(a.person(&p.id).expect("a"), b.person(&p.id).expect("b"));
    }
}

#[test]
fn a_person_added_on_one_device_appears_on_the_other() {
    let (_da, mut a, _db, mut b) = team_of_two();
    let id = a
        .add_person(&NewPerson {
            name: "Hélène".into(),
            nicknames: vec!["Lulu".into()],
            pronouns: Some("elle".into()),
            languages: vec!["fr".into()],
            contact: "Au refuge".into(),
            remember: "Le parc, pas la clinique".into(),
        })
        .expect("add");
    let g = a
        .add_goal(
            &id,
            &NewGoal {
                words: "Avoir mon appart".into(),
                domain: Some("housing".into()),
                status: Some(GoalStatus::WorkingOnIt),
                steps: vec!["Appeler".into()],
                next_check_in: Some(day(2024, 6, 1)),
            },
        )
        .expect("goal");
    a.record_encounter(&NewEncounter {
        notes: "Bonne rencontre".into(),
        goals: vec![g],
        follow_ups: vec![NewFollowUp {
            what: "Rappeler".into(),
            due: Some(day(2024, 6, 2)),
        }],
        ..NewEncounter::with_person(id.clone())
    })
    .expect("enc");
    assert!(matches!(b.brief(&id), Err(VaultError::NotFound { .. })));
    exchange(&mut [&mut a, &mut b]);
    assert_eq!(b.brief(&id).expect("b"), a.brief(&id).expect("a"));
    assert_eq!(b.search_people("helene").expect("s")[0].id, id);
    assert_eq!(
        b.follow_ups_due(day(2024, 6, 30)).expect("due"),
        a.follow_ups_due(day(2024, 6, 30)).expect("due")
    );
    assert_same(&mut a, &mut b);
    let names: Vec<Option<String>> = b
        .history(&id)
        .expect("history")
        .into_iter()
        .map(|h| h.by_name)
        .collect();
    assert!(
        names.iter().all(|n| n.as_deref() == Some("Sam")),
        "{names:?}"
    );

    // And back: B's change reaches A, in B's member's name.
    b.update_profile(
        &id,
        &ProfileUpdate {
            remember: Some("Le parc le matin".into()),
            ..ProfileUpdate::default()
        },
    )
    .expect("edit");
    exchange(&mut [&mut a, &mut b]);
    assert_eq!(a.brief(&id).expect("a").remember, "Le parc le matin");
    let last = a.history(&id).expect("history").remove(0);
    assert_eq!(
        (last.action.as_str(), last.by_name.as_deref()),
        ("profile.edit", Some("Alex"))
    );
    let team = a.team().expect("team");
    let mut members: Vec<&str> = team.members.iter().map(|m| m.name.as_str()).collect();
    members.sort();
    assert_eq!(members, ["Alex", "Sam"]);
    assert_same(&mut a, &mut b);
}

#[test]
fn concurrent_note_edits_keep_both_sets_of_words() {
    let (_da, mut a, _db, mut b) = team_of_two();
    let id = add(&mut a, "Marc");
    let e = a
        .record_encounter(&NewEncounter {
            notes: "Elle a parlé du logement.".into(),
            ..NewEncounter::with_person(id.clone())
        })
        .expect("enc");
    exchange(&mut [&mut a, &mut b]);
    a.update_encounter_notes(&id, &e, "Ce matin, elle a parlé du logement.")
        .expect("a edits");
    b.update_encounter_notes(&id, &e, "Elle a parlé du logement et de sa fille.")
        .expect("b edits");
    a.update_profile(
        &id,
        &ProfileUpdate {
            contact: Some("Tél. 514-555-0100".into()),
            ..ProfileUpdate::default()
        },
    )
    .expect("a contact");
    b.update_profile(
        &id,
        &ProfileUpdate {
            remember: Some("Aime les chiens".into()),
            ..ProfileUpdate::default()
        },
    )
    .expect("b remember");
    exchange(&mut [&mut a, &mut b]);
    for v in [&mut a, &mut b] {
        let rec = v.person(&id).expect("p");
        assert_eq!(
            rec.encounters[0].notes,
            "Ce matin, elle a parlé du logement et de sa fille."
        );
        assert_eq!(rec.profile.contact, "Tél. 514-555-0100");
        assert_eq!(rec.profile.remember, "Aime les chiens");
        assert!(
            rec.conflicts.is_empty(),
            "text merges, it does not conflict: {:?}",
            rec.conflicts
        );
    }
    assert_same(&mut a, &mut b);
}

#[test]
fn concurrent_goal_status_shows_both_until_someone_picks() {
    let (_da, mut a, _db, mut b) = team_of_two();
    let id = add(&mut a, "Nadia");
    let g = a
        .add_goal(
            &id,
            &NewGoal {
                words: "Retourner à l'école".into(),
                domain: None,
                status: Some(GoalStatus::WorkingOnIt),
                steps: vec![],
                next_check_in: None,
            },
        )
        .expect("goal");
    exchange(&mut [&mut a, &mut b]);
    let set = |v: &mut Vault, s: GoalStatus| {
        v.update_goal(
            &id,
            &g,
            &GoalUpdate {
                status: Some(s),
                ..GoalUpdate::default()
            },
        )
        .expect("status")
    };
    set(&mut a, GoalStatus::Paused);
    set(&mut b, GoalStatus::Reached);
    exchange(&mut [&mut a, &mut b]);
    let path = vec!["goals".to_owned(), g.0.clone(), "status".to_owned()];
    let conflicts = a.brief(&id).expect("a").conflicts;
    assert_eq!(
        conflicts,
        b.brief(&id).expect("b").conflicts,
        "the same on both"
    );
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert_eq!(conflicts[0].path, path);
    assert_eq!(conflicts[0].field(), "status");
    let mut values = conflicts[0].values.clone();
    values.sort();
    assert_eq!(values, ["paused", "reached"]);
    let shown = a.person(&id).expect("p").goals[0].status;
    assert_eq!(
        shown.code(),
        conflicts[0].values[0],
        "the first value is the one shown"
    );
    assert_eq!(b.person(&id).expect("p").goals[0].status, shown);
    for v in [&a, &b] {
        assert!(v.list_people().expect("list")[0].has_conflicts);
    }

    let reached = conflicts[0]
        .values
        .iter()
        .position(|v| v == "reached")
        .expect("reached");
    b.resolve_conflict(&id, &path, reached).expect("resolve");
    assert!(b.brief(&id).expect("b").conflicts.is_empty());
    exchange(&mut [&mut a, &mut b]);
    for v in [&mut a, &mut b] {
        let rec = v.person(&id).expect("p");
        assert!(rec.conflicts.is_empty(), "{:?}", rec.conflicts);
        assert_eq!(rec.goals[0].status, GoalStatus::Reached);
        assert!(!v.list_people().expect("list")[0].has_conflicts);
    }
    assert_same(&mut a, &mut b);
    assert!(matches!(
        a.resolve_conflict(&id, &path, 5),
        Err(VaultError::Invalid { .. })
    ));
}

#[test]
fn concurrent_name_changes_are_a_conflict() {
    let (_da, mut a, _db, mut b) = team_of_two();
    let id = add(&mut a, "Jo");
    exchange(&mut [&mut a, &mut b]);
    let rename = |v: &mut Vault, n: &str| {
        v.update_profile(
            &id,
            &ProfileUpdate {
                name: Some(n.into()),
                ..ProfileUpdate::default()
            },
        )
        .expect("rename")
    };
    rename(&mut a, "Josée");
    rename(&mut b, "Jojo");
    exchange(&mut [&mut a, &mut b]);
    let ca = a.brief(&id).expect("a").conflicts;
    assert_eq!(ca, b.brief(&id).expect("b").conflicts);
    assert_eq!(ca.len(), 1);
    assert_eq!(ca[0].path, ["profile", "name"]);
    let mut values = ca[0].values.clone();
    values.sort();
    assert_eq!(values, ["Jojo", "Josée"]);
    let shown = a.brief(&id).expect("a").name;
    assert_eq!(shown, ca[0].values[0]);
    assert_eq!(b.brief(&id).expect("b").name, shown);
    assert_eq!(
        a.list_people().expect("l")[0].name,
        shown,
        "the index shows the same one"
    );

    // Keeping the one not shown.
    a.resolve_conflict(&id, &ca[0].path, 1).expect("resolve");
    exchange(&mut [&mut a, &mut b]);
    for v in [&mut a, &mut b] {
        let brief = v.brief(&id).expect("brief");
        assert_eq!(brief.name, ca[0].values[1]);
        assert!(brief.conflicts.is_empty());
        assert_eq!(v.find_person(&ca[0].values[1]).expect("find"), id);
    }
    assert_same(&mut a, &mut b);
}

#[test]
fn anonymous_encounters_of_a_month_share_one_street_log() {
    let (_da, mut a, _db, mut b) = team_of_two();
    let ea = a
        .record_encounter(&NewEncounter {
            at: Some(at(2024, 5, 3, 22, 0)),
            given: vec!["naloxone".into()],
            ..NewEncounter::anonymous()
        })
        .expect("a");
    let eb = b
        .record_encounter(&NewEncounter {
            at: Some(at(2024, 5, 20, 7, 30)),
            notes: "Café et bas".into(),
            ..NewEncounter::anonymous()
        })
        .expect("b");
    let logs = |v: &Vault| -> Vec<String> {
        v.documents()
            .expect("docs")
            .into_iter()
            .filter(|(_, k)| *k == DocKind::StreetLog)
            .map(|(id, _)| id)
            .collect()
    };
    assert_eq!(logs(&a).len(), 1);
    assert_eq!(
        logs(&a),
        logs(&b),
        "written offline, apart, into the same document"
    );
    exchange(&mut [&mut a, &mut b]);
    assert_eq!(logs(&a).len(), 1);
    let la = a.street_log("2024-05").expect("a");
    assert_eq!(la, b.street_log("2024-05").expect("b"));
    assert_eq!(
        la.iter().map(|e| &e.id).collect::<Vec<_>>(),
        vec![&eb, &ea],
        "newest first"
    );
    assert_eq!(la[0].recorded_by.as_ref(), Some(b.member_id()));
    assert_eq!(la[1].recorded_by.as_ref(), Some(a.member_id()));
    assert_eq!(a.recent_encounters(10).expect("recent").len(), 2);
    assert_same(&mut a, &mut b);
}

#[test]
fn duplicate_and_reversed_delivery_is_harmless() {
    let (_da, mut a, db, mut b) = team_of_two();
    let id = add(&mut a, "Omar");
    let g = a
        .add_goal(
            &id,
            &NewGoal {
                words: "Marcher".into(),
                domain: None,
                status: None,
                steps: vec!["Un tour du parc".into()],
                next_check_in: None,
            },
        )
        .expect("goal");
    let step = a.person(&id).expect("p").goals[0].steps[0].id.clone();
    let e = a
        .record_encounter(&NewEncounter {
            notes: "Premier".into(),
            ..NewEncounter::with_person(id.clone())
        })
        .expect("enc");
    a.update_encounter_notes(&id, &e, "Premier jour")
        .expect("notes");
    a.set_step_done(&id, &g, &step, true).expect("tick");
    a.record_encounter(&NewEncounter {
        at: Some(at(2024, 7, 1, 8, 0)),
        ..NewEncounter::anonymous()
    })
    .expect("anon");
    let out = a.outbox(1000).expect("outbox");
    assert!(out.len() >= 8);

    // Newest first: every person change arrives before the person's creation.
    for entry in out.iter().rev() {
        b.apply_changes(&entry.doc_id, entry.kind, &[&entry.bytes])
            .expect("reversed");
    }
    assert_same(&mut a, &mut b);
    // Everything again, in order and reversed: nothing new.
    for entry in out.iter().chain(out.iter().rev()) {
        let learnt = b
            .apply_changes(&entry.doc_id, entry.kind, &[&entry.bytes])
            .expect("again");
        assert!(!learnt, "a duplicate taught something");
    }
    // All of it in one batch per document, twice over.
    let mut by_doc: Vec<(String, DocKind, Vec<&[u8]>)> = Vec::new();
    for entry in &out {
        match by_doc.iter_mut().find(|(d, _, _)| *d == entry.doc_id) {
            Some((_, _, chunks)) => chunks.push(&entry.bytes),
            None => by_doc.push((entry.doc_id.clone(), entry.kind, vec![&entry.bytes])),
        }
    }
    for (doc, kind, chunks) in &by_doc {
        let twice: Vec<&[u8]> = chunks.iter().chain(chunks.iter()).copied().collect();
        assert!(!b.apply_changes(doc, *kind, &twice).expect("batch"));
    }
    assert_same(&mut a, &mut b);
    let mut b = reopen(db.path(), b);
    assert_same(&mut a, &mut b);
    assert_eq!(
        b.person(&id).expect("p").encounters[0].notes,
        "Premier jour"
    );
}

#[test]
fn changes_that_arrive_before_the_creation_wait_for_it() {
    let (_da, mut a, _db, mut b) = team_of_two();
    let id = add(&mut a, "Léa");
    // Not acknowledged yet: A's creation of Léa is still to be sent to C.
    deliver_all(&a, &mut b);
    let eb: Vec<EncounterId> = ["Vue par Alex", "Revue par Alex"]
        .iter()
        .map(|notes| {
            b.record_encounter(&NewEncounter {
                notes: (*notes).into(),
                ..NewEncounter::with_person(id.clone())
            })
            .expect("b")
        })
        .collect();
    let (dc, mut c) = join_vault(&mut a, "Chris");

    // C hears of B's two encounters, in order, before it hears of Léa.
    let early = b.outbox(100).expect("outbox");
    assert_eq!(early.len(), 2);
    for entry in &early {
        assert!(
            c.apply_changes(&entry.doc_id, entry.kind, &[&entry.bytes])
                .expect("early change kept"),
            "an early change is something learnt"
        );
    }
    assert!(c.person(&id).is_err(), "no record before its creation");
    assert!(c.list_people().expect("list").is_empty());
    assert!(c.search_people("lea").expect("search").is_empty());

    // Locked and unlocked in between: the early change is still there.
    let mut c = reopen(dc.path(), c);
    assert!(c.person(&id).is_err());
    c.rebuild_indexes()
        .expect("rebuild with a document still waiting");
    assert!(c.list_people().expect("list").is_empty());

    deliver_all(&a, &mut c);
    let rec = c.person(&id).expect("the creation arrived");
    assert_eq!(rec.profile.name, "Léa");
    let mut got: Vec<&EncounterId> = rec.encounters.iter().map(|e| &e.id).collect();
    got.sort();
    let mut want: Vec<&EncounterId> = eb.iter().collect();
    want.sort();
    assert_eq!(
        got, want,
        "both early encounters, kept across the lock and unlock"
    );
    assert_eq!(c.find_person("lea").expect("find"), id);
    assert_eq!(
        c.list_people().expect("list")[0].last_seen,
        Some(rec.encounters[0].at)
    );
    let mut c = reopen(dc.path(), c);
    assert_eq!(c.person(&id).expect("p"), rec);
    exchange(&mut [&mut a, &mut b, &mut c]);
    assert_same(&mut a, &mut c);
    assert_same(&mut b, &mut c);
}

#[test]
fn an_anonymous_encounter_can_be_recorded_while_the_months_log_waits_for_its_creation() {
    // B hears of A's street encounter before the month's log creation reaches it (the log's
    // creation is the same on every device, so B could always write it itself).
    let (_da, mut a, _db, mut b) = team_of_two();
    let when = at(2024, 8, 10, 21, 0);
    a.record_encounter(&NewEncounter {
        at: Some(when),
        ..NewEncounter::anonymous()
    })
    .expect("a");
    let out = a.outbox(100).expect("outbox");
    let street: Vec<_> = out
        .iter()
        .filter(|e| e.kind == DocKind::StreetLog)
        .collect();
    assert_eq!(street.len(), 2, "the log's creation, then the encounter");
    b.apply_changes(&street[1].doc_id, street[1].kind, &[&street[1].bytes])
        .expect("early");
    let eb = b
        .record_encounter(&NewEncounter {
            at: Some(at(2024, 8, 11, 9, 0)),
            ..NewEncounter::anonymous()
        })
        .expect("an encounter on the street is never refused");
    exchange(&mut [&mut a, &mut b]);
    for v in [&mut a, &mut b] {
        let log = v.street_log("2024-08").expect("log");
        assert_eq!(log.len(), 2);
        assert_eq!(log[0].id, eb);
    }
    assert_same(&mut a, &mut b);
}

#[test]
fn team_options_added_on_two_devices_at_once_are_both_kept() {
    let (_da, mut a, _db, mut b) = team_of_two();
    let defaults = TeamSettings::default();
    assert_eq!(a.team().expect("team").settings, defaults);
    // Offline, each adds its own; A also takes one away.
    a.add_team_option(OptionList::GivenItems, "Bus tickets")
        .expect("add");
    b.add_team_option(OptionList::GivenItems, "  Socks ")
        .expect("add");
    b.add_team_option(OptionList::EncounterKinds, "Court accompaniment")
        .expect("add");
    a.remove_team_option(OptionList::GivenItems, "clothing")
        .expect("remove");
    // The same one twice changes nothing.
    let before = a.outbox_len().expect("outbox");
    a.add_team_option(OptionList::GivenItems, "Bus tickets")
        .expect("again");
    assert_eq!(a.outbox_len().expect("outbox"), before);
    exchange(&mut [&mut a, &mut b]);

    let (sa, sb) = (a.team().expect("a").settings, b.team().expect("b").settings);
    assert_eq!(sa, sb);
    assert!(sa.given_items.iter().any(|g| g == "Bus tickets"));
    assert!(sa.given_items.iter().any(|g| g == "Socks"));
    assert!(!sa.given_items.iter().any(|g| g == "clothing"));
    assert_eq!(sa.given_items.len(), defaults.given_items.len() + 1);
    assert_eq!(sa.life_domains, defaults.life_domains);
    assert_eq!(
        sa.encounter_kinds.last().map(String::as_str),
        Some("Court accompaniment")
    );
    assert_same(&mut a, &mut b);
}

#[test]
fn a_team_option_must_be_one_short_line() {
    let (_d, mut v) = new_vault();
    let waiting = v.outbox_len().expect("outbox");
    for bad in ["", "   ", "two\nlines", &"x".repeat(61)] {
        assert!(
            matches!(
                v.add_team_option(OptionList::GivenItems, bad),
                Err(VaultError::Invalid { .. })
            ),
            "{bad:?}"
        );
    }
    // Removing what is not there (a label instead of the code) says so.
    assert!(matches!(
        v.remove_team_option(OptionList::GivenItems, "Clothing"),
        Err(VaultError::NotFound { .. })
    ));
    assert_eq!(v.team().expect("team").settings, TeamSettings::default());
    assert_eq!(v.outbox_len().expect("outbox"), waiting);
}
