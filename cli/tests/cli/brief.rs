//! The brief: what a peer reads before seeing someone.

use crate::support::{parse_json, TestVault};

#[test]
fn brief_shows_goals_in_their_words_with_the_next_step() {
    let v = TestVault::new();
    let id = v.add_person(&[
        "--name",
        "François",
        "--pronouns",
        "il",
        "--remember",
        "Meet at the park",
    ]);
    let gid = v.json(&[
        "goal",
        "add",
        "François",
        "--words",
        "Avoir mon propre appart, avec une porte qui barre",
        "--domain",
        "housing",
        "--status",
        "working_on_it",
        "--step",
        "Appeler le bureau du logement",
        "--step",
        "Trouver mon certificat de naissance",
        "--check-in",
        "2030-05-01",
    ])["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let text = v.ok(&["brief", "francois"]);
    assert!(text.starts_with("François (il)"), "{text}");
    assert!(
        text.contains("Avoir mon propre appart, avec une porte qui barre"),
        "{text}"
    );
    assert!(text.contains("Working on it"), "{text}");
    assert!(
        text.contains("next step: Appeler le bureau du logement"),
        "{text}"
    );
    assert!(text.contains("Meet at the park"));

    // Ticking the first step makes the second one next.
    let goals = v.json(&["goal", "list", &id]);
    let step = goals[0]["steps"][0]["id"].as_str().unwrap().to_owned();
    v.ok(&["goal", "tick", &id, &gid, &step]);
    let fr = v.ok(&["brief", "francois", "--lang", "fr"]);
    assert!(
        fr.contains("prochaine étape: Trouver mon certificat de naissance"),
        "{fr}"
    );
    assert!(fr.contains("En cours") && fr.contains("Objectifs"), "{fr}");
    assert!(fr.contains("01/05/2030"), "dates the French way: {fr}");

    v.ok(&["goal", "tick", &id, &gid, &step, "--undo"]);
    v.ok(&[
        "goal",
        "edit",
        &id,
        &gid,
        "--status",
        "reached",
        "--check-in",
        "none",
    ]);
    let b = v.json(&["brief", &id]);
    assert_eq!(b["id"], id.as_str());
    assert_eq!(b["name"], "François");
    assert_eq!(
        b["goals"][0]["words"],
        "Avoir mon propre appart, avec une porte qui barre"
    );
    assert_eq!(b["goals"][0]["status"], "reached");
    assert!(b["goals"][0]["next_check_in"].is_null());
    assert!(b["goals"][0]["steps"][0]["done_at"].is_null(), "unticked");
    assert_eq!(b["encounter_count"], 0);
    assert!(b["conflicts"].as_array().unwrap().is_empty());
}

#[test]
fn brief_lists_last_encounters_follow_ups_and_consent() {
    let v = TestVault::new();
    let id = v.add_person(&["--name", "Tina"]);
    v.ok(&[
        "goal",
        "add",
        "Tina",
        "--words",
        "See a dentist",
        "--step",
        "Call the clinic",
    ]);
    v.ok(&[
        "encounter",
        "add",
        "Tina",
        "--at",
        "2025-03-10 09:30",
        "--kind",
        "street_outreach",
        "--notes",
        "Cold this morning, left socks",
        "--given",
        "clothing",
        "--follow-up",
        "Bring the clinic's number",
        "--due",
        "2025-03-14",
    ]);
    v.ok(&[
        "person",
        "consent",
        "Tina",
        "--what",
        "Notes",
        "--use",
        "accompaniment",
    ]);
    let text = v.ok(&["brief", "Tina"]);
    for expected in [
        "Street outreach",
        "Cold this morning, left socks",
        "Clothing",
        "Bring the clinic's number",
        "notes to accompany me",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in {text}");
    }
    let b = v.json(&["brief", &id]);
    assert_eq!(
        b["last_encounters"][0]["notes"],
        "Cold this morning, left socks"
    );
    assert_eq!(b["open_follow_ups"][0]["what"], "Bring the clinic's number");
    assert_eq!(b["open_follow_ups"][0]["due"], "2025-03-14");

    let out = v.run(&[
        "--json",
        "goal",
        "edit",
        &id,
        "no-such-goal",
        "--status",
        "paused",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(parse_json(&out)["error"]["code"], "not_found");
}
