//! Hand-over and cover from the command line: a colleague away, their person and follow-up
//! waiting, taken with a note read on the brief; a follow-up given to another member.

use crate::support::{stdout, TestVault, PASSPHRASE};
use tandem_core::{Passphrase, Vault};

/// Adds a colleague, "Bea", to the test vault's team as a second device would (her vault
/// joins from the team document; her changes are applied to Ana's vault as a sync would).
/// Returns Bea's member id; her vault is left in `tmp`.
fn add_colleague(v: &TestVault, tmp: &std::path::Path) -> String {
    let pass = Passphrase::new(PASSPHRASE);
    let mut ana = Vault::open(v.dir(), &pass).unwrap();
    let team_id = ana.team_id().to_owned();
    let team_doc = ana.document_bytes(&team_id).unwrap();
    let bea = Vault::join(&tmp.join("bea"), &pass, "Bea", &team_doc).unwrap();
    for e in bea.outbox(1000).unwrap() {
        ana.apply_changes(&e.doc_id, e.kind, &[&e.bytes]).unwrap();
    }
    bea.member_id().to_string()
}

#[test]
fn a_colleague_away_leaves_a_person_to_take_with_a_note() {
    let v = TestVault::new();
    let tmp = tempfile::tempdir().unwrap();
    let bea = add_colleague(&v, tmp.path());
    let members = v.json(&["cover", "members"]);
    let present: Vec<&str> = members["present"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(present, ["Ana", "Bea"]);

    v.add_person(&["--name", "Darlene"]);
    let fid = v.json(&[
        "followup",
        "add",
        "Darlene",
        "--what",
        "Bring the form",
        "--due",
        "2031-06-01",
    ])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Ana accompanies Darlene; Bea too, then Ana hands the follow-up to Bea.
    v.ok(&["cover", "accompany", "Darlene", "--add", "Bea"]);
    v.ok(&["cover", "assign", "Darlene", &fid, "--to", "Bea"]);
    let mine = v.json(&["followup", "due", "--until", "2099-12-31"]);
    assert_eq!(mine, serde_json::json!([]), "no longer Ana's");
    let team = v.json(&["followup", "due", "--until", "2099-12-31", "--team"]);
    assert_eq!(
        team["follow_ups"][0]["follow_up"]["responsible"],
        bea.as_str()
    );
    let text = v.ok(&["followup", "due", "--until", "2099-12-31", "--team"]);
    assert!(
        text.contains("Bea") && text.contains("Bring the form"),
        "{text}"
    );

    // Ana stops accompanying Darlene, then Bea goes on leave: Darlene and the follow-up wait.
    v.ok(&["cover", "accompany", "Darlene", "--remove", "Ana"]);
    assert!(v.ok(&["cover", "away", "Bea"]).starts_with("Marked away"));
    let needs = v.json(&["cover", "needs"]);
    assert_eq!(needs["people"][0]["name"], "Darlene");
    assert_eq!(needs["follow_ups"][0]["follow_up"]["id"], fid.as_str());
    let text = v.ok(&["--lang", "fr", "cover", "needs"]);
    assert!(text.contains("Personnes qui attendent quelqu'un"), "{text}");
    assert!(
        text.contains("Darlene") && text.contains("accompagnée par Bea"),
        "{text}"
    );
    let team = v.ok(&["followup", "due", "--until", "2099-12-31", "--team"]);
    assert!(team.contains("Bea (away)"), "{team}");
    // Bea is away: nothing new is given to her.
    let refused = v.run(&["--json", "cover", "assign", "Darlene", &fid, "--to", "Bea"]);
    assert!(!refused.status.success());
    assert!(
        stdout(&refused).contains("invalid_input"),
        "{}",
        stdout(&refused)
    );

    let note = "Prefers a call in the morning";
    v.ok(&["cover", "take", "Darlene", "--note", note]);
    v.ok(&["cover", "take-followup", "Darlene", &fid]);
    let needs = v.json(&["cover", "needs"]);
    assert_eq!(needs["people"], serde_json::json!([]));
    assert_eq!(needs["follow_ups"], serde_json::json!([]));
    let brief = v.ok(&["brief", "Darlene"]);
    assert!(
        brief.contains("Accompanied by: Ana, Bea") || brief.contains("Accompanied by: Bea, Ana"),
        "{brief}"
    );
    assert!(brief.contains(note), "{brief}");
    let fr = v.ok(&["--lang", "fr", "brief", "Darlene"]);
    assert!(fr.contains("Notes de relais"), "{fr}");

    v.ok(&["cover", "back", "Bea"]);
    let members = v.json(&["cover", "members"]);
    assert_eq!(members["away"], serde_json::json!([]));
}

#[test]
fn an_unknown_member_is_refused() {
    let v = TestVault::new();
    v.add_person(&["--name", "Darlene"]);
    let out = v.run(&["--json", "cover", "away", "Nobody"]);
    assert!(!out.status.success());
    assert!(stdout(&out).contains("not_found"), "{}", stdout(&out));
}
