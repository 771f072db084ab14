//! The record targets' seeds start inside the rules: each operation sequence grows the record
//! it was written to grow (so the fuzzer starts from accepted entries, not from refusals).

#![allow(clippy::expect_used, clippy::unwrap_used)]

use tandem_fuzz::targets::record_sequence::grow;

fn sequence_seed(name: &str) -> Vec<u8> {
    tandem_fuzz::seeds::all()
        .into_iter()
        .find(|(t, n, _)| *t == "record_sequence" && n == name)
        .map(|(_, _, b)| b)
        .expect("a seed of that name")
}

/// `(head seq, current epoch, active devices, devices known)` after the seed's operations.
fn grown(name: &str) -> (u64, u32, usize, usize) {
    let state = grow(&sequence_seed(name)).expect("the founding entry is accepted");
    (
        state.seq(),
        state.current_epoch(),
        state.active().count(),
        state.devices().count(),
    )
}

#[test]
fn the_new_team_seed_applies_every_operation() {
    // 14 operations, one of each kind but the founding one, all accepted.
    assert_eq!(grown("new-team"), (14, 3, 1, 3));
}

#[test]
fn the_migrated_seed_cascades() {
    // Founder, admin 1, member 2, removed 3; the stranger joins with 2's invite and goes with it.
    assert_eq!(grown("migrated-team-cascade"), (5, 3, 2, 5));
}

#[test]
fn spoiled_and_rule_breaking_entries_are_refused() {
    // Only the honest invite and join of each are taken (rules-broken: and one more invite).
    assert_eq!(grown("spoiled"), (2, 1, 2, 2));
    assert_eq!(grown("rules-broken"), (3, 1, 2, 2));
    assert_eq!(grown("unfit"), (0, 1, 1, 1));
}
