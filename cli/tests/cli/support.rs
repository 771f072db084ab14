//! Running `tandem` against a vault in a temporary folder.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const PASSPHRASE: &str = "a long walk by the river";

/// `tandem` with a clean environment: no vault, language or passphrase inherited from the
/// machine running the tests, and no terminal.
pub fn tandem() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tandem"));
    for var in [
        "TANDEM_VAULT",
        "TANDEM_LANG",
        "TANDEM_PASSPHRASE",
        "TANDEM_NEW_PASSPHRASE",
        "LC_ALL",
        "LC_MESSAGES",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("LANG", "C").stdin(Stdio::null());
    cmd
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

pub fn parse_json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stdout(out)))
}

/// A vault in a temporary folder, created with `vault create`.
pub struct TestVault {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

impl TestVault {
    pub fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("vault");
        let v = Self { _tmp: tmp, dir };
        v.ok(&["vault", "create", "--me", "Ana"]);
        v
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `tandem --vault DIR` with the passphrase set.
    pub fn cmd(&self) -> Command {
        let mut cmd = tandem();
        cmd.env("TANDEM_PASSPHRASE", PASSPHRASE)
            .arg("--vault")
            .arg(&self.dir);
        cmd
    }

    /// Runs and returns the output, whatever the exit status.
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// Runs, requires success, returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "tandem {args:?} failed ({:?}): {}{}",
            out.status.code(),
            stdout(&out),
            stderr(&out)
        );
        stdout(&out)
    }

    /// Runs with `--json`, requires success, returns the parsed stdout.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        assert!(
            out.status.success(),
            "tandem {all:?} failed: {}{}",
            stdout(&out),
            stderr(&out)
        );
        parse_json(&out)
    }

    /// Adds a person and returns their id.
    pub fn add_person(&self, args: &[&str]) -> String {
        let mut all = vec!["person", "add"];
        all.extend_from_slice(args);
        let id = self.ok(&all).trim().to_owned();
        assert_eq!(id.len(), 32, "an id is printed: {id}");
        id
    }
}
