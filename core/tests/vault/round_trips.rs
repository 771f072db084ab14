use crate::support::*;
use tandem_core::model::*;
use tandem_core::Vault;

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
