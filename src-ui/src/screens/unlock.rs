//! Unlock: the passphrase, nothing else. No names are shown while locked.

use crate::ctx::{ctx, Phase};
use crate::tauri::invoke;
use crate::widgets::{ErrorLine, LangSwitch};
use leptos::prelude::*;
use leptos::task::spawn_local;
use tandem_model::shell::args::Unlock as UnlockArgs;
use tandem_model::shell::Command;

/// The unlock screen.
#[component]
pub fn Unlock() -> impl IntoView {
    let ctx = ctx();
    let pass = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let input: NodeRef<leptos::html::Input> = NodeRef::new();
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let passphrase = pass.get_untracked();
        spawn_local(async move {
            let r = invoke::<()>(Command::Unlock, &UnlockArgs { passphrase }).await;
            busy.set(false);
            pass.set(String::new());
            if ctx.answer(r, error).is_some() {
                ctx.last_activity.set_value(crate::platform::now_ms());
                ctx.phase.set(Phase::Unlocked);
            }
        });
    };
    view! {
        // The one landmark of the screen, so everything on it is in one.
        <main class="unlock" data-testid="unlock-screen">
            <LangSwitch />
            <h1>"Tandem"</h1>
            <form on:submit=submit data-testid="unlock-form">
                <label for="unlock-passphrase">{move || ctx.t("passphrase")}</label>
                <input id="unlock-passphrase" data-testid="unlock-passphrase" type="password"
                    autocomplete="current-password" node_ref=input
                    prop:value=move || pass.get()
                    on:input=move |ev| pass.set(event_target_value(&ev)) />
                <ErrorLine text=error testid="unlock-error" />
                <button type="submit" class="primary" data-testid="unlock-submit"
                    disabled=move || busy.get()>
                    {move || if busy.get() { ctx.t("unlocking") } else { ctx.t("unlock") }}
                </button>
            </form>
        </main>
    }
}
