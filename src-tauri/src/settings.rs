//! The app's settings: language and auto-lock time. A small plain JSON file beside the vault
//! folder (it must be readable before the vault is unlocked, to show the unlock screen in the
//! right language). It never holds personal data.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tandem_model::Lang;

/// Shortest and longest auto-lock delays offered, in minutes.
pub const AUTO_LOCK_RANGE: (u32, u32) = (1, 120);

/// What the app remembers between runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The language the app speaks.
    pub lang: Lang,
    /// Minutes without a touch or a key before the app locks itself.
    pub auto_lock_minutes: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            lang: std::env::var("LANG")
                .ok()
                .and_then(|l| Lang::parse(&l))
                .unwrap_or_default(),
            auto_lock_minutes: 5,
        }
    }
}

impl Settings {
    /// The same settings with values brought into range.
    pub fn clamped(self) -> Self {
        Self {
            auto_lock_minutes: self
                .auto_lock_minutes
                .clamp(AUTO_LOCK_RANGE.0, AUTO_LOCK_RANGE.1),
            ..self
        }
    }

    /// Reads the settings; defaults when the file is missing or unreadable (it is only
    /// preferences: never a reason not to start).
    pub fn load(path: &Path) -> Self {
        std::fs::read(path)
            .ok()
            .and_then(|b| serde_json::from_slice::<Settings>(&b).ok())
            .map(Settings::clamped)
            .unwrap_or_default()
    }

    /// Writes the settings (to a temporary file first, so a crash never leaves half a file).
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let tmp = path.with_extension("json.tmp");
        let text = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, path)
    }
}

/// Where the settings of the vault in `vault_dir` live: a file beside the folder, named
/// after it (`…/vault` → `…/vault.app-settings.json`), so the vault folder holds only the
/// vault's own files and two vaults side by side keep their own settings.
pub fn settings_path(vault_dir: &Path) -> PathBuf {
    let name = vault_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "vault".to_owned());
    let parent = vault_dir.parent().unwrap_or(Path::new("."));
    parent.join(format!("{name}.app-settings.json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_sit_beside_the_vault() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let vault = dir.path().join("vault");
        let path = settings_path(&vault);
        assert_eq!(path, dir.path().join("vault.app-settings.json"));
        let s = Settings {
            lang: Lang::Fr,
            auto_lock_minutes: 10,
        };
        s.save(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(Settings::load(&path), s);
    }

    #[test]
    fn a_damaged_or_odd_file_gives_sane_settings() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("s.json");
        std::fs::write(&path, b"{not json").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(Settings::load(&path).auto_lock_minutes, 5);
        std::fs::write(&path, br#"{"lang":"fr","auto_lock_minutes":0}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        let s = Settings::load(&path);
        assert_eq!((s.lang, s.auto_lock_minutes), (Lang::Fr, 1));
    }
}
