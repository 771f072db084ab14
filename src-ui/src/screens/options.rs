//! What the team's forms offer: encounter kinds, life domains, what can be given. Every
//! member may add an option (a team gives bus tickets, another socks) or take one away;
//! records written with an option keep it.

use crate::ctx::ctx;
use crate::widgets::ErrorLine;
use leptos::prelude::*;
use tandem_model::labels::code_label;
use tandem_model::shell::args::{NoArgs, TeamOption};
use tandem_model::shell::Command;
use tandem_model::{OptionList, TeamSettings};

/// The three lists, each with its options and a field to add one.
#[component]
pub fn TeamOptions() -> impl IntoView {
    let ctx = ctx();
    let settings = RwSignal::new(None::<TeamSettings>);
    let error = RwSignal::new(None::<String>);
    // No reload needed after a change here: adding or removing answers with the new lists.
    let _ = ctx.load(Command::TeamSettings, NoArgs {}, settings, error);
    let change = move |command: Command, which: OptionList, value: String| {
        ctx.run(command, TeamOption { which, value }, error, move |s| {
            error.set(None);
            settings.set(Some(s));
        });
    };

    let list = move |which: OptionList, title: &'static str| {
        let new = RwSignal::new(String::new());
        let input_id = format!("option-new-{}", which.code());
        let add = move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let value = new.get_untracked().trim().to_owned();
            if value.is_empty() {
                return;
            }
            new.set(String::new());
            change(Command::AddTeamOption, which, value);
        };
        let rows = move || {
            let lang = ctx.lang.get();
            settings
                .get()
                .map(|s| s.list(which).to_vec())
                .unwrap_or_default()
                .into_iter()
                .map(|code| {
                    let label = code_label(&code, lang);
                    let aria = ctx.tra("option-remove-named", &[("option", label.clone())]);
                    view! {
                        <li class="item" data-testid="option">
                            <span class="item-main">{label}</span>
                            <button class="small" data-testid="option-remove" aria-label=aria
                                on:click=move |_| change(Command::RemoveTeamOption, which, code.clone())>
                                {ctx.t("option-remove")}
                            </button>
                        </li>
                    }
                })
                .collect_view()
        };
        view! {
            <h3>{move || ctx.t(title)}</h3>
            <ul class="list" data-testid=format!("options-{}", which.code())>{rows}</ul>
            <form class="inline" on:submit=add data-testid=format!("option-add-form-{}", which.code())>
                <label for=input_id.clone()>{move || ctx.t("option-new")}</label>
                <input id=input_id.clone() data-testid=input_id.clone() maxlength="60"
                    prop:value=move || new.get() on:input=move |ev| new.set(event_target_value(&ev)) />
                <button type="submit" class="secondary" data-testid=format!("option-add-{}", which.code())>
                    {move || ctx.t("add")}
                </button>
            </form>
        }
    };

    view! {
        <div data-testid="team-options">
            <h2>{move || ctx.t("options-title")}</h2>
            <p class="hint">{move || ctx.t("options-hint")}</p>
            <ErrorLine text=error testid="options-error" />
            {list(OptionList::EncounterKinds, "options-kinds")}
            {list(OptionList::LifeDomains, "options-domains")}
            {list(OptionList::GivenItems, "options-given")}
        </div>
    }
}
