//! Street contacts that become people, and records merged, through a real relay: two
//! devices linking one street entry at once end with one link on both; a merge made on one
//! device is seen on the other, which edited the old record offline meanwhile; a device
//! that joins afterwards sees both at once.

use crate::harness::*;
use tandem_model::{EncounterSubject, NewEncounter, NewGoal, ReportPeriod};

fn street_entry(d: &Device) -> tandem_model::EncounterId {
    d.v()
        .record_encounter(&NewEncounter {
            at: Some(chrono::Utc::now()),
            notes: "Café, manteau vert".into(),
            given: vec!["naloxone".into()],
            ..NewEncounter::anonymous()
        })
        .unwrap()
}

fn this_month() -> ReportPeriod {
    let today = chrono::Utc::now().date_naive();
    ReportPeriod::days(chrono::Datelike::with_day(&today, 1).unwrap(), today, "UTC")
}

#[test]
fn two_devices_linking_one_street_entry_at_once_end_with_one_link() {
    let relay = RelayProcess::start();
    let a = Device::founder(&relay.url(), "Sam");
    a.sync().unwrap();
    let (b, first) = Device::join(&a, "Alex");
    first.unwrap();
    let marc = a.add_person("Marc");
    let marco = a.add_person("Marco");
    let e = street_entry(&a);
    settle(&[&a, &b]);
    // Offline, at once: Sam says it was Marc, Alex says it was Marco.
    a.v().link_street_entry(&e, &marc).unwrap();
    b.v().link_street_entry(&e, &marco).unwrap();
    settle(&[&a, &b]);
    let month = tandem_core::month_of(chrono::Utc::now());
    let la = a.v().street_log(&month).unwrap();
    assert_eq!(
        la,
        b.v().street_log(&month).unwrap(),
        "the same link on both"
    );
    let link = la[0].link.clone().expect("linked");
    assert_eq!(link.also.len(), 1, "the other choice is visible");
    for d in [&a, &b] {
        let m1 = d.v().person(&marc).unwrap().encounters.len();
        let m2 = d.v().person(&marco).unwrap().encounters.len();
        assert_eq!(m1 + m2, 1, "one record has it, not both");
        let brief = d.v().brief(&link.person).unwrap();
        assert_eq!(brief.last_encounters[0].id, e, "on the brief");
        assert_eq!(
            brief.last_encounters[0].subject,
            EncounterSubject::Person(link.person.clone())
        );
        let r = d.v().report(&this_month()).unwrap();
        assert_eq!((r.anonymous_contacts, r.street_contacts_linked), (1, 1));
    }
    assert_eq!(state(&a), state(&b));

    // A device that joins now reports the link at once (the rows a snapshot carries for it
    // are not what this checks: a mutation that drops them survives here, the deferred
    // check or the log filling them again).
    let (c, first) = Device::join(&a, "Kim");
    first.unwrap();
    let r = c.v().report(&this_month()).unwrap();
    assert_eq!((r.anonymous_contacts, r.street_contacts_linked), (1, 1));
    assert_eq!(c.v().person(&link.person).unwrap().encounters.len(), 1);
}

#[test]
fn a_merge_on_one_device_is_seen_on_the_other_with_its_offline_edits() {
    let relay = RelayProcess::start();
    let a = Device::founder(&relay.url(), "Sam");
    a.sync().unwrap();
    let (b, first) = Device::join(&a, "Alex");
    first.unwrap();
    // The same person, started on both phones.
    let keep = a.add_person("Hélène");
    let other = b.add_person("Lénie");
    settle(&[&a, &b]);
    assert_eq!(b.v().list_people().unwrap().len(), 2);
    a.v().merge_people(&keep, &other).unwrap();
    // Alex, offline, adds a goal to the old record.
    b.v()
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
    settle(&[&a, &b]);
    for d in [&a, &b] {
        let people = d.v().list_people().unwrap();
        assert_eq!(people.len(), 1, "one person on both devices");
        assert_eq!(people[0].id, keep);
        let rec = d.v().person(&other).unwrap();
        assert_eq!(rec.id, keep, "the old id finds the merged record");
        assert_eq!(rec.goals.len(), 1, "the offline edit shows in it");
        assert_eq!(d.v().search_people("lenie").unwrap()[0].id, keep);
        let history = d.v().history(&keep).unwrap();
        let merge = history.iter().find(|h| h.action == "person.merge").unwrap();
        assert_eq!(merge.by_name.as_deref(), Some("Sam"), "who merged");
    }
    assert_eq!(state(&a), state(&b));
    let (c, first) = Device::join(&a, "Kim");
    first.unwrap();
    assert_eq!(c.v().list_people().unwrap().len(), 1);
    assert_eq!(c.v().find_person(other.as_str()).unwrap(), keep);

    // Undone on Alex's phone: two records again on both.
    b.v().unmerge_person(&other).unwrap();
    settle(&[&a, &b]);
    for d in [&a, &b] {
        assert_eq!(d.v().list_people().unwrap().len(), 2);
        assert_eq!(d.v().person(&other).unwrap().goals.len(), 1);
    }
}

#[test]
fn a_hostile_cycle_of_merges_through_the_relay_loses_nothing() {
    let relay = RelayProcess::start();
    let a = Device::founder(&relay.url(), "Sam");
    a.sync().unwrap();
    let (b, first) = Device::join(&a, "Alex");
    first.unwrap();
    let x = a.add_person("Jo");
    let y = b.add_person("Joanne");
    let z = b.add_person("Jojo");
    settle(&[&a, &b]);
    // X into Y and Y into Z on one side, Z into X on the other: a loop of three.
    a.v().merge_people(&y, &x).unwrap();
    a.v().merge_people(&z, &y).unwrap();
    b.v().merge_people(&x, &z).unwrap();
    settle(&[&a, &b]);
    let mut ids = [x.clone(), y.clone(), z.clone()];
    ids.sort();
    for d in [&a, &b] {
        let people = d.v().list_people().unwrap();
        assert_eq!(people.len(), 1, "{people:?}");
        assert_eq!(people[0].id, ids[0], "the smallest id, on every device");
        let rec = d.v().person(&y).unwrap();
        assert_eq!(rec.merged.len(), 2, "nothing lost");
    }
    assert_eq!(state(&a), state(&b));
}
