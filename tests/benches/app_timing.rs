//! The app's own timings, on the real window over WebDriver, with the demo team of 1,000
//! persons / 100,000 encounters: cold start to the unlock screen, unlock to Today, and a
//! brief on screen after a tap in People.
//!
//! Run (release app, built after `scripts/build-ui`):
//! `cargo build --release -p tandem-app -p tandem-cli && cargo bench -p tandem-e2e --bench app_timing`
//! Sizes: `TANDEM_BENCH_PERSONS`, `TANDEM_BENCH_ENCOUNTERS`; rounds: `TANDEM_BENCH_ROUNDS`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../app/webdriver.rs"]
#[allow(dead_code)]
mod webdriver;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};
use webdriver::Session;

const PASSPHRASE: &str = "demo vault passphrase";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A binary built beside this benchmark, or in `TANDEM_BENCH_BINS` if set.
fn beside_me(name: &str) -> PathBuf {
    let dir = match std::env::var_os("TANDEM_BENCH_BINS") {
        Some(d) => PathBuf::from(d),
        None => {
            let exe = std::env::current_exe().unwrap();
            exe.parent().unwrap().parent().unwrap().to_path_buf()
        }
    };
    let bin = dir.join(name);
    assert!(bin.exists(), "build {name} first ({})", bin.display());
    bin
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median<T: PartialOrd + Copy>(mut v: Vec<T>) -> T {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v[v.len() / 2]
}

fn main() {
    let persons = env_usize("TANDEM_BENCH_PERSONS", 1_000);
    let encounters = env_usize("TANDEM_BENCH_ENCOUNTERS", 100_000);
    let rounds = env_usize("TANDEM_BENCH_ROUNDS", 5);
    let home = tempfile::tempdir().unwrap();
    let vault = home.path().join("vault");
    let t = Instant::now();
    let status = Command::new(beside_me("tandem"))
        .args(["demo", "--persons", &persons.to_string()])
        .args(["--encounters", &encounters.to_string()])
        .env("TANDEM_VAULT", &vault)
        .env("TANDEM_PASSPHRASE", PASSPHRASE)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "tandem demo");
    println!(
        "demo vault: {persons} persons, {encounters} encounters, made in {:.0} s",
        t.elapsed().as_secs_f64()
    );
    let app = beside_me("tandem-app");
    let (mut start, mut unlock, mut brief) = (Vec::new(), Vec::<f64>::new(), Vec::<f64>::new());
    for _ in 0..rounds {
        let t = Instant::now();
        let s = Session::start(&app, &[("TANDEM_VAULT", &vault), ("HOME", home.path())]);
        s.id("unlock-screen");
        start.push(t.elapsed());

        s.fill("unlock-passphrase", PASSPHRASE);
        let submit = s.id("unlock-submit");
        unlock.push(s.click_and_time(&submit, "[data-testid=\"today-screen\"]"));
        s.id("today-screen");

        s.click_id("nav-people");
        let row = s.wait_for("a person in People", || {
            s.all("[data-testid=\"person-row\"]").into_iter().nth(7)
        });
        brief.push(s.click_and_time(&row, "[data-testid=\"brief-encounters\"]"));
        s.id("brief-encounters");
    }
    println!(
        "app ({rounds} rounds, median): cold start to unlock screen {:.0} ms (includes the \
         WebDriver session), unlock to Today painted {:.0} ms, tap to brief painted {:.0} ms",
        ms(median(start)),
        median(unlock),
        median(brief)
    );
}
