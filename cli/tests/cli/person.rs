//! People: adding, finding, showing, editing, consent, export.

use crate::support::{parse_json, stderr, TestVault};
use std::fs;

#[test]
fn search_ignores_accents_and_case() {
    let v = TestVault::new();
    let id = v.add_person(&[
        "--name",
        "Hélène Côté",
        "--nickname",
        "Lulu",
        "--pronouns",
        "elle",
    ]);
    v.add_person(&["--name", "Sam"]);

    let text = v.ok(&["person", "search", "helene"]);
    assert!(text.contains("Hélène Côté"), "{text}");
    assert!(!text.contains("Sam"), "{text}");

    let found = v.json(&["person", "search", "HELENE"]);
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["id"], id.as_str());
    assert_eq!(found[0]["nicknames"][0], "Lulu");
}

#[test]
fn list_and_show_as_json() {
    let v = TestVault::new();
    let id = v.add_person(&[
        "--name",
        "Zoë",
        "--language",
        "fr",
        "--language",
        "en",
        "--contact",
        "Via le refuge",
        "--remember",
        "Meet at the park, not the clinic",
    ]);
    let list = v.json(&["person", "list"]);
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["name"], "Zoë");
    assert_eq!(list[0]["open_goals"], 0);
    assert_eq!(list[0]["has_conflicts"], false);

    // Found by the start of the id, by name without accents.
    for who in [&id[..8], "zoe"] {
        let rec = v.json(&["person", "show", who]);
        assert_eq!(rec["id"], id.as_str());
        assert_eq!(rec["profile"]["languages"], serde_json::json!(["fr", "en"]));
        assert_eq!(
            rec["profile"]["remember"],
            "Meet at the park, not the clinic"
        );
        assert!(rec["goals"].as_array().unwrap().is_empty());
        assert!(rec["created_at"].is_string());
    }
    let text = v.ok(&["person", "show", "Zoë"]);
    assert!(
        text.contains(&id) && text.contains("Via le refuge"),
        "{text}"
    );
}

#[test]
fn an_unknown_or_ambiguous_person_is_an_error() {
    let v = TestVault::new();
    v.add_person(&["--name", "Alex Martin"]);
    v.add_person(&["--name", "Alex Roy"]);
    let out = v.run(&["--json", "brief", "Alex"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(parse_json(&out)["error"]["code"], "ambiguous");
    let out = v.run(&["brief", "Nobody"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with("tandem: ") && err.contains("no one matches"),
        "{err}"
    );
}

#[test]
fn editing_replaces_only_what_is_given() {
    let v = TestVault::new();
    let id = v.add_person(&[
        "--name",
        "Jordan",
        "--nickname",
        "J",
        "--pronouns",
        "they/them",
    ]);
    v.ok(&[
        "person",
        "edit",
        "Jordan",
        "--nickname",
        "Jo",
        "--nickname",
        "Jojo",
    ]);
    let rec = v.json(&["person", "show", &id]);
    assert_eq!(
        rec["profile"]["nicknames"],
        serde_json::json!(["Jo", "Jojo"])
    );
    assert_eq!(rec["profile"]["pronouns"], "they/them");
    v.ok(&[
        "person",
        "edit",
        "Jojo",
        "--name",
        "Jordan B.",
        "--nickname",
        "",
    ]);
    let rec = v.json(&["person", "show", &id]);
    assert_eq!(rec["profile"]["name"], "Jordan B.");
    assert_eq!(rec["profile"]["nicknames"], serde_json::json!([]));

    let out = v.run(&["--json", "person", "edit", &id]);
    assert_eq!(parse_json(&out)["error"]["code"], "invalid_input");

    let history = v.json(&["person", "history", &id]);
    let actions: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"person.add") && actions.contains(&"profile.edit"),
        "{actions:?}"
    );
    assert_eq!(history[0]["by_name"], "Ana");
}

#[test]
fn consent_is_recorded_and_withdrawn() {
    let v = TestVault::new();
    let id = v.add_person(&["--name", "Noémie"]);
    let c = v.json(&[
        "person",
        "consent",
        "Noémie",
        "--what",
        "Notes to walk with me",
        "--use",
        "accompaniment",
        "--use",
        "research",
        "--on",
        "2025-01-15",
        "--how",
        "spoken",
    ]);
    let cid = c["id"].as_str().unwrap().to_owned();
    v.ok(&[
        "person",
        "withdraw-consent",
        "Noémie",
        &cid,
        "--on",
        "2025-02-01",
    ]);
    let rec = v.json(&["person", "show", &id]);
    let consent = &rec["consents"][0];
    assert_eq!(consent["id"], cid.as_str());
    assert_eq!(
        consent["uses"],
        serde_json::json!(["accompaniment", "research"])
    );
    assert_eq!(consent["given_on"], "2025-01-15");
    assert_eq!(consent["withdrawn_on"], "2025-02-01");

    let out = v.run(&[
        "person", "consent", "Noémie", "--what", "x", "--use", "selling",
    ]);
    assert_eq!(out.status.code(), Some(2), "a bad use is a usage error");
}

#[test]
fn text_export_speaks_french_or_english() {
    let v = TestVault::new();
    v.add_person(&["--name", "Réjean"]);
    v.ok(&[
        "goal",
        "add",
        "Réjean",
        "--words",
        "Retourner à la chorale le jeudi",
    ]);
    let fr = v.ok(&[
        "person", "export", "Réjean", "--format", "text", "--lang", "fr",
    ]);
    assert!(
        fr.contains("Mes objectifs") && !fr.contains("My goals"),
        "{fr}"
    );
    assert!(fr.contains("Retourner à la chorale le jeudi"));
    let en = v.ok(&[
        "person", "export", "Réjean", "--format", "text", "--lang", "en",
    ]);
    assert!(en.contains("My goals"), "{en}");
    // The language also comes from the environment.
    let mut cmd = v.cmd();
    let out = cmd
        .env("LANG", "fr_CA.UTF-8")
        .args(["person", "export", "Réjean", "--format", "text"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("Mes objectifs"));

    let j = v.json(&["person", "export", "Réjean", "--format", "json"]);
    assert_eq!(j["profile"]["name"], "Réjean");
}

#[test]
fn automerge_export_writes_an_automerge_document() {
    let v = TestVault::new();
    v.add_person(&["--name", "Anaïs"]);
    let file = v.dir().parent().unwrap().join("anais.automerge");
    let j = v.json(&[
        "person",
        "export",
        "Anaïs",
        "--format",
        "automerge",
        "--output",
        file.to_str().unwrap(),
    ]);
    let bytes = fs::read(&file).unwrap();
    assert!(bytes.len() > 4);
    assert_eq!(
        &bytes[..4],
        &[0x85, 0x6f, 0x4a, 0x83],
        "Automerge magic bytes"
    );
    assert_eq!(j["bytes"], bytes.len());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            fs::metadata(&file).unwrap().permissions().mode() & 0o077,
            0,
            "private file"
        );
    }
    // Binary never goes into JSON output.
    let out = v.run(&[
        "--json",
        "person",
        "export",
        "Anaïs",
        "--format",
        "automerge",
    ]);
    assert_eq!(parse_json(&out)["error"]["code"], "invalid_input");
}

#[test]
fn erasing_needs_a_yes_and_leaves_nothing_behind() {
    let v = TestVault::new();
    let id = v.add_person(&["--name", "Asked to be forgotten"]);
    v.add_person(&["--name", "Sam"]);
    let out = v.run(&["--json", "person", "erase", "forgotten"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(parse_json(&out)["error"]["code"], "invalid_input");
    assert_eq!(v.json(&["person", "list"]).as_array().unwrap().len(), 2);

    let done = v.json(&["person", "erase", "forgotten", "--yes"]);
    assert_eq!(done["erased"], id.as_str());
    let people = v.json(&["person", "list"]);
    assert_eq!(people.as_array().unwrap().len(), 1);
    assert_eq!(people[0]["name"], "Sam");
    let out = v.run(&["brief", &id]);
    assert_eq!(out.status.code(), Some(1));
}
