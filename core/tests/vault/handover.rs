//! Hand-over and cover on real vaults: who is responsible, who accompanies, members away,
//! taking over with a note, and two devices reassigning at once.

use crate::support::*;
use tandem_core::model::*;
use tandem_core::{Vault, VaultError};

/// Sam founds the team; Alex and Kim join; all three know each other.
fn team_of_three() -> Vec<(tempfile::TempDir, Vault)> {
    let (da, mut a) = new_vault();
    let (db, mut b) = join_vault(&mut a, "Alex");
    let (dc, mut c) = join_vault(&mut a, "Kim");
    exchange(&mut [&mut a, &mut b, &mut c]);
    vec![(da, a), (db, b), (dc, c)]
}

/// Every device hears every other, as through the relay.
fn share(t: &mut [(tempfile::TempDir, Vault)]) {
    let mut refs: Vec<&mut Vault> = t.iter_mut().map(|(_, v)| v).collect();
    exchange(&mut refs);
}

fn add(v: &mut Vault, name: &str) -> PersonId {
    v.add_person(&NewPerson {
        name: name.into(),
        ..NewPerson::default()
    })
    .expect("add person")
}

fn follow_up(v: &mut Vault, p: &PersonId, what: &str) -> FollowUpId {
    v.add_follow_up(
        p,
        &NewFollowUp {
            what: what.into(),
            due: Some(day(2020, 1, 10)),
        },
    )
    .expect("follow-up")
}

fn names(needs: &NeedsSomeone) -> Vec<String> {
    needs.people.iter().map(|p| p.name.clone()).collect()
}

#[test]
fn a_follow_up_is_its_writers_until_given_to_another() {
    let mut t = team_of_three();
    let (sam, alex) = (t[0].1.member_id().clone(), t[1].1.member_id().clone());
    let a = &mut t[0].1;
    let p = add(a, "Hélène");
    let f = follow_up(a, &p, "Appeler le refuge");
    let rec = a.person(&p).expect("person");
    assert_eq!(rec.follow_ups[0].responsible.as_ref(), Some(&sam));
    assert_eq!(
        rec.accompanied_by,
        vec![sam.clone()],
        "its writer accompanies"
    );
    assert_eq!(
        a.my_follow_ups_due(day(2020, 1, 31)).expect("mine").len(),
        1
    );

    a.reassign_follow_up(&p, &f, &alex).expect("reassign");
    assert_eq!(
        a.person(&p).expect("person").follow_ups[0]
            .responsible
            .as_ref(),
        Some(&alex)
    );
    assert!(a
        .my_follow_ups_due(day(2020, 1, 31))
        .expect("mine")
        .is_empty());
    let team = a.team_follow_ups(day(2020, 1, 31)).expect("team");
    assert_eq!(team.follow_ups.len(), 1, "the team view shows everyone's");
    assert_eq!(
        team.follow_ups[0].follow_up.responsible.as_ref(),
        Some(&alex)
    );

    // Alex hears of it: the follow-up is on Alex's Today, from the index.
    share(&mut t);
    let mine = t[1].1.my_follow_ups_due(day(2020, 1, 31)).expect("mine");
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].follow_up.id, f);
}

#[test]
fn nobody_outside_the_team_or_away_can_be_given_work() {
    let mut t = team_of_three();
    let alex = t[1].1.member_id().clone();
    let a = &mut t[0].1;
    let p = add(a, "Hélène");
    let f = follow_up(a, &p, "Appeler");
    let stranger = MemberId("00112233445566778899aabbccddeeff".into());
    assert!(matches!(
        a.reassign_follow_up(&p, &f, &stranger),
        Err(VaultError::Invalid {
            field: "member",
            ..
        })
    ));
    assert!(a
        .change_accompanied(&p, std::slice::from_ref(&stranger), &[])
        .is_err());
    assert!(a.mark_away(&stranger, AwayReason::Leave).is_err());
    a.mark_away(&alex, AwayReason::Leave).expect("away");
    assert!(
        a.reassign_follow_up(&p, &f, &alex).is_err(),
        "a member away takes nothing new"
    );
    assert_eq!(
        a.person(&p).expect("p").follow_ups[0].responsible.as_ref(),
        Some(a.member_id()),
        "a refusal changes nothing"
    );
}

#[test]
fn a_member_away_leaves_their_people_and_follow_ups_to_be_taken_with_a_note() {
    let mut t = team_of_three();
    let alex = t[1].1.member_id().clone();
    let kim = t[2].1.member_id().clone();
    // Alex writes a record and a follow-up; Sam's own person is not Alex's business.
    let helene = add(&mut t[1].1, "Hélène");
    let f = follow_up(&mut t[1].1, &helene, "Accompagner au rendez-vous");
    let marc = add(&mut t[0].1, "Marc");
    share(&mut t);
    assert!(names(&t[0].1.needs_someone().expect("needs")).is_empty());

    t[0].1.mark_away(&alex, AwayReason::Leave).expect("away");
    share(&mut t);
    for (_, v) in t.iter_mut() {
        let needs = v.needs_someone().expect("needs");
        assert_eq!(names(&needs), vec!["Hélène".to_owned()]);
        assert_eq!(needs.people[0].accompanied_by, vec![alex.clone()]);
        assert_eq!(needs.follow_ups.len(), 1);
        assert_eq!(needs.follow_ups[0].follow_up.id, f);
        let away = v.away_members().expect("away");
        assert_eq!(away.len(), 1);
        assert_eq!(
            (away[0].name.as_str(), away[0].reason),
            ("Alex", AwayReason::Leave)
        );
    }
    let _ = marc;

    // Kim takes Hélène on, with a note; then the follow-up.
    let note = "Elle préfère être appelée le matin; rendez-vous mardi au CLSC.";
    t[2].1.take_person(&helene, Some(note)).expect("take");
    let needs = t[2].1.needs_someone().expect("needs");
    assert!(names(&needs).is_empty(), "taken: nobody left waiting");
    assert_eq!(needs.follow_ups.len(), 1, "the follow-up is still Alex's");
    t[2].1
        .take_follow_up(&helene, &f, None)
        .expect("take follow-up");
    assert!(t[2].1.needs_someone().expect("needs").follow_ups.is_empty());

    share(&mut t);
    for (_, v) in t.iter_mut() {
        let brief = v.brief(&helene).expect("brief");
        assert_eq!(brief.accompanied_by, {
            let mut both = vec![alex.clone(), kim.clone()];
            both.sort();
            both
        });
        assert_eq!(brief.handovers.len(), 1);
        assert_eq!(brief.handovers[0].note, note);
        assert_eq!(brief.handovers[0].by.as_ref(), Some(&kim));
        assert_eq!(brief.member_name(&kim), "Kim");
        assert_eq!(brief.open_follow_ups[0].responsible.as_ref(), Some(&kim));
        assert!(v.needs_someone().expect("needs").people.is_empty());
    }
}

#[test]
fn back_from_away_their_people_no_longer_wait() {
    let mut t = team_of_three();
    let alex = t[1].1.member_id().clone();
    let helene = add(&mut t[1].1, "Hélène");
    share(&mut t);
    t[0].1.mark_away(&alex, AwayReason::Left).expect("away");
    assert_eq!(names(&t[0].1.needs_someone().expect("n")), vec!["Hélène"]);
    t[0].1.mark_back(&alex).expect("back");
    assert!(t[0].1.needs_someone().expect("n").people.is_empty());
    assert!(t[0].1.away_members().expect("away").is_empty());
    assert!(matches!(
        t[0].1.mark_back(&alex),
        Err(VaultError::NotFound { .. })
    ));
    let _ = helene;
}

#[test]
fn two_devices_marking_away_offline_agree_and_back_clears_both() {
    let mut t = team_of_three();
    let kim = t[2].1.member_id().clone();
    // Neither device has an "away" map yet: each makes its own offline.
    t[0].1.mark_away(&kim, AwayReason::Leave).expect("a");
    t[1].1.mark_away(&kim, AwayReason::Left).expect("b");
    share(&mut t);
    let (aa, ab) = (
        t[0].1.away_members().expect("a"),
        t[1].1.away_members().expect("b"),
    );
    assert_eq!(aa, ab);
    assert_eq!(aa.len(), 1);
    t[1].1.mark_back(&kim).expect("back");
    share(&mut t);
    assert!(t[0].1.away_members().expect("a").is_empty());
}

#[test]
fn concurrent_reassignments_are_a_conflict_until_one_is_chosen() {
    let mut t = team_of_three();
    let (alex, kim) = (t[1].1.member_id().clone(), t[2].1.member_id().clone());
    let p = add(&mut t[0].1, "Hélène");
    let f = follow_up(&mut t[0].1, &p, "Appeler");
    share(&mut t);
    // Offline, Sam gives it to Alex and Alex gives it to Kim.
    t[0].1.reassign_follow_up(&p, &f, &alex).expect("a");
    t[1].1.reassign_follow_up(&p, &f, &kim).expect("b");
    share(&mut t);
    let path = vec![
        "follow_ups".to_owned(),
        f.0.clone(),
        "responsible".to_owned(),
    ];
    let mut seen = Vec::new();
    for (_, v) in t.iter_mut().take(2) {
        let brief = v.brief(&p).expect("brief");
        assert_eq!(brief.conflicts.len(), 1, "{:?}", brief.conflicts);
        assert_eq!(brief.conflicts[0].path, path);
        let mut values = brief.conflicts[0].values.clone();
        values.sort();
        let mut both = vec![alex.0.clone(), kim.0.clone()];
        both.sort();
        assert_eq!(values, both, "both choices kept");
        seen.push(brief.conflicts[0].values.clone());
    }
    assert_eq!(seen[0], seen[1], "the same order on both devices");
    let kim_at = seen[0].iter().position(|v| v == &kim.0).expect("kim");
    t[1].1.resolve_conflict(&p, &path, kim_at).expect("resolve");
    share(&mut t);
    for (_, v) in t.iter_mut().take(2) {
        let brief = v.brief(&p).expect("brief");
        assert!(brief.conflicts.is_empty(), "{:?}", brief.conflicts);
        assert_eq!(brief.open_follow_ups[0].responsible.as_ref(), Some(&kim));
    }
}

#[test]
fn concurrent_first_changes_of_who_accompanies_keep_both() {
    let mut t = team_of_three();
    let (sam, alex, kim) = (
        t[0].1.member_id().clone(),
        t[1].1.member_id().clone(),
        t[2].1.member_id().clone(),
    );
    let p = add(&mut t[0].1, "Hélène");
    share(&mut t);
    t[0].1
        .change_accompanied(&p, std::slice::from_ref(&alex), &[])
        .expect("a");
    t[1].1
        .change_accompanied(&p, std::slice::from_ref(&kim), &[])
        .expect("b");
    share(&mut t);
    let mut all = vec![sam.clone(), alex.clone(), kim.clone()];
    all.sort();
    for (_, v) in t.iter_mut().take(2) {
        let rec = v.person(&p).expect("p");
        assert_eq!(rec.accompanied_by, all);
        assert!(rec.conflicts.is_empty(), "{:?}", rec.conflicts);
    }
    t[0].1
        .change_accompanied(&p, &[], &[sam.clone(), kim.clone()])
        .expect("remove");
    assert_eq!(t[0].1.person(&p).expect("p").accompanied_by, vec![alex]);
}

#[test]
fn the_rebuilt_index_gives_the_same_lists() {
    let mut t = team_of_three();
    let alex = t[1].1.member_id().clone();
    let helene = add(&mut t[1].1, "Hélène");
    follow_up(&mut t[1].1, &helene, "Appeler");
    let marc = add(&mut t[1].1, "Marc");
    let f = follow_up(&mut t[1].1, &marc, "Rendez-vous");
    share(&mut t);
    let a = &mut t[0].1;
    a.mark_away(&alex, AwayReason::Leave).expect("away");
    a.take_person(&marc, Some("Je prends le relais."))
        .expect("take");
    a.reassign_follow_up(&marc, &f, &a.member_id().clone())
        .expect("reassign");
    let before = (
        a.needs_someone().expect("needs"),
        a.team_follow_ups(day(2020, 2, 1)).expect("team"),
        a.my_follow_ups_due(day(2020, 2, 1)).expect("mine"),
    );
    assert_eq!(names(&before.0), vec!["Hélène"]);
    assert_eq!(before.0.follow_ups.len(), 1);
    assert_eq!(before.2.len(), 1);
    a.rebuild_indexes().expect("rebuild");
    let after = (
        a.needs_someone().expect("needs"),
        a.team_follow_ups(day(2020, 2, 1)).expect("team"),
        a.my_follow_ups_due(day(2020, 2, 1)).expect("mine"),
    );
    assert_eq!(before, after);
    let (dir, v) = t.remove(0);
    let mut v = reopen(dir.path(), v);
    assert_eq!(v.needs_someone().expect("needs"), before.0);
}

#[test]
fn a_hand_over_note_has_words_and_a_bound() {
    let (_d, mut v) = new_vault();
    let p = add(&mut v, "Hélène");
    let long = "x".repeat(MAX_HANDOVER_CHARS + 1);
    assert!(matches!(
        v.take_person(&p, Some(&long)),
        Err(VaultError::Invalid { .. })
    ));
    assert!(v.brief(&p).expect("b").handovers.is_empty());
    v.take_person(&p, Some("   "))
        .expect("an empty note is no note");
    assert!(v.brief(&p).expect("b").handovers.is_empty());
}

fn goal_checked_in(v: &mut Vault, p: &PersonId, on: chrono::NaiveDate) {
    v.add_goal(
        p,
        &NewGoal {
            words: "Trouver un logement".into(),
            domain: None,
            status: None,
            steps: Vec::new(),
            next_check_in: Some(on),
        },
    )
    .expect("goal");
}

#[test]
fn the_reminder_counts_my_open_follow_ups_and_my_peoples_check_ins() {
    let mut t = team_of_three();
    let alex = t[1].1.member_id().clone();
    let a = &mut t[0].1;
    let helene = add(a, "Hélène");
    follow_up(a, &helene, "Appeler le refuge");
    let done = follow_up(a, &helene, "Déjà fait");
    a.complete_follow_up(&helene, &done).expect("done");
    goal_checked_in(a, &helene, day(2020, 1, 5));
    goal_checked_in(a, &helene, day(2020, 1, 2));
    // Marc's follow-up is given to Alex: it leaves Sam's reminder.
    let marc = add(a, "Marc");
    let given = follow_up(a, &marc, "Accompagner au tribunal");
    a.reassign_follow_up(&marc, &given, &alex)
        .expect("reassign");
    // A second record of Hélène, made by Alex (whom it accompanies), merged into hers: one
    // person to check in with, not two, at the group's nearest check-in, as her brief says.
    let twin = add(&mut t[1].1, "Hélène B.");
    goal_checked_in(&mut t[1].1, &twin, day(2020, 1, 1));
    share(&mut t);
    let a = &mut t[0].1;
    a.merge_people(&helene, &twin).expect("merge");

    let due = a.my_due_dates().expect("due dates");
    assert_eq!(due.follow_ups, vec![day(2020, 1, 10)]);
    assert_eq!(due.check_ins, vec![day(2020, 1, 1)], "{due:?}");
    let on = |d| due.counts_on(d);
    assert_eq!(
        (
            on(day(2019, 12, 31)).follow_ups,
            on(day(2019, 12, 31)).check_ins
        ),
        (0, 0)
    );
    assert_eq!(
        (
            on(day(2020, 1, 9)).follow_ups,
            on(day(2020, 1, 9)).check_ins
        ),
        (0, 1)
    );
    assert_eq!(
        (
            on(day(2020, 2, 1)).follow_ups,
            on(day(2020, 2, 1)).check_ins
        ),
        (1, 1)
    );

    // Alex hears of it: Marc's follow-up counts for Alex, and Hélène through the record of
    // hers Alex made, at her group's nearest check-in.
    share(&mut t);
    let alexs = t[1].1.my_due_dates().expect("due dates");
    assert_eq!(alexs.follow_ups, vec![day(2020, 1, 10)]);
    assert_eq!(alexs.check_ins, vec![day(2020, 1, 1)]);
    // Alex takes Marc, whose goal has a check-in: now it is Alex's to remember too.
    t[1].1.take_person(&marc, None).expect("take");
    goal_checked_in(&mut t[1].1, &marc, day(2020, 1, 7));
    let mut check_ins = t[1].1.my_due_dates().expect("due dates").check_ins;
    check_ins.sort();
    assert_eq!(check_ins, vec![day(2020, 1, 1), day(2020, 1, 7)]);
}
