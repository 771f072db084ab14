//! Hand-over in the real window: a peer marks a colleague away, finds the colleague's person
//! in "needs someone", takes them with a note, and reads the note on the brief.

use crate::ui::{App, PASSPHRASE};
use crate::webdriver::Session;
use serde_json::json;
use tandem_core::{NewVault, Passphrase, Vault};
use tandem_model::{NewFollowUp, NewPerson};

/// Picks `value` in the `<select>` with this test id, as a person choosing would (the
/// change event the app listens to).
pub fn choose(s: &Session, testid: &str, value: &str) {
    s.id(testid);
    s.script(
        "const [id, v] = arguments; \
         const el = document.querySelector(`[data-testid=\"${id}\"]`); \
         el.value = v; el.dispatchEvent(new Event('change', { bubbles: true }));",
        json!([testid, value]),
    );
}

/// Sam's vault, in a team where Bea (another device, joined from the team document) wrote
/// Hélène's record and a follow-up: what Sam's device holds once it has synced with Bea's.
/// Returns Bea's member id.
fn sams_vault_with_beas_person(vault: &std::path::Path, bea_dir: &std::path::Path) -> String {
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
    let helene = bea
        .add_person(&NewPerson {
            name: "Hélène Tremblay".into(),
            ..NewPerson::default()
        })
        .unwrap();
    let due = chrono::Local::now().date_naive();
    bea.add_follow_up(
        &helene,
        &NewFollowUp {
            what: "Go with her to the clinic".into(),
            due: Some(due),
        },
    )
    .unwrap();
    for e in bea.outbox(1000).unwrap() {
        sam.apply_changes(&e.doc_id, e.kind, &[&e.bytes]).unwrap();
    }
    bea.member_id().to_string()
}

#[test]
fn a_colleague_away_their_person_is_taken_with_a_note_read_on_the_brief() {
    let home = tempfile::tempdir().unwrap();
    let bea = sams_vault_with_beas_person(&home.path().join("vault"), &home.path().join("bea"));
    let app = App::start_in(home);
    let s = &app.s;
    s.fill("unlock-passphrase", PASSPHRASE);
    s.click_id("unlock-submit");
    s.id("today-screen");
    // Bea's follow-up is hers: not on Sam's Today.
    s.wait_for("Today loaded", || {
        let t = s.text(&s.id("today-screen"));
        t.contains("Today").then_some(())
    });
    assert!(s.all("[data-testid=\"followup-item\"]").is_empty());

    s.click_id("nav-team");
    s.click_id("open-cover");
    s.id("cover-screen");
    choose(s, "away-who", &bea);
    choose(s, "away-reason", "leave");
    s.click_id("away-submit");
    s.wait_text("away-list", "Bea");
    let row = s.wait_text("needs-people", "Hélène Tremblay");
    assert!(row.contains("Bea"), "who accompanied her is said: {row}");
    s.wait_text("needs-followups", "Go with her to the clinic");
    s.wait_text("team-followups", "Go with her to the clinic");
    s.id("responsible-away");

    let person = s.find("[data-testid=\"needs-person\"]");
    let note = s.find("[data-testid=\"needs-person\"] [data-testid=\"handover-note\"]");
    s.type_into(
        &note,
        "She prefers a call in the morning; clinic on Tuesday.",
    );
    let take = s.find("[data-testid=\"needs-person\"] [data-testid=\"take-person\"]");
    let _ = person;
    s.click(&take);
    s.wait_for("Hélène no longer waiting", || {
        s.all("[data-testid=\"needs-person\"]")
            .is_empty()
            .then_some(())
    });
    // The follow-up still waits: taking the person is not taking Bea's follow-up.
    s.wait_text("needs-followups", "Go with her to the clinic");
    s.click(&s.find("[data-testid=\"needs-followup\"] [data-testid=\"take-followup\"]"));
    s.wait_for("the follow-up taken", || {
        s.all("[data-testid=\"needs-followup\"]")
            .is_empty()
            .then_some(())
    });

    app.open_brief("Hélène Tremblay");
    s.wait_text(
        "brief-handovers",
        "She prefers a call in the morning; clinic on Tuesday.",
    );
    s.wait_text("brief-handovers", "Sam");
    let who = s.wait_text("brief-accompanied", "Sam");
    assert!(who.contains("Bea"), "{who}");
    s.wait_text("followup-responsible", "Sam");
    // Now Sam's: on Today.
    s.click_id("nav-today");
    s.wait_text("followups-due", "Go with her to the clinic");
}
