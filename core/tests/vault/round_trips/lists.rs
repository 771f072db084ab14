//! What is derived across people: what is due, the list, finding, searching, history.

use super::{add, goal};
use crate::support::*;
use tandem_core::model::*;
use tandem_core::{Vault, VaultError};

#[test]
fn follow_ups_due_are_filtered_and_ordered() {
    let (dir, mut v) = new_vault();
    let zoe = add(&mut v, "Zoë");
    let ali = add(&mut v, "ali");
    let fu = |v: &mut Vault, p: &PersonId, what: &str, due: Option<chrono::NaiveDate>| {
        v.add_follow_up(
            p,
            &NewFollowUp {
                what: what.into(),
                due,
            },
        )
        .expect("follow-up")
    };
    fu(&mut v, &zoe, "z-late", Some(day(2024, 4, 2)));
    fu(&mut v, &zoe, "z-mar10", Some(day(2024, 3, 10)));
    fu(&mut v, &ali, "a-mar10", Some(day(2024, 3, 10)));
    fu(&mut v, &ali, "a-feb", Some(day(2024, 2, 1)));
    fu(&mut v, &ali, "a-undated", None);
    let done = fu(&mut v, &zoe, "z-done", Some(day(2024, 1, 1)));
    fu(&mut v, &zoe, "z-on-the-day", Some(day(2024, 3, 31)));
    v.complete_follow_up(&zoe, &done).expect("done");
    let mut v = reopen(dir.path(), v);
    let due = v.follow_ups_due(day(2024, 3, 31)).expect("due");
    let got: Vec<(&str, &str)> = due
        .iter()
        .map(|d| (d.person_name.as_str(), d.follow_up.what.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("ali", "a-feb"),
            ("ali", "a-mar10"),
            ("Zoë", "z-mar10"),
            ("Zoë", "z-on-the-day"),
        ],
        "by due date, then name (case ignored); done, undated and later ones left out"
    );
    assert!(due.iter().all(|d| d.person
        == if d.person_name == "ali" {
            ali.clone()
        } else {
            zoe.clone()
        }));
    assert!(v.follow_ups_due(day(2023, 12, 31)).expect("due").is_empty());
    assert_eq!(v.follow_ups_due(day(2030, 1, 1)).expect("due").len(), 5);
    // Completing one drops it from the list.
    let first = due[0].follow_up.id.clone();
    v.complete_follow_up(&ali, &first).expect("done");
    let mut v = reopen(dir.path(), v);
    assert_eq!(v.follow_ups_due(day(2024, 3, 31)).expect("due").len(), 3);
    assert_eq!(v.person(&ali).expect("p").follow_ups.len(), 3);
}

#[test]
fn list_people_shows_what_is_derived() {
    let (dir, mut v) = new_vault();
    let b = add(&mut v, "béa");
    let a = add(&mut v, "Ana");
    let c = add(&mut v, "Carl");
    let g1 = v
        .add_goal(
            &b,
            &NewGoal {
                next_check_in: Some(day(2024, 6, 1)),
                ..goal("Un logement")
            },
        )
        .expect("g");
    v.add_goal(
        &b,
        &NewGoal {
            next_check_in: Some(day(2024, 5, 1)),
            status: Some(GoalStatus::Reached),
            ..goal("Une carte d'identité")
        },
    )
    .expect("g");
    v.add_goal(
        &b,
        &NewGoal {
            next_check_in: Some(day(2024, 5, 20)),
            status: Some(GoalStatus::Paused),
            ..goal("Un travail")
        },
    )
    .expect("g");
    v.add_goal(&b, &goal("Voir ma sœur")).expect("g");
    for (h, d) in [(10, 3), (9, 5), (12, 4)] {
        v.record_encounter(&NewEncounter {
            at: Some(at(2024, 3, d, h, 0)),
            follow_ups: vec![NewFollowUp {
                what: format!("suivi {d}"),
                due: None,
            }],
            ..NewEncounter::with_person(b.clone())
        })
        .expect("enc");
    }
    let fu = v.person(&b).expect("p").follow_ups[0].id.clone();
    v.complete_follow_up(&b, &fu).expect("done");
    v.update_goal(
        &b,
        &g1,
        &GoalUpdate {
            status: Some(GoalStatus::LetGo),
            ..GoalUpdate::default()
        },
    )
    .expect("let go");
    let v = reopen(dir.path(), v);
    let list = v.list_people().expect("list");
    let names: Vec<&str> = list.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Ana", "béa", "Carl"], "by name, case ignored");
    let bea = &list[1];
    assert_eq!(bea.id, b);
    assert_eq!(bea.last_seen, Some(at(2024, 3, 5, 9, 0)));
    assert_eq!(
        bea.next_check_in,
        Some(day(2024, 5, 20)),
        "nearest among open goals (the reached and let-go ones do not count)"
    );
    assert_eq!(bea.open_goals, 2);
    assert_eq!(bea.open_follow_ups, 2);
    assert!(!bea.has_conflicts);
    for p in [&list[0], &list[2]] {
        assert!(p.id == a || p.id == c);
        assert_eq!(
            (
                p.last_seen,
                p.next_check_in,
                p.open_goals,
                p.open_follow_ups
            ),
            (None, None, 0, 0)
        );
    }
}

#[test]
fn find_person_by_id_prefix_name_and_nickname() {
    let (dir, mut v) = new_vault();
    let helene = v
        .add_person(&NewPerson {
            name: "Hélène Côté".into(),
            nicknames: vec!["Lulu".into()],
            ..NewPerson::default()
        })
        .expect("add");
    let marie1 = add(&mut v, "Marie");
    let marie2 = add(&mut v, "Marie-Ève");
    let marie3 = add(&mut v, "Marie");
    let luc = add(&mut v, "Luc");
    add(&mut v, "Lucie");
    let v = reopen(dir.path(), v);
    assert_eq!(v.find_person(helene.as_str()).expect("id"), helene);
    assert_eq!(
        v.find_person(&helene.as_str()[..8]).expect("prefix"),
        helene
    );
    assert_eq!(
        v.find_person(&helene.as_str()[..8].to_uppercase())
            .expect("prefix, upper case"),
        helene
    );
    assert_eq!(v.find_person("helene cote").expect("name"), helene);
    assert_eq!(v.find_person("  HÉLÈNE ").expect("part of a name"), helene);
    assert_eq!(v.find_person("lulu").expect("nickname"), helene);
    assert_eq!(v.find_person("marie-eve").expect("one match"), marie2);
    assert_eq!(v.find_person("LUC").expect("exact beats partial"), luc);
    assert!(matches!(
        v.find_person("marie"),
        Err(VaultError::Ambiguous { count: 3 })
    ));
    match v.find_person("Zébulon") {
        Err(e) => assert_eq!(e.code(), ErrorCode::NotFound, "{e:?}"),
        Ok(p) => panic!("found {p} for no one"),
    }
    assert!(matches!(
        v.find_person("  "),
        Err(VaultError::Invalid { .. })
    ));
    match v.find_person("ffffffffffff") {
        Err(e) => assert_eq!(e.code(), ErrorCode::NotFound, "{e:?}"),
        Ok(p) => panic!("found {p} for an id no one has"),
    }
    let _ = (marie1, marie3);
}

#[test]
fn search_ignores_accents_and_case_and_takes_several_words() {
    let (dir, mut v) = new_vault();
    let helene = add(&mut v, "Hélène Côté");
    let francois = v
        .add_person(&NewPerson {
            name: "François".into(),
            nicknames: vec!["Le Grand Œuvre".into()],
            ..NewPerson::default()
        })
        .expect("add");
    let cote = add(&mut v, "Marc Côté");
    let pct = add(&mut v, "100% Zoé_");
    let annie = add(&mut v, "Annie Lemarc");
    let v = reopen(dir.path(), v);
    let ids = |q: &str| -> Vec<PersonId> {
        v.search_people(q)
            .expect("search")
            .into_iter()
            .map(|p| p.id)
            .collect()
    };
    assert_eq!(ids("Helene"), vec![helene.clone()]);
    assert_eq!(ids("HÉLÈNE"), vec![helene.clone()]);
    assert_eq!(ids("cote"), vec![helene.clone(), cote.clone()]);
    assert_eq!(ids("côte"), vec![helene.clone(), cote.clone()]);
    assert_eq!(
        ids("cote helene"),
        vec![helene.clone()],
        "every word, any order"
    );
    assert_eq!(ids("  helene   COTE "), vec![helene.clone()]);
    assert_eq!(ids("marc cote"), vec![cote.clone()]);
    assert_eq!(ids("marc helene"), Vec::<PersonId>::new());
    assert_eq!(ids("francois"), vec![francois.clone()]);
    assert_eq!(ids("oeuvre"), vec![francois.clone()], "nicknames, œ folded");
    assert_eq!(ids("grand oeuvre"), vec![francois]);
    assert_eq!(
        ids("marc"),
        vec![cote.clone(), annie],
        "names starting with the query first, then by name"
    );
    assert_eq!(ids("%"), vec![pct.clone()], "LIKE wildcards are literal");
    assert_eq!(ids("_"), vec![pct]);
    assert!(ids("").is_empty());
    assert!(ids("xyz").is_empty());
}

#[test]
fn history_names_the_member_and_never_the_content() {
    let (dir, mut v) = new_vault();
    let id = add(&mut v, "Rémi");
    let g = v.add_goal(&id, &goal("Secret goal words")).expect("goal");
    let e = v
        .record_encounter(&NewEncounter {
            notes: "secret notes".into(),
            ..NewEncounter::with_person(id.clone())
        })
        .expect("enc");
    v.update_goal(
        &id,
        &g,
        &GoalUpdate {
            status: Some(GoalStatus::Reached),
            ..GoalUpdate::default()
        },
    )
    .expect("edit");
    let device = v.device_id().to_owned();
    let me = v.member_id().clone();
    let mut v = reopen(dir.path(), v);
    let h = v.history(&id).expect("history");
    let mut actions: Vec<(&str, Option<&str>)> = h
        .iter()
        .map(|x| (x.action.as_str(), x.target.as_deref()))
        .collect();
    actions.sort();
    let mut expected = vec![
        ("person.add", None),
        ("goal.add", Some(g.as_str())),
        ("encounter.add", Some(e.as_str())),
        ("goal.edit", Some(g.as_str())),
    ];
    expected.sort();
    assert_eq!(actions, expected);
    for x in &h {
        assert_eq!(x.by_name.as_deref(), Some("Sam"));
        assert_eq!(x.by.as_ref(), Some(&me));
        assert_eq!(x.device, device);
    }
    assert!(h.windows(2).all(|w| w[0].at >= w[1].at), "newest first");
    let json = serde_json::to_string(&h).expect("json");
    assert!(!json.contains("secret"), "history holds no content: {json}");
}
