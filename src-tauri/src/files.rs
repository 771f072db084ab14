//! Files the app saves for the person using it (a report's CSV): under a name no file in that
//! folder has yet, written whole or not at all.

use std::io::Write;
use std::path::{Path, PathBuf};

/// How many names are tried (`stem.ext`, `stem (2).ext`, …) before giving up.
const TRIES: u32 = 100;

/// Saves `bytes` in `dir` as `stem.ext`, or `stem (2).ext` and so on when that name is taken:
/// never over an existing file. Written to a temporary file first and linked under its name
/// only once complete, so a crash or a full disk leaves no half file under the real name.
pub fn save_new(dir: &Path, stem: &str, ext: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    for n in 1..=TRIES {
        let name = if n == 1 {
            format!("{stem}.{ext}")
        } else {
            format!("{stem} ({n}).{ext}")
        };
        let path = dir.join(name);
        match tmp.persist_noclobber(&path) {
            Ok(_) => return Ok(path),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => tmp = e.file,
            Err(e) => return Err(e.error),
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        format!("{TRIES} files named {stem}… already"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_save_takes_a_new_name_and_the_first_is_kept() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let first =
            save_new(dir.path(), "tandem-report", "csv", b"one").unwrap_or_else(|e| panic!("{e}"));
        let second =
            save_new(dir.path(), "tandem-report", "csv", b"two").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first, dir.path().join("tandem-report.csv"));
        assert_eq!(second, dir.path().join("tandem-report (2).csv"));
        assert_eq!(std::fs::read(&first).unwrap_or_default(), b"one");
        assert_eq!(std::fs::read(&second).unwrap_or_default(), b"two");
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .map(|d| d.filter_map(Result::ok).map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert_eq!(left.len(), 2, "no temporary file left: {left:?}");
    }
}
