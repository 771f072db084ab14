//! Referrals to the team's places and their outcome (`encounter add --refer-to`,
//! `encounter referral`), and the team's list of debriefs (`debriefs`).

use crate::support::{parse_json, TestVault};

#[test]
fn a_referral_to_a_place_is_linked_then_marked_done_and_counted() {
    let v = TestVault::new();
    v.add_person(&["--name", "Owen"]);
    let place = v.ok(&[
        "places",
        "add",
        "--name",
        "Clinique juridique",
        "--kind",
        "legal_aid",
    ]);
    let place = place.trim();
    let eid = v.json(&[
        "encounter",
        "add",
        "Owen",
        "--refer-to",
        "clinique juridique",
        "--referral",
        "Food bank on Ontario",
    ])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let e = &v.json(&["encounter", "list", "Owen"])[0];
    assert_eq!(e["referrals"][0], "Clinique juridique");
    assert_eq!(e["referral_details"][0]["place"], place);
    assert!(e["referral_details"][1]["place"].is_null());
    assert!(
        e["referral_details"][0]["outcome"].is_null(),
        "unknown at first"
    );

    v.ok(&["encounter", "referral", &eid[..8], "1", "done"]);
    v.ok(&["encounter", "referral", &eid, "2", "didnt-happen"]);
    let e = &v.json(&["encounter", "list", "Owen"])[0];
    assert_eq!(e["referral_details"][0]["outcome"]["what"], "done");
    assert_eq!(e["referral_details"][1]["outcome"]["what"], "didnt_happen");
    let text = v.ok(&["--lang", "fr", "encounter", "list", "Owen"]);
    assert!(
        text.contains("1. Clinique juridique (réalisée)") && text.contains("(non aboutie)"),
        "{text}"
    );
    let r = v.json(&["report", "--from", "2000-01-01", "--to", "2099-12-31"]);
    assert_eq!(
        (
            &r["referrals"],
            &r["referrals_done"],
            &r["referrals_not_happened"]
        ),
        (
            &serde_json::json!(2),
            &serde_json::json!(1),
            &serde_json::json!(1)
        ),
        "{r}"
    );

    let out = v.run(&["--json", "encounter", "referral", &eid, "3", "done"]);
    assert!(!out.status.success());
    assert_eq!(parse_json(&out)["error"]["code"], "not_found");
    let out = v.run(&["encounter", "referral", &eid, "1", "maybe"]);
    assert!(!out.status.success(), "not an outcome");
    let out = v.run(&["encounter", "add", "Owen", "--refer-to", "nowhere at all"]);
    assert!(!out.status.success(), "an unknown place is refused");
}

#[test]
fn the_debrief_list_shows_who_asked_and_loses_one_once_done() {
    let v = TestVault::new();
    v.add_person(&["--name", "Zoë"]);
    let eid = v.json(&[
        "encounter",
        "add",
        "Zoë",
        "--notes",
        "A hard one",
        "--debrief",
        "--at",
        "2025-02-03T21:15:00Z",
    ])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    v.ok(&["encounter", "add", "Zoë", "--notes", "Fine"]);

    let list = v.json(&["debriefs"]);
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["encounter"], eid.as_str());
    assert_eq!(list[0]["asked_by_name"], "Ana");
    assert_eq!(list[0]["at"], "2025-02-03T21:15:00Z");
    let text = v.ok(&["debriefs"]);
    assert!(text.contains("Ana") && text.contains(&eid[..8]), "{text}");
    assert!(
        !text.contains("Zoë") && !text.contains("hard"),
        "no person, no notes: {text}"
    );
    let fr = v.ok(&["--lang", "fr", "debriefs"]);
    assert!(
        fr.contains("Demandé par") && fr.contains("pas encore"),
        "{fr}"
    );

    v.ok(&["debriefs", "done", &eid[..8]]);
    assert_eq!(v.ok(&["debriefs"]).trim(), "No debrief waiting.");
    let all = v.json(&["debriefs", "--all"]);
    assert_eq!(all.as_array().unwrap().len(), 1);
    assert!(all[0]["done"]["at"].is_string(), "{all}");
    v.ok(&["debriefs", "done", &eid]);
    assert_eq!(
        v.json(&["debriefs", "--all"]),
        all,
        "noting it twice changes nothing"
    );
}
