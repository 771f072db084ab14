//! Choosing one of the people the team accompanies by typing part of a name: for "this was…"
//! on a street contact and for "same person as…" on a brief. Accent-blind, as the People
//! search is (the vault's search).

use crate::ctx::ctx;
use crate::widgets::LiveSearch;
use leptos::prelude::*;
use tandem_model::shell::Command;
use tandem_model::{PersonId, PersonSummary};

/// A search box and the people it finds; `on_pick` gets the one chosen. `id` names the
/// box and its list on the page (and their test ids: `{id}-search`, `{id}-result`).
#[component]
pub fn PersonPicker(
    id: &'static str,
    /// The label's translation key.
    label: &'static str,
    /// A record not to offer (the one this is about).
    exclude: Option<PersonId>,
    on_pick: impl Fn(PersonSummary) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ctx = ctx();
    let live = LiveSearch::<PersonSummary>::new();
    let (query, results) = (live.query, live.results);
    let exclude = StoredValue::new(exclude);
    let search = move |text: String| {
        live.typed(
            Command::SearchPeople,
            text,
            move |mut found: Vec<PersonSummary>| {
                exclude.with_value(|x| found.retain(|p| Some(&p.id) != x.as_ref()));
                found
            },
        );
    };
    let (input_id, list_id) = (format!("{id}-search"), format!("{id}-results"));
    let no_match = move || !query.get().trim().is_empty() && results.get().is_empty();
    view! {
        <div class="picker">
            <label for=input_id.clone()>{move || ctx.t(label)}</label>
            <input id=input_id.clone() data-testid=input_id type="search" autocomplete="off"
                aria-controls=list_id.clone()
                placeholder=move || ctx.t("person-search-placeholder")
                prop:value=move || query.get()
                on:input=move |ev| search(event_target_value(&ev)) />
            <ul id=list_id.clone() data-testid=list_id class="list" aria-live="polite">
                <For each=move || results.get() key=|p| p.id.clone() let:p>
                    {
                        let pronouns = p.pronouns.clone().map(|x| format!(" ({x})"));
                        let chosen = p.clone();
                        view! {
                            <li>
                                <button type="button" class="item-main" data-testid=format!("{id}-result")
                                    on:click=move |_| on_pick(chosen.clone())>
                                    <strong>{p.name.clone()}</strong>{pronouns}
                                </button>
                            </li>
                        }
                    }
                </For>
            </ul>
            <p class="empty" hidden=move || !no_match()>{move || ctx.t("person-none-found")}</p>
        </div>
    }
}
