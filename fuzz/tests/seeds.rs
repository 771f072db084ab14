//! The committed seeds are what the encoders make today, and each passes its target's checks
//! (the fuzz targets' code, run without libFuzzer).

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeMap;
use tandem_fuzz::targets::ALL;

fn committed() -> BTreeMap<(String, String), Vec<u8>> {
    let root = tandem_fuzz::fuzz_dir().join("seeds");
    let mut out = BTreeMap::new();
    for target in std::fs::read_dir(&root).expect("fuzz/seeds") {
        let target = target.expect("entry").path();
        for file in std::fs::read_dir(&target).expect("a target's seeds") {
            let path = file.expect("entry").path();
            let key = (
                target
                    .file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned(),
                path.file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned(),
            );
            out.insert(key, std::fs::read(&path).expect("seed"));
        }
    }
    out
}

#[test]
fn the_committed_seeds_are_what_the_encoders_make() {
    let made: BTreeMap<(String, String), Vec<u8>> = tandem_fuzz::seeds::all()
        .into_iter()
        .map(|(t, n, b)| ((t.to_owned(), n), b))
        .collect();
    let committed = committed();
    let stale: Vec<_> = made
        .iter()
        .filter(|(k, v)| committed.get(*k) != Some(*v))
        .map(|(k, _)| k)
        .chain(committed.keys().filter(|k| !made.contains_key(*k)))
        .collect();
    assert!(
        stale.is_empty(),
        "seeds differ from the encoders' output: {stale:?}; run \
         `cargo run -p tandem-fuzz --example seeds`"
    );
}

#[test]
fn the_committed_dictionaries_are_what_the_code_makes() {
    let dir = tandem_fuzz::fuzz_dir().join("dicts");
    let made = tandem_fuzz::seeds::dicts();
    for (target, text) in &made {
        let committed = std::fs::read_to_string(dir.join(format!("{target}.dict")));
        assert_eq!(
            committed.ok().as_deref(),
            Some(text.as_str()),
            "fuzz/dicts/{target}.dict is stale; run \
             `cargo run -p tandem-fuzz --example seeds`"
        );
    }
    let files = std::fs::read_dir(&dir).expect("fuzz/dicts").count();
    assert_eq!(
        files,
        made.len(),
        "a dictionary in fuzz/dicts is no longer made"
    );
}

#[test]
fn every_target_has_seeds_and_each_passes_its_checks() {
    let seeds = tandem_fuzz::seeds::all();
    for (name, check) in ALL {
        let mine: Vec<_> = seeds.iter().filter(|(t, _, _)| t == name).collect();
        assert!(!mine.is_empty(), "{name} has no seed");
        for (_, seed, bytes) in mine {
            let result = std::panic::catch_unwind(|| check(bytes));
            assert!(result.is_ok(), "{name}/{seed} fails its checks");
        }
    }
}
