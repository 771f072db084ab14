//! A process killed (SIGKILL) while recording never loses an encounter it reported saved, and
//! never leaves a vault that does not open.
//!
//! The test runs this same test binary again as a child, filtered to `child_writer`, which
//! records encounters in a loop and prints `saved <id>` after each one returns; the parent
//! kills it at a random moment, then checks the vault.

use crate::support::*;
use rand::Rng;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use tandem_core::model::*;
use tandem_core::Vault;

const CHILD_ENV: &str = "TANDEM_CRASH_CHILD";
const ROUNDS: usize = 25;

/// Not a test of its own: the writer the crash test runs in a child process. Does nothing
/// unless `TANDEM_CRASH_CHILD` names a vault folder.
#[test]
fn child_writer() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let mut v = Vault::open(Path::new(&dir), &pass()).expect("child opens the vault");
    let person = v.list_people().expect("list")[0].id.clone();
    let stdout = std::io::stdout();
    for n in 0u64.. {
        let id = if n % 2 == 0 {
            v.record_encounter(&NewEncounter {
                notes: format!("encounter {n} ").repeat(1 + (n % 7) as usize),
                given: vec!["food".into()],
                follow_ups: if n % 10 == 0 {
                    vec![NewFollowUp {
                        what: format!("follow-up {n}"),
                        due: Some(day(2024, 1, 1 + (n % 28) as u32)),
                    }]
                } else {
                    vec![]
                },
                ..NewEncounter::with_person(person.clone())
            })
        } else {
            v.record_encounter(&NewEncounter {
                notes: format!("street {n}"),
                ..NewEncounter::anonymous()
            })
        }
        .expect("record");
        let mut out = stdout.lock();
        // One write per line: a kill can cut the stream only between lines or inside the
        // last one, which the parent ignores unless it ends with a newline.
        out.write_all(format!("saved {}\n", id.0).as_bytes())
            .expect("print");
        out.flush().expect("flush");
    }
}

/// This test binary. On Linux, `/proc/self/exe` still names it if a build replaces the file
/// while the tests run (the target folder is shared).
fn this_test_binary() -> std::path::PathBuf {
    let proc_exe = Path::new("/proc/self/exe");
    if cfg!(target_os = "linux") && proc_exe.exists() {
        proc_exe.to_path_buf()
    } else {
        std::env::current_exe().expect("test binary")
    }
}

/// Runs the child writer on `dir` and kills it at a random moment after its first save;
/// returns the ids it reported saved.
fn run_and_kill(dir: &Path, delay: Duration) -> Vec<String> {
    let mut child = Command::new(this_test_binary())
        .args([
            "--exact",
            "crash::child_writer",
            "--nocapture",
            "--test-threads=1",
            "-q",
        ])
        .env(CHILD_ENV, dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("spawning the child writer: {e}"));
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        let mut r = BufReader::new(stdout);
        let mut ids = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            match r.read_line(&mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            // A line cut short by the kill has no newline: it was not fully reported.
            if !line.ends_with('\n') {
                break;
            }
            // The harness may print on the same line before the first of ours.
            if let Some(at) = line.rfind("saved ") {
                let id = line[at + "saved ".len()..].trim().to_owned();
                let _ = tx.send(id.clone());
                ids.push(id);
            }
        }
        ids
    });
    // The first save (after the child's Argon2id unlock) starts the clock.
    let first = rx.recv_timeout(Duration::from_secs(60));
    if first.is_ok() {
        std::thread::sleep(delay);
    }
    child.kill().expect("SIGKILL the child");
    let status = child.wait().expect("wait");
    let ids = reader.join().expect("reader");
    assert!(
        first.is_ok(),
        "the child never reported a save (exit status {status:?})"
    );
    assert!(!status.success(), "the child was killed, not finished");
    ids
}

/// The street log months this test can have written in (today's, and the next one should the
/// test run across the end of a month).
fn street_months(started: chrono::DateTime<chrono::Utc>) -> BTreeSet<String> {
    [started, chrono::Utc::now()]
        .iter()
        .map(|t| month(*t))
        .collect()
}

fn stored_ids(v: &mut Vault, person: &PersonId, months: &BTreeSet<String>) -> Vec<Encounter> {
    let mut all = v.person(person).expect("person").encounters;
    for m in months {
        all.extend(v.street_log(m).expect("street log"));
    }
    all
}

#[test]
fn a_killed_writer_loses_nothing_it_reported_saved() {
    let started = chrono::Utc::now();
    let (dir, mut v) = new_vault();
    let person = v
        .add_person(&NewPerson {
            name: "Ana".into(),
            ..NewPerson::default()
        })
        .expect("add");
    drop(v);

    let mut rng = rand::thread_rng();
    let mut reported: BTreeSet<String> = BTreeSet::new();
    for round in 0..ROUNDS {
        let delay = Duration::from_millis(rng.gen_range(0..=300));
        let ids = run_and_kill(dir.path(), delay);
        let mut v = Vault::open(dir.path(), &pass())
            .unwrap_or_else(|e| panic!("round {round}: the vault does not open after a kill: {e}"));
        let stored: BTreeSet<String> = stored_ids(&mut v, &person, &street_months(started))
            .into_iter()
            .map(|e| e.id.0)
            .collect();
        for id in &ids {
            assert!(
                stored.contains(id),
                "round {round} (killed {delay:?} after the first save): encounter {id} was \
                 reported saved and is gone"
            );
        }
        reported.extend(ids);
        // Saved and reported, or saved and killed before reporting; nothing else.
        assert!(stored.len() >= reported.len());
        assert!(
            stored.len() <= reported.len() + round + 1,
            "at most one unreported save a round"
        );
    }

    // The indexes, written in the same transactions as the documents, agree with them.
    let mut v = Vault::open(dir.path(), &pass()).expect("open");
    let mut all = stored_ids(&mut v, &person, &street_months(started));
    assert!(all.len() >= reported.len() && reported.len() > ROUNDS);
    all.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
    let newest: Vec<&EncounterId> = all.iter().take(60).map(|e| &e.id).collect();
    let rec = v.person(&person).expect("person");
    let indexed = |v: &mut Vault| {
        (
            v.list_people().expect("list"),
            v.recent_encounters(60)
                .expect("recent")
                .into_iter()
                .map(|e| e.id)
                .collect::<Vec<_>>(),
            v.follow_ups_due(day(2100, 1, 1)).expect("due"),
        )
    };
    let before = indexed(&mut v);
    assert_eq!(
        before.1.iter().collect::<Vec<_>>(),
        newest,
        "the newest encounters, as indexed"
    );
    let open: Vec<&FollowUpId> = rec
        .follow_ups
        .iter()
        .filter(|f| f.done_at.is_none())
        .map(|f| &f.id)
        .collect();
    assert!(!open.is_empty());
    assert_eq!(before.0[0].open_follow_ups as usize, open.len());
    assert_eq!(before.2.len(), open.len());
    assert_eq!(before.0[0].last_seen, rec.last_seen());
    v.rebuild_indexes().expect("rebuild");
    assert_eq!(
        indexed(&mut v),
        before,
        "rebuilt from the documents alone, the same"
    );
    // Every change is also still waiting in the outbox for the relay.
    let outbox = v.outbox(1_000_000).expect("outbox");
    assert!(outbox.len() >= all.len() + 3);
}
