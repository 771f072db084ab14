//! Reports and exports of counts, from the indexes (see `crate::report`).

use super::*;
use crate::report::{self, ResearchExport};
use tandem_model::{Report, ReportPeriod};

impl Vault {
    /// The report on `period` (days in the IANA time zone it names, both ends included).
    pub fn report(&self, period: &ReportPeriod) -> Result<Report> {
        report::compute(&self.conn, period, Utc::now())
    }

    /// The report's counts as CSV in French or English, every count below 5 written "<5".
    pub fn report_csv(&self, period: &ReportPeriod, lang: Lang) -> Result<Vec<u8>> {
        Ok(report::csv::report_csv(&self.report(period)?, lang))
    }

    /// The de-identified row-per-encounter export of `period`, for people whose consent
    /// covers research only ([`crate::report`] says what it holds).
    pub fn research_csv(&self, period: &ReportPeriod) -> Result<ResearchExport> {
        report::research::export(&self.conn, period, Utc::now())
    }
}
