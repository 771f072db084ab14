//! The real app window, driven over WebDriver (tauri-driver + WebKitWebDriver) on a private
//! Xvfb display: first run, an encounter recorded with the relay gone, the brief, lock and
//! unlock with a draft, French everywhere, two app instances syncing through a relay, and the
//! daily reminder heard by a real notification daemon.
//!
//! Needs the app built first (`cargo build -p tandem-app`, after `scripts/build-ui`), the
//! relay (`cargo build -p tandem-relay`), and Xvfb, tauri-driver and WebKitWebDriver on PATH:
//! `scripts/test` does all of it (and installs axe-core, for `audit.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../sync/harness.rs"]
#[allow(dead_code)]
mod harness;
// Shared with benches/app_timing.rs, which uses a few more of its helpers.
#[allow(dead_code)]
mod webdriver;

mod audit;
mod axe;
mod cover;
mod links;
mod places;
mod reminders;
mod report;
mod ui;

use axe::Audit;
use harness::RelayProcess;
use ui::{assert_french, english_only, screenshot_dir, App, PASSPHRASE};
use webdriver::Session;

#[test]
fn first_run_then_an_encounter_with_the_relay_gone_shows_in_the_brief() {
    let mut relay = RelayProcess::start();
    let app = App::start();
    let s = &app.s;
    app.first_run_with_team("Sam", &relay.url());
    app.wait_badge(&["synced", "syncing"]);

    // The network goes: the relay is killed. Recording still works, and waits.
    relay.kill();
    app.add_person("Hélène Tremblay");
    app.record_encounter("helene", "Hélène Tremblay", "Café au parc, elle va mieux");
    s.wait_text("brief-encounters", "Café au parc, elle va mieux");
    app.wait_badge(&["offline", "waiting"]);
    // The screens of a team on a relay, audited on the way (audit.rs has the others).
    let mut audit = Audit::new(s);
    audit.check("brief, the relay gone (en)");
    s.click_id("nav-team");
    s.id("members");
    audit.check("team on a relay, the relay gone (en)");

    // The relay comes back on the same port: what waited is sent.
    relay.restart();
    app.s.click_id("sync-badge");
    app.s.id("team-screen");
    app.s.click_id("sync-now");
    app.wait_badge(&["synced"]);

    for lang in ["en", "fr"] {
        if lang == "fr" {
            s.click_id("nav-settings");
            audit::choose_lang(s, "fr");
            s.click_id("nav-team");
        }
        s.id("last-sync");
        audit.check(&format!("team on a relay, synced ({lang})"));
        s.click_id("invite-create");
        s.id("invite-qr");
        audit.check(&format!("team on a relay, an invite ({lang})"));
    }
    audit.finish();
}

#[test]
fn a_person_who_asks_is_erased_only_after_a_confirmation() {
    let app = App::start();
    let s = &app.s;
    app.first_run_alone("Alex");
    app.add_person("Asked To Be Forgotten");
    app.add_person("Sam Roy");
    app.open_brief("Asked To Be Forgotten");
    s.click_id("erase-start");
    s.wait_text("erase-warning", "Asked To Be Forgotten");
    // Kept when the peer changes their mind.
    s.click_id("erase-cancel");
    app.open_brief("Asked To Be Forgotten");
    s.click_id("erase-start");
    s.click_id("erase-confirm");
    s.id("people-screen");
    s.wait_for("the list without them", || {
        let rows = s.all("[data-testid=\"person-row\"]");
        (rows.len() == 1 && s.text(&rows[0]).contains("Sam Roy")).then_some(())
    });
    s.fill("people-search", "forgotten");
    s.wait_for("no one found", || {
        s.all("[data-testid=\"person-row\"]")
            .is_empty()
            .then_some(())
    });
}

#[test]
fn the_profile_a_consent_and_a_goals_life_domain_are_kept_from_the_brief() {
    let app = App::start();
    let s = &app.s;
    app.first_run_alone("Sam");
    app.add_person("Hélène Tremblay");

    // The profile: what they asked to be called now, and what to remember.
    s.click_id("brief-edit-profile");
    s.id("profile-screen");
    assert_eq!(s.value("profile-name"), "Hélène Tremblay");
    s.fill("profile-name", "Lena Tremblay");
    s.fill("profile-pronouns", "elle");
    s.fill("profile-languages", "fr, en");
    s.fill("profile-remember", "Meet at the park, not the clinic");
    s.click_id("profile-save");
    s.wait_text("brief-name", "Lena Tremblay");
    s.wait_text("brief-remember", "Meet at the park, not the clinic");
    s.wait_text("brief-languages", "Speaks French, English");
    s.click_id("brief-edit-profile");
    s.id("profile-screen");
    s.wait_for("the languages kept", || {
        (s.value("profile-languages") == "fr, en").then_some(())
    });
    s.click_id("back");

    // A consent: refused until it says what and for what; then recorded, then withdrawn.
    s.fill("consent-what", "Notes to walk with me");
    s.click_id("consent-save");
    s.id("brief-error");
    assert!(s.all("[data-testid=\"brief-consent\"]").is_empty());
    let accompaniment = s.find("#consent-use-accompaniment");
    s.click(&accompaniment);
    s.click_id("consent-save");
    s.wait_text("brief-consents", "Notes to walk with me");
    s.wait_text("brief-consents", "notes to accompany me");
    s.click_id("consent-withdraw");
    s.wait_text("brief-consents", "withdrawn");

    // A goal in their words, then its life domain.
    s.fill("goal-new-words", "Find a flat near my sister");
    s.click_id("goal-add");
    s.wait_text("brief-goals", "Find a flat near my sister");
    s.click_id("goal-row");
    s.id("goal-screen");
    let housing = s.find("#goal-domain option[value=\"housing\"]");
    s.click(&housing);
    s.wait_for("housing chosen", || {
        (s.value("goal-domain") == "housing").then_some(())
    });
    s.click_id("goal-save");
    s.wait_text("notice", "Goal saved");
    s.click_id("back");
    s.wait_text("brief-goals", "Housing");

    // All of it is in the vault, not only on screen: locked and unlocked, it is still there.
    s.click_id("lock-button");
    s.fill("unlock-passphrase", PASSPHRASE);
    s.click_id("unlock-submit");
    app.open_brief("Lena Tremblay");
    s.wait_text("brief-remember", "Meet at the park, not the clinic");
    s.wait_text("brief-consents", "withdrawn");
    s.wait_text("brief-goals", "Housing");
}

#[test]
fn the_team_decides_what_the_encounter_form_offers() {
    let app = App::start();
    let s = &app.s;
    app.first_run_alone("Sam");
    app.add_person("Hélène Tremblay");
    s.click_id("nav-team");
    s.id("team-options");
    s.fill("option-new-given_items", "Bus tickets");
    s.click_id("option-add-given_items");
    s.wait_text("options-given_items", "Bus tickets");
    let remove = s.wait_for("its remove button", || {
        s.all("[data-testid=\"options-given_items\"] [data-testid=\"option-remove\"]")
            .into_iter()
            .find(|b| {
                s.attr(b, "aria-label")
                    .is_some_and(|l| l.contains("Clothing"))
            })
    });
    s.click(&remove);
    s.wait_for("clothing gone from the list", || {
        (!s.text(&s.id("options-given_items")).contains("Clothing")).then_some(())
    });

    // The form offers the team's list: bus tickets, no clothing.
    app.open_brief("Hélène Tremblay");
    s.click_id("brief-new-encounter");
    s.id("encounter-screen");
    s.click_id("encounter-details-toggle");
    s.id("given-Bus tickets");
    assert!(s.all("[data-testid=\"given-clothing\"]").is_empty());
    s.click_id("given-Bus tickets");
    s.fill("encounter-notes", "Metro to the appointment");
    s.click_id("encounter-save");
    s.wait_text("brief-encounters", "Bus tickets");

    // A life domain of the team's own is offered for a goal too.
    s.click_id("nav-team");
    s.fill("option-new-life_domains", "Legal aid");
    s.click_id("option-add-life_domains");
    s.wait_text("options-life_domains", "Legal aid");
    app.open_brief("Hélène Tremblay");
    s.fill("goal-new-words", "Sort out my fines");
    s.click_id("goal-add");
    s.click_id("goal-row");
    s.id("goal-screen");
    let legal = s.find("#goal-domain option[value=\"Legal aid\"]");
    s.click(&legal);
    s.click_id("goal-save");
    s.wait_text("notice", "Goal saved");
    s.click_id("back");
    s.wait_text("brief-goals", "Legal aid");
}

#[test]
fn the_app_locks_itself_when_left_idle_or_hidden() {
    let app = App::start();
    let s = &app.s;
    app.first_run_alone("Alex");
    app.add_person("Noor Haddad");
    app.open_brief("Noor Haddad");

    // Left alone longer than the auto-lock time (5 minutes by default): the page's clock is
    // moved on rather than waiting, and the app's own check (every 5 s) locks it.
    s.script(
        "window.__realNow = window.__realNow || Date.now.bind(Date); \
         Date.now = () => window.__realNow() + 6 * 60 * 1000;",
        serde_json::json!([]),
    );
    s.id("unlock-screen");
    assert!(
        !s.body_text().contains("Noor"),
        "nothing of a person shows while locked"
    );
    s.script("Date.now = window.__realNow;", serde_json::json!([]));
    s.fill("unlock-passphrase", PASSPHRASE);
    s.click_id("unlock-submit");
    app.open_brief("Noor Haddad");

    // Less than that: still open.
    s.script(
        "Date.now = () => window.__realNow() + 4 * 60 * 1000;",
        serde_json::json!([]),
    );
    std::thread::sleep(std::time::Duration::from_secs(6));
    s.wait_text("brief-name", "Noor Haddad");
    s.script("Date.now = window.__realNow;", serde_json::json!([]));

    // The window hidden (another app in front, the phone put away): locked at once.
    s.script(
        "Object.defineProperty(document, 'hidden', { configurable: true, get: () => true }); \
         document.dispatchEvent(new Event('visibilitychange'));",
        serde_json::json!([]),
    );
    s.id("unlock-screen");
    assert!(!s.body_text().contains("Noor"));
}

#[test]
fn lock_and_unlock_keep_the_draft_and_hide_names() {
    let app = App::start();
    let s = &app.s;
    app.first_run_alone("Alex");
    app.add_person("Noor Haddad");

    s.click_id("nav-today");
    s.click_id("new-encounter");
    s.fill("person-search", "noor");
    let pick = s.wait_for("Noor in the results", || {
        s.all("[data-testid=\"person-result\"]").into_iter().next()
    });
    s.click(&pick);
    s.fill("encounter-notes", "A parlé de son logement");
    // The shell holds the draft once the screen says so ("Draft kept").
    s.wait_for("the draft kept", || {
        (!s.text(&s.id("draft-status")).trim().is_empty()).then_some(())
    });

    s.click_id("lock-button");
    s.id("unlock-screen");
    let locked = s.body_text();
    assert!(
        !locked.contains("Noor") && !locked.contains("logement"),
        "nothing of a person shows while locked: {locked}"
    );

    // A wrong passphrase: a clear error, still locked.
    s.fill("unlock-passphrase", "not the passphrase");
    s.click_id("unlock-submit");
    let err = s.id("unlock-error");
    s.wait_for("an error for the wrong passphrase", || {
        (!s.text(&err).trim().is_empty()).then_some(())
    });
    s.id("unlock-screen");

    s.fill("unlock-passphrase", PASSPHRASE);
    s.click_id("unlock-submit");
    s.wait_for("the draft back after unlocking", || {
        if s.all("[data-testid=\"encounter-notes\"]").is_empty() {
            if let Some(b) = s.all("[data-testid=\"new-encounter\"]").into_iter().next() {
                s.click(&b);
            }
            return None;
        }
        (s.value("encounter-notes") == "A parlé de son logement").then_some(())
    });
    s.wait_text("who-chosen-name", "Noor Haddad");
}

#[test]
fn switching_to_french_turns_every_screen_french() {
    let english = english_only();
    assert!(english.len() > 50, "the English strings were read");
    let app = App::start();
    let s = &app.s;
    app.first_run_alone("Sam");
    app.add_person("Hélène Tremblay");
    app.record_encounter("helene", "Hélène Tremblay", "Café");

    s.click_id("nav-settings");
    s.click_id("lang-fr");
    s.wait_for("French chosen", || {
        let b = s.id("lang-fr");
        (s.attr(&b, "aria-pressed").as_deref() == Some("true")).then_some(())
    });
    let screens = [
        ("nav-settings", "settings-screen"),
        ("nav-today", "today-screen"),
        ("nav-people", "people-screen"),
        ("nav-team", "team-screen"),
    ];
    for (nav, screen) in screens {
        s.click_id(nav);
        s.id(screen);
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert_french(s, screen, &english);
    }
    app.open_brief("Hélène Tremblay");
    assert_french(s, "brief-screen", &english);
    s.click_id("brief-edit-profile");
    s.id("profile-screen");
    assert_french(s, "profile-screen", &english);
    s.click_id("nav-today");
    s.click_id("new-encounter");
    s.id("encounter-screen");
    assert_french(s, "encounter-screen", &english);

    // Remembered: the unlock screen after a lock is French too.
    s.click_id("lock-button");
    s.id("unlock-screen");
    assert_french(s, "unlock-screen", &english);
}

#[test]
fn two_apps_and_a_relay_an_encounter_on_one_shows_on_the_other() {
    let relay = RelayProcess::start();
    let a = App::start();
    a.first_run_with_team("Sam", &relay.url());
    a.add_person("Hélène Tremblay");
    a.wait_badge(&["synced"]);

    // An invite on A, typed into B's first run.
    a.s.click_id("nav-team");
    a.s.click_id("invite-create");
    let code = a.s.wait_for("an invite code", || {
        let t = a.s.text(&a.s.id("invite-code"));
        t.contains('#').then(|| t.trim().to_owned())
    });
    a.s.id("invite-qr");

    let b = App::start();
    b.setup_step_one("Alex");
    b.s.fill("team-join-code", &code);
    b.s.click_id("team-join-submit");
    b.s.id("today-screen");
    b.wait_badge(&["synced"]);
    b.open_brief("Hélène Tremblay");

    // A records an encounter; B sees it in the brief without anyone pressing anything.
    a.record_encounter("tremblay", "Hélène Tremblay", "Rendez-vous au CLSC mardi");
    b.s.wait_for("the encounter on B", || {
        b.s.click_id("nav-people");
        b.open_brief("Hélène Tremblay");
        b.s.text(&b.s.id("brief-encounters"))
            .contains("Rendez-vous au CLSC mardi")
            .then_some(())
    });
    assert_eq!(b.wait_badge(&["synced"]), "synced");

    // Both show the same team record fingerprint, to be compared between the two people.
    let fingerprint = |app: &App| {
        app.s.click_id("nav-team");
        let text = app.s.text(&app.s.id("record-fingerprint"));
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        assert_eq!(digits.len(), 30, "six groups of five digits: {text}");
        digits
    };
    assert_eq!(fingerprint(&a), fingerprint(&b));
}

fn no_sideways_scroll(s: &Session, tag: &str) {
    let overflow = s.script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
        serde_json::json!([]),
    );
    assert!(
        overflow.as_i64().is_some_and(|x| x <= 0),
        "{tag}: the page scrolls sideways by {overflow} px"
    );
}

#[test]
fn screenshots_of_the_main_screens_at_phone_and_desktop_width() {
    let relay = RelayProcess::start();
    let app = App::start();
    let s = &app.s;
    for (w, h, tag) in [(360u32, 760u32, "phone"), (1280, 800, "desktop")] {
        s.resize(w, h);
        let width = s.script("return window.innerWidth", serde_json::json!([]));
        assert!(
            width.as_u64().is_some_and(|x| x <= u64::from(w)),
            "the page is {width} wide in a {w} px window"
        );
        let overflow = s.script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
            serde_json::json!([]),
        );
        assert!(
            overflow.as_i64().is_some_and(|x| x <= 0),
            "{tag}: the page scrolls sideways by {overflow} px"
        );
        if tag == "phone" {
            s.id("first-run-screen");
            app.shot("first-run-phone");
            app.first_run_with_team("Sam", &relay.url());
            app.add_person("Hélène Tremblay");
            app.record_encounter("helene", "Hélène Tremblay", "Café au parc, elle va mieux");
        }
        s.click_id("nav-today");
        s.id("today-screen");
        app.shot(&format!("today-{tag}"));
        s.click_id("new-encounter");
        s.id("encounter-screen");
        app.shot(&format!("new-encounter-{tag}"));
        app.open_brief("Hélène Tremblay");
        app.shot(&format!("brief-{tag}"));
        // The consent form, further down the brief, and the profile form fit the width too.
        let form = s.id("consent-form");
        s.scroll_to(&form);
        no_sideways_scroll(s, tag);
        app.shot(&format!("brief-consent-{tag}"));
        s.click_id("brief-edit-profile");
        s.id("profile-screen");
        no_sideways_scroll(s, tag);
        app.shot(&format!("profile-{tag}"));
        s.click_id("nav-team");
        s.id("team-screen");
        app.shot(&format!("team-{tag}"));
    }
    for name in ["first-run-phone", "today-phone", "brief-desktop"] {
        let png = std::fs::read(screenshot_dir().join(format!("{name}.png"))).unwrap();
        assert!(
            png.len() > 5_000,
            "{name}: a real picture, {} bytes",
            png.len()
        );
    }
}
