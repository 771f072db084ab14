//! Report benchmarks on a real SQLCipher vault of a demo team of 1,000 people and 100,000
//! encounters (spread over two years): `cargo bench -p tandem-core --bench reports`.
//! `TANDEM_BENCH_LARGE=1` measures a team ten times that size too (a ~500 MB vault, and a
//! long time to make).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::{Duration, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use tandem_core::demo::{self, DemoSize};
use tandem_core::model::{Lang, ReportPeriod};
use tandem_core::{NewVault, Passphrase, Vault};
use tempfile::TempDir;

fn team(persons: usize, encounters: usize) -> (TempDir, Vault) {
    let dir = tempfile::tempdir().unwrap();
    let mut v = Vault::create(
        dir.path(),
        &Passphrase::new("correct horse battery staple"),
        &NewVault {
            member_name: "Bench".into(),
            team_name: "Bench".into(),
        },
    )
    .unwrap();
    demo::generate(
        &mut v,
        &DemoSize {
            persons,
            encounters,
            seed: 3,
        },
    )
    .unwrap();
    (dir, v)
}

fn measure(c: &mut Criterion, label: &str, v: &mut Vault) {
    let today = Utc::now().date_naive();
    let month = ReportPeriod::last_month(today, "America/Montreal").unwrap();
    let year = ReportPeriod::days(today - Duration::days(364), today, "America/Montreal");
    let r = v.report(&year).unwrap();
    println!(
        "{label}: a year holds {} encounters, a month {}",
        r.encounters,
        v.report(&month).unwrap().encounters
    );
    let mut g = c.benchmark_group(label);
    g.sample_size(20);
    g.bench_function("month report", |b| {
        b.iter(|| black_box(v.report(&month).unwrap()))
    });
    g.bench_function("year report", |b| {
        b.iter(|| black_box(v.report(&year).unwrap()))
    });
    g.bench_function("year report as CSV", |b| {
        b.iter(|| black_box(v.report_csv(&year, Lang::Fr).unwrap()))
    });
    g.bench_function("year research export", |b| {
        b.iter(|| black_box(v.research_csv(&year).unwrap()))
    });
    g.finish();
}

fn reports(c: &mut Criterion) {
    let (_dir, mut v) = team(1_000, 100_000);
    measure(c, "1k people, 100k encounters", &mut v);
    if std::env::var_os("TANDEM_BENCH_LARGE").is_some() {
        drop(v);
        let (_dir, mut v) = team(10_000, 1_000_000);
        measure(c, "10k people, 1M encounters", &mut v);
    }
}

criterion_group!(benches, reports);
criterion_main!(benches);
