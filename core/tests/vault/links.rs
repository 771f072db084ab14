//! Street contacts that become people, and two records of one person merged into one, on
//! real vaults exchanging their changes as the relay would.

use crate::support::*;
use tandem_core::model::*;
use tandem_core::{Vault, VaultError};

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

fn street(v: &mut Vault, when: chrono::DateTime<chrono::Utc>, notes: &str) -> EncounterId {
    v.record_encounter(&NewEncounter {
        at: Some(when),
        notes: notes.into(),
        given: vec!["naloxone".into()],
        subject: EncounterSubject::Anonymous(Some("manteau vert, près de la gare".into())),
        ..NewEncounter::anonymous()
    })
    .expect("street entry")
}

fn may_2024() -> ReportPeriod {
    ReportPeriod::days(day(2024, 5, 1), day(2024, 5, 31), "America/Montreal")
}

#[test]
fn a_linked_street_entry_joins_the_record_and_the_month_still_counts_it() {
    let (dir, mut v) = new_vault();
    let marc = add(&mut v, "Marc");
    let e = street(&mut v, at(2024, 5, 3, 22, 0), "Café, il cherche un refuge");
    street(&mut v, at(2024, 5, 9, 22, 0), "Quelqu'un d'autre");
    let before = v.report(&may_2024()).expect("report");
    assert_eq!(
        (before.anonymous_contacts, before.street_contacts_linked),
        (2, 0)
    );
    assert_eq!(before.people_met, 0);

    assert_eq!(v.link_street_entry(&e, &marc).expect("link"), marc);
    let mut v = reopen(dir.path(), v);
    let rec = v.person(&marc).expect("record");
    assert_eq!(rec.encounters.len(), 1);
    let got = &rec.encounters[0];
    assert_eq!(got.id, e);
    assert_eq!(got.at, at(2024, 5, 3, 22, 0), "its own time");
    assert_eq!(got.recorded_by.as_ref(), Some(v.member_id()), "its author");
    assert_eq!(got.notes, "Café, il cherche un refuge");
    assert_eq!(got.subject, EncounterSubject::Person(marc.clone()));
    let brief = v.brief(&marc).expect("brief");
    assert_eq!(brief.last_encounters.len(), 1);
    assert_eq!(brief.last_seen, Some(at(2024, 5, 3, 22, 0)));
    let listed = v.list_people().expect("list");
    assert_eq!(listed[0].last_seen, Some(at(2024, 5, 3, 22, 0)));

    let log = v.street_log("2024-05").expect("log");
    assert_eq!(log.len(), 2, "the entry stays in the street log");
    let linked = log.iter().find(|x| x.id == e).expect("entry");
    let link = linked.link.as_ref().expect("link");
    assert_eq!(link.person, marc);
    assert_eq!(link.by.as_ref(), Some(v.member_id()));
    assert!(link.also.is_empty());

    let after = v.report(&may_2024()).expect("report");
    assert_eq!(
        after.anonymous_contacts, 2,
        "the month's count is what it was"
    );
    assert_eq!(after.street_contacts_linked, 1);
    assert_eq!(after.people_met, 1, "Marc was met");
    assert_eq!(
        after.encounters, before.encounters,
        "no encounter counted twice"
    );
    assert_eq!(after.naloxone, 2);

    // Rebuilt from the documents alone, the indexes say the same.
    v.rebuild_indexes().expect("rebuild");
    assert_eq!(v.report(&may_2024()).expect("report"), after);
    assert_eq!(v.person(&marc).expect("record").encounters.len(), 1);

    assert!(v.unlink_street_entry(&e).expect("unlink"));
    assert!(v.person(&marc).expect("record").encounters.is_empty());
    let undone = v.report(&may_2024()).expect("report");
    assert_eq!((undone.street_contacts_linked, undone.people_met), (0, 0));
    assert!(matches!(
        v.link_street_entry(&e, &PersonId::from("0123456789abcdef0123456789abcdef")),
        Err(VaultError::NotFound { .. })
    ));
}

#[test]
fn two_devices_linking_one_entry_at_once_end_with_one_link() {
    let (_da, mut a, _db, mut b) = team_of_two();
    let marc = add(&mut a, "Marc");
    let marco = add(&mut a, "Marco");
    let e = street(&mut a, at(2024, 5, 3, 22, 0), "Café");
    exchange(&mut [&mut a, &mut b]);
    a.link_street_entry(&e, &marc).expect("a links");
    b.link_street_entry(&e, &marco).expect("b links");
    exchange(&mut [&mut a, &mut b]);
    let (la, lb) = (
        a.street_log("2024-05").unwrap(),
        b.street_log("2024-05").unwrap(),
    );
    assert_eq!(la, lb, "the same on both devices");
    let link = la[0].link.clone().expect("one link");
    let loser = if link.person == marc { &marco } else { &marc };
    assert_eq!(link.also, vec![loser.clone()], "the other choice is shown");
    for v in [&mut a, &mut b] {
        let with: Vec<usize> = [&marc, &marco]
            .iter()
            .map(|p| v.person(p).unwrap().encounters.len())
            .collect();
        assert_eq!(
            with.iter().sum::<usize>(),
            1,
            "in one record only: {with:?}"
        );
        assert_eq!(v.person(&link.person).unwrap().encounters[0].id, e);
        let r = v.report(&may_2024()).unwrap();
        assert_eq!((r.anonymous_contacts, r.street_contacts_linked), (1, 1));
    }
    // Linking again settles it everywhere.
    b.link_street_entry(&e, loser).expect("settle");
    exchange(&mut [&mut a, &mut b]);
    let la = a.street_log("2024-05").unwrap();
    assert_eq!(la, b.street_log("2024-05").unwrap());
    let link = la[0].link.clone().unwrap();
    assert_eq!((&link.person, link.also.len()), (loser, 0));
}

#[test]
fn merged_records_keep_everything_and_the_old_id_finds_the_merged_one() {
    let (_da, mut a, _db, mut b) = team_of_two();
    // The same person, met on two phones offline.
    let keep = add(&mut a, "Hélène");
    let other = add(&mut b, "Lenie");
    a.add_goal(
        &keep,
        &NewGoal {
            words: "Un logement".into(),
            domain: None,
            status: None,
            steps: vec![],
            next_check_in: None,
        },
    )
    .unwrap();
    let g = b
        .add_goal(
            &other,
            &NewGoal {
                words: "Refaire ses papiers".into(),
                domain: None,
                status: None,
                steps: vec![],
                next_check_in: None,
            },
        )
        .unwrap();
    let f = b
        .add_follow_up(
            &other,
            &NewFollowUp {
                what: "Appeler l'aide juridique".into(),
                due: Some(day(2024, 5, 10)),
            },
        )
        .unwrap();
    b.record_encounter(&NewEncounter {
        at: Some(at(2024, 5, 2, 10, 0)),
        notes: "Au parc".into(),
        ..NewEncounter::with_person(other.clone())
    })
    .unwrap();
    a.record_encounter(&NewEncounter {
        at: Some(at(2024, 5, 4, 10, 0)),
        ..NewEncounter::with_person(keep.clone())
    })
    .unwrap();
    exchange(&mut [&mut a, &mut b]);
    assert_eq!(a.report(&may_2024()).unwrap().people_met, 2);

    a.merge_people(&keep, &other).expect("merge");
    let sam = a.member_id().clone();
    // Meanwhile, offline, b adds to the old record.
    b.add_step(&other, &g, "Trouver son acte de naissance")
        .unwrap();
    exchange(&mut [&mut a, &mut b]);

    for v in [&mut a, &mut b] {
        let rec = v.person(&keep).unwrap();
        let words: Vec<&str> = rec.goals.iter().map(|g| g.words.as_str()).collect();
        assert_eq!(words, ["Un logement", "Refaire ses papiers"]);
        assert_eq!(rec.goals[1].steps.len(), 1, "the offline edit shows");
        assert_eq!(rec.encounters.len(), 2);
        assert_eq!(rec.follow_ups[0].id, f);
        assert!(rec.profile.nicknames.contains(&"Lenie".to_owned()));
        assert_eq!(rec.merged.len(), 1);
        assert_eq!(rec.merged[0].id, other);
        assert_eq!(rec.merged[0].by.as_ref(), Some(&sam), "who merged");
        assert_eq!(
            v.person(&other).unwrap(),
            rec,
            "the old id finds the merged record"
        );
        assert_eq!(v.brief(&other).unwrap().id, keep);
        assert_eq!(v.find_person(other.as_str()).unwrap(), keep);
        assert_eq!(
            v.find_person("lenie").unwrap(),
            keep,
            "the old name finds it too"
        );
        let listed = v.list_people().unwrap();
        assert_eq!(listed.len(), 1, "one person");
        assert_eq!((listed[0].open_goals, listed[0].open_follow_ups), (2, 1));
        let due = v.follow_ups_due(day(2024, 5, 31)).unwrap();
        assert_eq!(
            (&due[0].person, due[0].person_name.as_str()),
            (&keep, "Hélène")
        );
        let r = v.report(&may_2024()).unwrap();
        assert_eq!(r.people_met, 1, "two records, one person");
        let history = v.history(&keep).unwrap();
        let merged = history
            .iter()
            .find(|h| h.action == "person.merge")
            .expect("merge");
        assert_eq!(merged.by_name.as_deref(), Some("Sam"));
    }
    // Done on the merged record, the follow-up goes to the document holding it.
    b.complete_follow_up(&keep, &f).expect("complete");
    exchange(&mut [&mut a, &mut b]);
    assert!(a.person(&keep).unwrap().follow_ups[0].done_at.is_some());

    // Undone: two records again, each with what it held.
    b.unmerge_person(&other).expect("undo");
    exchange(&mut [&mut a, &mut b]);
    for v in [&mut a, &mut b] {
        assert_eq!(v.list_people().unwrap().len(), 2);
        assert_eq!(v.person(&other).unwrap().goals.len(), 1);
        assert_eq!(v.person(&keep).unwrap().goals.len(), 1);
        assert_eq!(v.find_person(other.as_str()).unwrap(), other);
    }
}

#[test]
fn opposite_merges_at_once_make_one_record_on_both_devices() {
    let (_da, mut a, _db, mut b) = team_of_two();
    let x = add(&mut a, "Jo");
    let y = add(&mut b, "Joanne");
    exchange(&mut [&mut a, &mut b]);
    a.merge_people(&x, &y).unwrap();
    b.merge_people(&y, &x).unwrap();
    exchange(&mut [&mut a, &mut b]);
    let root = std::cmp::min(&x, &y).clone();
    for v in [&mut a, &mut b] {
        let listed = v.list_people().unwrap();
        assert_eq!(listed.len(), 1, "a cycle is one record, not none");
        assert_eq!(listed[0].id, root, "the same on every device");
        assert_eq!(v.person(&x).unwrap().id, root);
        assert_eq!(v.person(&y).unwrap().id, root);
        assert_eq!(v.person(&x).unwrap().merged.len(), 1);
    }
    assert!(matches!(
        a.merge_people(&x, &y),
        Err(VaultError::Invalid { .. })
    ));
}

#[test]
fn an_erasure_takes_only_the_merged_records_that_were_shown() {
    // A member merges someone else's record into the one a person asks to have erased. The
    // device erasing was shown the record without it: nothing is erased until it looks
    // again, and then only what it confirms.
    let (_da, mut a, _db, mut b) = team_of_two();
    let asks = add(&mut a, "Asks To Be Forgotten");
    let other = add(&mut a, "Somebody Else");
    exchange(&mut [&mut a, &mut b]);
    assert!(a.person(&asks).expect("shown").merged.is_empty());
    b.merge_people(&asks, &other).expect("a member merges");
    exchange(&mut [&mut a, &mut b]);

    let err = a.erase_person(&asks, &[]).expect_err("not what was shown");
    assert!(matches!(err, VaultError::ChangedMeanwhile(_)), "{err:?}");
    assert_eq!(err.code(), ErrorCode::ChangedMeanwhile);
    // Through the other record's id (it stands for the merged one now): refused too.
    let err = a.erase_person(&other, &[]).expect_err("merged away");
    assert!(matches!(err, VaultError::ChangedMeanwhile(_)), "{err:?}");
    assert_eq!(a.list_people().expect("list").len(), 1, "nothing erased");
    assert_eq!(a.person(&other).expect("still here").id, asks);

    // Looked at again: the merged record is not theirs; it is taken out, then the erasure
    // goes through and takes their record alone.
    let shown = a.person(&asks).expect("again").merged;
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].name, "Somebody Else");
    a.unmerge_person(&other).expect("unmerge");
    a.erase_person(&asks, &[]).expect("erase");
    exchange(&mut [&mut a, &mut b]);
    for v in [&mut a, &mut b] {
        assert!(v.person(&asks).is_err(), "erased everywhere");
        let left = v.person(&other).expect("the other record stays");
        assert_eq!(left.profile.name, "Somebody Else");
        assert!(left.merged.is_empty());
    }
}

#[test]
fn an_erasure_confirmed_with_its_merged_records_takes_them_all() {
    let (_da, mut a, _db, mut b) = team_of_two();
    let keep = add(&mut a, "Jo Tremblay");
    let dup = add(&mut a, "Jo T.");
    a.merge_people(&keep, &dup).expect("merge");
    exchange(&mut [&mut a, &mut b]);
    let shown: Vec<PersonId> = a
        .person(&keep)
        .expect("shown")
        .merged
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(shown, vec![dup.clone()]);
    // Shown with more than it holds: refused as well.
    let stranger = add(&mut a, "Stranger");
    let err = a
        .erase_person(&keep, &[dup.clone(), stranger.clone()])
        .expect_err("more than it holds");
    assert!(matches!(err, VaultError::ChangedMeanwhile(_)), "{err:?}");
    a.erase_person(&keep, &shown).expect("erase both");
    exchange(&mut [&mut a, &mut b]);
    for v in [&mut a, &mut b] {
        assert!(v.person(&keep).is_err() && v.person(&dup).is_err());
        assert_eq!(
            v.list_people().expect("list").len(),
            1,
            "the stranger stays"
        );
    }
}

#[test]
fn erasing_a_person_makes_their_street_entries_anonymous_again() {
    let (_da, mut a, _db, mut b) = team_of_two();
    let marc = add(&mut a, "Marc");
    let jo = add(&mut a, "Jo");
    let his = street(&mut a, at(2024, 5, 3, 22, 0), "Café, il cherche un refuge");
    let hers = street(&mut a, at(2024, 5, 9, 22, 0), "Une couverture");
    let later = street(&mut a, at(2024, 6, 2, 22, 0), "Encore lui");
    for (e, p) in [(&his, &marc), (&hers, &jo), (&later, &marc)] {
        a.link_street_entry(e, p).expect("link");
    }
    exchange(&mut [&mut a, &mut b]);
    a.erase_person(&marc, &[]).expect("erase");
    exchange(&mut [&mut a, &mut b]);
    for v in [&mut a, &mut b] {
        let may = v.street_log("2024-05").expect("may");
        let of = |id: &EncounterId| may.iter().find(|e| &e.id == id).expect("kept");
        assert!(of(&his).link.is_none(), "an anonymous contact again");
        assert_eq!(of(&his).notes, "Café, il cherche un refuge", "kept");
        assert_eq!(of(&hers).link.as_ref().map(|l| &l.person), Some(&jo));
        let june = v.street_log("2024-06").expect("june");
        assert!(june[0].link.is_none(), "in every month");
        let r = v.report(&may_2024()).expect("report");
        assert_eq!((r.anonymous_contacts, r.street_contacts_linked), (2, 1));
        assert_eq!(v.person(&jo).expect("jo").encounters.len(), 1);
    }
}

#[test]
fn a_link_made_offline_to_a_person_erased_meanwhile_is_taken_off() {
    // B links a street entry to Marc while A, not yet hearing of it, erases Marc at his
    // request. Once they sync, the entry is an anonymous contact again on both devices: the
    // erased record's id is not left tying the entry to anyone.
    let (_da, mut a, _db, mut b) = team_of_two();
    let marc = add(&mut a, "Marc");
    let e = street(&mut a, at(2024, 5, 3, 22, 0), "Café");
    exchange(&mut [&mut a, &mut b]);
    b.link_street_entry(&e, &marc).expect("b links");
    a.erase_person(&marc, &[]).expect("a erases");
    exchange(&mut [&mut a, &mut b]);
    exchange(&mut [&mut a, &mut b]);
    for v in [&mut a, &mut b] {
        assert!(v.person(&marc).is_err(), "erased");
        let may = v.street_log("2024-05").expect("may");
        assert_eq!(may.len(), 1, "the entry is kept");
        assert!(may[0].link.is_none(), "linked to no one");
        let r = v.report(&may_2024()).expect("report");
        assert_eq!(
            (r.anonymous_contacts, r.street_contacts_linked, r.people_met),
            (1, 0, 0)
        );
    }
}
