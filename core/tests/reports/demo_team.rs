//! A seeded demo team: every report equals the counts taken from the documents, through
//! every way rows reach the index (demo batch writes, single local writes, a rebuild, an
//! unlock).

use crate::expected::{covers_research, expected, read_documents};
use crate::{new_vault, reopen};
use chrono::{Duration, Utc};
use tandem_core::demo::{self, DemoSize};
use tandem_core::model::{
    GoalStatus, GoalUpdate, NewEncounter, NewFollowUp, NewGoal, ReportPeriod,
};

fn periods(today: chrono::NaiveDate) -> Vec<ReportPeriod> {
    vec![
        ReportPeriod::last_month(today, "America/Montreal").expect("last month"),
        ReportPeriod::week_of(today, "Europe/Paris"),
        ReportPeriod::quarter_of(today, "America/Montreal").expect("quarter"),
        ReportPeriod::days(today - Duration::days(364), today, "Europe/Paris"),
        ReportPeriod::days(today - Duration::days(800), today, "UTC"),
    ]
}

#[test]
fn reports_over_a_demo_team_match_the_documents() {
    let (dir, mut vault) = new_vault();
    demo::generate(
        &mut vault,
        &DemoSize {
            persons: 60,
            encounters: 1_500,
            seed: 11,
        },
    )
    .expect("demo");
    // Single writes too: an encounter with naloxone and a referral, a goal reached now, a
    // follow-up done now.
    let people = vault.list_people().expect("people");
    let someone = people[0].id.clone();
    let mut e = NewEncounter::with_person(someone.clone());
    e.given = vec!["naloxone".into(), "food".into()];
    e.referrals = vec!["Refuge".into(), "Clinique".into()];
    e.duration_minutes = Some(25);
    e.debrief = true;
    e.kind = Some("street_outreach".into());
    e.follow_ups = vec![NewFollowUp {
        what: "Rappeler".into(),
        due: Some(Utc::now().date_naive() - Duration::days(2)),
    }];
    vault.record_encounter(&e).expect("encounter");
    let goal = vault
        .add_goal(
            &someone,
            &NewGoal {
                words: "Trouver un logement".into(),
                domain: Some("housing".into()),
                status: None,
                steps: vec![],
                next_check_in: None,
            },
        )
        .expect("goal");
    vault
        .update_goal(
            &someone,
            &goal,
            &GoalUpdate {
                status: Some(GoalStatus::Reached),
                ..GoalUpdate::default()
            },
        )
        .expect("reached");
    let open = vault
        .person(&someone)
        .expect("record")
        .follow_ups
        .into_iter()
        .find(|f| f.done_at.is_none());
    if let Some(f) = open {
        vault.complete_follow_up(&someone, &f.id).expect("done");
    }
    let mut anon = NewEncounter::anonymous();
    anon.given = vec!["naloxone".into()];
    vault.record_encounter(&anon).expect("street contact");

    let today = Utc::now().date_naive();
    let docs = read_documents(&mut vault);
    let now = Utc::now();
    let mut reports = Vec::new();
    for period in periods(today) {
        let report = vault.report(&period).expect("report");
        assert_eq!(report, expected(&docs, &period, now), "{period:?}");
        reports.push(report);
    }
    let year = &reports[4];
    assert!(year.encounters >= 1_500, "{year:?}");
    assert!(year.naloxone >= 2 && year.referrals >= 2 && year.goals_reached >= 1);
    assert!(year.anonymous_contacts > 0 && year.follow_ups_done > 0);
    assert!(reports[1].debrief_requests >= 1 && reports[1].goals_reached >= 1);

    // The research export holds exactly the people met in the year whose consent covers
    // research, and one row per encounter of theirs.
    let year_period = &periods(today)[4];
    let export = vault.research_csv(year_period).expect("research export");
    let tz = jiff::tz::TimeZone::get("UTC").expect("UTC");
    let start = crate::expected::midnight(year_period.from, &tz);
    let consenting: Vec<_> = docs
        .people
        .iter()
        .filter(|p| covers_research(p, today))
        .map(|p| p.encounters.iter().filter(|e| e.at >= start).count())
        .filter(|n| *n > 0)
        .collect();
    assert!(!consenting.is_empty() && consenting.len() < docs.people.len());
    assert_eq!(export.people, consenting.len());
    assert_eq!(export.encounters, consenting.iter().sum::<usize>());

    vault.rebuild_indexes().expect("rebuild");
    for (period, before) in periods(today).iter().zip(&reports) {
        assert_eq!(
            &vault.report(period).expect("report"),
            before,
            "after a rebuild"
        );
    }
    let vault = reopen(dir.path(), vault);
    for (period, before) in periods(today).iter().zip(&reports) {
        assert_eq!(
            &vault.report(period).expect("report"),
            before,
            "after unlocking"
        );
    }
}

#[test]
fn a_period_ending_before_it_starts_or_in_an_unknown_zone_is_refused() {
    let (_dir, vault) = new_vault();
    let today = Utc::now().date_naive();
    let backwards = ReportPeriod::days(today, today - Duration::days(1), "UTC");
    assert!(vault.report(&backwards).is_err());
    let nowhere = ReportPeriod::days(today, today, "Mars/Olympus_Mons");
    assert!(vault.report(&nowhere).is_err());
}
