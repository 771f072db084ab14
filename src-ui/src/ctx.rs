//! What every component shares, in a module that renders nothing: what is shown (the phase
//! and the screen), the settings, the sync status, notices, and locking. Screens and widgets
//! import this, never the app that renders them, so no module imports its own caller.

use crate::i18n;
use crate::logic::sync_badge::SyncView;
use crate::tauri::{invoke, ShellError};
use leptos::prelude::*;
use leptos::task::spawn_local;
use tandem_model::shell::answers::Settings;
use tandem_model::shell::args::NoArgs;
use tandem_model::shell::Command;
use tandem_model::{GoalId, Lang, PersonId};

/// What the app shows as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Asking the shell.
    Loading,
    /// No vault yet.
    FirstRun,
    /// A vault, locked: nothing personal is on screen or in the page's memory.
    Locked,
    /// Unlocked.
    Unlocked,
}

/// The screens of an unlocked app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// Today.
    Today,
    /// New encounter.
    Encounter,
    /// People.
    People,
    /// A new person.
    NewPerson,
    /// A person's brief.
    Brief(PersonId),
    /// A goal.
    Goal(PersonId, GoalId),
    /// Editing a person's profile.
    Profile(PersonId),
    /// Team & sync.
    Team,
    /// Settings.
    Settings,
    /// The team's report.
    Report,
    /// Hand-over and cover.
    Cover,
    /// The team's places to refer people to.
    Places,
    /// The debriefs peers asked for.
    Debriefs,
    /// The street log, a month at a time, and linking its contacts to people.
    Street,
}

/// What every component shares.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    /// The language.
    pub lang: RwSignal<Lang>,
    /// The settings.
    pub settings: RwSignal<Settings>,
    /// First run, locked, unlocked.
    pub phase: RwSignal<Phase>,
    /// The screen (kept across a lock, so unlocking returns to it).
    pub screen: RwSignal<Screen>,
    /// The latest sync status.
    pub sync: RwSignal<Option<SyncView>>,
    /// Bumped when data may have changed (a sync brought something): lists reload.
    pub refresh: RwSignal<u64>,
    /// A short message for the peer ("Saved"), as a translation key.
    pub notice: RwSignal<Option<&'static str>>,
    /// When the peer last touched or typed (ms).
    pub last_activity: StoredValue<f64>,
}

impl Ctx {
    /// The text of a key in the current language (reactive).
    pub fn t(&self, key: &str) -> String {
        i18n::t(self.lang.get(), key)
    }

    /// The text of a key with arguments (reactive).
    pub fn tra(&self, key: &str, args: &[(&str, String)]) -> String {
        i18n::t_args(self.lang.get(), key, args)
    }

    /// The words for a shell error.
    pub fn error_text(&self, e: &ShellError) -> String {
        self.t(i18n::error_key(&e.code))
    }

    /// Goes to a screen.
    pub fn go(&self, screen: Screen) {
        self.screen.set(screen);
        self.notice.set(None);
    }

    /// Locks now: the shell drops the vault, the page drops every screen.
    pub fn lock(&self) {
        if self.phase.get_untracked() != Phase::Unlocked {
            return;
        }
        self.phase.set(Phase::Locked);
        self.sync.set(None);
        spawn_local(async move {
            let _ = invoke::<()>(Command::Lock, &NoArgs {}).await;
        });
    }

    /// Shows a short message.
    pub fn notify(&self, key: &'static str) {
        self.notice.set(Some(key));
    }
}

/// The context, from any component.
pub fn ctx() -> Ctx {
    expect_context::<Ctx>()
}
