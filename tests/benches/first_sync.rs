//! Sync benchmarks against a real relay process on loopback (release builds):
//!
//! 1. **First sync**: a founder's vault holds the demo team (default 1,000 persons /
//!    100,000 encounters, plus a tail of encounters recorded one by one), synced to the relay
//!    with snapshots. A fresh device, in its own process, joins with an invite and pulls
//!    everything; it reports the time and its peak memory (VmHWM).
//! 2. **Seen by another device**: two devices run the background sync (`SyncHandle`); one
//!    records an encounter, and the time until the other has applied it is measured.
//!
//! Run: `cargo build --release -p tandem-relay && cargo bench -p tandem-e2e --bench first_sync`
//! Sizes: `TANDEM_BENCH_PERSONS`, `TANDEM_BENCH_ENCOUNTERS`, `TANDEM_BENCH_ROUNDS`;
//! `TANDEM_BENCH_SCALES=1,3,10` runs those sizes times each factor, one after the other, and
//! prints how every step grows against the first (the curve the README charts).
//! `TANDEM_BENCH_KEEP=<folder>` keeps each size's relay and founder there after its push and
//! starts later runs from copies of them: profiling the first sync of the largest size then
//! costs its ~2 minutes instead of the ~13 the setup takes (the push is not measured again).
//! The kept data is what the build that made it pushed: after a change to what a founder
//! pushes or how a relay stores it, empty the folder.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../sync/harness.rs"]
#[allow(dead_code)]
mod harness;

use harness::{pass, RelayProcess};
use std::process::Command;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tandem_core::demo::{self, DemoSize};
use tandem_core::sync::{self, SyncHandle};
use tandem_core::{NewVault, SharedVault, Vault};
use tandem_model::NewEncounter;

const CHILD_CODE: &str = "TANDEM_FIRST_SYNC_CODE";
const CHILD_DIR: &str = "TANDEM_FIRST_SYNC_DIR";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Peak resident memory of this process, in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// The joining device, in its own process so its peak memory is its own. Reports the join
/// (relay enrolment, vault creation with its Argon2 key derivation, first sync), then the
/// check of the records the first sync stored without loading them.
fn child(code: &str, dir: &str) {
    let started = Instant::now();
    let cpu_started = cpu_ms();
    let (vault, first) = sync::join_team(
        std::path::Path::new(dir),
        &pass(),
        "New device",
        code,
        &|_| {},
    )
    .unwrap();
    let report = first.unwrap();
    let elapsed = started.elapsed();
    let people = vault.lock().list_people().unwrap().len();
    let joined_rss = peak_rss_kib();
    let joined_cpu = cpu_ms() - cpu_started;
    let t = Instant::now();
    let checked = sync::check_deferred(&vault, &|_| {}).unwrap();
    let check = t.elapsed();
    let check_cpu = cpu_ms() - cpu_started - joined_cpu;
    println!(
        "RESULT {} {} {} {} {} {} {} {} {} {}",
        elapsed.as_millis(),
        joined_rss,
        report.pulled,
        report.documents_updated,
        people,
        check.as_millis(),
        checked,
        peak_rss_kib(),
        joined_cpu,
        check_cpu
    );
}

/// CPU time this process has used so far (user + system, every thread), in ms: on a busy
/// machine it moves much less than the wall clock, so an A/B run under load still compares.
fn cpu_ms() -> u64 {
    // Fields 14 and 15 of /proc/self/stat, after the command name's closing parenthesis,
    // in clock ticks (100 a second on Linux).
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1.to_owned();
            let f: Vec<u64> = rest
                .split_whitespace()
                .skip(11)
                .take(2)
                .filter_map(|n| n.parse().ok())
                .collect();
            Some(f.iter().sum::<u64>() * 10)
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// What one size measured.
struct Measured {
    persons: usize,
    encounters: usize,
    push_s: f64,
    first_ms: u64,
    first_rss_kib: u64,
    check_ms: u64,
    check_rss_kib: u64,
    seen_p50_ms: f64,
}

fn main() {
    if let (Ok(code), Ok(dir)) = (std::env::var(CHILD_CODE), std::env::var(CHILD_DIR)) {
        child(&code, &dir);
        return;
    }
    let persons = env_usize("TANDEM_BENCH_PERSONS", 1_000);
    let encounters = env_usize("TANDEM_BENCH_ENCOUNTERS", 100_000);
    let rounds = env_usize("TANDEM_BENCH_ROUNDS", 30);
    // TANDEM_BENCH_SCALES=1,3,10 measures three sizes in one run and prints how each step
    // grows against the first.
    let scales: Vec<usize> = std::env::var("TANDEM_BENCH_SCALES")
        .unwrap_or_else(|_| "1".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let runs: Vec<Measured> = scales
        .iter()
        .map(|k| run(persons * k, encounters * k, rounds))
        .collect();
    if runs.len() > 1 {
        let base = &runs[0];
        println!();
        println!("| persons / encounters | data | founder's push | first sync | its peak memory | checking | peak memory after | seen by another device (p50) |");
        println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
        for r in &runs {
            let data = r.encounters as f64 / base.encounters as f64;
            let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
            println!(
                "| {} / {} | {:.0}× | {:.1} s ({:.1}×) | {} ms ({:.1}×) | {:.0} MiB ({:.1}×) | {} ms ({:.1}×) | {:.0} MiB | {:.0} ms ({:.1}×) |",
                r.persons,
                r.encounters,
                data,
                r.push_s,
                ratio(r.push_s, base.push_s),
                r.first_ms,
                ratio(r.first_ms as f64, base.first_ms as f64),
                r.first_rss_kib as f64 / 1024.0,
                ratio(r.first_rss_kib as f64, base.first_rss_kib as f64),
                r.check_ms,
                ratio(r.check_ms as f64, base.check_ms as f64),
                r.check_rss_kib as f64 / 1024.0,
                r.seen_p50_ms,
                ratio(r.seen_p50_ms, base.seen_p50_ms),
            );
        }
    }
}

/// One size, from an empty relay: the founder's setup and push, a new device's first sync
/// and check (in a child process), then two online devices.
fn run(persons: usize, encounters: usize, rounds: usize) -> Measured {
    let tail = 500;
    // The founder uploads ~1,500 snapshots once, as fast as it can: the per-device rate limit
    // (20/s by default) would only stretch the setup.
    let relay_args = ["--rate-per-second", "5000", "--rate-burst", "5000"];
    let dirs = tempfile::tempdir().unwrap();
    let kept = std::env::var_os("TANDEM_BENCH_KEEP")
        .map(|k| std::path::PathBuf::from(k).join(format!("{persons}-{encounters}-{tail}")));
    if let Some(kept) = kept.as_ref().filter(|k| k.join("push_s").exists()) {
        let relay_data = tempfile::tempdir().unwrap();
        copy_dir(&kept.join("relay"), relay_data.path());
        copy_dir(&kept.join("a"), &dirs.path().join("a"));
        let relay = RelayProcess::start_on(relay_data, &relay_args);
        let mut founder = Vault::open(&dirs.path().join("a"), &pass()).unwrap();
        // Same relay data, another port: the relay "moved".
        founder.set_relay_url(&relay.url()).unwrap();
        let a = Arc::new(SharedVault::new(founder));
        let push_s: f64 = std::fs::read_to_string(kept.join("push_s"))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        println!(
            "setup and push: kept from {} ({push_s:.1} s then)",
            kept.display()
        );
        return measure(&a, &dirs, persons, encounters + tail, push_s, rounds);
    }
    let relay = RelayProcess::start_with(&relay_args);
    let a = Arc::new(SharedVault::new(
        Vault::create(
            &dirs.path().join("a"),
            &pass(),
            &NewVault {
                member_name: "Sam".into(),
                team_name: "Demo".into(),
            },
        )
        .unwrap(),
    ));
    sync::create_team_on_relay(
        &a,
        &relay.url(),
        "Équipe démo",
        Some(harness::CREATION_TOKEN),
    )
    .unwrap();
    let t = Instant::now();
    demo::generate(
        &mut a.lock(),
        &DemoSize {
            persons,
            encounters,
            seed: 7,
        },
    )
    .unwrap();
    let people = a.lock().list_people().unwrap();
    for i in 0..tail {
        let mut e = NewEncounter::with_person(people[i % people.len()].id.clone());
        e.notes = format!("Suivi {i}");
        a.lock().record_encounter(&e).unwrap();
    }
    println!(
        "setup: {persons} persons, {} encounters generated in {:.1} s",
        encounters + tail,
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let cpu_before_push = cpu_ms();
    // The founder syncs until its snapshots are all up.
    let (mut pushed, mut snapshots) = (0, 0);
    loop {
        let r = sync::sync_once(&a, 0, &|_| {}).unwrap();
        pushed += r.pushed;
        snapshots += r.snapshots_uploaded;
        if r.pushed == 0 && r.snapshots_uploaded == 0 {
            break;
        }
    }
    let push_s = t.elapsed().as_secs_f64();
    println!(
        "founder push: {pushed} envelopes, {snapshots} snapshots, in {push_s:.1} s ({:.1} s of CPU)",
        (cpu_ms() - cpu_before_push) as f64 / 1000.0
    );
    if let Some(kept) = &kept {
        // Idle now (nothing in flight on either side): their files are a consistent copy.
        let _ = std::fs::remove_dir_all(kept);
        copy_dir(relay.data.path(), &kept.join("relay"));
        copy_dir(&dirs.path().join("a"), &kept.join("a"));
        std::fs::write(kept.join("push_s"), format!("{push_s}")).unwrap();
    }
    measure(&a, &dirs, persons, encounters + tail, push_s, rounds)
}

/// Copies a folder and everything in it.
fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// After the founder's push: a new device's first sync and check (in a child process), then
/// two online devices.
fn measure(
    a: &Arc<SharedVault>,
    dirs: &tempfile::TempDir,
    persons: usize,
    encounters: usize,
    push_s: f64,
    rounds: usize,
) -> Measured {
    let people = a.lock().list_people().unwrap();
    // 1. First sync of a fresh device, in a child process.
    let code = sync::create_invite(a, 3600).unwrap().to_string();
    let b_dir = dirs.path().join("b");
    // TANDEM_BENCH_WRAP="perf record -g -o /tmp/first-sync.perf" profiles the new device.
    let wrap = std::env::var("TANDEM_BENCH_WRAP").unwrap_or_default();
    let mut words = wrap.split_whitespace();
    let exe = std::env::current_exe().unwrap();
    let mut cmd = match words.next() {
        Some(tool) => {
            let mut c = Command::new(tool);
            c.args(words).arg(&exe);
            c
        }
        None => Command::new(&exe),
    };
    let out = cmd
        .env(CHILD_CODE, &code)
        .env(CHILD_DIR, &b_dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .unwrap_or_else(|| panic!("the joining device failed: {stdout}"));
    let f: Vec<u64> = line
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    assert_eq!(f[4] as usize, persons, "the new device has everyone");
    println!(
        "first sync (join: enrol, create vault, sync): {} ms ({} ms of CPU), peak memory {:.0} MiB, {} envelopes pulled, {} documents, {} persons",
        f[0],
        f[8],
        f[1] as f64 / 1024.0,
        f[2],
        f[3],
        f[4]
    );
    println!(
        "then checking the {} records stored unloaded: {} ms ({} ms of CPU), peak memory {:.0} MiB",
        f[6],
        f[5],
        f[9],
        f[7] as f64 / 1024.0
    );

    // 2. Two online devices: how soon one sees the other's new encounter.
    let b = Arc::new(SharedVault::new(Vault::open(&b_dir, &pass()).unwrap()));
    let (tx, rx) = mpsc::channel::<Instant>();
    let tx = Mutex::new(tx);
    let _hb = SyncHandle::start(&b, move |s| {
        if s.last_report
            .as_ref()
            .is_some_and(|r| r.documents_updated > 0)
        {
            let _ = tx.lock().unwrap().send(Instant::now());
        }
    });
    let ha = SyncHandle::start(a, |_| {});
    std::thread::sleep(Duration::from_secs(2));
    while rx.try_recv().is_ok() {}
    let mut seen = Vec::with_capacity(rounds);
    for i in 0..rounds {
        let mut e = NewEncounter::with_person(people[i % people.len()].id.clone());
        e.notes = format!("En direct {i}");
        let t = Instant::now();
        a.lock().record_encounter(&e).unwrap();
        ha.poke();
        let at = rx.recv_timeout(Duration::from_secs(30)).expect("seen");
        seen.push(at.duration_since(t));
        // Let every status event of this round drain before the next.
        std::thread::sleep(Duration::from_millis(300));
        while rx.try_recv().is_ok() {}
    }
    seen.sort();
    println!(
        "seen by another online device ({rounds} encounters): p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        percentile(&seen, 0.5).as_secs_f64() * 1000.0,
        percentile(&seen, 0.99).as_secs_f64() * 1000.0,
        seen.last().unwrap().as_secs_f64() * 1000.0
    );
    Measured {
        persons,
        encounters,
        push_s,
        first_ms: f[0],
        first_rss_kib: f[1],
        check_ms: f[5],
        check_rss_kib: f[7],
        seen_p50_ms: percentile(&seen, 0.5).as_secs_f64() * 1000.0,
    }
}
