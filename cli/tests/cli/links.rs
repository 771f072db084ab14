//! `tandem street link|unlink|list` and `tandem person merge|unmerge`.

use crate::support::TestVault;

#[test]
fn a_street_entry_is_linked_listed_and_counted_then_unlinked() {
    let v = TestVault::new();
    let marc = v.add_person(&["--name", "Marc"]);
    let entry = v
        .ok(&[
            "encounter",
            "add",
            "--anonymous",
            "--at",
            "2026-11-12T15:00:00Z",
            "--notes",
            "Manteau vert",
        ])
        .trim()
        .to_owned();
    let linked = v.json(&["street", "link", &entry[..8], "Marc"]);
    assert_eq!(linked["person"], marc.as_str());
    let list = v.ok(&["--lang", "fr", "street", "list", "--month", "2026-11"]);
    assert!(list.contains("→ relié à Marc"), "{list}");
    let brief = v.ok(&["brief", "Marc"]);
    assert!(brief.contains("Manteau vert"), "{brief}");
    let r = v.json(&["report", "--month", "2026-11", "--tz", "UTC"]);
    assert_eq!(r["anonymous_contacts"], 1);
    assert_eq!(r["street_contacts_linked"], 1);
    let text = v.ok(&["report", "--month", "2026-11", "--tz", "UTC"]);
    assert!(text.contains("later linked to a person"), "{text}");
    let undone = v.json(&["street", "unlink", &entry]);
    assert_eq!(undone["was_linked"], true);
    let list = v.ok(&["street", "list", "--month", "2026-11"]);
    assert!(!list.contains("linked to"), "{list}");
}

#[test]
fn two_records_are_merged_found_by_the_old_id_and_unmerged() {
    let v = TestVault::new();
    let keep = v.add_person(&["--name", "Hélène"]);
    let other = v.add_person(&["--name", "Lénie"]);
    v.ok(&["goal", "add", &other, "--words", "Refaire ses papiers"]);
    v.ok(&["person", "merge", "Hélène", &other]);
    let people = v.json(&["person", "list"]);
    assert_eq!(people.as_array().map(Vec::len), Some(1));
    let shown = v.json(&["person", "show", &other]);
    assert_eq!(
        shown["id"],
        keep.as_str(),
        "the old id finds the merged record"
    );
    assert_eq!(shown["goals"].as_array().map(Vec::len), Some(1));
    let text = v.ok(&["--lang", "fr", "person", "show", "lenie"]);
    assert!(text.contains("Dossiers fusionnés dans celui-ci"), "{text}");
    let history = v.ok(&["person", "history", &keep]);
    assert!(
        history.contains("merged this record into another of the same person"),
        "{history}"
    );
    v.ok(&["person", "unmerge", &other[..8]]);
    let people = v.json(&["person", "list"]);
    assert_eq!(people.as_array().map(Vec::len), Some(2));
}
