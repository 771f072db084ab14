//! Accessibility checked by a tool, not by eye: axe-core audits every screen of the real
//! window a peer without a team reaches (first run, Today, the encounter form empty, with its
//! errors, with someone chosen and with someone unknown, People, a new person, a brief with
//! its error and its erase confirmation, the profile, a goal, Team with what the forms offer,
//! Cover, Places (the list, nothing found, a new place, a change, taking one off), Debriefs,
//! the brief's referrals and the encounter form's place picker — these at 360 px —, the
//! report, Settings, unlock and its error), in English and in French. The screens of a team on a
//! relay are audited in `main.rs`'s relay test, which reaches them anyway.

use crate::axe::Audit;
use crate::ui::{App, PASSPHRASE};
use crate::webdriver::Session;
use serde_json::json;

/// Sets an `<input type="date">` as the browser's date picker would, and tells the page.
pub fn set_date(s: &Session, testid: &str, date: chrono::NaiveDate) {
    s.id(testid);
    s.script(
        "const [id, v] = arguments; \
         const el = document.querySelector(`[data-testid=\"${id}\"]`); \
         el.value = v; el.dispatchEvent(new Event('input', { bubbles: true }));",
        json!([testid, date.format("%Y-%m-%d").to_string()]),
    );
}

/// The `data-testid` of the element that has the focus (empty if none has one).
fn focused(s: &Session) -> String {
    s.script(
        "return document.activeElement?.dataset?.testid ?? ''",
        json!([]),
    )
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

/// Waits until the focus is on `testid`: it moves there once the screen has drawn it.
fn wait_focus(s: &Session, testid: &str) {
    s.wait_for(&format!("the focus on {testid}"), || {
        (focused(s) == testid).then_some(())
    });
}

/// Switches the language with the buttons on screen (first run, unlock, settings).
pub fn choose_lang(s: &Session, lang: &str) {
    s.click_id(&format!("lang-{lang}"));
    s.wait_for(&format!("{lang} chosen"), || {
        let b = s.id(&format!("lang-{lang}"));
        (s.attr(&b, "aria-pressed").as_deref() == Some("true")).then_some(())
    });
}

/// What the tour needs on screen: a person who speaks two languages, a goal with a step and a
/// check-in, and a follow-up already overdue.
fn a_person_with_a_goal_and_a_late_follow_up(app: &App) {
    let s = &app.s;
    let today = chrono::Local::now().date_naive();
    app.add_person("Hélène Tremblay");
    s.click_id("brief-edit-profile");
    s.fill("profile-languages", "fr, en");
    s.fill("profile-pronouns", "elle");
    s.click_id("profile-save");
    s.wait_text("brief-name", "Hélène Tremblay");

    s.fill("goal-new-words", "Find a flat near my sister");
    s.click_id("goal-add");
    s.click_id("goal-row");
    s.id("goal-screen");
    s.wait_for("the goal loaded", || {
        (!s.value("goal-words").is_empty()).then_some(())
    });
    set_date(s, "goal-check-in", today + chrono::Days::new(14));
    s.click_id("goal-save");
    s.fill("step-new", "Call the housing office");
    s.click_id("step-add");
    s.id("goal-step");
    s.click_id("back");

    s.click_id("brief-new-encounter");
    s.wait_text("who-chosen-name", "Hélène Tremblay");
    // Chosen already: the cursor waits in "what happened".
    wait_focus(s, "encounter-notes");
    s.fill("encounter-notes", "Coffee at the park");
    s.click_id("encounter-details-toggle");
    s.fill("encounter-follow-up", "Go with her to the clinic");
    set_date(s, "encounter-follow-up-due", today - chrono::Days::new(3));
    s.click_id("encounter-save");
    s.wait_text("brief-followups", "Go with her to the clinic");
}

/// What the tour needs for the places and the debriefs: a place on the list, two encounters
/// referred to it that asked for a debrief, one referral done and one debrief done.
fn a_place_referrals_and_two_debriefs(app: &App) {
    let s = &app.s;
    s.click_id("nav-team");
    s.click_id("open-places");
    s.click_id("place-add-open");
    s.fill("place-name-input", "Hôpital Notre-Dame");
    crate::cover::choose(s, "place-kind-input", "health_care");
    s.fill("place-address-input", "1560 rue Sherbrooke Est");
    s.fill("place-phone-input", "514 555-0199");
    s.fill("place-hours-input", "24/7");
    s.fill("place-notes-input", "Ask for the social worker");
    s.click_id("place-save");
    s.wait_text("places-list", "Hôpital Notre-Dame");
    for notes in [
        "Went to the hospital together",
        "A hard night at the station",
    ] {
        app.open_brief("Hélène Tremblay");
        s.click_id("brief-new-encounter");
        s.wait_text("who-chosen-name", "Hélène Tremblay");
        s.fill("encounter-notes", notes);
        s.click_id("encounter-details-toggle");
        s.fill("referral-place-search", "hopital");
        let place = s.wait_for("the place offered", || {
            s.all("[data-testid=\"referral-place-result\"]")
                .into_iter()
                .next()
        });
        s.click(&place);
        s.id("referral-chip");
        s.click_id("encounter-debrief");
        s.click_id("encounter-save");
        s.wait_text("brief-encounters", notes);
    }
    s.click(&s.find("[data-testid=\"brief-referral\"] [data-testid=\"referral-done\"]"));
    s.wait_text("brief-referrals", "Done — noted today");
    s.click_id("nav-team");
    s.click_id("open-debriefs");
    s.click_id("debrief-mark-done");
    s.id("debrief-done");
    s.id("debrief-waiting");
}

/// What the tour needs for street contacts and merges: two contacts met on the street, one
/// found to be Hélène; a second record of Hélène merged into hers; someone else to offer.
fn street_contacts_and_a_merged_record(app: &App) {
    let s = &app.s;
    crate::links::record_street_contact(app, "red cap, by the metro", "Gave a hygiene kit");
    crate::links::record_street_contact(app, "green coat, by the station", "Asked about a shelter");
    s.click_id("nav-people");
    s.click_id("open-street");
    s.click_id("street-link-start");
    crate::links::pick_person(app, "street-link", "helene", "Hélène Tremblay");
    s.id("street-linked");
    app.add_person("Hélène T.");
    app.add_person("Jo Roy");
    app.open_brief("Hélène Tremblay");
    s.click_id("merge-start");
    crate::links::pick_person(app, "merge-with", "helene t.", "Hélène T.");
    s.click_id("merge-confirm");
    s.id("merged-record");
}

/// Fails if the page scrolls sideways (a screen wider than the phone).
fn fits(s: &Session, screen: &str) {
    let overflow = s.script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
        json!([]),
    );
    assert!(
        overflow.as_i64().is_some_and(|x| x <= 0),
        "{screen}: the page scrolls sideways by {overflow} px"
    );
    // The bottom bar is fixed, so a label wider than its button never makes the page scroll:
    // it is cut off instead ("Aujourd'hui" at 360 px). Each label must fit in its button.
    let cut = s.script(
        "return [...document.querySelectorAll('.nav-item')]
            .filter(b => b.scrollWidth > b.clientWidth || b.scrollHeight > b.clientHeight
                || b.getBoundingClientRect().right > window.innerWidth + 0.5)
            .map(b => b.textContent)",
        json!([]),
    );
    assert_eq!(
        cut,
        json!([]),
        "{screen}: these labels of the bottom bar do not fit in their buttons"
    );
}

/// Every screen of an unlocked app without a team, audited in the language on screen.
fn tour(app: &App, audit: &mut Audit, lang: &str) {
    let s = &app.s;
    let check = |audit: &mut Audit, screen: &str| audit.check(&format!("{screen} ({lang})"));
    let fr = lang == "fr";

    s.click_id("nav-today");
    s.id("followup-item");
    s.id("recent-item");
    // Dates in words, in the language on screen.
    s.wait_text(
        "followups-due",
        if fr {
            "en retard depuis"
        } else {
            "overdue since"
        },
    );
    check(audit, "today, a follow-up overdue");

    // The cursor waits in "with whom", then in "what happened" once someone is chosen.
    s.click_id("new-encounter");
    s.id("person-search");
    wait_focus(s, "person-search");
    check(audit, "new encounter, nobody chosen");
    s.click_id("encounter-save");
    s.id("encounter-error");
    s.click_id("encounter-details-toggle");
    s.id("encounter-kind");
    check(audit, "new encounter, its errors and every detail open");
    s.fill("person-search", "helene");
    let pick = s.find("[data-testid=\"person-result\"]");
    check(audit, "new encounter, search results");
    s.click(&pick);
    s.wait_text("who-chosen-name", "Hélène Tremblay");
    wait_focus(s, "encounter-notes");
    s.id("goal-touched");
    check(audit, "new encounter, someone chosen");
    s.click_id("who-change");
    s.click_id("who-unknown");
    s.id("encounter-description");
    check(audit, "new encounter, someone unknown");
    s.click_id("encounter-discard");
    s.id("today-screen");

    s.click_id("nav-people");
    s.id("person-row");
    check(audit, "people");
    s.click_id("add-person");
    s.id("new-person-screen");
    check(audit, "new person");
    s.click_id("person-save");
    s.id("new-person-error");
    check(audit, "new person, no name");

    app.open_brief("Hélène Tremblay");
    s.id("goal-row");
    s.id("brief-followup");
    s.wait_text("brief-goals", if fr { "point le " } else { "check in on " });
    s.wait_text(
        "brief-languages",
        if fr {
            "Parle français, anglais"
        } else {
            "Speaks French, English"
        },
    );
    check(audit, "brief");
    s.click_id("consent-save");
    s.id("brief-error");
    check(audit, "brief, a consent not complete");
    s.click_id("followup-give-open");
    s.id("followup-give-to");
    check(audit, "brief, giving a follow-up to another member");
    s.click_id("erase-start");
    s.id("erase-dialog");
    check(audit, "brief, the erase confirmation");
    s.click_id("erase-cancel");

    s.click_id("brief-edit-profile");
    s.id("profile-screen");
    s.wait_for("the profile loaded", || {
        (!s.value("profile-name").is_empty()).then_some(())
    });
    check(audit, "profile");
    s.click_id("back");
    s.click_id("goal-row");
    s.id("goal-step");
    s.id("goal-history-item");
    check(audit, "goal");

    s.click_id("nav-team");
    s.id("member");
    s.id("option");
    check(audit, "team alone, and what the forms offer");
    s.click_id("open-cover");
    s.id("cover-screen");
    s.id("team-followup");
    check(audit, "cover, nobody away, the team's follow-ups");
    // This member marks themself away: their person then waits for someone.
    let me = s.find("[data-testid=\"away-who\"] option:nth-child(2)");
    let me = s.attr(&me, "value").unwrap_or_default();
    crate::cover::choose(s, "away-who", &me);
    s.click_id("away-submit");
    s.id("away-member");
    s.wait_text("needs-people", "Hélène Tremblay");
    s.id("responsible-away");
    check(audit, "cover, a member away and what needs someone");
    s.click_id("mark-back");
    s.wait_for("back", || {
        s.all("[data-testid=\"away-member\"]")
            .is_empty()
            .then_some(())
    });
    // The team's places, referrals and debriefs, at a phone's width.
    s.resize(360, 760);
    s.click_id("nav-team");
    s.click_id("open-places");
    s.id("place");
    s.wait_text(
        "place-checked",
        if fr {
            "Vérifiée aujourd'hui par Sam"
        } else {
            "Last checked today by Sam"
        },
    );
    check(audit, "places, the team's list (360 px)");
    fits(s, "places");
    s.fill("places-search", "nowhere at all");
    s.wait_text(
        "places-empty",
        if fr {
            "Aucune ressource ne correspond."
        } else {
            "No place matches."
        },
    );
    check(audit, "places, nothing found (360 px)");
    crate::places::clear_search(s, "places-search");
    s.id("place");
    s.click_id("place-add-open");
    s.click_id("place-save");
    s.wait_text(
        "places-screen",
        if fr {
            "Une ressource a besoin d'un nom."
        } else {
            "A place needs a name."
        },
    );
    check(audit, "places, a new place without its name (360 px)");
    fits(s, "places, the new place form");
    s.click_id("place-cancel");
    s.click_id("place-edit");
    s.id("place-edit-form");
    check(audit, "places, a place being changed (360 px)");
    s.click_id("place-cancel");
    s.click_id("place-remove");
    s.wait_for("the confirmation", || {
        s.displayed(&s.id("place-remove-dialog")).then_some(())
    });
    check(audit, "places, taking a place off the list (360 px)");
    s.click_id("place-remove-cancel");
    s.click_id("back");
    s.click_id("open-debriefs");
    s.id("debrief-waiting");
    s.id("debrief-done");
    check(audit, "debriefs, one waiting and one done (360 px)");
    fits(s, "debriefs");
    app.open_brief("Hélène Tremblay");
    s.wait_text(
        "brief-referrals",
        if fr {
            "noté aujourd'hui"
        } else {
            "noted today"
        },
    );
    check(audit, "brief, referrals and what came of them (360 px)");
    fits(s, "brief with referrals");
    s.id("merged-record");
    check(audit, "brief, a record merged into it (360 px)");
    s.click_id("merge-start");
    crate::links::pick_person(app, "merge-with", "jo", "Jo Roy");
    s.id("merge-question");
    check(audit, "brief, merging another record into it (360 px)");
    fits(s, "brief, the merge question");
    s.click_id("merge-dialog-cancel");
    s.click_id("erase-start");
    s.wait_text("erase-warning", "Hélène T.");
    check(
        audit,
        "brief, erasing a record with another merged into it (360 px)",
    );
    s.click_id("erase-cancel");
    s.click_id("back");
    s.click_id("open-street");
    s.id("street-linked");
    s.id("street-link-start");
    check(audit, "street contacts, one linked and one not (360 px)");
    fits(s, "street contacts");
    s.click_id("street-link-start");
    s.fill("street-link-search", "nobody by this name");
    s.id("street-link-cancel");
    check(audit, "street contacts, linking one, nobody found (360 px)");
    s.fill("street-link-search", "jo");
    s.wait_text("street-link-results", "Jo Roy");
    check(audit, "street contacts, linking one to a person (360 px)");
    fits(s, "street contacts, linking");
    s.click_id("street-link-cancel");
    app.open_brief("Hélène Tremblay");
    s.click_id("brief-new-encounter");
    s.wait_text("who-chosen-name", "Hélène Tremblay");
    s.click_id("encounter-details-toggle");
    s.fill("referral-place-search", "hopital");
    let place = s.wait_for("the place offered", || {
        s.all("[data-testid=\"referral-place-result\"]")
            .into_iter()
            .next()
    });
    check(
        audit,
        "new encounter, a place offered for a referral (360 px)",
    );
    s.click(&place);
    s.id("referral-chip");
    check(audit, "new encounter, a place picked (360 px)");
    fits(s, "new encounter with a place picked");
    s.click_id("encounter-discard");
    s.id("today-screen");
    s.resize(420, 820);

    s.click_id("nav-report");
    s.id("report-totals");
    s.id("chart-weeks");
    check(audit, "report, with its charts and tables");
    s.click_id("nav-settings");
    s.id("settings-screen");
    check(audit, "settings");

    s.click_id("lock-button");
    s.id("unlock-screen");
    check(audit, "unlock");
    s.fill("unlock-passphrase", "not the passphrase");
    s.click_id("unlock-submit");
    s.wait_for("the wrong passphrase said", || {
        (!s.text(&s.id("unlock-error")).trim().is_empty()).then_some(())
    });
    check(audit, "unlock, a wrong passphrase");
    s.fill("unlock-passphrase", PASSPHRASE);
    s.click_id("unlock-submit");
    s.id("top-bar");
}

#[test]
fn every_screen_without_a_team_passes_the_accessibility_audit_in_english_and_french() {
    let app = App::start();
    let s = &app.s;
    let mut audit = Audit::new(s);

    s.id("setup-form");
    audit.check("first run (en)");
    s.click_id("setup-continue");
    s.id("setup-error");
    audit.check("first run, no name (en)");
    choose_lang(s, "fr");
    audit.check("first run, no name (fr)");
    app.setup_step_one("Sam");
    s.id("team-create-form");
    audit.check("first run, a team or not (fr)");
    choose_lang(s, "en");
    audit.check("first run, a team or not (en)");
    s.click_id("team-local-submit");
    s.id("today-screen");

    a_person_with_a_goal_and_a_late_follow_up(&app);
    a_place_referrals_and_two_debriefs(&app);
    street_contacts_and_a_merged_record(&app);
    tour(&app, &mut audit, "en");
    s.click_id("nav-settings");
    choose_lang(s, "fr");
    tour(&app, &mut audit, "fr");
    audit.finish();
}

#[test]
fn the_audit_runs_the_axe_core_that_scripts_test_installs() {
    let script = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/test"),
    )
    .unwrap();
    assert!(
        script.contains(&format!("\naxe_core_version={}\n", crate::axe::AXE_VERSION)),
        "scripts/test installs another axe-core than tests/app/axe.rs expects"
    );
}
