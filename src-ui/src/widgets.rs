//! Small pieces used on several screens: the sync badge, the navigation, the language switch,
//! the error line, the numbering of searches typed as one goes, and a search box's state.

use crate::ctx::{ctx, Screen};
use crate::logic::format::clock;
use crate::logic::sync_badge::Badge;
use crate::platform::minutes_east;
use crate::tauri::invoke;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::de::DeserializeOwned;
use tandem_model::shell::answers::Settings;
use tandem_model::shell::args::{Query, SaveSettings};
use tandem_model::shell::Command;
use tandem_model::Lang;

/// The sync badge: offline / N changes waiting / synced at 14:02 / syncing. A button to Team &
/// sync, named "Sync: …" for a screen reader. Where `announce` is set (the top bar's badge, not
/// the copy on the Team screen), changes of state are also read out, from a live region beside
/// the button: a button's content is not read as a live region.
#[component]
pub fn SyncBadge(#[prop(optional)] announce: bool) -> impl IntoView {
    let ctx = ctx();
    let badge = move || {
        ctx.sync
            .get()
            .map(|s| Badge::of(&s))
            .unwrap_or(Badge::Starting)
    };
    let text = move || {
        let (key, args) = badge().message(|t| clock(t, minutes_east()));
        ctx.tra(key, &args)
    };
    view! {
        <button
            class=move || format!("badge badge-{}", badge().state())
            data-testid="sync-badge"
            data-state=move || badge().state()
            on:click=move |_| ctx.go(Screen::Team)
        >
            <span class="visually-hidden">{move || ctx.t("sync-badge-label")} ": "</span>
            {text}
        </button>
        {announce.then(|| view! {
            <span class="visually-hidden" role="status" data-testid="sync-status">{text}</span>
        })}
    }
}

/// The navigation between the main screens.
#[component]
pub fn Nav() -> impl IntoView {
    let ctx = ctx();
    let item = move |screen: Screen, key: &'static str, testid: &'static str| {
        let target = screen.clone();
        let current = Signal::derive(move || {
            let s = ctx.screen.get();
            s == screen
                || matches!(
                    (&s, &screen),
                    (
                        Screen::Brief(_)
                            | Screen::Goal(..)
                            | Screen::Profile(_)
                            | Screen::NewPerson,
                        Screen::People
                    ) | (
                        Screen::Cover | Screen::Places | Screen::Debriefs,
                        Screen::Team
                    )
                )
        });
        view! {
            <button
                class="nav-item"
                class:current=current
                aria-current=move || if current.get() { "page" } else { "false" }
                data-testid=testid
                on:click=move |_| ctx.go(target.clone())
            >
                {move || ctx.t(key)}
            </button>
        }
    };
    view! {
        <nav class="nav" aria-label=move || ctx.t("nav-label") data-testid="nav">
            {item(Screen::Today, "nav-today", "nav-today")}
            {item(Screen::People, "nav-people", "nav-people")}
            {item(Screen::Team, "nav-team", "nav-team")}
            {item(Screen::Report, "nav-report", "nav-report")}
            {item(Screen::Settings, "nav-settings", "nav-settings")}
        </nav>
    }
}

/// The two buttons to switch language (first run, unlock, settings).
#[component]
pub fn LangSwitch() -> impl IntoView {
    let ctx = ctx();
    let set = move |lang: Lang| {
        ctx.lang.set(lang);
        ctx.settings.update(|s| s.lang = lang);
        let settings = ctx.settings.get_untracked();
        spawn_local(async move {
            let _ = invoke::<Settings>(Command::SaveSettings, &SaveSettings { settings }).await;
        });
    };
    view! {
        <div class="lang-switch" role="group" aria-label=move || ctx.t("settings-language")>
            <button
                data-testid="lang-fr"
                lang="fr"
                aria-pressed=move || (ctx.lang.get() == Lang::Fr).to_string()
                on:click=move |_| set(Lang::Fr)
            >
                "Français"
            </button>
            <button
                data-testid="lang-en"
                lang="en"
                aria-pressed=move || (ctx.lang.get() == Lang::En).to_string()
                on:click=move |_| set(Lang::En)
            >
                "English"
            </button>
        </div>
    }
}

/// An error line under a form, read out when it appears.
#[component]
pub fn ErrorLine(
    #[prop(into)] text: Signal<Option<String>>,
    testid: &'static str,
) -> impl IntoView {
    view! {
        <p class="error" role="alert" data-testid=testid hidden=move || text.get().is_none()>
            {move || text.get()}
        </p>
    }
}

/// Numbers the searches a screen sends as someone types, so that only the newest one's
/// answer is shown: an older search answering late does not replace a newer one.
#[derive(Clone, Copy, Debug)]
pub struct Latest(StoredValue<u64>);

impl Default for Latest {
    fn default() -> Self {
        Self::new()
    }
}

impl Latest {
    pub fn new() -> Self {
        Self(StoredValue::new(0))
    }

    /// A new search begins: its number.
    pub fn begin(self) -> u64 {
        self.0.update_value(|n| *n += 1);
        self.0.get_value()
    }

    /// Whether search `number` is still the newest.
    pub fn is_newest(self, number: u64) -> bool {
        self.0.get_value() == number
    }
}

/// A search box that searches as one types (a picker of people or places): the text in the
/// box and what the newest search found. An empty box finds nothing, and an answer that comes
/// after a newer search (or after the box was cleared) is dropped.
#[derive(Debug)]
pub struct LiveSearch<T: Send + Sync + 'static> {
    pub query: RwSignal<String>,
    pub results: RwSignal<Vec<T>>,
    searches: Latest,
}

impl<T: Send + Sync + 'static> Clone for LiveSearch<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for LiveSearch<T> {}

impl<T: Send + Sync + 'static> Default for LiveSearch<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Send + Sync + 'static> LiveSearch<T> {
    pub fn new() -> Self {
        Self {
            query: RwSignal::new(String::new()),
            results: RwSignal::new(Vec::new()),
            searches: Latest::new(),
        }
    }

    /// The box now reads `text`: asks `command` for it, and shows what `found` makes of the
    /// answer (nothing if the shell refused).
    pub fn typed<R: DeserializeOwned + 'static>(
        self,
        command: Command,
        text: String,
        found: impl FnOnce(R) -> Vec<T> + 'static,
    ) {
        self.query.set(text.clone());
        let mine = self.searches.begin();
        if text.trim().is_empty() {
            self.results.set(Vec::new());
            return;
        }
        spawn_local(async move {
            let answer = invoke::<R>(command, &Query { query: text }).await;
            if self.searches.is_newest(mine) {
                self.results.set(answer.map(found).unwrap_or_default());
            }
        });
    }

    /// Empties the box and its results (something was picked); a search still on its way is
    /// not shown.
    pub fn clear(self) {
        self.searches.begin();
        self.query.set(String::new());
        self.results.set(Vec::new());
    }
}
