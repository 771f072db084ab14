//! What came of encounters afterwards, on real vaults: referrals picked from the team's
//! places and marked done or not, the report counting them, and the team's list of
//! debriefs; on two devices, the same "done" noted at once ends done once.

use crate::support::*;
use tandem_core::model::*;
use tandem_core::{Vault, VaultError};

fn person(v: &mut Vault, name: &str) -> PersonId {
    v.add_person(&NewPerson {
        name: name.into(),
        ..NewPerson::default()
    })
    .expect("person")
}

fn place(v: &mut Vault, name: &str) -> PlaceId {
    v.add_place(&NewPlace {
        name: name.into(),
        kind: Some("shelter".into()),
        ..NewPlace::default()
    })
    .expect("place")
}

fn today_period() -> ReportPeriod {
    let today = chrono::Utc::now().date_naive();
    ReportPeriod::days(today - chrono::Duration::days(1), today, "UTC")
}

#[test]
fn a_referral_picked_from_the_places_is_linked_and_its_outcome_kept_and_counted() {
    let (dir, mut v) = new_vault();
    let p = person(&mut v, "Bruno");
    let refuge = place(&mut v, "Refuge Marguerite");
    let gone = place(&mut v, "Halte de nuit");
    v.remove_place(&gone).expect("remove");
    let mut e = NewEncounter::with_person(p.clone());
    e.referred_to = vec![gone.clone()];
    assert!(
        matches!(v.record_encounter(&e), Err(VaultError::NotFound { .. })),
        "a place off the list cannot be picked"
    );
    e.referred_to = vec![refuge.clone()];
    e.referrals = vec!["CRAN".into(), "Refuge Marguerite".into()];
    let eid = v.record_encounter(&e).expect("record");
    let me = v.member_id().clone();

    // Renaming or removing the place later leaves the referral as it was made.
    v.edit_place(
        &refuge,
        &PlaceUpdate {
            name: Some("Refuge Marguerite-Bourgeoys".into()),
            ..PlaceUpdate::default()
        },
    )
    .expect("rename");
    v.remove_place(&refuge).expect("remove");
    let mut v = reopen(dir.path(), v);
    let enc = &v.person(&p).expect("record").encounters[0];
    assert_eq!(enc.referrals, ["Refuge Marguerite", "CRAN"], "no repeat");
    assert_eq!(
        enc.referral_details,
        [
            Referral {
                text: "Refuge Marguerite".into(),
                place: Some(refuge.clone()),
                outcome: None,
            },
            Referral {
                text: "CRAN".into(),
                place: None,
                outcome: None,
            },
        ]
    );
    assert_eq!(
        v.place(&refuge).expect("still there").name,
        "Refuge Marguerite-Bourgeoys"
    );

    let before = v.report(&today_period()).expect("report");
    assert_eq!(
        (
            before.referrals,
            before.referrals_done,
            before.referrals_not_happened
        ),
        (2, 0, 0)
    );
    v.set_referral_outcome(&eid, 0, Some(Outcome::Done))
        .expect("done");
    v.set_referral_outcome(&eid, 1, Some(Outcome::DidNotHappen))
        .expect("not");
    assert!(matches!(
        v.set_referral_outcome(&eid, 2, Some(Outcome::Done)),
        Err(VaultError::NotFound { .. })
    ));
    let mut v = reopen(dir.path(), v);
    let enc = &v.person(&p).expect("record").encounters[0];
    let noted = enc.referral_details[0].outcome.as_ref().expect("noted");
    assert_eq!((noted.what, noted.by.as_ref()), (Outcome::Done, Some(&me)));
    assert_eq!(
        enc.referral_details[1].outcome.as_ref().map(|o| o.what),
        Some(Outcome::DidNotHappen)
    );
    let r = v.report(&today_period()).expect("report");
    assert_eq!(
        (r.referrals, r.referrals_done, r.referrals_not_happened),
        (2, 1, 1)
    );

    // Unknown again; and the counts come back the same from the documents alone.
    v.set_referral_outcome(&eid, 1, None).expect("unknown");
    v.rebuild_indexes().expect("rebuild");
    let r = v.report(&today_period()).expect("report");
    assert_eq!(
        (r.referrals, r.referrals_done, r.referrals_not_happened),
        (2, 1, 0)
    );
    assert!(v.person(&p).expect("record").conflicts.is_empty());
}

#[test]
fn a_street_contact_can_be_referred_too_and_words_alone_read_as_outcome_unknown() {
    let (_dir, mut v) = new_vault();
    let clinic = place(&mut v, "Clinique Cactus");
    let mut e = NewEncounter::anonymous();
    e.referred_to = vec![clinic.clone()];
    let eid = v.record_encounter(&e).expect("street");
    v.set_referral_outcome(&eid, 0, Some(Outcome::Done))
        .expect("done");
    let month = month(chrono::Utc::now());
    let log = v.street_log(&month).expect("log");
    assert_eq!(log[0].referral_details[0].place.as_ref(), Some(&clinic));
    assert_eq!(
        log[0].referral_details[0].outcome.as_ref().map(|o| o.what),
        Some(Outcome::Done)
    );
}

#[test]
fn the_debrief_list_names_who_asked_and_when_and_a_done_one_leaves_it() {
    let (dir, mut v) = new_vault();
    let p = person(&mut v, "Zoë");
    let mut asked = NewEncounter::with_person(p.clone());
    asked.debrief = true;
    asked.at = Some(at(2025, 1, 10, 22, 0));
    asked.notes = "Rough night".into();
    let first = v.record_encounter(&asked).expect("one");
    let mut street = NewEncounter::anonymous();
    street.debrief = true;
    street.at = Some(at(2025, 1, 11, 9, 0));
    let second = v.record_encounter(&street).expect("two");
    let plain = v
        .record_encounter(&NewEncounter::with_person(p.clone()))
        .expect("three");
    let me = v.member_id().clone();

    let list = v.debrief_requests(false).expect("list");
    let ids: Vec<&EncounterId> = list.iter().map(|d| &d.encounter).collect();
    assert_eq!(ids, [&second, &first], "newest first, only those asked");
    assert_eq!(list[1].asked_by.as_ref(), Some(&me));
    assert_eq!(list[1].asked_by_name.as_deref(), Some("Sam"));
    assert_eq!(list[1].at, at(2025, 1, 10, 22, 0));
    assert_eq!(list[1].person.as_ref(), Some(&p));
    assert_eq!(list[0].person, None);
    let json = serde_json::to_string(&list).expect("json");
    assert!(!json.contains("Zoë") && !json.contains("Rough"), "{json}");

    assert!(matches!(
        v.mark_debrief_done(&plain),
        Err(VaultError::Invalid { .. })
    ));
    v.mark_debrief_done(&first).expect("done");
    let mut v = reopen(dir.path(), v);
    let open: Vec<EncounterId> = v
        .debrief_requests(false)
        .expect("list")
        .into_iter()
        .map(|d| d.encounter)
        .collect();
    assert_eq!(open, std::slice::from_ref(&second));
    let all = v.debrief_requests(true).expect("all");
    assert_eq!(all.len(), 2);
    let done = all[1].done.as_ref().expect("done is kept");
    assert_eq!(done.by.as_ref(), Some(&me));
    // By the start of its id, as the CLI lists them.
    let (found, _, person) = v.find_encounter(&first.as_str()[..8]).expect("find");
    assert_eq!((found, person), (first, Some(p)));
}

#[test]
fn two_devices_noting_the_same_debrief_done_end_with_it_done_once() {
    let (_da, mut a) = new_vault();
    let (_db, mut b) = join_vault(&mut a, "Alex");
    exchange(&mut [&mut a, &mut b]);
    let p = person(&mut a, "Marc");
    let refuge = place(&mut a, "Refuge");
    let mut e = NewEncounter::with_person(p.clone());
    e.debrief = true;
    e.referred_to = vec![refuge];
    e.referrals = vec!["CLSC".into()];
    let eid = a.record_encounter(&e).expect("record");
    exchange(&mut [&mut a, &mut b]);
    assert_eq!(b.debrief_requests(false).expect("b").len(), 1);

    // Offline on both: both note the debrief done; both note the first referral done; they
    // disagree on the second.
    a.mark_debrief_done(&eid).expect("a");
    b.mark_debrief_done(&eid).expect("b");
    a.set_referral_outcome(&eid, 0, Some(Outcome::Done))
        .expect("a");
    b.set_referral_outcome(&eid, 0, Some(Outcome::Done))
        .expect("b");
    a.set_referral_outcome(&eid, 1, Some(Outcome::Done))
        .expect("a");
    b.set_referral_outcome(&eid, 1, Some(Outcome::DidNotHappen))
        .expect("b");
    exchange(&mut [&mut a, &mut b]);

    for v in [&mut a, &mut b] {
        assert!(v.debrief_requests(false).expect("open").is_empty());
        let all = v.debrief_requests(true).expect("all");
        assert_eq!(all.len(), 1, "done once");
        assert!(all[0].done.is_some());
        let rec = v.person(&p).expect("record");
        let paths: Vec<String> = rec.conflicts.iter().map(|c| c.path.join(".")).collect();
        assert_eq!(
            paths,
            [format!("encounters.{eid}.referral_1_outcome")],
            "only the disagreement is a conflict"
        );
        let mut values = rec.conflicts[0].values.clone();
        values.sort();
        assert_eq!(values, ["didnt_happen", "done"]);
    }
    assert_eq!(
        a.debrief_requests(true).expect("a"),
        b.debrief_requests(true).expect("b")
    );
    assert_eq!(a.person(&p).expect("a"), b.person(&p).expect("b"));
}

#[test]
fn the_brief_names_the_colleague_who_noted_what_came_of_a_referral() {
    let (_da, mut a) = new_vault();
    let (_db, mut b) = join_vault(&mut a, "Alex");
    exchange(&mut [&mut a, &mut b]);
    let p = person(&mut a, "Marc");
    let refuge = place(&mut a, "Refuge");
    let mut e = NewEncounter::with_person(p.clone());
    e.referred_to = vec![refuge];
    let eid = a.record_encounter(&e).expect("record");
    exchange(&mut [&mut a, &mut b]);
    b.set_referral_outcome(&eid, 0, Some(Outcome::Done))
        .expect("b");
    exchange(&mut [&mut a, &mut b]);

    // Alex neither accompanies Marc nor has a follow-up: only the outcome names them.
    let brief = a.brief(&p).expect("brief");
    let alex = b.member_id().clone();
    let noted = brief.last_encounters[0].referral_details[0]
        .outcome
        .as_ref()
        .expect("noted");
    assert_eq!(noted.by.as_ref(), Some(&alex));
    assert_eq!(brief.member_name(&alex), "Alex");
}
