//! Vault benchmarks on real SQLCipher files: `cargo bench -p tandem-core --bench vault`.
//!
//! Criterion reports the mean/median of each; the durable save also prints p50/p99 from
//! 2,000 single saves, since a tail is what a peer on the street feels.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::{Duration, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::Instant;
use tandem_core::model::{NewEncounter, NewGoal, NewPerson, PersonId};
use tandem_core::{demo, NewVault, Passphrase, Vault};
use tempfile::TempDir;

fn pass() -> Passphrase {
    Passphrase::new("correct horse battery staple")
}

fn vault() -> (TempDir, Vault) {
    let dir = tempfile::tempdir().unwrap();
    let v = Vault::create(
        dir.path(),
        &pass(),
        &NewVault {
            member_name: "Bench".into(),
            team_name: "Bench".into(),
        },
    )
    .unwrap();
    (dir, v)
}

fn encounter(person: &PersonId, i: usize) -> NewEncounter {
    let mut e = NewEncounter::with_person(person.clone());
    e.notes = format!("Met by the station, talked about the housing form ({i}).");
    e.kind = Some("street_outreach".into());
    e.place = Some("station Berri".into());
    e.given = vec!["food".into()];
    e
}

fn person_with_five_years(v: &mut Vault) -> PersonId {
    let id = v
        .add_person(&NewPerson {
            name: "Hélène B.".into(),
            ..Default::default()
        })
        .unwrap();
    v.add_goal(
        &id,
        &NewGoal {
            words: "Avoir mon propre appart".into(),
            domain: Some("housing".into()),
            status: None,
            steps: vec!["Appeler le bureau du logement".into()],
            next_check_in: None,
        },
    )
    .unwrap();
    let start = Utc::now() - Duration::weeks(260);
    for w in 0..260 {
        let mut e = encounter(&id, w);
        e.at = Some(start + Duration::weeks(w as i64));
        v.record_encounter(&e).unwrap();
    }
    id
}

fn percentiles(label: &str, mut samples: Vec<std::time::Duration>) {
    samples.sort();
    let p = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{label}: n={} p50={:.2?} p99={:.2?} max={:.2?}",
        samples.len(),
        p(0.50),
        p(0.99),
        samples[samples.len() - 1]
    );
}

fn record_encounter(c: &mut Criterion) {
    // A team's vault: 200 people with ~100 encounters each, saves spread over them as on a
    // real day (a single record that grew by thousands would measure compaction instead).
    let (_dir, mut v) = vault();
    demo::generate(
        &mut v,
        &demo::DemoSize {
            persons: 200,
            encounters: 20_000,
            seed: 11,
        },
    )
    .unwrap();
    let people: Vec<PersonId> = v.list_people().unwrap().into_iter().map(|p| p.id).collect();
    let mut i = 0;
    c.bench_function(
        "record_encounter (durable; team of 200, ~100 encounters each)",
        |b| {
            b.iter(|| {
                i += 1;
                v.record_encounter(&encounter(&people[i % people.len()], i))
                    .unwrap()
            })
        },
    );
    let samples = (0..2000)
        .map(|i| {
            let e = encounter(&people[(i * 7) % people.len()], i);
            let t = Instant::now();
            v.record_encounter(&e).unwrap();
            t.elapsed()
        })
        .collect();
    percentiles("record_encounter latency (team)", samples);
    let heavy = person_with_five_years(&mut v);
    let samples = (0..300)
        .map(|i| {
            let e = encounter(&heavy, i);
            let t = Instant::now();
            v.record_encounter(&e).unwrap();
            t.elapsed()
        })
        .collect();
    percentiles("record_encounter latency (a 260-encounter record)", samples);
    let anon: Vec<_> = (0..500)
        .map(|_| {
            let mut e = NewEncounter::anonymous();
            e.given = vec!["naloxone".into()];
            let t = Instant::now();
            v.record_encounter(&e).unwrap();
            t.elapsed()
        })
        .collect();
    percentiles("record_encounter latency (street log)", anon);
}

fn unlock(c: &mut Criterion) {
    let (dir, v) = vault();
    drop(v);
    let mut g = c.benchmark_group("unlock");
    g.sample_size(10);
    g.bench_function("unlock (Argon2id 64 MiB, t=3, p=4)", |b| {
        b.iter(|| black_box(Vault::open(dir.path(), &pass()).unwrap()))
    });
    g.finish();
}

fn brief(c: &mut Criterion) {
    let (dir, mut v) = vault();
    let id = person_with_five_years(&mut v);
    c.bench_function("brief, 5 years of weekly encounters (in memory)", |b| {
        b.iter(|| black_box(v.brief(&id).unwrap()))
    });
    drop(v);
    let mut g = c.benchmark_group("brief cold");
    g.sample_size(20);
    let mut v = Vault::open(dir.path(), &pass()).unwrap();
    v.compact().unwrap();
    g.bench_function(
        "brief, 5 years of weekly encounters (load from disk + read)",
        |b| {
            b.iter(|| {
                // Loads the document from SQLCipher again each time.
                v.forget_cached_documents();
                black_box(v.brief(&id).unwrap())
            })
        },
    );
    g.finish();
}

fn search(c: &mut Criterion) {
    let (_dir, mut v) = vault();
    demo::generate(
        &mut v,
        &demo::DemoSize {
            persons: 10_000,
            encounters: 10_000,
            seed: 3,
        },
    )
    .unwrap();
    c.bench_function("search 10,000 persons (\"helene\")", |b| {
        b.iter(|| black_box(v.search_people("helene").unwrap()))
    });
    c.bench_function("search 10,000 persons (two words, \"ro a\")", |b| {
        b.iter(|| black_box(v.search_people("ro a").unwrap()))
    });
}

fn unlock_and_list(c: &mut Criterion) {
    let (dir, mut v) = vault();
    let t = Instant::now();
    let r = demo::generate(
        &mut v,
        &demo::DemoSize {
            persons: 1_000,
            encounters: 100_000,
            seed: 5,
        },
    )
    .unwrap();
    println!(
        "demo 1,000 persons / {} encounters generated in {:.1?}",
        r.encounters,
        t.elapsed()
    );
    drop(v);
    let size: u64 = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    println!("vault size on disk: {:.1} MiB", size as f64 / 1048576.0);
    let mut g = c.benchmark_group("demo team");
    g.sample_size(10);
    g.bench_function("unlock + list, 1,000 persons / 100,000 encounters", |b| {
        b.iter(|| {
            let v = Vault::open(dir.path(), &pass()).unwrap();
            black_box(v.list_people().unwrap().len())
        })
    });
    let mut v = Vault::open(dir.path(), &pass()).unwrap();
    let first = v.list_people().unwrap()[0].id.clone();
    g.bench_function("brief cold, demo person (~100 encounters)", |b| {
        b.iter(|| {
            v.forget_cached_documents();
            black_box(v.brief(&first).unwrap())
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    record_encounter,
    unlock,
    brief,
    search,
    unlock_and_list
);
criterion_main!(benches);
