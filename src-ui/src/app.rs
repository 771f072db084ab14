//! The app: renders what is shown (first run, unlock, or the unlocked screens) from the shared
//! context (`ctx`), keeps the sync status from the shell, and locks after idle time or when
//! the window is hidden. Nothing imports this module but the entry point.

use crate::ctx::{ctx, Ctx, Phase, Screen};
use crate::logic::sync_badge::SyncView;
use crate::tauri::{invoke, listen};
use crate::widgets::{Nav, SyncBadge};
use leptos::prelude::*;
use leptos::task::spawn_local;
use tandem_model::shell::answers::{AppInfo, Settings};
use tandem_model::shell::args::NoArgs;
use tandem_model::shell::{Command, SYNC_EVENT};
use tandem_model::Lang;

/// The app.
#[component]
pub fn App() -> impl IntoView {
    let ctx = Ctx {
        lang: RwSignal::new(Lang::En),
        settings: RwSignal::new(Settings::default()),
        phase: RwSignal::new(Phase::Loading),
        screen: RwSignal::new(Screen::Today),
        sync: RwSignal::new(None),
        refresh: RwSignal::new(0),
        notice: RwSignal::new(None),
        last_activity: StoredValue::new(crate::platform::now_ms()),
    };
    provide_context(ctx);

    spawn_local(async move {
        match invoke::<AppInfo>(Command::AppInfo, &NoArgs {}).await {
            Ok(info) => {
                ctx.settings.set(info.settings);
                ctx.lang.set(info.settings.lang);
                ctx.phase.set(if info.unlocked {
                    Phase::Unlocked
                } else if info.vault_exists {
                    Phase::Locked
                } else {
                    Phase::FirstRun
                });
            }
            // No shell (a plain browser): show the first screen rather than nothing.
            Err(_) => ctx.phase.set(Phase::FirstRun),
        }
    });
    spawn_local(async move {
        listen(SYNC_EVENT, move |s: SyncView| {
            let before = ctx.sync.get_untracked();
            if !s.replaces(before.as_ref()) {
                return;
            }
            let newer = s.state == "synced"
                && before.as_ref().map(|b| b.last_synced_at) != Some(s.last_synced_at);
            ctx.sync.set(Some(s));
            if newer {
                ctx.refresh.update(|n| *n += 1);
            }
        })
        .await;
    });
    Effect::new(move |_| {
        let lang = ctx.lang.get();
        set_document_lang(lang);
    });
    install_auto_lock(ctx);

    view! {
        <div class="app">
            {move || match ctx.phase.get() {
                Phase::Loading => view! { <p class="loading" data-testid="loading">"…"</p> }.into_any(),
                Phase::FirstRun => view! { <crate::screens::first_run::FirstRun /> }.into_any(),
                Phase::Locked => view! { <crate::screens::unlock::Unlock /> }.into_any(),
                Phase::Unlocked => view! { <Unlocked /> }.into_any(),
            }}
        </div>
    }
}

/// The frame of the unlocked app: header with the sync badge and the lock button, the
/// navigation, and the screen.
#[component]
fn Unlocked() -> impl IntoView {
    let ctx = ctx();
    spawn_local(async move {
        if let Ok(Some(s)) = invoke::<Option<SyncView>>(Command::SyncStatus, &NoArgs {}).await {
            // An event newer than this answer may have arrived meanwhile.
            if s.replaces(ctx.sync.get_untracked().as_ref()) {
                ctx.sync.set(Some(s));
            }
        }
    });
    view! {
        <header class="top" data-testid="top-bar">
            <span class="brand">"Tandem"</span>
            <SyncBadge announce=true />
            <button class="lock" data-testid="lock-button" on:click=move |_| ctx.lock()>
                {move || ctx.t("lock")}
            </button>
        </header>
        // Before the screen in reading and tab order; on a phone it is drawn fixed at the bottom.
        <Nav />
        <main id="main" data-testid="screen">
            // Inside the main landmark, so every word on screen is in one.
            <p class="notice" role="status" aria-live="polite" data-testid="notice">
                {move || ctx.notice.get().map(|k| ctx.t(k))}
            </p>
            {move || match ctx.screen.get() {
                Screen::Today => view! { <crate::screens::today::TodayScreen /> }.into_any(),
                Screen::Encounter => view! { <crate::screens::encounter::EncounterScreen /> }.into_any(),
                Screen::People => view! { <crate::screens::people::PeopleScreen /> }.into_any(),
                Screen::NewPerson => view! { <crate::screens::people::NewPersonScreen /> }.into_any(),
                Screen::Brief(id) => view! { <crate::screens::brief::BriefScreen id=id /> }.into_any(),
                Screen::Goal(p, g) => view! { <crate::screens::goal::GoalScreen person=p goal=g /> }.into_any(),
                Screen::Profile(id) => view! { <crate::screens::profile::ProfileScreen id=id /> }.into_any(),
                Screen::Team => view! { <crate::screens::team::TeamScreen /> }.into_any(),
                Screen::Settings => view! { <crate::screens::settings::SettingsScreen /> }.into_any(),
                Screen::Report => view! { <crate::screens::report::ReportScreen /> }.into_any(),
                Screen::Cover => view! { <crate::screens::cover::CoverScreen /> }.into_any(),
                Screen::Places => view! { <crate::screens::places::PlacesScreen /> }.into_any(),
                Screen::Debriefs => view! { <crate::screens::debriefs::DebriefsScreen /> }.into_any(),
                Screen::Street => view! { <crate::screens::street::StreetScreen /> }.into_any(),
            }}
        </main>
    }
}

fn set_document_lang(lang: Lang) {
    #[cfg(target_arch = "wasm32")]
    if let Some(el) = document().document_element() {
        let _ = el.set_attribute("lang", lang.code());
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = lang;
}

/// Locks after the chosen idle time, and at once when the window is hidden.
fn install_auto_lock(ctx: Ctx) {
    #[cfg(target_arch = "wasm32")]
    {
        use crate::logic::idle::should_lock;
        use crate::platform::now_ms;
        use wasm_bindgen::prelude::*;
        use wasm_bindgen::JsCast;

        let doc = document();
        let touched = Closure::<dyn FnMut()>::new(move || ctx.last_activity.set_value(now_ms()));
        for ev in ["pointerdown", "keydown", "input", "wheel", "touchstart"] {
            let _ = doc.add_event_listener_with_callback(ev, touched.as_ref().unchecked_ref());
        }
        touched.forget();

        let hidden = Closure::<dyn FnMut()>::new(move || {
            if document().hidden() {
                ctx.lock();
            }
        });
        let _ = doc
            .add_event_listener_with_callback("visibilitychange", hidden.as_ref().unchecked_ref());
        hidden.forget();

        let tick = Closure::<dyn FnMut()>::new(move || {
            if ctx.phase.get_untracked() != Phase::Unlocked {
                return;
            }
            let minutes = ctx.settings.get_untracked().auto_lock_minutes;
            if should_lock(ctx.last_activity.get_value(), now_ms(), minutes, false) {
                ctx.lock();
            }
        });
        let _ = window().set_interval_with_callback_and_timeout_and_arguments_0(
            tick.as_ref().unchecked_ref(),
            5_000,
        );
        tick.forget();
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = ctx;
}
