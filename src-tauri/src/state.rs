//! What the shell holds: where the vault is, the unlocked vault with its background sync, the
//! settings, and the draft encounter (kept in memory only, so it survives a lock but never
//! reaches the disk in plain text).

use crate::error::{CommandError, CommandResult};
use crate::settings::{settings_path, Settings, SettingsFile};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use tandem_core::sync::{SyncHandle, SyncStatus};
use tandem_core::{SharedVault, Vault, VaultError};
use tandem_model::reminder::DueDates;

/// An unlocked vault and its sync runner. Dropping it locks the vault: the runner stops and
/// the vault (with its key) leaves memory once the last sync thread lets go of it.
#[derive(Debug)]
pub struct Session {
    /// The vault, shared with the sync threads (they hold it weakly).
    pub vault: Arc<SharedVault>,
    /// The background sync.
    pub sync: SyncHandle,
}

/// The shell's state, managed by Tauri.
#[derive(Debug)]
pub struct AppState {
    /// The vault's folder.
    pub dir: PathBuf,
    session: Mutex<Option<Session>>,
    /// The vault of the last session, weakly: a sync thread in a long poll may still hold it
    /// for a few seconds after a lock.
    previous: Mutex<Weak<SharedVault>>,
    settings: Mutex<Settings>,
    draft: Mutex<Option<String>>,
    /// When this member's things come due, read at the last lock: what the daily reminder
    /// counts while the vault is locked (dates only, in memory only).
    kept_due: Mutex<Option<DueDates>>,
    /// Held while the reminder is looked at and raised (the clock's thread and an unlock, one
    /// at a time); holds the day of one raised that could not be noted in its file.
    reminder: Mutex<Option<chrono::NaiveDate>>,
}

fn guard<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // The data behind these locks stays consistent across a panic (plain values, or a vault
    // whose state on disk is transactional), so a poisoned lock is simply taken over.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The vault folder: `TANDEM_VAULT`, else the same folder as the `tandem` command uses.
pub fn vault_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("TANDEM_VAULT").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    directories::ProjectDirs::from("org", "Tandem", "tandem")
        .map(|p| p.data_dir().join("vault"))
        .unwrap_or_else(|| PathBuf::from("tandem-vault"))
}

impl AppState {
    /// State for the vault in `dir`, with its settings read from beside it.
    pub fn new(dir: PathBuf) -> Self {
        let settings = Settings::load(&settings_path(&dir));
        Self {
            dir,
            session: Mutex::new(None),
            previous: Mutex::new(Weak::new()),
            settings: Mutex::new(settings),
            draft: Mutex::new(None),
            kept_due: Mutex::new(None),
            reminder: Mutex::new(None),
        }
    }

    /// The settings in force.
    pub fn settings(&self) -> Settings {
        *guard(&self.settings)
    }

    /// Changes and saves the settings.
    pub fn set_settings(&self, s: Settings) -> CommandResult<Settings> {
        let s = s.clamped();
        s.save(&settings_path(&self.dir)).map_err(|e| {
            CommandError::new(
                tandem_model::ErrorCode::Io,
                format!("saving the settings: {e}"),
            )
        })?;
        *guard(&self.settings) = s;
        Ok(s)
    }

    /// Whether the vault is unlocked.
    pub fn is_unlocked(&self) -> bool {
        guard(&self.session).is_some()
    }

    /// The unlocked vault, shared (for the sync functions, which lock it themselves).
    pub fn shared_vault(&self) -> CommandResult<Arc<SharedVault>> {
        guard(&self.session)
            .as_ref()
            .map(|s| s.vault.clone())
            .ok_or_else(CommandError::locked)
    }

    /// Runs `f` on the unlocked vault.
    pub fn with_vault<T>(
        &self,
        f: impl FnOnce(&mut Vault) -> Result<T, VaultError>,
    ) -> CommandResult<T> {
        let vault = self.shared_vault()?;
        let mut v = vault.lock();
        Ok(f(&mut v)?)
    }

    /// Runs `f` on the unlocked vault, then tells the sync there is something to send.
    pub fn change<T>(
        &self,
        f: impl FnOnce(&mut Vault) -> Result<T, VaultError>,
    ) -> CommandResult<T> {
        let out = self.with_vault(f)?;
        self.poke();
        Ok(out)
    }

    /// Asks the sync to run now.
    pub fn poke(&self) {
        if let Some(s) = guard(&self.session).as_ref() {
            s.sync.poke();
        }
    }

    /// The sync status, when unlocked.
    pub fn sync_status(&self) -> Option<SyncStatus> {
        guard(&self.session).as_ref().map(|s| s.sync.status())
    }

    /// Starts a session on an unlocked vault; `listener` hears the sync status.
    pub fn start(
        &self,
        vault: Arc<SharedVault>,
        listener: impl Fn(&SyncStatus) + Send + Sync + 'static,
    ) {
        let sync = SyncHandle::start(&vault, listener);
        *guard(&self.previous) = Arc::downgrade(&vault);
        if let Some(old) = guard(&self.session).replace(Session { vault, sync }) {
            old.sync.stop();
        }
    }

    /// Locks: keeps the due dates for the reminder, stops the sync and drops the vault.
    pub fn lock(&self) {
        // The session's lock is let go first: waiting for the vault (a sync may hold it) must
        // not hold up every other command meanwhile.
        let old = guard(&self.session).take();
        if let Some(old) = old {
            if let Ok(due) = old.vault.lock().my_due_dates() {
                self.keep_due_dates(due);
            }
            old.sync.stop();
        }
    }

    /// When this member's things come due: read now when the vault is unlocked, else the
    /// dates kept at the last lock (none when the app has not been unlocked since it started).
    pub fn due_dates(&self) -> Option<DueDates> {
        match self.with_vault(|v| v.my_due_dates()) {
            Ok(due) => Some(due),
            Err(_) => guard(&self.kept_due).clone(),
        }
    }

    /// The reminder's turn: one look at a time. Inside, the day of a reminder raised but not
    /// noted in its file (so a file that cannot be written never raises it again that day).
    pub fn reminder_turn(&self) -> MutexGuard<'_, Option<chrono::NaiveDate>> {
        guard(&self.reminder)
    }

    /// Keeps `due` for the reminder while the vault is locked.
    pub fn keep_due_dates(&self, due: DueDates) {
        *guard(&self.kept_due) = Some(due);
    }

    /// The previous session's vault if a sync thread still holds it. Only used after
    /// [`Vault::open`] said "in use" — which it says only once the passphrase has opened the
    /// key, so handing this vault back never skips the passphrase check.
    pub fn still_open_vault(&self) -> Option<Arc<SharedVault>> {
        guard(&self.previous).upgrade()
    }

    /// Keeps the draft encounter (JSON from the front end) in memory.
    pub fn set_draft(&self, draft: Option<String>) {
        *guard(&self.draft) = draft;
    }

    /// The draft encounter, if any.
    pub fn draft(&self) -> Option<String> {
        guard(&self.draft).clone()
    }
}
