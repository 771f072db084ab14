//! The report as a coordinator uses it in the real window: the period chosen, the charts and
//! the tables beside them, the counts saved as CSV (read back as a spreadsheet would: the
//! byte-order mark, French accents intact, small counts as "<5", no name), and the screen at
//! phone and desktop width.

use crate::ui::App;

/// Opens the report on this month and waits until it counts `encounters`.
fn this_months_report(app: &App, encounters: usize) {
    let s = &app.s;
    s.click_id("nav-report");
    crate::cover::choose(s, "report-choice", "month");
    s.wait_text("report-totals", &encounters.to_string());
}

#[test]
fn a_coordinator_sees_the_charts_and_saves_the_counts_as_csv() {
    let home = tempfile::tempdir().unwrap();
    let home_path = home.path().to_path_buf();
    let app = App::start_in(home);
    let s = &app.s;
    app.first_run_alone("Sam");
    app.add_person("Hélène Tremblay");
    app.record_encounter("helene", "Hélène Tremblay", "Coffee at the park");
    app.record_encounter("helene", "Hélène Tremblay", "Went to the clinic together");

    this_months_report(&app, 2);
    s.id("chart-weeks");
    s.id("chart-given");
    s.id("chart-goals");
    // Each chart's numbers are in a table beside it, for screen readers and print.
    let table = s.find("[data-testid=\"chart-weeks\"] table");
    assert!(s.text(&table).contains('2'), "{}", s.text(&table));

    s.click_id("report-export-csv");
    let saved = s.wait_for("where the CSV was saved", || {
        let t = s.text(&s.id("report-saved"));
        t.contains(".csv").then_some(t)
    });
    let path = saved.trim_start_matches("Saved:").trim();
    assert!(
        std::path::Path::new(path).starts_with(&home_path),
        "saved in the home folder (no Downloads folder here): {path}"
    );
    let bytes = std::fs::read(path).unwrap();
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "a byte-order mark first"
    );
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains("<5"), "two encounters are written <5: {text}");
    assert!(
        !text.contains("Hélène") && !text.contains("Coffee"),
        "{text}"
    );

    // In French, the file is French, accents intact; a second one does not overwrite the first.
    s.click_id("nav-settings");
    crate::audit::choose_lang(s, "fr");
    s.click_id("nav-report");
    crate::cover::choose(s, "report-choice", "month");
    s.id("chart-weeks");
    s.click_id("report-export-csv");
    let saved = s.wait_for("where the French CSV was saved", || {
        let t = s.text(&s.id("report-saved"));
        t.contains(".csv").then_some(t)
    });
    let second = saved.trim_start_matches("Enregistré :").trim().to_owned();
    assert_ne!(second, path, "a new name");
    let text = std::fs::read_to_string(&second).unwrap();
    assert!(
        text.contains("Rencontres") || text.contains("rencontres"),
        "{text}"
    );
    assert!(text.chars().any(|c| "éèàô".contains(c)), "accents: {text}");
    assert!(
        std::fs::read(path).unwrap().len() > 3,
        "the first file kept"
    );

    for (w, h, tag) in [(360u32, 760u32, "phone"), (1280, 800, "desktop")] {
        s.resize(w, h);
        s.id("chart-goals");
        app.shot(&format!("report-{tag}"));
    }
}

/// The research export from the report screen: only the person whose consent covers research
/// is in it, under a key and never by name; the screen says what the file holds and who was
/// left out; the file is readable by its owner only.
#[test]
fn the_research_export_holds_only_people_whose_consent_covers_research() {
    let app = App::start();
    let s = &app.s;
    app.first_run_alone("Sam");
    app.add_person("Hélène Tremblay");
    s.fill("consent-what", "Research on outreach work");
    let research = s.find("#consent-use-research");
    s.click(&research);
    s.click_id("consent-save");
    s.wait_text("brief-consents", "Research on outreach work");
    app.add_person("Marc Dubois");
    app.record_encounter("helene", "Hélène Tremblay", "Coffee at the park");
    app.record_encounter("marc", "Marc Dubois", "Talked about housing");

    this_months_report(&app, 2);
    s.click_id("report-export-research");
    let saved = s.wait_for("where the research export was saved", || {
        let t = s.text(&s.id("research-path"));
        t.contains(".csv").then_some(t)
    });
    let counts = s.text(&s.id("research-counts"));
    assert!(
        counts.starts_with("1 encounter of 1 person; 1 person met"),
        "{counts}"
    );
    let path = saved.trim_start_matches("Saved:").trim();
    assert!(path.contains("tandem-research-"), "{path}");
    let text = String::from_utf8(std::fs::read(path).unwrap()).unwrap();
    let rows: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(rows.len(), 2, "a header and Hélène's one encounter: {text}");
    assert!(rows[0].starts_with("person_key"), "{text}");
    for words in ["Hélène", "Tremblay", "Marc", "Coffee", "housing", "Sam"] {
        assert!(!text.contains(words), "{words} in {text}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "readable by its owner only: {mode:o}");
    }
}
