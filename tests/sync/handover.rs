//! Hand-over through a real relay: a removed member cannot be given work and their people
//! need someone; two devices reassigning one follow-up offline keep both choices until one
//! is chosen.

use crate::harness::*;
use tandem_core::sync;
use tandem_model::{AwayReason, NewFollowUp};

#[test]
fn a_removed_members_people_need_someone_and_they_cannot_be_given_work() {
    let relay = RelayProcess::start();
    let a = Device::founder(&relay.url(), "Sam");
    a.sync().unwrap();
    let (b, first) = Device::join(&a, "Alex");
    first.unwrap();
    let alex = b.v().member_id().clone();
    let helene = b.add_person("Hélène");
    let f = b
        .v()
        .add_follow_up(
            &helene,
            &NewFollowUp {
                what: "Appeler le refuge".into(),
                due: None,
            },
        )
        .unwrap();
    settle(&[&a, &b]);
    let names: Vec<String> = a
        .v()
        .present_members()
        .unwrap()
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(names, ["Alex", "Sam"]);
    assert!(a.v().needs_someone().unwrap().people.is_empty());

    // Alex's phone is removed from the team: the signed record no longer holds Alex.
    sync::revoke_device(&a.vault, b.v().device_id()).unwrap();
    a.sync().unwrap();
    let names: Vec<String> = a
        .v()
        .present_members()
        .unwrap()
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(
        names,
        ["Sam"],
        "the Team screen's members, less the removed"
    );
    let needs = a.v().needs_someone().unwrap();
    assert_eq!(needs.people.len(), 1);
    assert_eq!(needs.people[0].person, helene);
    assert_eq!(needs.follow_ups[0].follow_up.id, f);
    assert!(a.v().reassign_follow_up(&helene, &f, &alex).is_err());
    assert!(a
        .v()
        .change_accompanied(&helene, std::slice::from_ref(&alex), &[])
        .is_err());
    a.v()
        .take_person(
            &helene,
            Some("Alex a quitté l'équipe; je la connais du refuge."),
        )
        .unwrap();
    a.v().take_follow_up(&helene, &f, None).unwrap();
    let needs = a.v().needs_someone().unwrap();
    assert!(
        needs.people.is_empty() && needs.follow_ups.is_empty(),
        "{needs:?}"
    );
}

#[test]
fn two_devices_reassigning_offline_keep_both_until_one_is_chosen() {
    let relay = RelayProcess::start();
    let a = Device::founder(&relay.url(), "Sam");
    a.sync().unwrap();
    let (b, first) = Device::join(&a, "Alex");
    first.unwrap();
    let (c, first) = Device::join(&a, "Kim");
    first.unwrap();
    let (alex, kim) = (b.v().member_id().clone(), c.v().member_id().clone());
    let p = a.add_person("Hélène");
    let f = a
        .v()
        .add_follow_up(
            &p,
            &NewFollowUp {
                what: "Appeler".into(),
                due: None,
            },
        )
        .unwrap();
    settle(&[&a, &b, &c]);
    // Offline, each at once: Sam gives it to Alex, Alex gives it to Kim.
    a.v().reassign_follow_up(&p, &f, &alex).unwrap();
    b.v().reassign_follow_up(&p, &f, &kim).unwrap();
    settle(&[&a, &b, &c]);
    let path = vec![
        "follow_ups".to_owned(),
        f.0.clone(),
        "responsible".to_owned(),
    ];
    let brief = c.v().brief(&p).unwrap();
    assert_eq!(brief.conflicts.len(), 1, "{:?}", brief.conflicts);
    assert_eq!(brief.conflicts[0].path, path);
    let mut values = brief.conflicts[0].values.clone();
    values.sort();
    let mut both = vec![alex.0.clone(), kim.0.clone()];
    both.sort();
    assert_eq!(values, both);
    for m in [&alex, &kim] {
        assert!(
            brief.member_names.iter().any(|(id, _)| id == m),
            "names to show"
        );
    }
    assert_eq!(a.v().brief(&p).unwrap().conflicts, brief.conflicts);
    // Kim picks Alex's choice... of Kim: the follow-up is Kim's on every device.
    let at = brief.conflicts[0]
        .values
        .iter()
        .position(|v| v == &kim.0)
        .unwrap();
    c.v().resolve_conflict(&p, &path, at).unwrap();
    settle(&[&a, &b, &c]);
    for d in [&a, &b, &c] {
        let brief = d.v().brief(&p).unwrap();
        assert!(brief.conflicts.is_empty(), "{:?}", brief.conflicts);
        assert_eq!(brief.open_follow_ups[0].responsible.as_ref(), Some(&kim));
    }
    let mine = c.v().my_follow_ups_due(chrono::NaiveDate::MAX).unwrap();
    assert!(
        mine.is_empty(),
        "no due date: not on Today, on the person's brief"
    );
    // Kim goes on leave: the follow-up waits for someone, on every device.
    a.v().mark_away(&kim, AwayReason::Leave).unwrap();
    settle(&[&a, &b, &c]);
    for d in [&a, &b, &c] {
        assert_eq!(d.v().needs_someone().unwrap().follow_ups.len(), 1);
    }
}
