//! The app's settings: language, auto-lock time and the daily reminder. A small plain JSON file beside the vault
//! folder (it must be readable before the vault is unlocked, to show the unlock screen in the
//! right language). It never holds personal data. The settings themselves are part of the
//! shell ↔ UI contract (`tandem_model::shell::answers::Settings`).

use std::path::{Path, PathBuf};
use tandem_model::Lang;

pub use tandem_model::shell::answers::{Settings, AUTO_LOCK_RANGE};

/// The settings of a first start on this machine: in its language (`LANG`) when Tandem
/// speaks it.
pub fn machine_default() -> Settings {
    Settings::in_lang(
        std::env::var("LANG")
            .ok()
            .and_then(|l| Lang::parse(&l))
            .unwrap_or_default(),
    )
}

/// The settings file: reading and writing [`Settings`] beside the vault.
pub trait SettingsFile: Sized {
    /// Reads the settings; the machine's defaults when the file is missing or unreadable (it
    /// is only preferences: never a reason not to start), and for a field it lacks.
    fn load(path: &Path) -> Self;

    /// Writes the settings (to a temporary file first, so a crash never leaves half a file).
    fn save(&self, path: &Path) -> std::io::Result<()>;
}

impl SettingsFile for Settings {
    fn load(path: &Path) -> Self {
        let defaults = machine_default();
        let Some(serde_json::Value::Object(file)) = std::fs::read(path)
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        else {
            return defaults;
        };
        // The file's fields over the machine's defaults, as a whole file would be read.
        let mut merged = match serde_json::to_value(defaults) {
            Ok(serde_json::Value::Object(m)) => m,
            _ => return defaults,
        };
        merged.extend(file);
        serde_json::from_value::<Settings>(serde_json::Value::Object(merged))
            .map(Settings::clamped)
            .unwrap_or(defaults)
    }

    fn save(&self, path: &Path) -> std::io::Result<()> {
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
    beside_vault(vault_dir, "app-settings.json")
}

/// The app's file `…/vault.<what>` beside the vault folder `…/vault` (never inside it: the
/// folder holds only the vault's own files).
pub fn beside_vault(vault_dir: &Path, what: &str) -> PathBuf {
    let name = vault_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "vault".to_owned());
    let parent = vault_dir.parent().unwrap_or(Path::new("."));
    parent.join(format!("{name}.{what}"))
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
            reminders: false,
            reminder_minute: 17 * 60 + 45,
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
