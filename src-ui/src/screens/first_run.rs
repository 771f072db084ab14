//! First run: make a vault (a name, a passphrase with a strength hint), then start a team on
//! a relay, join one with an invite code, or use Tandem without a team for now.

use crate::ctx::{ctx, Ctx, Phase, Screen};
use crate::logic::strength::{strength, Strength};
use crate::tauri::invoke;
use crate::widgets::{ErrorLine, LangSwitch};
use leptos::prelude::*;
use leptos::task::spawn_local;
use tandem_model::shell::args::{CreateTeam, CreateVault, JoinTeam};
use tandem_model::shell::Command;

fn unlocked(ctx: Ctx) {
    ctx.screen.set(Screen::Today);
    ctx.phase.set(Phase::Unlocked);
}

/// The first-run screens.
#[component]
pub fn FirstRun() -> impl IntoView {
    let ctx = ctx();
    let step_two = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let pass = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let hint = move || strength(&pass.get());

    let next = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if name.get_untracked().trim().is_empty() {
            error.set(Some(ctx.t("invalid-your-name")));
        } else if hint() == Strength::TooShort {
            error.set(Some(ctx.t("strength-too-short")));
        } else if pass.get_untracked() != again.get_untracked() {
            error.set(Some(ctx.t("invalid-passphrases-differ")));
        } else {
            error.set(None);
            step_two.set(true);
        }
    };

    let relay = RwSignal::new(String::new());
    let relay_token = RwSignal::new(String::new());
    let team = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());

    let create_vault = move |team_name: String| async move {
        invoke::<()>(
            Command::CreateVault,
            &CreateVault {
                passphrase: pass.get_untracked(),
                member_name: name.get_untracked(),
                team_name,
            },
        )
        .await
    };
    let run = move |f: std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            f.await;
            busy.set(false);
        });
    };

    let create_team = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (url, team_name) = (relay.get_untracked(), team.get_untracked());
        if url.trim().is_empty() || team_name.trim().is_empty() {
            error.set(Some(ctx.t("invalid-relay-and-team")));
            return;
        }
        run(Box::pin(async move {
            if ctx
                .answer(create_vault(team_name.clone()).await, error)
                .is_none()
            {
                return;
            }
            let r = invoke::<()>(
                Command::CreateTeam,
                &CreateTeam {
                    relay_url: url,
                    team_name,
                    relay_token: crate::logic::format::optional_text(relay_token.get_untracked()),
                },
            )
            .await;
            unlocked(ctx);
            if let Err(e) = r {
                // The vault is made; the relay can be added later from Team & sync.
                ctx.screen.set(Screen::Team);
                ctx.notify(crate::i18n::error_key(&e.code));
            }
        }));
    };
    let join = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let c = code.get_untracked();
        if c.trim().is_empty() {
            error.set(Some(ctx.t("invalid-invite-code")));
            return;
        }
        run(Box::pin(async move {
            let r = invoke::<Option<serde_json::Value>>(
                Command::JoinTeam,
                &JoinTeam {
                    code: c,
                    passphrase: pass.get_untracked(),
                    member_name: name.get_untracked(),
                },
            )
            .await;
            if ctx.answer(r, error).is_some() {
                unlocked(ctx);
            }
        }));
    };
    let local = move |_| {
        run(Box::pin(async move {
            let r = create_vault(ctx.t("default-team-name")).await;
            if ctx.answer(r, error).is_some() {
                unlocked(ctx);
            }
        }));
    };

    view! {
        // The one landmark of the screen, so everything on it is in one.
        <main class="first-run" data-testid="first-run-screen">
            <LangSwitch />
            <h1>{move || ctx.t("welcome-title")}</h1>
            <Show
                when=move || step_two.get()
                fallback=move || view! {
                    <p>{move || ctx.t("welcome-intro")}</p>
                    <form on:submit=next data-testid="setup-form">
                        <label for="setup-name">{move || ctx.t("your-name")}</label>
                        <input id="setup-name" data-testid="setup-name" autocomplete="name"
                            prop:value=move || name.get()
                            on:input=move |ev| name.set(event_target_value(&ev)) />
                        <label for="setup-passphrase">{move || ctx.t("passphrase-new")}</label>
                        <input id="setup-passphrase" data-testid="setup-passphrase" type="password"
                            autocomplete="new-password" aria-describedby="passphrase-strength"
                            prop:value=move || pass.get()
                            on:input=move |ev| pass.set(event_target_value(&ev)) />
                        <p id="passphrase-strength" data-testid="passphrase-strength"
                            data-strength=move || format!("{:?}", hint()).to_lowercase() aria-live="polite">
                            <span class=move || hint().class() aria-hidden="true"></span>
                            {move || ctx.t(hint().key())}
                        </p>
                        <label for="setup-passphrase-again">{move || ctx.t("passphrase-again")}</label>
                        <input id="setup-passphrase-again" data-testid="setup-passphrase-again"
                            type="password" autocomplete="new-password"
                            prop:value=move || again.get()
                            on:input=move |ev| again.set(event_target_value(&ev)) />
                        <p class="hint">{move || ctx.t("passphrase-advice")}</p>
                        <ErrorLine text=error testid="setup-error" />
                        <button type="submit" class="primary" data-testid="setup-continue">
                            {move || ctx.t("continue")}
                        </button>
                    </form>
                }
            >
                <p>{move || ctx.t("team-choice-intro")}</p>
                <ErrorLine text=error testid="setup-error" />
                <form class="card" on:submit=create_team data-testid="team-create-form">
                    <h2>{move || ctx.t("team-create-title")}</h2>
                    <label for="team-create-relay">{move || ctx.t("relay-url")}</label>
                    <input id="team-create-relay" data-testid="team-create-relay" type="url"
                        inputmode="url" placeholder="https://relay.example.org"
                        prop:value=move || relay.get()
                        on:input=move |ev| relay.set(event_target_value(&ev)) />
                    <label for="team-create-token">{move || ctx.t("relay-token")}</label>
                    <input id="team-create-token" data-testid="team-create-token" type="password"
                        autocomplete="off" spellcheck="false" aria-describedby="team-create-token-hint"
                        prop:value=move || relay_token.get()
                        on:input=move |ev| relay_token.set(event_target_value(&ev)) />
                    <p class="hint" id="team-create-token-hint">{move || ctx.t("relay-token-hint")}</p>
                    <label for="team-create-name">{move || ctx.t("team-name")}</label>
                    <input id="team-create-name" data-testid="team-create-name"
                        prop:value=move || team.get()
                        on:input=move |ev| team.set(event_target_value(&ev)) />
                    <button type="submit" class="primary" data-testid="team-create-submit"
                        disabled=move || busy.get()>
                        {move || ctx.t("team-create-submit")}
                    </button>
                </form>
                <form class="card" on:submit=join data-testid="team-join-form">
                    <h2>{move || ctx.t("team-join-title")}</h2>
                    <label for="team-join-code">{move || ctx.t("invite-code")}</label>
                    <textarea id="team-join-code" data-testid="team-join-code" rows="3"
                        autocomplete="off" spellcheck="false"
                        prop:value=move || code.get()
                        on:input=move |ev| code.set(event_target_value(&ev))></textarea>
                    <button type="submit" class="primary" data-testid="team-join-submit"
                        disabled=move || busy.get()>
                        {move || ctx.t("team-join-submit")}
                    </button>
                </form>
                <div class="card">
                    <h2>{move || ctx.t("team-local-title")}</h2>
                    <p class="hint">{move || ctx.t("team-local-hint")}</p>
                    <button class="secondary" data-testid="team-local-submit"
                        disabled=move || busy.get() on:click=local>
                        {move || ctx.t("team-local-submit")}
                    </button>
                </div>
                <p class="busy" aria-live="polite" data-testid="setup-busy">
                    {move || busy.get().then(|| ctx.t("working"))}
                </p>
                <button class="link" data-testid="setup-back" on:click=move |_| step_two.set(false)>
                    {move || ctx.t("back")}
                </button>
            </Show>
        </main>
    }
}
