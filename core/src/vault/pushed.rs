//! What this device pushed, by the log position the relay gave each envelope, while the
//! vault is open: a pull that meets the very same envelope (same id, at that position)
//! skips it, since this device wrote it and holds it, instead of loading the record only to
//! find nothing new. A founder putting a large team on a relay pulls back every record it
//! just pushed; each used to cost a full load.

use super::Vault;
use std::collections::BTreeMap;

/// Positions remembered, at most (a few MiB): past it, pulls just apply as before.
const MOST: usize = 200_000;

/// Envelope ids by log position.
#[derive(Default)]
pub(super) struct PushedHere {
    at: BTreeMap<u64, [u8; 32]>,
}

impl PushedHere {
    fn note(&mut self, pushed: impl IntoIterator<Item = (u64, [u8; 32])>) {
        for (seq, id) in pushed {
            if self.at.len() >= MOST {
                return;
            }
            self.at.insert(seq, id);
        }
    }

    fn take_upto(&mut self, upto: u64) -> BTreeMap<u64, [u8; 32]> {
        let later = self.at.split_off(&upto.saturating_add(1));
        std::mem::replace(&mut self.at, later)
    }
}

impl Vault {
    /// Notes envelopes the relay took from this device: `(position, envelope id)`.
    pub(crate) fn note_pushed(&mut self, pushed: impl IntoIterator<Item = (u64, [u8; 32])>) {
        self.pushed.note(pushed);
    }

    /// The envelopes this device pushed at positions up to `upto`, forgotten here (a pull
    /// reaches each position once).
    pub(crate) fn take_pushed_upto(&mut self, upto: u64) -> BTreeMap<u64, [u8; 32]> {
        self.pushed.take_upto(upto)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_taken_once_up_to_a_point_and_bounded() {
        let mut p = PushedHere::default();
        p.note([(3, [3; 32]), (9, [9; 32]), (5, [5; 32])]);
        assert_eq!(p.take_upto(5).into_keys().collect::<Vec<_>>(), [3, 5]);
        assert!(p.take_upto(5).is_empty(), "taken once");
        assert_eq!(p.take_upto(u64::MAX).into_keys().collect::<Vec<_>>(), [9]);
        p.note((0..MOST as u64 + 10).map(|s| (s, [0; 32])));
        assert_eq!(p.at.len(), MOST);
    }
}
