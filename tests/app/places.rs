//! The team's places, referrals and debriefs in the real window: a place added and found by
//! a search typed without accents, changed and marked still right; a new encounter refers
//! the person to it (and somewhere typed in words) and asks for a debrief; the referral is
//! marked done on the brief, the debrief on the Debriefs screen; all of it still there after
//! a lock. And a place a member gone bad wrote with a client of their own shows as words, cut
//! to its bounds, never as markup.

use crate::cover::choose;
use crate::ui::{App, PASSPHRASE};
use automerge::transaction::Transactable;
use automerge::{ObjType, ScalarValue, ROOT};
use tandem_core::{DocKind, NewVault, Passphrase, Vault};

/// Empties a search field as a person deleting what they typed would (the input event the
/// app listens to).
pub fn clear_search(s: &crate::webdriver::Session, testid: &str) {
    s.id(testid);
    s.script(
        "const el = document.querySelector(`[data-testid=\"${arguments[0]}\"]`); \
         el.value = ''; el.dispatchEvent(new Event('input', { bubbles: true }));",
        serde_json::json!([testid]),
    );
}

/// The `[data-testid=place]` row whose text holds `name`, once it shows.
fn place_row(app: &App, name: &str) -> crate::webdriver::El {
    let s = &app.s;
    s.wait_for(&format!("{name} on the list"), || {
        s.all("[data-testid=\"place\"]")
            .into_iter()
            .find(|e| s.text(e).contains(name))
    })
}

/// An element inside the place row holding `name`.
fn in_place(app: &App, name: &str, testid: &str) -> crate::webdriver::El {
    let s = &app.s;
    s.wait_for(&format!("{testid} of {name}"), || {
        let rows = s.all("[data-testid=\"place\"]");
        let i = rows.iter().position(|e| s.text(e).contains(name))?;
        s.all(&format!(
            "[data-testid=\"places-list\"] > li:nth-child({}) [data-testid=\"{testid}\"]",
            i + 1
        ))
        .into_iter()
        .next()
    })
}

fn add_place(app: &App, name: &str, kind: &str, address: &str) {
    let s = &app.s;
    s.click_id("place-add-open");
    s.fill("place-name-input", name);
    choose(s, "place-kind-input", kind);
    s.fill("place-address-input", address);
    s.click_id("place-save");
    place_row(app, name);
}

#[test]
fn a_place_is_found_without_accents_referred_to_and_its_referral_and_debrief_marked_done() {
    let app = App::start();
    let s = &app.s;
    app.first_run_alone("Sam");
    app.add_person("Hélène Tremblay");

    s.click_id("nav-team");
    s.click_id("open-places");
    s.id("places-screen");
    s.wait_text("places-empty", "No place on the list yet.");

    // A name is needed; then the place is on the list, checked today by whoever added it.
    s.click_id("place-add-open");
    s.click_id("place-save");
    s.wait_text("places-screen", "A place needs a name.");
    s.fill("place-name-input", "Hôpital Notre-Dame");
    choose(s, "place-kind-input", "health_care");
    s.fill("place-address-input", "1560 rue Sherbrooke Est");
    s.fill("place-phone-input", "514 555-0199");
    s.fill("place-hours-input", "24/7");
    s.fill(
        "place-notes-input",
        "Ask for the social worker on the 3rd floor",
    );
    s.click_id("place-save");
    let row = s.text(&place_row(&app, "Hôpital Notre-Dame"));
    for shown in [
        "Health care",
        "1560 rue Sherbrooke Est",
        "514 555-0199",
        "24/7",
        "Ask for the social worker on the 3rd floor",
        "Last checked today by Sam",
    ] {
        assert!(row.contains(shown), "{shown:?} in {row}");
    }
    add_place(&app, "Refuge Sainte-Anne", "shelter", "22 rue Ontario");

    // Searched as typed, accents and case ignored: only the hospital.
    s.fill("places-search", "HOPITAL sherbrooke");
    s.wait_for("only the hospital found", || {
        let rows = s.all("[data-testid=\"place\"]");
        (rows.len() == 1 && s.text(&rows[0]).contains("Hôpital Notre-Dame")).then_some(())
    });
    // By its kind's words too, in either language.
    s.fill("places-search", "hebergement");
    s.wait_for("only the shelter found", || {
        let rows = s.all("[data-testid=\"place\"]");
        (rows.len() == 1 && s.text(&rows[0]).contains("Refuge Sainte-Anne")).then_some(())
    });
    s.fill("places-search", "nowhere at all");
    s.wait_text("places-empty", "No place matches.");
    clear_search(s, "places-search");
    place_row(&app, "Refuge Sainte-Anne");

    // Changed: only the hours; then still right.
    s.click(&in_place(&app, "Hôpital Notre-Dame", "place-edit"));
    s.id("place-edit-form");
    s.fill("place-hours-input", "Mon–Fri 8:00–20:00");
    s.click_id("place-save");
    s.wait_text("places-list", "Mon–Fri 8:00–20:00");
    assert!(s.text(&s.id("places-list")).contains("514 555-0199"));
    s.click(&in_place(&app, "Hôpital Notre-Dame", "place-check"));
    s.wait_text("notice", "Noted as still right.");

    // A new encounter refers Hélène to it (found without accents) and somewhere in words,
    // and asks for a debrief.
    app.open_brief("Hélène Tremblay");
    s.click_id("brief-new-encounter");
    s.wait_text("who-chosen-name", "Hélène Tremblay");
    s.fill("encounter-notes", "Walked with her to the hospital door");
    s.click_id("encounter-details-toggle");
    s.fill("referral-place-search", "hopital");
    let result = s.wait_for("the hospital offered", || {
        s.all("[data-testid=\"referral-place-result\"]")
            .into_iter()
            .find(|e| s.text(e).contains("Hôpital Notre-Dame"))
    });
    s.click(&result);
    s.wait_text("referral-picked", "Hôpital Notre-Dame");
    assert!(
        s.all("[data-testid=\"referral-place-result\"]").is_empty(),
        "the search is cleared once a place is picked"
    );
    s.fill("encounter-referrals", "CLSC des Faubourgs");
    s.click_id("encounter-debrief");
    s.click_id("encounter-save");
    s.wait_text("brief-name", "Hélène Tremblay");
    let refs = s.wait_text("brief-referrals", "Hôpital Notre-Dame");
    assert!(refs.contains("CLSC des Faubourgs"), "{refs}");
    assert!(refs.contains("Not known yet"), "{refs}");

    // The referral to the hospital happened.
    let done = s.find("[data-testid=\"brief-referral\"] [data-testid=\"referral-done\"]");
    s.click(&done);
    s.wait_for("the referral noted done", || {
        let first = s
            .all("[data-testid=\"referral-outcome\"]")
            .into_iter()
            .next()?;
        s.text(&first)
            .contains("Done — noted today by Sam")
            .then_some(())
    });
    let pressed = s.find("[data-testid=\"brief-referral\"] [data-testid=\"referral-done\"]");
    assert_eq!(s.attr(&pressed, "aria-pressed").as_deref(), Some("true"));
    let outcomes: Vec<String> = s
        .all("[data-testid=\"referral-outcome\"]")
        .iter()
        .map(|e| s.text(e))
        .collect();
    assert_eq!(outcomes.len(), 2);
    assert!(
        outcomes[1].contains("Not known yet"),
        "the other one: {outcomes:?}"
    );

    // The debrief, on the team's list until it took place.
    s.click_id("nav-team");
    s.click_id("open-debriefs");
    s.id("debriefs-screen");
    s.wait_text("debriefs-waiting", "Asked by Sam");
    let list = s.text(&s.id("debriefs-screen"));
    assert!(
        !list.contains("Hélène") && !list.contains("hospital door"),
        "the list names neither the person nor the notes: {list}"
    );
    s.click_id("debrief-mark-done");
    s.wait_text("debriefs-done", "Done: noted today by Sam");
    s.wait_text("debriefs-screen", "No debrief is waiting.");

    // Kept in the vault: locked and unlocked, all of it is still there.
    s.click_id("lock-button");
    s.id("unlock-screen");
    s.fill("unlock-passphrase", PASSPHRASE);
    s.click_id("unlock-submit");
    s.wait_text("debriefs-done", "Done: noted today by Sam");
    assert!(s.all("[data-testid=\"debrief-waiting\"]").is_empty());
    app.open_brief("Hélène Tremblay");
    s.wait_text("brief-referrals", "Done — noted today by Sam");
    s.click_id("nav-team");
    s.click_id("open-places");
    let row = s.text(&place_row(&app, "Hôpital Notre-Dame"));
    assert!(row.contains("Mon–Fri 8:00–20:00"), "{row}");
    place_row(&app, "Refuge Sainte-Anne");
}

/// Sam's vault holding a place that Bea, a member gone bad, wrote into the team document
/// with a client of her own: markup for a name, fields far past their bounds.
fn sams_vault_with_a_hostile_place(vault: &std::path::Path, bea_dir: &std::path::Path) {
    let pass = Passphrase::new(PASSPHRASE);
    let mut sam = Vault::create(
        vault,
        &pass,
        &NewVault {
            member_name: "Sam".into(),
            team_name: "Équipe Centre-Sud".into(),
        },
    )
    .unwrap();
    let team_id = sam.team_id().to_owned();
    let team_doc = sam.document_bytes(&team_id).unwrap();
    let mut bea = Vault::join(bea_dir, &pass, "Bea", &team_doc).unwrap();
    // What Sam's device holds once it has synced with Bea's: her joining, then her place.
    for e in bea.outbox(1000).unwrap() {
        sam.apply_changes(&e.doc_id, e.kind, &[&e.bytes]).unwrap();
    }
    let bytes = bea.document_bytes(&team_id).unwrap();
    let mut doc = automerge::Automerge::load(&bytes).unwrap();
    let heads = doc.get_heads();
    let mut tx = doc.transaction();
    let places = tx.put_object(ROOT, "places", ObjType::Map).unwrap();
    let p = tx.put_object(&places, "0badc0de", ObjType::Map).unwrap();
    let name = format!(
        "<img src=x onerror=\"document.title='owned'\">Refuge{}",
        "é".repeat(1000)
    );
    tx.put(&p, "name", name).unwrap();
    tx.put(&p, "address", "<script>document.title='owned'</script>")
        .unwrap();
    tx.put(&p, "hours", "x".repeat(50_000)).unwrap();
    let notes = tx.put_object(&p, "notes", ObjType::Text).unwrap();
    tx.splice_text(&notes, 0, 0, &"n".repeat(100_000)).unwrap();
    tx.put(&p, "checked_at", ScalarValue::Timestamp(0)).unwrap();
    tx.commit();
    let change = doc.save_after(&heads);
    sam.apply_changes(&team_id, DocKind::Team, &[&change])
        .unwrap();
}

#[test]
fn a_place_a_member_gone_bad_wrote_shows_as_words_cut_to_its_bounds() {
    let home = tempfile::tempdir().unwrap();
    sams_vault_with_a_hostile_place(&home.path().join("vault"), &home.path().join("bea"));
    let app = App::start_in(home);
    let s = &app.s;
    s.fill("unlock-passphrase", PASSPHRASE);
    s.click_id("unlock-submit");
    s.id("today-screen");
    s.click_id("nav-team");
    s.click_id("open-places");
    let row = place_row(&app, "<img src=x onerror=");
    assert!(
        s.all("[data-testid=\"places-list\"] img, [data-testid=\"places-list\"] script")
            .is_empty(),
        "markup in a place is shown as words"
    );
    let title = s.script("return document.title", serde_json::json!([]));
    assert_eq!(title.as_str(), Some("Tandem"));
    let name = s.text(&s.find("[data-testid=\"place-name\"]"));
    assert_eq!(name.chars().count(), 200, "the name cut to its bound");
    let notes = s.text(&s.find("[data-testid=\"place-notes\"]"));
    assert_eq!(notes.chars().count(), 2_000, "the notes cut to theirs");
    let hours = s.text(&s.find("[data-testid=\"place-hours\"]"));
    assert_eq!(hours.chars().count(), 300);
    assert!(s
        .text(&row)
        .contains("<script>document.title='owned'</script>"));
    // Searching it works as for any place.
    s.fill("places-search", "refuge");
    place_row(&app, "<img src=x onerror=");
}
