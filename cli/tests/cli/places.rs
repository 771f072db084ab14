//! `tandem places …`: the team's list of places, in text and JSON, both languages.

use crate::support::{parse_json, stdout, TestVault};

#[test]
fn places_are_added_found_without_accents_edited_checked_and_removed() {
    let v = TestVault::new();
    let id = v.ok(&[
        "places",
        "add",
        "--name",
        "Hôpital Saint-Luc",
        "--kind",
        "health_care",
        "--phone",
        "+1 514 890-8000",
        "--hours",
        "24 h",
    ]);
    let id = id.trim().to_owned();
    assert_eq!(id.len(), 32, "{id}");
    v.ok(&[
        "places",
        "add",
        "--name",
        "Refuge du Vieux-Port",
        "--kind",
        "shelter",
    ]);

    let found = v.json(&["places", "search", "hopital"]);
    assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found[0]["id"], id.as_str());
    assert_eq!(found[0]["phone"], "+1 514 890-8000");
    let text = v.ok(&["--lang", "fr", "places", "list"]);
    assert!(
        text.contains("Hôpital Saint-Luc") && text.contains("Soins de santé"),
        "{text}"
    );
    assert!(text.contains("Hébergement d'urgence"), "{text}");
    assert!(text.contains("vérifié le"), "{text}");

    v.ok(&[
        "places",
        "edit",
        "hopital",
        "--hours",
        "8 h – 20 h",
        "--phone",
        "",
    ]);
    let shown = v.json(&["places", "show", &id[..8]]);
    assert_eq!(shown["hours"], "8 h – 20 h");
    assert!(shown["phone"].is_null(), "cleared: {shown}");
    v.ok(&["places", "check", "Hôpital Saint-Luc"]);

    v.ok(&["places", "remove", "refuge"]);
    let names: Vec<String> = v
        .json(&["places", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["Hôpital Saint-Luc"]);
    let all = v.json(&["places", "list", "--removed"]);
    assert_eq!(all.as_array().unwrap().len(), 2);
    let text = v.ok(&["places", "list", "--removed"]);
    assert!(text.contains("off the list"), "{text}");
}

#[test]
fn a_phone_that_a_spreadsheet_would_run_is_refused_with_its_code() {
    let v = TestVault::new();
    let out = v.run(&[
        "--json",
        "places",
        "add",
        "--name",
        "Clinique",
        "--phone",
        "=HYPERLINK(\"http://evil\")",
    ]);
    assert!(!out.status.success());
    assert_eq!(parse_json(&out)["error"]["code"], "invalid_input");
    assert_eq!(
        stdout(&v.run(&["places", "list"])).trim(),
        "No places on the list."
    );
    let out = v.run(&["places", "add", "--kind", "shelter"]);
    assert!(!out.status.success(), "a name is needed");
}
