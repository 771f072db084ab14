//! Street contacts that become people, and two records of one person merged, in the real
//! window: a contact met on the street is linked later ("this was Marc") and shows on his
//! brief, still after a lock, and can be unlinked; two records of Jo are merged (both
//! records' encounters on one brief, one row in People), taken apart and merged again; the
//! erase confirmation then names the merged record, and erasing takes both.

use crate::ui::{App, PASSPHRASE};

/// From anywhere: an encounter with someone not known yet, recognised by `description`.
pub fn record_street_contact(app: &App, description: &str, notes: &str) {
    let s = &app.s;
    s.click_id("nav-today");
    s.click_id("new-encounter");
    s.click_id("who-unknown");
    s.fill("encounter-description", description);
    s.fill("encounter-notes", notes);
    s.click_id("encounter-save");
    s.id("today-screen");
}

/// Picks the first person a picker (`street-link`, `merge-with`) finds for `search`.
pub fn pick_person(app: &App, picker: &str, search: &str, name: &str) {
    let s = &app.s;
    s.fill(&format!("{picker}-search"), search);
    let pick = s.wait_for(&format!("{name} offered"), || {
        s.all(&format!("[data-testid=\"{picker}-result\"]"))
            .into_iter()
            .find(|e| s.text(e).contains(name))
    });
    s.click(&pick);
}

fn people_rows(app: &App) -> Vec<String> {
    let s = &app.s;
    s.all("[data-testid=\"person-row\"]")
        .iter()
        .map(|e| s.text(e))
        .collect()
}

#[test]
fn a_street_contact_linked_later_shows_on_the_persons_brief() {
    let app = App::start();
    let s = &app.s;
    app.first_run_alone("Sam");
    app.add_person("Marc Gagnon");
    record_street_contact(
        &app,
        "green coat, by the station",
        "Naloxone kit, asked about a shelter",
    );

    s.click_id("nav-people");
    s.click_id("open-street");
    s.wait_text("street-entries", "green coat, by the station");
    s.wait_text("street-entries", "recorded by Sam");
    s.click_id("street-link-start");
    pick_person(&app, "street-link", "marc", "Marc Gagnon");
    s.wait_text("notice", "Linked");
    s.wait_text("street-linked", "This was Marc Gagnon");
    s.wait_text("street-linked", "linked today by Sam");
    assert!(
        s.all("[data-testid=\"street-link-start\"]")
            .iter()
            .all(|b| !s.displayed(b)),
        "a linked contact offers no second link"
    );

    // It shows on his brief with its own words, and is still there after a lock.
    s.click_id("street-linked-person");
    s.wait_text("brief-name", "Marc Gagnon");
    s.wait_text("brief-encounters", "Naloxone kit, asked about a shelter");
    s.click_id("lock-button");
    s.fill("unlock-passphrase", PASSPHRASE);
    s.click_id("unlock-submit");
    s.wait_text("brief-encounters", "Naloxone kit, asked about a shelter");

    // Not him after all: unlinked, it leaves his brief and is an anonymous contact again.
    s.click_id("back");
    s.click_id("open-street");
    s.click_id("street-unlink");
    s.wait_text("notice", "Unlinked");
    s.id("street-link-start");
    app.open_brief("Marc Gagnon");
    s.wait_for("the contact gone from his brief", || {
        (!s.text(&s.id("brief-screen")).contains("Naloxone kit")).then_some(())
    });

    // Last month has none; the month ahead cannot be opened.
    s.click_id("back");
    s.click_id("open-street");
    s.id("street-entry");
    let next = s.id("street-month-after");
    assert!(
        s.attr(&next, "disabled").is_some(),
        "no month after this one"
    );
    s.click_id("street-month-before");
    s.wait_for("last month's empty log", || {
        s.all("[data-testid=\"street-entry\"]")
            .is_empty()
            .then_some(())
    });
}

#[test]
fn two_records_of_one_person_merge_come_apart_and_are_erased_together() {
    let app = App::start();
    let s = &app.s;
    app.first_run_alone("Sam");
    app.add_person("Jo Tremblay");
    app.record_encounter("tremblay", "Jo Tremblay", "First met at the clinic");
    app.add_person("Jo T.");
    app.record_encounter("jo t.", "Jo T.", "Met again at the station");
    app.add_person("Someone Else");

    app.open_brief("Jo Tremblay");
    s.click_id("merge-start");
    pick_person(&app, "merge-with", "jo", "Jo T.");
    s.wait_text("merge-question", "Merge “Jo T.” into “Jo Tremblay”?");
    s.click_id("merge-confirm");
    s.wait_text("notice", "Merged");
    s.wait_text("merged-records", "Jo T.");
    s.wait_text("merged-records", "merged today by Sam");
    s.wait_text("brief-encounters", "First met at the clinic");
    s.wait_text("brief-encounters", "Met again at the station");
    s.wait_text("brief-name", "Jo Tremblay");

    s.click_id("nav-people");
    s.wait_for("one row for Jo", || {
        let rows = people_rows(&app);
        (rows.len() == 2 && rows.iter().filter(|r| r.contains("Jo ")).count() == 1).then_some(())
    });

    // Not the same person after all: apart again, each with its own encounter.
    app.open_brief("Jo Tremblay");
    s.click_id("unmerge");
    s.wait_text("notice", "Taken out");
    s.wait_for("the merged records gone", || {
        s.all("[data-testid=\"merged-records\"]")
            .iter()
            .all(|e| !s.displayed(e))
            .then_some(())
    });
    s.click_id("nav-people");
    s.wait_for("two rows for Jo", || {
        (people_rows(&app).len() == 3).then_some(())
    });
    app.open_brief("Jo T.");
    s.wait_text("brief-encounters", "Met again at the station");

    // Merged again; the erase confirmation names the merged record, and both go.
    app.open_brief("Jo Tremblay");
    s.click_id("merge-start");
    pick_person(&app, "merge-with", "jo t", "Jo T.");
    s.click_id("merge-confirm");
    s.wait_text("merged-records", "Jo T.");
    s.click_id("erase-start");
    s.wait_text(
        "erase-warning",
        "It also erases the record merged into it: Jo T.",
    );
    s.click_id("erase-confirm");
    s.id("people-screen");
    s.wait_for("only Someone Else left", || {
        let rows = people_rows(&app);
        (rows.len() == 1 && rows[0].contains("Someone Else")).then_some(())
    });
}
