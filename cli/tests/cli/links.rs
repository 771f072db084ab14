//! `tandem street link|unlink|list` and `tandem person merge|unmerge`.

use crate::support::{stderr, stdout, TestVault};

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

#[test]
fn erasing_a_merged_record_needs_each_merged_record_named() {
    let v = TestVault::new();
    let keep = v.add_person(&["--name", "Hélène"]);
    let other = v.add_person(&["--name", "Lénie"]);
    v.add_person(&["--name", "Sam"]);
    v.ok(&["person", "merge", &keep, &other]);

    // Without naming the merged record: refused, nothing erased, and no name in the words.
    for lang in ["en", "fr"] {
        let out = v.run(&["--lang", lang, "person", "erase", &keep, "--yes"]);
        assert!(!out.status.success());
        let err = stderr(&out);
        assert!(err.contains("--also"), "{err}");
        assert!(!err.contains("Lénie") && !err.contains("Hélène"), "{err}");
    }
    // Naming a record that is not merged into it: refused too.
    let out = v.run(&[
        "person", "erase", &keep, "--yes", "--also", &other, "--also", &keep,
    ]);
    assert!(!out.status.success(), "{}", stdout(&out));
    assert_eq!(
        v.json(&["person", "list"]).as_array().map(Vec::len),
        Some(2)
    );

    let done = v.json(&["person", "erase", &keep, "--yes", "--also", &other[..8]]);
    assert_eq!(done["erased"], keep.as_str());
    assert_eq!(done["merged"][0], other.as_str());
    let people = v.json(&["person", "list"]);
    assert_eq!(people.as_array().map(Vec::len), Some(1), "Sam stays");
    assert_eq!(people[0]["name"], "Sam");
}
