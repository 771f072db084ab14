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
