//! Reports and exports of counts, from the indexes (see `crate::report`).

use super::*;
use crate::report::{self, KnownCodes, ResearchExport};
use tandem_model::{Report, ReportPeriod};

impl Vault {
    /// The report on `period` (days in the IANA time zone it names, both ends included).
    pub fn report(&self, period: &ReportPeriod) -> Result<Report> {
        report::compute(&self.conn, period, Utc::now())
    }

    /// The report's counts as CSV in French or English, every count below 5 written "<5"
    /// and every code the team's lists do not offer written "other".
    pub fn report_csv(&mut self, period: &ReportPeriod, lang: Lang) -> Result<Vec<u8>> {
        let known = KnownCodes::of(&self.team()?.settings);
        Ok(report::csv::report_csv(&self.report(period)?, lang, &known))
    }

    /// The de-identified row-per-encounter export of `period`, for people whose consent
    /// covers research only ([`crate::report`] says what it holds).
    pub fn research_csv(&mut self, period: &ReportPeriod) -> Result<ResearchExport> {
        let known = KnownCodes::of(&self.team()?.settings);
        report::research::export(&self.conn, period, Utc::now(), &known)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_model::{NewEncounter, NewPerson};

    /// A vault made by the version before reports (schema 6: the columns and table of
    /// migration 7 taken away again) is migrated on unlock and its indexes rebuilt from the
    /// documents, so its first report counts everything.
    #[test]
    fn a_vault_from_before_reports_reports_everything_once_unlocked() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e:?}"));
        let pass = Passphrase::new("correct horse battery staple");
        let setup = NewVault {
            member_name: "Sam".into(),
            team_name: "Équipe".into(),
        };
        let mut v = Vault::create(dir.path(), &pass, &setup).unwrap_or_else(|e| panic!("{e:?}"));
        let p = v
            .add_person(&NewPerson {
                name: "Zoë".into(),
                ..NewPerson::default()
            })
            .unwrap_or_else(|e| panic!("{e:?}"));
        let mut e = NewEncounter::with_person(p);
        e.given = vec!["naloxone".into()];
        e.duration_minutes = Some(20);
        v.record_encounter(&e).unwrap_or_else(|e| panic!("{e:?}"));
        let today = Utc::now().date_naive();
        let period = ReportPeriod::days(today - chrono::Duration::days(1), today, "UTC");
        let before = v.report(&period).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((before.naloxone, before.minutes), (1, 20));
        v.conn
            .execute_batch(
                "DROP INDEX follow_up_index_responsible;
                 DROP TABLE accompany_index;
                 ALTER TABLE follow_up_index DROP COLUMN responsible;
                 DROP INDEX encounter_index_report;
                 DROP INDEX encounter_index_debriefs;
                 ALTER TABLE encounter_index DROP COLUMN referrals_done;
                 ALTER TABLE encounter_index DROP COLUMN referrals_missed;
                 ALTER TABLE encounter_index DROP COLUMN debrief_by;
                 ALTER TABLE encounter_index DROP COLUMN debrief_done_at;
                 ALTER TABLE encounter_index DROP COLUMN debrief_done_by;
                 DROP TABLE goal_index;
                 ALTER TABLE encounter_index DROP COLUMN duration;
                 ALTER TABLE encounter_index DROP COLUMN debrief;
                 ALTER TABLE encounter_index DROP COLUMN referrals;
                 ALTER TABLE encounter_index DROP COLUMN given;
                 ALTER TABLE encounter_index DROP COLUMN domains;
                 ALTER TABLE person_index DROP COLUMN created_at;
                 ALTER TABLE person_index DROP COLUMN research_since;
                 ALTER TABLE follow_up_index DROP COLUMN done_at;
                 ALTER TABLE follow_up_index DROP COLUMN created_at;
                 DROP TABLE street_link_index;
                 DROP INDEX person_index_merged;
                 DROP INDEX person_index_root;
                 ALTER TABLE person_index DROP COLUMN merged_into;
                 ALTER TABLE person_index DROP COLUMN merge_root;
                 ALTER TABLE deferred_docs DROP COLUMN rows_digest;
                 CREATE INDEX encounter_index_at ON encounter_index (at);
                 PRAGMA user_version = 6;",
            )
            .unwrap_or_else(|e| panic!("{e:?}"));
        drop(v);
        let v = Vault::open(dir.path(), &pass).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            v.report(&period).unwrap_or_else(|e| panic!("{e:?}")),
            before
        );
        assert!(opt_meta(&v.conn, "reindex_pending")
            .unwrap_or_else(|e| panic!("{e:?}"))
            .is_none());
    }
}
