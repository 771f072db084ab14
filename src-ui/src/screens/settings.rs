//! Settings: language (remembered), auto-lock time, the daily reminder, change passphrase.

use crate::ctx::ctx;
use crate::logic::strength::{strength, Strength};
use crate::widgets::{ErrorLine, LangSwitch};
use leptos::prelude::*;
use tandem_model::reminder;
use tandem_model::shell::answers::Settings;
use tandem_model::shell::args::{ChangePassphrase, SaveSettings};
use tandem_model::shell::Command;

/// The auto-lock choices, in minutes.
pub const AUTO_LOCK_CHOICES: [u32; 6] = [1, 2, 5, 10, 15, 30];

/// The Settings screen.
#[component]
pub fn SettingsScreen() -> impl IntoView {
    let ctx = ctx();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let save = move |change: &dyn Fn(&mut Settings)| {
        ctx.settings.update(|s| change(s));
        let settings = ctx.settings.get_untracked();
        ctx.run(
            Command::SaveSettings,
            SaveSettings { settings },
            error,
            move |_: Settings| ctx.notify("settings-saved"),
        );
    };
    let set_minutes = move |m: u32| save(&|s| s.auto_lock_minutes = m);
    let set_reminders = move |on: bool| save(&|s| s.reminders = on);
    let set_reminder_time = move |text: String| {
        // A time field cleared or half typed gives no time: the last one stays.
        if let Some(m) = reminder::parse_minute(&text) {
            save(&|s| s.reminder_minute = m);
        }
    };
    let change = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if strength(&new.get_untracked()) == Strength::TooShort {
            error.set(Some(ctx.t("strength-too-short")));
            return;
        }
        if new.get_untracked() != again.get_untracked() {
            error.set(Some(ctx.t("invalid-passphrases-differ")));
            return;
        }
        let args = ChangePassphrase {
            current: current.get_untracked(),
            new: new.get_untracked(),
        };
        ctx.run(Command::ChangePassphrase, args, error, move |()| {
            error.set(None);
            current.set(String::new());
            new.set(String::new());
            again.set(String::new());
            ctx.notify("passphrase-changed");
        });
    };
    let hint = move || strength(&new.get());
    view! {
        <section data-testid="settings-screen" aria-labelledby="settings-title">
            <h1 id="settings-title">{move || ctx.t("settings-title")}</h1>
            <h2>{move || ctx.t("settings-language")}</h2>
            <LangSwitch />
            <h2><label for="auto-lock">{move || ctx.t("settings-auto-lock")}</label></h2>
            <select id="auto-lock" data-testid="auto-lock"
                on:change=move |ev| set_minutes(event_target_value(&ev).parse().unwrap_or(5))>
                {AUTO_LOCK_CHOICES.into_iter().map(|m| view! {
                    <option value=m.to_string() selected=move || ctx.settings.get().auto_lock_minutes == m>
                        {move || ctx.tra("minutes", &[("n", m.to_string())])}
                    </option>
                }).collect_view()}
            </select>
            <p class="hint">{move || ctx.t("auto-lock-hint")}</p>
            <h2>{move || ctx.t("settings-reminders")}</h2>
            <label class="check">
                <input type="checkbox" data-testid="reminders"
                    aria-describedby="reminders-hint"
                    prop:checked=move || ctx.settings.get().reminders
                    on:change=move |ev| set_reminders(event_target_checked(&ev)) />
                {move || ctx.t("settings-reminders-on")}
            </label>
            <label for="reminder-time">{move || ctx.t("settings-reminder-time")}</label>
            <input id="reminder-time" data-testid="reminder-time" type="time"
                aria-describedby="reminders-hint"
                disabled=move || !ctx.settings.get().reminders
                prop:value=move || reminder::minute_text(ctx.settings.get().reminder_minute)
                on:change=move |ev| set_reminder_time(event_target_value(&ev)) />
            <p class="hint" id="reminders-hint">{move || ctx.t("settings-reminders-hint")}</p>
            <h2>{move || ctx.t("passphrase-change")}</h2>
            <form on:submit=change data-testid="passphrase-form">
                <label for="passphrase-current">{move || ctx.t("passphrase-current")}</label>
                <input id="passphrase-current" data-testid="passphrase-current" type="password"
                    autocomplete="current-password"
                    prop:value=move || current.get() on:input=move |ev| current.set(event_target_value(&ev)) />
                <label for="passphrase-new">{move || ctx.t("passphrase-new")}</label>
                <input id="passphrase-new" data-testid="passphrase-new" type="password"
                    autocomplete="new-password" aria-describedby="passphrase-new-strength"
                    prop:value=move || new.get() on:input=move |ev| new.set(event_target_value(&ev)) />
                <p id="passphrase-new-strength" aria-live="polite">
                    <span class=move || hint().class() aria-hidden="true"></span>
                    {move || ctx.t(hint().key())}
                </p>
                <label for="passphrase-new-again">{move || ctx.t("passphrase-again")}</label>
                <input id="passphrase-new-again" data-testid="passphrase-new-again" type="password"
                    autocomplete="new-password"
                    prop:value=move || again.get() on:input=move |ev| again.set(event_target_value(&ev)) />
                <ErrorLine text=error testid="settings-error" />
                <button type="submit" class="primary" data-testid="passphrase-submit">
                    {move || ctx.t("passphrase-change")}
                </button>
            </form>
        </section>
    }
}
