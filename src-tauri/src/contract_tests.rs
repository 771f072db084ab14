//! The shell's half of the shell ↔ UI contract, checked: the window's capability allows
//! exactly the contract's commands (one missing would fail at run time, one extra would be a
//! door left open), each of them is registered, and the answers that the shell converts keep
//! the JSON they had.

use crate::state::AppState;
use std::collections::BTreeSet;
use tandem_model::shell::Command;

/// What the capability allows besides the app's commands: hearing the sync events.
const EVENT_PERMISSIONS: [&str; 2] = ["core:event:allow-listen", "core:event:allow-unlisten"];

fn capability_permissions() -> BTreeSet<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/capabilities/main.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let json: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    json["permissions"]
        .as_array()
        .unwrap_or_else(|| panic!("{path} has no permissions list"))
        .iter()
        .map(|p| {
            p.as_str()
                .unwrap_or_else(|| panic!("{path}: a permission that is not a name: {p}"))
                .to_owned()
        })
        .collect()
}

#[test]
fn the_capability_allows_exactly_the_contracts_commands() {
    let mut expected: BTreeSet<String> = Command::ALL
        .iter()
        .map(|c| format!("allow-{}", c.as_str().replace('_', "-")))
        .collect();
    expected.extend(EVENT_PERMISSIONS.map(str::to_owned));
    let allowed = capability_permissions();
    let missing: Vec<_> = expected.difference(&allowed).collect();
    let extra: Vec<_> = allowed.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "capabilities/main.json: missing {missing:?}, not in the contract {extra:?}"
    );
}

/// The answer of the mock app to `cmd` with no arguments.
fn ask(webview: &tauri::WebviewWindow<tauri::test::MockRuntime>, cmd: &str) -> String {
    let request = tauri::webview::InvokeRequest {
        cmd: cmd.into(),
        callback: tauri::ipc::CallbackFn(0),
        error: tauri::ipc::CallbackFn(1),
        url: "tauri://localhost"
            .parse()
            .unwrap_or_else(|e| panic!("{e}")),
        body: tauri::ipc::InvokeBody::Json(serde_json::json!({})),
        headers: Default::default(),
        invoke_key: tauri::test::INVOKE_KEY.to_string(),
    };
    match tauri::test::get_ipc_response(webview, request) {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    }
}

#[test]
fn every_command_of_the_contract_is_registered() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // A locked app with no vault: commands answer "locked" or that arguments are missing,
    // and none of them changes anything.
    let app = crate::app_builder(
        tauri::test::mock_builder(),
        AppState::new(dir.path().join("vault")),
    )
    .build(tauri::test::mock_context(tauri::test::noop_assets()))
    .unwrap_or_else(|e| panic!("{e}"));
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let not_found = |answer: &str| answer.contains("not found");
    assert!(not_found(&ask(&webview, "no_such_command")));
    for c in Command::ALL {
        let answer = ask(&webview, c.as_str());
        assert!(!not_found(&answer), "{}: {answer}", c.as_str());
    }
}

#[test]
fn a_device_keeps_the_json_the_relay_gave() {
    let relay = tandem_protocol::api::DeviceInfo {
        device: tandem_protocol::DeviceId([7; 16]),
        public_key: "ab".repeat(32),
        role: tandem_protocol::api::DeviceRole::Admin,
        enrolled_at_ms: 1_700_000_000_000,
        revoked_at_ms: Some(1_700_000_000_001),
    };
    let before = serde_json::to_value(&relay).unwrap_or_else(|e| panic!("{e}"));
    let after =
        serde_json::to_value(crate::commands::device_info(relay)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(before, after);
}

/// What a command answers when the front end sends it `args`, as JSON, on the mock app.
fn call(
    webview: &tauri::WebviewWindow<tauri::test::MockRuntime>,
    cmd: Command,
    args: &impl serde::Serialize,
) -> Result<serde_json::Value, serde_json::Value> {
    let request = tauri::webview::InvokeRequest {
        cmd: cmd.as_str().into(),
        callback: tauri::ipc::CallbackFn(0),
        error: tauri::ipc::CallbackFn(1),
        url: "tauri://localhost"
            .parse()
            .unwrap_or_else(|e| panic!("{e}")),
        body: tauri::ipc::InvokeBody::Json(
            serde_json::to_value(args).unwrap_or_else(|e| panic!("{e}")),
        ),
        headers: Default::default(),
        invoke_key: tauri::test::INVOKE_KEY.to_string(),
    };
    tauri::test::get_ipc_response(webview, request).map(|body| {
        body.deserialize::<serde_json::Value>()
            .unwrap_or_else(|e| panic!("{}: {e}", cmd.as_str()))
    })
}

/// `call`, read as the front end reads the answer.
fn answer<T: serde::de::DeserializeOwned>(
    webview: &tauri::WebviewWindow<tauri::test::MockRuntime>,
    cmd: Command,
    args: &impl serde::Serialize,
) -> T {
    let v = call(webview, cmd, args).unwrap_or_else(|e| panic!("{}: {e}", cmd.as_str()));
    serde_json::from_value(v).unwrap_or_else(|e| panic!("{}: {e}", cmd.as_str()))
}

/// The places and debriefs commands, on a real vault, with the contract's own argument
/// objects and answer types: a field renamed on one side only fails here.
#[test]
fn places_referrals_and_debriefs_keep_the_contract_on_a_real_vault() {
    use std::sync::Arc;
    use tandem_model::shell::answers::{Debriefs, PlaceList};
    use tandem_model::shell::args::{
        AddPlace, EditPlace, NoArgs, OfEncounter, OfPerson, OfPlace, Query, RecordEncounter,
        SetReferralOutcome,
    };
    use tandem_model::{
        EncounterId, NewEncounter, NewPerson, NewPlace, Outcome, PersonBrief, PersonId, PlaceId,
        PlaceUpdate,
    };

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("vault");
    let vault = tandem_core::Vault::create(
        &path,
        &tandem_core::Passphrase::new("a long street passphrase"),
        &tandem_core::NewVault {
            member_name: "Sam".into(),
            team_name: "Équipe".into(),
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let me = vault.member_id().clone();
    let state = AppState::new(path);
    state.start(Arc::new(tandem_core::SharedVault::new(vault)), |_| {});
    let app = crate::app_builder(tauri::test::mock_builder(), state)
        .build(tauri::test::mock_context(tauri::test::noop_assets()))
        .unwrap_or_else(|e| panic!("{e}"));
    let w = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));

    let place = NewPlace {
        name: "Hôpital Notre-Dame".into(),
        kind: Some("health_care".into()),
        phone: Some("514 555-0199".into()),
        ..NewPlace::default()
    };
    let id: PlaceId = answer(&w, Command::AddPlace, &AddPlace { place });
    let shelter = NewPlace {
        name: "Refuge Sainte-Anne".into(),
        kind: Some("shelter".into()),
        ..NewPlace::default()
    };
    let _: PlaceId = answer(&w, Command::AddPlace, &AddPlace { place: shelter });
    let found: PlaceList = answer(
        &w,
        Command::SearchPlaces,
        &Query {
            query: "HOPITAL".into(),
        },
    );
    assert_eq!(found.places.len(), 1, "accents and case ignored");
    assert_eq!(found.places[0].id, id);
    assert_eq!(found.places[0].checked_by.as_ref(), Some(&me));
    assert!(found.names.iter().any(|(m, n)| m == &me && n == "Sam"));
    let update = PlaceUpdate {
        hours: Some("24/7".into()),
        ..PlaceUpdate::default()
    };
    let () = answer(
        &w,
        Command::EditPlace,
        &EditPlace {
            place: id.clone(),
            update,
        },
    );
    let () = answer(&w, Command::CheckPlace, &OfPlace { place: id.clone() });
    let all: PlaceList = answer(&w, Command::SearchPlaces, &Query { query: "".into() });
    assert_eq!(all.places.len(), 2, "an empty query gives the whole list");
    assert_eq!(all.places[0].hours.as_deref(), Some("24/7"));
    // A phone number a spreadsheet would take for a formula is refused, in words.
    let bad = PlaceUpdate {
        phone: Some("=HYPERLINK(\"x\")".into()),
        ..PlaceUpdate::default()
    };
    let refused = call(
        &w,
        Command::EditPlace,
        &EditPlace {
            place: id.clone(),
            update: bad,
        },
    );
    assert_eq!(
        refused.err().map(|e| e["code"].clone()),
        Some(serde_json::json!("invalid_input"))
    );

    let person: PersonId = answer(
        &w,
        Command::AddPerson,
        &tandem_model::shell::args::AddPerson {
            person: NewPerson {
                name: "Marc".into(),
                ..NewPerson::default()
            },
        },
    );
    let person_id = person;
    let mut encounter = NewEncounter::with_person(person_id.clone());
    encounter.referred_to = vec![id.clone()];
    encounter.referrals = vec!["CLSC".into()];
    encounter.debrief = true;
    encounter.at = Some(chrono::Utc::now() - chrono::Duration::hours(1));
    let eid: String = answer(&w, Command::RecordEncounter, &RecordEncounter { encounter });
    let eid = EncounterId(eid);
    let () = answer(
        &w,
        Command::SetReferralOutcome,
        &SetReferralOutcome {
            encounter: eid.clone(),
            index: 1,
            outcome: Some(Outcome::DidNotHappen),
        },
    );
    let brief: PersonBrief = answer(
        &w,
        Command::Brief,
        &OfPerson {
            person: person_id.clone(),
        },
    );
    let refs = &brief.last_encounters[0].referral_details;
    assert_eq!(refs[0].place.as_ref(), Some(&id));
    assert_eq!(refs[0].outcome, None);
    assert_eq!(
        refs[1].outcome.as_ref().map(|o| o.what),
        Some(Outcome::DidNotHappen)
    );

    // A later debrief, done: the one not done yet comes first, though older.
    let mut later = NewEncounter::with_person(person_id.clone());
    later.debrief = true;
    let later: String = answer(
        &w,
        Command::RecordEncounter,
        &RecordEncounter { encounter: later },
    );
    let later = EncounterId(later);
    let open: Debriefs = answer(&w, Command::Debriefs, &NoArgs {});
    assert_eq!(open.requests.len(), 2);
    assert!(open.requests.iter().all(|r| r.done.is_none()));
    let () = answer(
        &w,
        Command::MarkDebriefDone,
        &OfEncounter {
            encounter: later.clone(),
        },
    );
    let listed: Debriefs = answer(&w, Command::Debriefs, &NoArgs {});
    let order: Vec<(&EncounterId, bool)> = listed
        .requests
        .iter()
        .map(|r| (&r.encounter, r.done.is_some()))
        .collect();
    assert_eq!(order, [(&eid, false), (&later, true)], "not done yet first");
    assert_eq!(
        listed.requests[1].done.as_ref().and_then(|d| d.by.as_ref()),
        Some(&me)
    );
    assert!(listed.names.iter().any(|(m, _)| m == &me));

    let () = answer(&w, Command::RemovePlace, &OfPlace { place: id });
    let left: PlaceList = answer(&w, Command::SearchPlaces, &Query { query: "".into() });
    assert_eq!(left.places.len(), 1);
    assert_eq!(left.places[0].name, "Refuge Sainte-Anne");
}
