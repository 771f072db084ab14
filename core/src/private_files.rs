//! Vault files readable by their owner only.
//!
//! The database is encrypted, but its size, its times and the key file's Argon2 parameters are
//! still worth keeping from other accounts on a shared computer, and a copy of `vault.key` is
//! what an offline guessing attack starts from. On Unix (Linux, macOS, Android, iOS) every file
//! the vault writes is created `0600` and a folder it creates `0700`; SQLite gives its `-wal`
//! and `-shm` files the database file's mode. Vaults made before this are tightened when they
//! are next opened. Elsewhere the platform's defaults apply.

use crate::error::{Result, VaultError};
use std::fs::{self, File};
use std::path::Path;

/// Creates `dir` (and missing parents) for a vault: folders created here are the owner's only.
pub(crate) fn create_dir(dir: &Path) -> Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(VaultError::io("creating the vault folder"))
}

/// Creates (or truncates) a file that only its owner may read or write.
pub(crate) fn create_file(path: &Path) -> std::io::Result<File> {
    open_private(path, true)
}

/// Makes sure `path` exists as a file only its owner may read or write, leaving any content.
pub(crate) fn touch(path: &Path) -> std::io::Result<()> {
    open_private(path, false).map(drop)
}

fn open_private(path: &Path, truncate: bool) -> std::io::Result<File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(truncate);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path)?;
    // `mode` applies only when the file is new: one left by an older version is narrowed too
    // (best effort: a file system without Unix modes refuses, and the vault must still work).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if file.metadata()?.permissions().mode() & 0o077 != 0 {
            let _ = file.set_permissions(fs::Permissions::from_mode(0o600));
        }
    }
    Ok(file)
}

/// Narrows an existing file to its owner; a missing file is not an error.
pub(crate) fn restrict(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = match fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        if meta.permissions().mode() & 0o077 != 0 {
            let mode = if meta.is_dir() { 0o700 } else { 0o600 };
            fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Narrows the vault folder and every file the vault keeps in it (a vault made by an older
/// version had them readable by all). Best effort: a file system without Unix modes (a FAT
/// memory card) refuses, and the vault must still open there.
pub(crate) fn restrict_vault(dir: &Path, files: &[&str]) {
    let _ = restrict(dir);
    for name in files {
        let _ = restrict(&dir.join(name));
    }
}
