//! The team's own settings: what the forms offer.

use crate::support::{parse_json, TestVault};

#[test]
fn options_are_added_and_removed_and_show_in_the_team() {
    let v = TestVault::new();
    let j = v.json(&["team", "option-add", "given", "Bus tickets"]);
    let given = j["settings"]["given_items"].as_array().unwrap();
    assert_eq!(given.last().unwrap(), "Bus tickets");
    let j = v.json(&["team", "option-remove", "given", "clothing"]);
    let given = j["settings"]["given_items"].as_array().unwrap();
    assert!(!given.iter().any(|g| g == "clothing"));
    let text = v.ok(&["team", "show"]);
    assert!(text.contains("Bus tickets"), "{text}");

    // A list that is not one, or an option on two lines: a clear error, nothing changed.
    let out = v.run(&["--json", "team", "option-add", "shoes", "Boots"]);
    assert!(!out.status.success());
    let out = v.run(&["--json", "team", "option-add", "kinds", "a\nb"]);
    assert!(!out.status.success());
    assert_eq!(parse_json(&out)["error"]["code"], "invalid_input");
    let out = v.run(&["--json", "team", "option-remove", "given", "Clothing"]);
    assert!(!out.status.success());
    assert_eq!(parse_json(&out)["error"]["code"], "not_found");
    let team = v.json(&["team", "show"]);
    assert_eq!(
        team["settings"]["encounter_kinds"]
            .as_array()
            .unwrap()
            .len(),
        6
    );
}
