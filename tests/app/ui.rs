//! The app as a person uses it in these tests: one instance on its own vault folder, and the
//! steps every test repeats (first run, a person added, an encounter recorded, a brief
//! opened), plus the check that a French screen shows no English.

use crate::harness;
use crate::webdriver::Session;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

pub const PASSPHRASE: &str = "a long street passphrase";

/// The app binary built next to this test (or `TANDEM_APP_BINARY`).
pub fn app_binary() -> PathBuf {
    if let Some(b) = std::env::var_os("TANDEM_APP_BINARY") {
        return PathBuf::from(b);
    }
    let exe = std::env::current_exe().unwrap();
    let bin = exe.parent().unwrap().parent().unwrap().join("tandem-app");
    assert!(
        bin.exists(),
        "build the app first: scripts/build-ui && cargo build -p tandem-app ({})",
        bin.display()
    );
    bin
}

/// Where the screenshots go: `docs/screenshots` when `TANDEM_UPDATE_SCREENSHOTS` is set
/// (the README shows those), else beside the test binaries.
pub fn screenshot_dir() -> PathBuf {
    if std::env::var_os("TANDEM_UPDATE_SCREENSHOTS").is_some() {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots")
    } else {
        let exe = std::env::current_exe().unwrap();
        exe.parent().unwrap().parent().unwrap().join("screenshots")
    }
}

/// One app instance on its own vault folder.
pub struct App {
    pub s: Session,
    _home: TempDir,
}

impl App {
    pub fn start() -> Self {
        Self::start_in(tempfile::tempdir().unwrap())
    }

    /// On the vault already in `home/vault`, if the test made one.
    pub fn start_in(home: TempDir) -> Self {
        Self::start_with(home, &[])
    }

    /// As [`App::start_in`], the app's environment given `env` too.
    pub fn start_with(home: TempDir, env: &[(&str, &Path)]) -> Self {
        let vault = home.path().join("vault");
        let mut all = vec![("TANDEM_VAULT", vault.as_path()), ("HOME", home.path())];
        all.extend_from_slice(env);
        let s = Session::start(&app_binary(), &all);
        Self { s, _home: home }
    }

    /// First run, step 1: name and passphrase.
    pub fn setup_step_one(&self, name: &str) {
        let s = &self.s;
        s.id("first-run-screen");
        s.fill("setup-name", name);
        s.fill("setup-passphrase", PASSPHRASE);
        s.fill("setup-passphrase-again", PASSPHRASE);
        s.click_id("setup-continue");
    }

    /// First run without a team for now.
    pub fn first_run_alone(&self, name: &str) {
        self.setup_step_one(name);
        self.s.click_id("team-local-submit");
        self.s.id("today-screen");
    }

    /// First run with a new team on `relay`.
    pub fn first_run_with_team(&self, name: &str, relay: &str) {
        self.setup_step_one(name);
        let s = &self.s;
        s.fill("team-create-relay", relay);
        s.fill("team-create-token", harness::CREATION_TOKEN);
        s.fill("team-create-name", "Équipe Centre-Sud");
        s.click_id("team-create-submit");
        s.id("today-screen");
    }

    pub fn add_person(&self, name: &str) {
        let s = &self.s;
        s.click_id("nav-people");
        s.click_id("add-person");
        s.fill("person-name", name);
        s.click_id("person-save");
        s.wait_text("brief-name", name);
    }

    /// From anywhere: a new encounter with `person` (searched without accents).
    pub fn record_encounter(&self, search: &str, person: &str, notes: &str) {
        let s = &self.s;
        s.click_id("nav-today");
        s.click_id("new-encounter");
        s.fill("person-search", search);
        let pick = s.wait_for(&format!("{person} in the results"), || {
            s.all("[data-testid=\"person-result\"]")
                .into_iter()
                .find(|e| s.text(e).contains(person))
        });
        s.click(&pick);
        s.wait_text("who-chosen-name", person);
        s.fill("encounter-notes", notes);
        s.click_id("encounter-save");
        s.wait_text("brief-name", person);
    }

    pub fn open_brief(&self, person: &str) {
        let s = &self.s;
        s.click_id("nav-people");
        let row = s.wait_for(&format!("{person} in People"), || {
            s.all("[data-testid=\"person-row\"]")
                .into_iter()
                .find(|e| s.text(e).contains(person))
        });
        s.click(&row);
        s.wait_text("brief-name", person);
    }

    pub fn badge_state(&self) -> String {
        let b = self.s.id("sync-badge");
        self.s.attr(&b, "data-state").unwrap_or_default()
    }

    pub fn wait_badge(&self, states: &[&str]) -> String {
        self.s
            .wait_for(&format!("the sync badge to be one of {states:?}"), || {
                let st = self.badge_state();
                states.contains(&st.as_str()).then_some(st)
            })
    }

    pub fn shot(&self, name: &str) {
        // Let the screen that was just asked for paint before the picture is taken.
        std::thread::sleep(std::time::Duration::from_millis(600));
        self.s
            .screenshot(&screenshot_dir().join(format!("{name}.png")));
    }
}

/// Strings of a Fluent file: `key = value` lines (attributes and continuations ignored).
pub fn ftl(path: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    text.lines()
        .filter(|l| !l.starts_with([' ', '#', '.', '\t', '-']))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

/// English strings that are not also French words (so their presence means English shows).
pub fn english_only() -> Vec<String> {
    let fr: BTreeSet<String> = ftl("../src-ui/locales/fr.ftl")
        .into_iter()
        .map(|(_, v)| v)
        .collect();
    ftl("../src-ui/locales/en.ftl")
        .into_iter()
        .map(|(_, v)| v)
        .filter(|v| !v.contains('{') && v.len() >= 4 && !fr.contains(v))
        .collect()
}

pub fn assert_french(s: &Session, screen: &str, english: &[String]) {
    let text = s.body_text();
    // The team's name is data typed (or defaulted) when the vault was made, not a label.
    let data: Vec<String> = s
        .all("[data-testid=\"team-name\"]")
        .iter()
        .map(|e| s.text(e).trim().to_owned())
        .collect();
    let shown: Vec<&String> = english
        .iter()
        .filter(|e| !data.contains(e))
        .filter(|e| text.lines().any(|l| l.trim() == e.as_str()))
        .collect();
    assert!(
        shown.is_empty(),
        "{screen}: English strings on a French screen: {shown:?}\n---\n{text}"
    );
}
