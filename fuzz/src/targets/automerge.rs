//! Automerge bytes from other devices (`core/src/automerge_input.rs`): the bound checked before
//! Automerge reads them, then, only if accepted, `Automerge::load` and `load_incremental` on a
//! fresh document, as the vault does with what a pull, a snapshot or an import brings.
//!
//! The bound is exact: what it accepts within a limit it measures at most that limit, the same
//! measure under any limit at or above it, and refuses below it; what declares too many
//! operations is refused under any limit. What it accepts, Automerge
//! loads (or refuses) without panicking and, the target's allocator sees to it
//! (`fuzz/libfuzzer/src/lib.rs`), without an allocation or a heap out of proportion.

use automerge::Automerge;
use tandem_core::automerge_input::{check, check_within, InputError, MAX_INFLATED_BYTES, MAX_ROWS};

/// The bound the target holds inputs to: small, so that an input of a few KiB that the check
/// lets through can still be a bomb in Automerge's hands if the check miscounts.
pub const LIMIT: u64 = 1 << 20;
const _: () = assert!(LIMIT < MAX_INFLATED_BYTES);

/// The target.
pub fn automerge(data: &[u8]) {
    let inflated = match check_within(data, LIMIT) {
        Ok(n) => n,
        Err(InputError::TooLarge { limit }) => {
            assert_eq!(limit, LIMIT);
            return;
        }
        Err(InputError::Malformed(_)) => {
            assert!(matches!(check(data), Err(InputError::Malformed(_))));
            return;
        }
        Err(InputError::TooManyRows { limit }) => {
            // The row bound does not depend on the byte bound: the production check agrees.
            assert_eq!(limit, MAX_ROWS);
            assert_eq!(check(data), Err(InputError::TooManyRows { limit }));
            return;
        }
    };
    assert!(inflated <= LIMIT);
    assert_eq!(
        check(data),
        Ok(inflated),
        "the production bound measures the same"
    );
    assert_eq!(check_within(data, inflated), Ok(inflated));
    if inflated > 0 {
        assert_eq!(
            check_within(data, inflated - 1),
            Err(InputError::TooLarge {
                limit: inflated - 1
            })
        );
    }

    if let Ok(doc) = Automerge::load(data) {
        // What loads saves, and loads again to the same heads.
        let saved = doc.save();
        let again = Automerge::load(&saved).expect("a saved document loads");
        assert_eq!(again.get_heads(), doc.get_heads());
    }
    let mut fresh = Automerge::new();
    let _ = fresh.load_incremental(data);
}
