//! Help everywhere, and usage errors.

use crate::support::{parse_json, stdout, tandem};

#[test]
fn every_noun_has_help() {
    let nouns = [
        "vault",
        "person",
        "goal",
        "encounter",
        "followup",
        "brief",
        "team",
        "demo",
        "report",
        "places",
        "debriefs",
    ];
    for noun in nouns {
        let out = tandem().args([noun, "--help"]).output().unwrap();
        assert!(out.status.success(), "{noun} --help");
        let text = stdout(&out);
        assert!(text.contains("Usage: tandem"), "{noun}: {text}");
    }
    let top = stdout(&tandem().arg("--help").output().unwrap());
    for noun in nouns {
        assert!(top.contains(noun), "top help lists {noun}");
    }
    let add = stdout(
        &tandem()
            .args(["encounter", "add", "--help"])
            .output()
            .unwrap(),
    );
    assert!(
        add.contains("--anonymous") && add.contains("--follow-up"),
        "{add}"
    );
}

#[test]
fn usage_errors_exit_with_2() {
    let out = tandem().args(["person", "add"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--name"));

    let out = tandem()
        .args([
            "--json", "goal", "add", "X", "--words", "w", "--status", "done",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let j = parse_json(&out);
    assert_eq!(j["error"]["code"], "invalid_input");
    assert!(
        j["error"]["message"]
            .as_str()
            .unwrap()
            .contains("working_on_it"),
        "{j}"
    );

    let out = tandem()
        .args(["encounter", "add", "Sam", "--anonymous"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "a person or --anonymous, not both"
    );
}
