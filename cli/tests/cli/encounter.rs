//! Encounters with people and with someone not known.

use crate::support::{parse_json, TestVault};

#[test]
fn an_encounter_with_a_person_is_recorded_with_its_details() {
    let v = TestVault::new();
    let id = v.add_person(&["--name", "Owen"]);
    let gid = v.json(&["goal", "add", "Owen", "--words", "Get my ID papers back"])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let j = v.json(&[
        "encounter",
        "add",
        "Owen",
        "--at",
        "2025-03-10T14:30:00Z",
        "--minutes",
        "45",
        "--place",
        "the library steps",
        "--kind",
        "accompaniment",
        "--domain",
        "papers",
        "--goal",
        &gid,
        "--notes",
        "Went to the office together",
        "--referral",
        "Legal clinic",
        "--debrief",
    ]);
    assert_eq!(j["ok"], true);
    let eid = j["id"].as_str().unwrap().to_owned();
    assert_eq!(eid.len(), 32);

    let list = v.json(&["encounter", "list", "Owen"]);
    let e = &list[0];
    assert_eq!(e["id"], eid.as_str());
    assert_eq!(
        e["subject"],
        serde_json::json!({ "type": "person", "value": id })
    );
    assert_eq!(e["at"], "2025-03-10T14:30:00Z");
    assert_eq!(e["duration_minutes"], 45);
    assert_eq!(e["goals"][0], gid.as_str());
    assert_eq!(e["referrals"][0], "Legal clinic");
    assert_eq!(e["debrief"], true);

    v.ok(&[
        "encounter",
        "edit-notes",
        "Owen",
        &eid,
        "--notes",
        "Went to the office; came back with a form",
    ]);
    let recent = v.json(&["encounter", "list", "--limit", "5"]);
    assert_eq!(
        recent[0]["notes"],
        "Went to the office; came back with a form"
    );
    let text = v.ok(&["encounter", "list"]);
    assert!(
        text.contains("Owen") && text.contains("Accompaniment to an appointment"),
        "{text}"
    );
}

#[test]
fn anonymous_encounters_go_to_the_street_log() {
    let v = TestVault::new();
    v.add_person(&["--name", "Curtis"]);
    let now = v.json(&["encounter", "add", "--anonymous", "--given", "naloxone"])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let march = v.json(&[
        "encounter",
        "add",
        "--anonymous",
        "--who",
        "green coat, by the station",
        "--at",
        "2025-03-02T08:00:00Z",
    ])["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let this_month = v.json(&["encounter", "street"]);
    let ids: Vec<&str> = this_month
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [now.as_str()]);
    let text = v.ok(&["encounter", "street"]);
    assert!(
        text.contains("someone not known") && text.contains("Naloxone"),
        "{text}"
    );

    let log = v.json(&["encounter", "street", "--month", "2025-03"]);
    assert_eq!(log[0]["id"], march.as_str());
    assert_eq!(log[0]["subject"]["value"], "green coat, by the station");
    assert_eq!(
        v.json(&["encounter", "street", "--month", "2025-04"]),
        serde_json::json!([])
    );
    // Nobody's record was touched.
    assert_eq!(
        v.json(&["person", "list"])[0]["last_seen"],
        serde_json::Value::Null
    );

    let out = v.run(&[
        "encounter",
        "add",
        "--anonymous",
        "--follow-up",
        "call back",
    ]);
    assert_eq!(out.status.code(), Some(2), "follow-ups belong to a person");
    let out = v.run(&["--json", "encounter", "street", "--month", "March"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(parse_json(&out)["error"]["code"], "invalid_input");
}
