//! Follow-ups: added, due, done.

use crate::support::TestVault;

fn due_ids(v: &TestVault, until: &str) -> Vec<String> {
    v.json(&["followup", "due", "--until", until])
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["follow_up"]["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_follow_up_is_due_until_it_is_done() {
    let v = TestVault::new();
    let id = v.add_person(&["--name", "Darlene"]);
    let fid = v.json(&[
        "followup",
        "add",
        "Darlene",
        "--what",
        "Bring the housing form",
        "--due",
        "2031-06-01",
    ])["id"]
        .as_str()
        .unwrap()
        .to_owned();

    assert_eq!(due_ids(&v, "2099-12-31"), std::slice::from_ref(&fid));
    assert!(
        due_ids(&v, "2031-05-31").is_empty(),
        "not due before its date"
    );
    let today = v.json(&["followup", "due"]);
    assert_eq!(today, serde_json::json!([]), "not due today");
    let text = v.ok(&["followup", "due", "--until", "2099-12-31"]);
    assert!(
        text.contains("Darlene") && text.contains("Bring the housing form") && text.contains(&fid),
        "{text}"
    );

    let due = v.json(&["followup", "due", "--until", "2099-12-31"]);
    assert_eq!(due[0]["person"], id.as_str());
    assert_eq!(due[0]["person_name"], "Darlene");

    v.ok(&["followup", "done", "Darlene", &fid]);
    assert!(due_ids(&v, "2099-12-31").is_empty());
    assert!(v
        .ok(&["followup", "due", "--until", "2099-12-31"])
        .starts_with("Nothing due"));
}

#[test]
fn overdue_follow_ups_are_included_and_marked() {
    let v = TestVault::new();
    v.add_person(&["--name", "Marcus"]);
    let fid = v.json(&[
        "followup",
        "add",
        "Marcus",
        "--what",
        "Call back",
        "--due",
        "2020-01-01",
    ])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        due_ids(&v, &chrono::Utc::now().format("%Y-%m-%d").to_string()),
        [fid]
    );
    let text = v.ok(&["followup", "due"]);
    assert!(text.contains("2020-01-01 (late)"), "{text}");
}
