//! CSV that spreadsheets open as written: UTF-8 with a byte-order mark (Excel reads UTF-8
//! without it as the local code page, and French accents break), CRLF line ends, and RFC 4180
//! quoting. A text cell that a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, tab,
//! carriage return first) is written with a leading apostrophe, so it stays text: team
//! settings and codes are free text, and a cell must never run as a formula on the
//! coordinator's computer.
//!
//! A dozen lines of quoting do not justify a new dependency (the `csv` crate is not in the
//! lock); the tests read what this writes back with Python's own `csv` module.

use super::KnownCodes;
use tandem_model::labels::{code_label, status_label};
use tandem_model::{exported_count, GoalStatus, Lang, OptionList, Report, Tally};

/// The byte-order mark that starts every file.
pub const BOM: &str = "\u{feff}";

/// A CSV file being written.
#[derive(Debug)]
pub struct CsvWriter {
    out: String,
}

impl Default for CsvWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl CsvWriter {
    /// An empty file (its byte-order mark only).
    pub fn new() -> Self {
        Self {
            out: BOM.to_owned(),
        }
    }

    /// Writes one record.
    pub fn row<S: AsRef<str>>(&mut self, cells: &[S]) {
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.out.push_str(&cell_text(cell.as_ref()));
        }
        self.out.push_str("\r\n");
    }

    /// The file's bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.out.into_bytes()
    }
}

/// What starts a formula in a spreadsheet's cell.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// One cell: defused if it would read as a formula, quoted if it holds a comma, a quote or a
/// line break (quotes doubled). A spreadsheet set to split on semicolons (the default of a
/// French Excel) makes a cell of each part between them, so each part is defused on its
/// own: `food;=cmd` is written `food;'=cmd`.
pub fn cell_text(cell: &str) -> String {
    let mut defused = String::with_capacity(cell.len() + 1);
    for (i, part) in cell.split(';').enumerate() {
        if i > 0 {
            defused.push(';');
        }
        if part.trim_start_matches(' ').starts_with(FORMULA_START) {
            defused.push('\'');
        }
        defused.push_str(part);
    }
    let cell = defused.as_str();
    if cell.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_owned()
    }
}

fn t(lang: Lang, en: &'static str, fr: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Fr => fr,
    }
}

fn label(code: &Option<String>, lang: Lang) -> String {
    match code {
        Some(c) => code_label(c, lang),
        None => t(lang, "not recorded", "non précisé").to_owned(),
    }
}

fn status_name(code: &Option<String>, lang: Lang) -> String {
    match code.as_deref().and_then(GoalStatus::from_code) {
        Some(s) => status_label(s, lang).to_owned(),
        None => label(code, lang),
    }
}

/// The report's counts as CSV (`section, item, code, count`), in French or English. Every
/// count below 5 is written "<5", so small groups cannot be told apart; a code the team's
/// lists do not offer is counted as "other" (`known`), so no record's own words leave.
pub fn report_csv(report: &Report, lang: Lang, known: &KnownCodes) -> Vec<u8> {
    let mut w = CsvWriter::new();
    let n = |v: u64| exported_count(v);
    w.row(&[
        t(lang, "section", "section"),
        t(lang, "item", "élément"),
        t(lang, "code", "code"),
        t(lang, "count", "nombre"),
    ]);
    let p = &report.period;
    w.row(&[
        t(lang, "period", "période"),
        t(lang, "from", "du"),
        "",
        &p.from.to_string(),
    ]);
    w.row(&[
        t(lang, "period", "période"),
        t(lang, "to", "au"),
        "",
        &p.to.to_string(),
    ]);
    w.row(&[
        t(lang, "period", "période"),
        t(lang, "time zone", "fuseau horaire"),
        "",
        &p.time_zone,
    ]);
    let totals: [(&str, &str, u64); 14] = [
        ("Encounters", "Rencontres", report.encounters),
        ("People met", "Personnes rencontrées", report.people_met),
        ("New people", "Nouvelles personnes", report.new_people),
        (
            "Anonymous street contacts",
            "Contacts de rue anonymes",
            report.anonymous_contacts,
        ),
        ("Naloxone given", "Naloxone remise", report.naloxone),
        ("Referrals made", "Références faites", report.referrals),
        (
            "Referrals done",
            "Références réalisées",
            report.referrals_done,
        ),
        (
            "Referrals that did not happen",
            "Références non abouties",
            report.referrals_not_happened,
        ),
        ("Follow-ups done", "Suivis faits", report.follow_ups_done),
        (
            "Follow-ups overdue",
            "Suivis en retard",
            report.follow_ups_overdue,
        ),
        ("Goals reached", "Objectifs atteints", report.goals_reached),
        ("Minutes spent", "Minutes passées", report.minutes),
        (
            "Encounters with a length",
            "Rencontres dont la durée est notée",
            report.timed_encounters,
        ),
        (
            "Debriefs asked for",
            "Débriefings demandés",
            report.debrief_requests,
        ),
    ];
    for (en, fr, v) in totals {
        w.row(&[t(lang, "totals", "totaux"), t(lang, en, fr), "", &n(v)]);
    }
    let section = |w: &mut CsvWriter, name: &str, rows: &[Tally], status: bool| {
        for r in rows {
            let item = if status {
                status_name(&r.code, lang)
            } else {
                label(&r.code, lang)
            };
            w.row(&[name, &item, r.code.as_deref().unwrap_or(""), &n(r.count)]);
        }
    };
    let by_kind = known.fold_tallies(&report.by_kind, OptionList::EncounterKinds);
    let mut given = known.fold_tallies(&report.given, OptionList::GivenItems);
    given.sort_by_key(|t| t.code.as_deref() != Some("naloxone"));
    let by_domain = known.fold_tallies(&report.goals_by_domain, OptionList::LifeDomains);
    section(
        &mut w,
        t(lang, "encounters by kind", "rencontres par type"),
        &by_kind,
        false,
    );
    section(&mut w, t(lang, "given", "remis"), &given, false);
    section(
        &mut w,
        t(lang, "goals by status", "objectifs par état"),
        &report.goals_by_status,
        true,
    );
    section(
        &mut w,
        t(lang, "goals by life domain", "objectifs par domaine de vie"),
        &by_domain,
        false,
    );
    for week in &report.per_week {
        w.row(&[
            t(lang, "encounters per week", "rencontres par semaine"),
            &format!("{} – {}", week.week_of, week.until),
            &week.week_of.to_string(),
            &n(week.encounters),
        ]);
    }
    w.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(cell_text("Hébergement"), "Hébergement");
        assert_eq!(cell_text("a,b"), "\"a,b\"");
        assert_eq!(cell_text("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell_text("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell_text("=1+1"), "'=1+1");
        assert_eq!(cell_text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell_text("-2"), "'-2");
        assert_eq!(cell_text("+33 1"), "'+33 1");
        assert_eq!(
            cell_text("=HYPERLINK(\"x\",\"y\")"),
            "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\""
        );
        assert_eq!(cell_text("<5"), "<5");
        // Each part a semicolon makes, and a formula behind spaces.
        assert_eq!(
            cell_text("food;=cmd|' /C calc'!A0"),
            "food;'=cmd|' /C calc'!A0"
        );
        assert_eq!(cell_text("a; -1;b"), "a;' -1;b");
        assert_eq!(cell_text("  =1"), "'  =1");
        assert_eq!(cell_text("food;naloxone"), "food;naloxone");
    }

    #[test]
    fn files_start_with_a_bom_and_end_lines_with_crlf() {
        let mut w = CsvWriter::new();
        w.row(&["a", "b"]);
        w.row(&["c", "d"]);
        assert_eq!(w.into_bytes(), "\u{feff}a,b\r\nc,d\r\n".as_bytes());
    }
}
