//! Creating, unlocking, passphrases and errors.

use crate::support::{parse_json, stderr, stdout, tandem, TestVault, PASSPHRASE};
use std::fs;

#[test]
fn a_new_vault_unlocks_and_counts_what_it_holds() {
    let v = TestVault::new();
    v.add_person(&["--name", "Sam"]);
    let j = v.json(&["vault", "unlock"]);
    assert_eq!(j["ok"], true);
    assert_eq!(j["team"]["name"], "My team");
    assert_eq!(j["people"], 1);
    assert_eq!(j["members"], 1);
    let text = v.ok(&["vault", "unlock"]);
    assert!(text.starts_with("Unlocked: My team"), "{text}");
}

#[test]
fn creating_over_an_existing_vault_is_refused() {
    let v = TestVault::new();
    let out = v.run(&["--json", "vault", "create", "--me", "Bo"]);
    assert!(!out.status.success());
    assert_eq!(parse_json(&out)["error"]["code"], "vault_exists");
}

#[test]
fn a_wrong_passphrase_fails_and_changes_nothing() {
    let v = TestVault::new();
    let files = ["vault.db", "vault.key"];
    let before: Vec<Vec<u8>> = files
        .iter()
        .map(|f| fs::read(v.dir().join(f)).unwrap())
        .collect();

    let mut cmd = v.cmd();
    let out = cmd
        .env("TANDEM_PASSPHRASE", "not the passphrase")
        .args(["person", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    assert!(
        stderr(&out).starts_with("tandem: wrong passphrase"),
        "{}",
        stderr(&out)
    );

    let mut cmd = v.cmd();
    let out = cmd
        .env("TANDEM_PASSPHRASE", "not the passphrase")
        .args(["--json", "person", "add", "--name", "Zoë"])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    let j = parse_json(&out);
    assert_eq!(j["error"]["code"], "wrong_passphrase");
    assert!(j["error"]["message"]
        .as_str()
        .unwrap()
        .contains("wrong passphrase"));

    let after: Vec<Vec<u8>> = files
        .iter()
        .map(|f| fs::read(v.dir().join(f)).unwrap())
        .collect();
    assert!(
        before == after,
        "a wrong passphrase must not touch the vault files"
    );
    // And the right one still opens it, with nobody added.
    assert_eq!(v.json(&["person", "list"]), serde_json::json!([]));
}

#[test]
fn repeated_wrong_passphrases_say_how_long_to_wait() {
    let v = TestVault::new();
    let wrong = |json: bool| {
        let mut cmd = v.cmd();
        cmd.env("TANDEM_PASSPHRASE", "guess guess guess");
        if json {
            cmd.arg("--json");
        }
        cmd.args(["vault", "unlock"]).output().unwrap()
    };
    // Three are free; the fourth comes less than a second after the third (no Argon2 run
    // in between) and must wait.
    for _ in 0..3 {
        assert_eq!(
            parse_json(&wrong(true))["error"]["code"],
            "wrong_passphrase"
        );
    }
    let out = wrong(true);
    let j = parse_json(&out);
    assert_eq!(j["error"]["code"], "too_many_attempts", "{j}");
    assert!(j["error"]["retry_after_secs"].as_u64().unwrap() >= 1);
    assert!(j["error"]["message"]
        .as_str()
        .unwrap()
        .contains("try again in"));
    let out = wrong(false);
    assert!(stderr(&out).contains("try again in"), "{}", stderr(&out));
}

#[test]
fn without_a_passphrase_or_a_terminal_the_error_says_what_to_set() {
    let v = TestVault::new();
    let mut cmd = v.cmd();
    let out = cmd
        .env_remove("TANDEM_PASSPHRASE")
        .args(["person", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with("tandem: ") && err.contains("set TANDEM_PASSPHRASE"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "one clear line: {err}");

    let mut cmd = v.cmd();
    let out = cmd
        .env_remove("TANDEM_PASSPHRASE")
        .args(["--json", "team", "show"])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    let j = parse_json(&out);
    assert_eq!(j["error"]["code"], "invalid_input");
    assert!(j["error"]["message"]
        .as_str()
        .unwrap()
        .contains("TANDEM_PASSPHRASE"));
}

#[test]
fn the_passphrase_can_be_changed() {
    let v = TestVault::new();
    let new = "another long walk, by the sea";
    let mut cmd = v.cmd();
    let out = cmd
        .env("TANDEM_NEW_PASSPHRASE", new)
        .args(["--json", "vault", "passphrase"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(parse_json(&out)["ok"], true);

    let out = v.run(&["--json", "vault", "unlock"]);
    assert_eq!(parse_json(&out)["error"]["code"], "wrong_passphrase");
    let mut cmd = v.cmd();
    let out = cmd
        .env("TANDEM_PASSPHRASE", new)
        .args(["vault", "unlock"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_ne!(new, PASSPHRASE);
}

#[test]
fn a_folder_without_a_vault_is_reported_as_such() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tandem()
        .env("TANDEM_PASSPHRASE", PASSPHRASE)
        .arg("--json")
        .arg("--vault")
        .arg(tmp.path())
        .args(["person", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(parse_json(&out)["error"]["code"], "no_vault");
}

#[test]
fn the_vault_folder_can_come_from_the_environment() {
    let v = TestVault::new();
    v.add_person(&["--name", "Robin"]);
    let out = tandem()
        .env("TANDEM_PASSPHRASE", PASSPHRASE)
        .env("TANDEM_VAULT", v.dir())
        .args(["--json", "person", "list"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(parse_json(&out)[0]["name"], "Robin");
}

#[test]
fn upkeep_commands_keep_everything_findable() {
    let v = TestVault::new();
    v.add_person(&["--name", "Gaëlle"]);
    assert_eq!(v.json(&["vault", "rebuild-index"])["ok"], true);
    assert_eq!(v.json(&["vault", "compact"])["ok"], true);
    assert_eq!(v.json(&["person", "search", "gaelle"])[0]["name"], "Gaëlle");
}

#[test]
fn demo_creates_the_vault_and_fills_it() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tandem()
        .env("TANDEM_PASSPHRASE", PASSPHRASE)
        .arg("--vault")
        .arg(tmp.path().join("demo"))
        .args([
            "--json",
            "demo",
            "--persons",
            "3",
            "--encounters",
            "20",
            "--seed",
            "1",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let report = parse_json(&out);
    assert_eq!(report["persons"], 3);
    assert_eq!(report["encounters"], 20);
    let out = tandem()
        .env("TANDEM_PASSPHRASE", PASSPHRASE)
        .arg("--vault")
        .arg(tmp.path().join("demo"))
        .args(["--json", "person", "list"])
        .output()
        .unwrap();
    assert_eq!(parse_json(&out).as_array().unwrap().len(), 3);
}
