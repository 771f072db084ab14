//! The vault's key file (`core/src/keyfile.rs`, [`tandem_core::KeyFile::parse`]): the bytes of
//! `vault.key` as read from disk. No key is derived (Argon2id at its real parameters would
//! take a second an input).
//!
//! Anything is a key file or a clear "damaged" / "unsupported" error; a key file has
//! parameters within the bounds a vault accepts and a vault id of 1 to 64 bytes, writes back
//! to bytes that read back to the same file, and writes the same bytes again.

use tandem_core::{KdfParams, KeyFile, VaultError};

/// The target.
pub fn keyfile(data: &[u8]) {
    let file = match KeyFile::parse(data) {
        Ok(f) => f,
        Err(e) => {
            assert!(
                matches!(
                    e,
                    VaultError::KeyFileDamaged(_) | VaultError::UnsupportedKeyFile(_)
                ),
                "{e:?}"
            );
            return;
        }
    };
    let p = file.params();
    let min = KdfParams::RECOMMENDED;
    assert!(p.memory_kib >= min.memory_kib && p.memory_kib <= 1024 * 1024);
    assert!(p.iterations >= min.iterations && p.iterations <= 64);
    assert!(p.parallelism >= 1 && p.parallelism <= 64);
    assert!(!file.vault_id().is_empty() && file.vault_id().len() <= 64);

    let written = file.to_bytes().expect("a key file writes");
    let again = KeyFile::parse(&written).expect("what was written reads back");
    assert_eq!(again, file);
    assert_eq!(again.to_bytes().expect("writes"), written, "not stable");
}
