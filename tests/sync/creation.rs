//! Putting a team on a relay whose operator decides who may: without the token, or with a
//! wrong one, the relay refuses, the vault stays off the relay (nothing half-done), and the
//! same vault succeeds once given the right token. The `tandem` command says what to do.

use crate::harness::{pass, RelayProcess, CREATION_TOKEN};
use std::path::PathBuf;
use std::process::Command;
use tandem_core::sync;
use tandem_core::{NewVault, SharedVault, Vault};
use tandem_model::ErrorCode;

fn solo_vault(dir: &std::path::Path) -> SharedVault {
    SharedVault::new(
        Vault::create(
            dir,
            &pass(),
            &NewVault {
                member_name: "Sam".into(),
                team_name: "Solo".into(),
            },
        )
        .unwrap(),
    )
}

#[test]
fn a_team_goes_on_a_relay_only_with_its_operators_token() {
    let relay = RelayProcess::start();
    let dir = tempfile::tempdir().unwrap();
    let vault = solo_vault(dir.path());
    for token in [None, Some("not the token at all, sorry"), Some("   ")] {
        let err = sync::create_team_on_relay(&vault, &relay.url(), "Équipe", token).unwrap_err();
        assert_eq!(err.code(), ErrorCode::TeamCreationRefused, "{err}");
        assert!(!err.is_transient(), "asking again will not help: {err}");
        assert!(vault.lock().relay().unwrap().is_none(), "not half-joined");
    }
    // Nothing waits to be retried: the same vault goes on with the token.
    sync::create_team_on_relay(&vault, &relay.url(), "Équipe", Some(CREATION_TOKEN)).unwrap();
    let report = sync::sync_once(&vault, 0, &|_| {}).unwrap();
    assert!(report.pushed > 0, "{report:?}");
    assert!(relay.log_text().contains("\"status\":403"));
    assert!(!relay.log_text().contains(CREATION_TOKEN));
}

#[test]
fn a_demo_relay_open_to_all_needs_no_token() {
    let relay = RelayProcess::start_with(&["--open-team-creation"]);
    let dir = tempfile::tempdir().unwrap();
    let vault = solo_vault(dir.path());
    sync::create_team_on_relay(&vault, &relay.url(), "Démo", None).unwrap();
    assert!(vault.lock().relay().unwrap().is_some());
}

/// The `tandem` command built beside the relay (`cargo build -p tandem-cli`).
fn tandem_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let bin = exe.parent().unwrap().parent().unwrap().join("tandem");
    assert!(
        bin.exists(),
        "build the command first: cargo build -p tandem-cli ({})",
        bin.display()
    );
    bin
}

#[test]
fn the_tandem_command_says_to_ask_the_operator_and_takes_the_token() {
    let relay = RelayProcess::start();
    let dir = tempfile::tempdir().unwrap();
    let vault_dir = dir.path().join("vault");
    let tandem = |args: &[&str], token: Option<&str>| {
        let mut cmd = Command::new(tandem_binary());
        cmd.env_remove("TANDEM_RELAY_TOKEN")
            .env_remove("TANDEM_LANG")
            .env("TANDEM_PASSPHRASE", crate::harness::PASS)
            .arg("--vault")
            .arg(&vault_dir)
            .args(args);
        if let Some(token) = token {
            cmd.env("TANDEM_RELAY_TOKEN", token);
        }
        cmd.output().unwrap()
    };
    assert!(tandem(&["vault", "create", "--me", "Ana"], None)
        .status
        .success());
    let create = [
        "team",
        "create",
        "--relay",
        &relay.url(),
        "--name",
        "Équipe",
    ];

    let refused = tandem(
        &[&["--json", "--lang", "fr"][..], &create[..]].concat(),
        None,
    );
    assert!(!refused.status.success());
    let answer: serde_json::Value = serde_json::from_slice(&refused.stdout).unwrap();
    assert_eq!(answer["error"]["code"], "team_creation_refused", "{answer}");
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(message.contains("jeton de création d'équipe"), "{message}");
    assert!(message.contains("--relay-token"), "{message}");

    let wrong = tandem(&create, Some("a wrong token, typed by hand"));
    assert!(!wrong.status.success());
    let said = String::from_utf8_lossy(&wrong.stderr);
    assert!(said.contains("team-creation token"), "{said}");

    let done = tandem(&create, Some(CREATION_TOKEN));
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
}
