//! Period edges: local midnight, daylight-saving weeks, time zones.

use crate::{day, new_vault, utc};
use tandem_core::model::{NewEncounter, NewPerson, ReportPeriod};
use tandem_core::Vault;

fn encounter_at(vault: &mut Vault, at: chrono::DateTime<chrono::Utc>) {
    let mut e = NewEncounter::anonymous();
    e.at = Some(at);
    vault.record_encounter(&e).expect("encounter");
}

#[test]
fn a_week_across_the_spring_change_in_paris_runs_from_local_midnight_to_local_midnight() {
    // Clocks in Paris go from 02:00 to 03:00 on Sunday 29 March 2026: the week of Monday 23
    // starts at 23:00 UTC on the 22nd (UTC+1) and ends at 22:00 UTC on the 29th (UTC+2).
    let (_dir, mut vault) = new_vault();
    for at in [
        utc(2026, 3, 22, 22, 59, 59), // Sunday 22, 23:59:59 in Paris: the week before
        utc(2026, 3, 22, 23, 0, 0),   // Monday 23, 00:00
        utc(2026, 3, 29, 0, 59, 0),   // Sunday 29, 01:59, before the change
        utc(2026, 3, 29, 1, 0, 0),    // Sunday 29, 03:00, just after it
        utc(2026, 3, 29, 21, 59, 59), // Sunday 29, 23:59:59 (UTC+2 now)
        utc(2026, 3, 29, 22, 0, 0),   // Monday 30, 00:00: the week after
    ] {
        encounter_at(&mut vault, at);
    }
    let week = ReportPeriod::week_of(day(2026, 3, 25), "Europe/Paris");
    let r = vault.report(&week).expect("report");
    assert_eq!(r.encounters, 4);
    assert_eq!(r.per_week.len(), 1);
    assert_eq!(r.per_week[0].encounters, 4);
    // Read in UTC the week holds other instants (the 29th at 22:00, not the 22nd at 23:00).
    let utc_week = ReportPeriod::week_of(day(2026, 3, 25), "UTC");
    assert_eq!(vault.report(&utc_week).expect("report").encounters, 4);
    let sunday = ReportPeriod::days(day(2026, 3, 29), day(2026, 3, 29), "Europe/Paris");
    assert_eq!(vault.report(&sunday).expect("report").encounters, 3);
    let sunday_utc = ReportPeriod::days(day(2026, 3, 29), day(2026, 3, 29), "UTC");
    assert_eq!(vault.report(&sunday_utc).expect("report").encounters, 4);
}

#[test]
fn a_month_in_montreal_ends_at_local_midnight_across_the_fall_change() {
    // Montreal leaves daylight time on Sunday 1 November 2026 (UTC-4 to UTC-5): October ends
    // at 04:00 UTC on 1 November, November at 05:00 UTC on 1 December.
    let (_dir, mut vault) = new_vault();
    let p = vault
        .add_person(&NewPerson {
            name: "Zoë Testeuse".into(),
            ..NewPerson::default()
        })
        .expect("person");
    for at in [
        utc(2026, 11, 1, 3, 59, 59), // 31 October, 23:59:59 local
        utc(2026, 11, 1, 4, 0, 0),   // 1 November, 00:00 local
        utc(2026, 11, 15, 12, 0, 0),
        utc(2026, 12, 1, 4, 59, 59), // 30 November, 23:59:59 local
        utc(2026, 12, 1, 5, 0, 0),   // 1 December, 00:00 local
    ] {
        let mut e = NewEncounter::with_person(p.clone());
        e.at = Some(at);
        e.given = vec!["naloxone".into()];
        vault.record_encounter(&e).expect("encounter");
    }
    let nov = ReportPeriod::month(2026, 11, "America/Montreal").expect("month");
    let r = vault.report(&nov).expect("report");
    assert_eq!((r.encounters, r.naloxone, r.people_met), (3, 3, 1));
    assert_eq!(r.anonymous_contacts, 0);
    // Six weeks touch November 2026: Sun 1, 2–8, 9–15, 16–22, 23–29, Mon 30.
    let weeks: Vec<(String, u64)> = r
        .per_week
        .iter()
        .map(|w| (format!("{}..{}", w.week_of, w.until), w.encounters))
        .collect();
    assert_eq!(
        weeks,
        [
            ("2026-11-01..2026-11-01".to_owned(), 1),
            ("2026-11-02..2026-11-08".to_owned(), 0),
            ("2026-11-09..2026-11-15".to_owned(), 1),
            ("2026-11-16..2026-11-22".to_owned(), 0),
            ("2026-11-23..2026-11-29".to_owned(), 0),
            ("2026-11-30..2026-11-30".to_owned(), 1),
        ]
    );
    let oct = ReportPeriod::month(2026, 10, "America/Montreal").expect("month");
    assert_eq!(vault.report(&oct).expect("report").encounters, 1);
    // In Paris, Montreal's last second of October is already November, and its last
    // second of November already December.
    let paris = ReportPeriod::month(2026, 11, "Europe/Paris").expect("month");
    assert_eq!(vault.report(&paris).expect("report").encounters, 3);
    let paris_oct = ReportPeriod::month(2026, 10, "Europe/Paris").expect("month");
    assert_eq!(vault.report(&paris_oct).expect("report").encounters, 0);
}
